"""`data check`: what a data folder holds and what a run would select from it."""

from __future__ import annotations

from collections import Counter

from benchmark import data


def check(data_dir: str | None, min_images: int, classes: int, *,
          test_fraction: float, seed: int) -> dict:
    """Scan, select as the paper does, and size the splits; raises DataError."""
    root = data.resolve_root(data_dir)
    inv = data.scan(root)
    counts = {t: inv.counts(t) for t in data.TREES}
    report: dict = {
        "root": str(root),
        "trees": {t: {"folder": data.TREES[t], "people": len(c),
                      "images": sum(c.values())} for t, c in counts.items()},
        "masked_per_person": dict(sorted(counts["masked"].items(),
                                         key=lambda kv: (-kv[1], kv[0]))),
        "min_images": min_images,
        "classes": classes,
        "qualifying": sum(n >= min_images for n in counts["masked"].values()),
    }
    splits = {}
    for dataset in ("masked", "mixed"):
        sel = data.select(inv, dataset, min_images, classes)
        train, test = data.split(sel.labels, test_fraction, seed)
        splits[dataset] = {"images": len(sel.files), "train": len(train),
                           "test": len(test)}
    report["selected"] = list(sel.people)
    report["selected_unmasked"] = {p: counts["unmasked"].get(p, 0) for p in sel.people}
    report["split"] = splits
    report["split_seed"] = seed
    report["skipped"] = [{"path": s.path, "reason": s.reason} for s in inv.skipped]
    report["skipped_by_reason"] = dict(Counter(s.reason for s in inv.skipped))
    return report


def as_text(r: dict) -> str:
    lines = [f"RMFD root: {r['root']}"]
    for t in r["trees"].values():
        lines.append(f"  {t['folder']}/: {t['people']} people, {t['images']} usable images")
    lines.append(f"{r['qualifying']} people have at least {r['min_images']} masked "
                 f"images; selected {len(r['selected'])}:")
    for p in r["selected"]:
        lines.append(f"  {p}: {r['masked_per_person'][p]} masked, "
                     f"{r['selected_unmasked'][p]} unmasked")
    for name, s in r["split"].items():
        lines.append(f"split {name} (seed {r['split_seed']}): {s['images']} images -> "
                     f"{s['train']} train / {s['test']} test")
    lines.append(f"problems: {len(r['skipped'])} skipped")
    for reason, n in r["skipped_by_reason"].items():
        lines.append(f"  {n} x {reason}")
    return "\n".join(lines)

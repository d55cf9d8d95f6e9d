"""What explains the published numbers: findings, each backed by a stored run.

Reads only result files (and, for the audit, the data folder a run used).
"""

from __future__ import annotations

import statistics
from pathlib import Path

from benchmark import audit, compare, data, published
from benchmark.results import Result
from benchmark.scenarios import ABLATIONS, SCENARIOS

PRF = ("precision", "recall", "f1")


def mean(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def dig(metrics: dict, *keys: str) -> float | None:
    """A nested value, or None where an older run did not record it."""
    for key in keys:
        if not isinstance(metrics, dict) or key not in metrics:
            return None
        metrics = metrics[key]
    return float(metrics)


def conventions(chosen: dict[str, list[Result]]) -> list[dict]:
    """Recall minus accuracy under each convention, next to the paper's."""
    pub = published.by_scenario()
    rows = []
    for sid, runs in chosen.items():
        if not runs or sid not in pub:
            continue
        p = pub[sid]
        rows.append({
            "scenario": sid,
            "paper_accuracy": p["test_accuracy"].value, "paper_recall": p["test_recall"].value,
            "accuracy": mean([dig(r.metrics, "test", "accuracy") for r in runs]),
            "macro_recall": mean([dig(r.metrics, "test", "macro", "recall") for r in runs]),
            "binary_recall": mean([dig(r.metrics, "test", "keras_binary", "recall")
                                   for r in runs]),
            "logits_recall": mean([dig(r.metrics, "analysis", "logits_keras_binary", "recall")
                                   for r in runs]),
            "logits_precision": mean([dig(r.metrics, "analysis", "logits_keras_binary",
                                          "precision") for r in runs]),
        })
    return rows


def variants(found: list[Result], ablations: dict[str, list[Result]]) -> list[dict]:
    """Per metric: does the softmax or the s*cos head come closer to the paper?

    The base row is taken from the same profile as the ablation, so like is
    compared with like.
    """
    pub = published.by_scenario()
    rows = []
    for aid, runs in ablations.items():
        base_id = ABLATIONS[aid].ablation_of
        if not runs:
            continue
        same = [r for r in found if r.scenario == base_id and r.profile == runs[0].profile]
        base = compare.pick_group(same) if same else []
        if not base:
            continue
        for metric in ("test_accuracy", "test_precision", "test_recall", "test_f1"):
            key = ("accuracy",) if metric == "test_accuracy" else (
                "keras_binary", metric.removeprefix("test_"))
            paper = pub[base_id][metric].value
            ours = mean([dig(r.metrics, "test", *key) for r in base])
            var = mean([dig(r.metrics, "test", *key) for r in runs])
            closer = "–" if ours is None or var is None else (
                "s*cos head" if abs(var - paper) < abs(ours - paper) else "softmax head")
            rows.append({"ablation": aid, "scenario": base_id, "metric": metric,
                         "paper": paper, "softmax": ours, "logits": var, "closer": closer,
                         "seeds": len(runs), "profile": runs[0].profile})
    return rows


def table2_vs_3(chosen: dict[str, list[Result]]) -> list[dict]:
    """Validation accuracy (Table 2) against test accuracy (Table 3) on one split."""
    pub = published.by_scenario()
    rows = []
    for sid, runs in chosen.items():
        if not runs:
            continue
        rows.append({
            "scenario": sid,
            "paper_val": pub[sid]["val_accuracy"].value,
            "paper_test": pub[sid]["test_accuracy"].value,
            "val_last": mean([dig(r.metrics, "table2", "val_accuracy") for r in runs]),
            "val_best": mean([dig(r.metrics, "table2", "best_val_accuracy") for r in runs]),
            "test_no_labels": mean([dig(r.metrics, "test", "accuracy") for r in runs]),
            "test_with_labels": mean([dig(r.metrics, "analysis", "test_with_labels",
                                          "accuracy") for r in runs]),
            "test_best_epoch": mean([dig(r.metrics, "analysis", "best_epoch_test", "accuracy")
                                     for r in runs]),
        })
    return rows


def data_audit(found: list[Result], results_dir: Path) -> dict:
    """Audit counts for the data folder the runs used, if it is readable now."""
    roots = sorted({r.config.get("data_root", "") for r in found} - {""})
    if not roots:
        return {"note": "no runs to audit"}
    try:
        report = audit.audit(data.resolve_root(roots[0]), results_dir)
    except data.DataError as err:
        return {"note": f"data audit not run: {err}"}
    return report


def explain(found: list[Result], chosen: dict[str, list[Result]], results_dir: Path) -> dict:
    ablations = {}
    for aid in ABLATIONS:
        runs = [r for r in found if r.scenario == aid]
        ablations[aid] = compare.pick_group(runs) if runs else []
    return {
        "conventions": conventions({k: v for k, v in chosen.items() if k in SCENARIOS}),
        "variants": variants(found, ablations),
        "table2_vs_3": table2_vs_3({k: v for k, v in chosen.items() if k in SCENARIOS}),
        "audit": data_audit(found, results_dir),
    }

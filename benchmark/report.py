"""The HTML reproduction report: results + verdicts -> one self-contained file."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from benchmark import compare, explain, perf_targets, plots, published, results
from benchmark.scenarios import ASSUMPTIONS, SCENARIOS

TEMPLATES = Path(__file__).resolve().parent.parent / "report_templates"
PERF_JSON = Path(__file__).resolve().parent.parent / "benchmarks" / "results.json"
DATA_NOTES = (
    "RMFD copy: the shared data is a partial re-assembly of RMFD from two student "
    "repositories (see its SOURCE.md): images were resized and re-encoded by the "
    "uploaders, only 13 people reach 20 masked images, and a few images are filed under "
    "two people.",
)


def mean_std(values: list[float]) -> tuple[float | None, float]:
    if not values:
        return None, 0.0
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def mpl_text(text: str) -> str:
    """Person names are untrusted: keep '$' from starting matplotlib mathtext."""
    return text.replace("$", r"\$")


def scenario_section(sid: str, runs: list[results.Result]) -> dict:
    """Everything the report shows for one scenario's chosen configuration."""
    sc = SCENARIOS[sid]
    section = {"id": sid, "title": sc.title, "figure": sc.figure, "cited": sc.cited,
               "dataset": sc.dataset, "backbone": sc.backbone, "head": sc.head, "runs": runs}
    if not runs:
        return section
    first = runs[0]
    classes = first.config["classes"]
    total = [[sum(r.confusion[i][j] for r in runs) for j in range(len(classes))]
             for i in range(len(classes))]
    conventions = {}
    for conv in compare.CONVENTIONS:
        conventions[conv] = {k: mean_std([r.metrics["test"][conv][k] for r in runs])
                             for k in ("precision", "recall", "f1")}
    section.update(
        profile=first.profile, seeds=[r.seed for r in runs],
        config_hash=first.config["config_hash"], data_hash=first.config["data_hash"],
        classes=classes, n_train=first.metrics["n_train"], n_test=first.metrics["test"]["n_test"],
        settings=first.config["settings"], deviations=first.config["deviations"],
        accuracy=mean_std([r.metrics["test"]["accuracy"] for r in runs]),
        conventions=conventions,
        best=[(r.seed, r.metrics["table2"]["best_epoch"],
               r.metrics["table2"]["best_val_accuracy"]) for r in runs],
        seconds_per_epoch=mean_std([r.metrics["seconds_per_epoch"] for r in runs])[0],
        curves=plots.curves(runs, mpl_text(f"{sc.title} ({sc.dataset})")),
        confusion=plots.confusion(total, [mpl_text(c) for c in classes],
                                  f"{sc.title}: test split, {len(runs)} seed(s) summed"),
    )
    return section


def bench_json(path: Path = PERF_JSON) -> dict:
    """The stored pytest-benchmark measurements (see PERFORMANCE.md), if any."""
    return results.read_json(path) if path.exists() else {}


def performance(stored: dict) -> list[dict]:
    """One row per benchmark with its scalar figures (nested ones stay in the JSON)."""
    return [{"name": b["name"], "median": b["stats"]["median"],
             "extra": {k: v for k, v in b.get("extra_info", {}).items()
                       if isinstance(v, str | int | float)}}
            for b in stored.get("benchmarks", [])]


def context(found: list[results.Result], results_dir: Path) -> dict:
    verdicts = compare.compare(found)
    chosen: dict[str, list[results.Result]] = {sid: [] for sid in SCENARIOS}
    for sid in SCENARIOS:
        runs = [r for r in found if r.scenario == sid]
        chosen[sid] = compare.pick_group(runs) if runs else []
    deviations = sorted({d for runs in chosen.values() for r in runs[:1]
                         for d in r.config["deviations"]})
    environments = {}
    for runs in chosen.values():
        for r in runs:
            env = r.environment
            key = (env.get("cpu"), tuple(env.get("gpus", [])), env["versions"]["tensorflow"])
            environments.setdefault(key, env)
    counts = {status: sum(v.status == status for v in verdicts)
              for status in (compare.REPRODUCED, compare.OUTSIDE, compare.NOT_COMPARABLE,
                             compare.NOT_RUN)}
    notes_file = results_dir / "notes.json"
    notes = results.read_json(notes_file) if notes_file.exists() else {}
    return {
        "notes": notes,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "results_dir": str(results_dir),
        "verdicts": verdicts, "counts": counts,
        "by_scenario": {sid: [v for v in verdicts if v.scenario == sid] for sid in SCENARIOS},
        "sections": [scenario_section(sid, runs) for sid, runs in chosen.items()],
        "table2": published.TABLE2_METRICS, "table3": published.TABLE3_METRICS,
        "deviations": deviations, "data_notes": DATA_NOTES, "assumptions": ASSUMPTIONS,
        "environments": list(environments.values()),
        "rule": compare.__doc__.split("\n\n", 1)[1].strip(),
        "explain": explain.explain(found, chosen, results_dir),
        "performance": performance(stored := bench_json()),
        "targets": perf_targets.judge(stored, found),
    }


def render(results_dir: Path, out: Path | None = None) -> Path:
    """Render `report.html` (or `out`) from every result under `results_dir`."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.StrictUndefined)
    env.filters["num"] = lambda v, d=4: "–" if v is None else f"{v:.{d}f}"
    env.filters["slug"] = lambda s: s.replace(" ", "-")
    html = env.get_template("report.html.j2").render(**context(results.scan(results_dir),
                                                               results_dir))
    target = out or results_dir / "report.html"
    results.write_text(target, html)
    return target

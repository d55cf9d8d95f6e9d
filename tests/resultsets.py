"""Crafted result folders in the suite's file format, for compare/report tests."""

from __future__ import annotations

from pathlib import Path

from benchmark import published, results, scenarios
from benchmark.compare import CONVENTIONS


def write_result(root: Path, scenario: str, values: dict[str, float], *, profile="paper",
                 seed=1, classes=("alice", "bob", "carol"), analysis=None) -> Path:
    """One finished scenario whose metrics are exactly `values`."""
    cfg = scenarios.resolve(scenario, profile, seed)
    conv = cfg.scenario.convention
    test = {"accuracy": values["test_accuracy"], "n_test": 30}
    for c in CONVENTIONS:
        test[c] = {k: values[f"test_{k}"] if c == conv else 0.5
                   for k in ("precision", "recall", "f1")}
    t2 = {m: values[m] for m in published.TABLE2_METRICS}
    history = [{"epoch": e, "accuracy": t2["train_accuracy"] * (e + 1) / 3,
                "loss": t2["train_loss"] * (3 - e), "val_accuracy": t2["val_accuracy"],
                "val_loss": t2["val_loss"]} for e in range(3)]
    history[-1].update(accuracy=t2["train_accuracy"], loss=t2["train_loss"])
    metrics = {"scenario": scenario, "profile": profile, "seed": seed,
               "config_hash": cfg.hash, "data_hash": "d" * 16,
               "table2": {**t2, "best_epoch": 3, "best_val_accuracy": t2["val_accuracy"]},
               "test": test, "per_class": {}, "n_train": 70, "epochs_run": 3,
               "seconds_per_epoch": 1.5, "analysis": analysis or {}}
    config = {**cfg.to_dict(), "config_hash": cfg.hash, "data_hash": "d" * 16,
              "data_root": "/data/rmfd", "classes": list(classes),
              "deviations": list(cfg.deviations), "assumptions": scenarios.ASSUMPTIONS}
    env = {"cpu": "test cpu", "cpu_count": 2, "gpus": [], "platform": "test", "python": "3.11",
           "versions": {"tensorflow": "2.21.0"}, "suite_version": "0", "git_commit": "x",
           "deterministic": False, "seed": seed, "wall_seconds": 4.5}
    n = len(classes)
    confusion = [[c, *[10 if i == j else 0 for j in range(n)]] for i, c in enumerate(classes)]
    final = root / f"{profile}-seed{seed}" / scenario
    results.publish({
        "config.json": results.dumps(config), "metrics.json": results.dumps(metrics),
        "history.csv": results.csv_text(history), "environment.json": results.dumps(env),
        "confusion.csv": results.csv_text(confusion, ["true\\predicted", *classes]),
        "split_manifest.csv": "split,tree,person,label,file,sha256\n"}, final)
    return final


def published_values(scenario: str) -> dict[str, float]:
    return {m: p.value for m, p in published.by_scenario()[scenario].items()}


def write_published_set(root: Path, shift: float = 0.0, profile="paper", seeds=(1,)) -> Path:
    """All five scenarios at the published numbers, plus `shift` on each."""
    for seed in seeds:
        for sid in scenarios.SCENARIOS:
            write_result(root, sid, {m: v + shift for m, v in published_values(sid).items()},
                         profile=profile, seed=seed)
    return root

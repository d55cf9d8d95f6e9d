"""The paper's published numbers, read from baselines/published.csv."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

BASELINES = Path(__file__).resolve().parent.parent / "baselines" / "published.csv"

TABLE2_METRICS = ("train_accuracy", "val_accuracy", "train_loss", "val_loss")
TABLE3_METRICS = ("test_accuracy", "test_recall", "test_precision", "test_f1")
METRICS = TABLE2_METRICS + TABLE3_METRICS


@dataclass(frozen=True)
class Published:
    """One published number and the tolerance it is judged with."""

    scenario: str
    table: int
    metric: str
    value: float
    tolerance: float
    source: str


def load(path: Path = BASELINES) -> list[Published]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [
            Published(r["scenario"], int(r["table"]), r["metric"], float(r["value"]),
                      float(r["tolerance"]), r["source"])
            for r in csv.DictReader(fh)
        ]


def by_scenario(path: Path = BASELINES) -> dict[str, dict[str, Published]]:
    out: dict[str, dict[str, Published]] = {}
    for p in load(path):
        out.setdefault(p.scenario, {})[p.metric] = p
    return out

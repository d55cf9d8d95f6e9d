"""Issue 7's speed targets, declared once, judged from the stored measurements.

The measurements are pytest-benchmark's JSON (`benchmarks/results.json`,
figures in each benchmark's extra_info) and the epoch times of stored runs.
PERFORMANCE.md explains each figure and what limits a missed target.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from benchmark.results import Result

Figures = dict[str, dict]  # benchmark name -> its extra_info


@dataclass(frozen=True)
class Target:
    text: str
    limit: float
    at_least: bool  # True: measured >= limit passes; False: measured <= limit
    measure: Callable[[Figures, list[Result]], tuple[float, str] | None]


def figures(bench_json: dict) -> Figures:
    return {b["name"]: b.get("extra_info", {}) for b in bench_json.get("benchmarks", [])}


def train_step(figs: Figures, backbone: str, size: int = 180,
               precision: str = "float32") -> dict | None:
    for name, info in figs.items():
        if (name.startswith("test_train_step[") and info.get("backbone") == backbone
                and info.get("size") == size and info.get("precision", "float32") == precision):
            return info
    return None


def conv_fraction(backbone: str):
    def measure(figs: Figures, runs: list[Result]):
        info = train_step(figs, backbone)
        if not info or "fraction_of_conv_rate" not in info:
            return None
        return info["fraction_of_conv_rate"], (f"{info['images_per_s']} img/s, "
                                               f"{info['gflop_per_s']} GFLOP/s")
    return measure


def pipeline_over_step(figs: Figures, runs: list[Result]):
    """Against the fastest train step: the pipeline has to keep that one fed."""
    pipe = next((i for n, i in figs.items() if n.startswith("test_input_pipeline")), None)
    steps = [i for b in ("resnet50", "inceptionv3") if (i := train_step(figs, b))]
    if not pipe or not steps:
        return None
    fastest = max(i["images_per_s"] for i in steps)
    return pipe["images_per_s"] / fastest, f"{pipe['images_per_s']} vs {fastest} img/s"


def head_share(figs: Figures, runs: list[Result]):
    info = figs.get("test_op_profile[model2-inceptionv3-arcface-masked]")
    if not info or "head_share" not in info:
        return None
    return info["head_share"], ("Dropout, Flatten, Dropout and ArcFace ops, forward and "
                                "backward, in InceptionV3's 180x180 step")


def epoch_over_prediction(figs: Figures, runs: list[Result]):
    """Median epoch time of paper-profile runs (first epoch's tracing left out)
    over the time their images need at the measured train-step rate. An epoch
    also validates on the test split: those forward passes are counted at a
    third of a train step, the ratio benchmarks/flops.py uses."""
    ratios = []
    for r in runs:
        info = train_step(figs, r.config["scenario"]["backbone"],
                          precision=r.config["settings"].get("precision", "float32"))
        times = [float(h["epoch_seconds"]) for h in r.history[1:] if h.get("epoch_seconds")]
        if r.profile != "paper" or not info or not times:
            continue
        images = r.metrics["n_train"] + r.metrics["test"]["n_test"] / 3
        ratios.append(statistics.median(times) / (images / info["images_per_s"]))
    if not ratios:
        return None
    return statistics.median(ratios) - 1, f"median over {len(ratios)} paper runs"


TARGETS: tuple[Target, ...] = (
    Target("ResNet-50 trains at >= 75% of the convolution rate (180x180)", 0.75, True,
           conv_fraction("resnet50")),
    Target("InceptionV3 trains at >= 75% of the convolution rate (180x180)", 0.75, True,
           conv_fraction("inceptionv3")),
    Target("a run's epoch within 10% of train images / train-step rate", 0.10, False,
           epoch_over_prediction),
    Target("input pipeline alone >= 5x the train-step rate", 5.0, True, pipeline_over_step),
    Target("ArcFace head <= 2% of a step", 0.02, False, head_share),
)


def judge(bench_json: dict, runs: list[Result]) -> list[dict]:
    """One row per target: measured value, detail and met / missed / not measured."""
    figs = figures(bench_json)
    rows = []
    for t in TARGETS:
        got = t.measure(figs, runs)
        if got is None:
            rows.append({"target": t.text, "measured": None, "detail": "",
                         "status": "not measured"})
            continue
        value, detail = got
        met = value >= t.limit if t.at_least else value <= t.limit
        rows.append({"target": t.text, "measured": value, "detail": detail,
                     "status": "met" if met else "missed"})
    return rows

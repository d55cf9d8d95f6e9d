"""Reproduced numbers against the published ones: one verdict per metric.

Rule: only paper-profile results are judged. Over the seeds of one
configuration, a metric is "reproduced" when |mean - published| <= tolerance +
std (the sample standard deviation over seeds, 0 for one seed), so seed noise
widens the band and one lucky seed cannot narrow it. Other profiles are shown
as "not comparable"; a scenario with no results is "not run".
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field

from benchmark import published
from benchmark.results import Result
from benchmark.scenarios import SCENARIOS

REPRODUCED, OUTSIDE, NOT_COMPARABLE, NOT_RUN = (
    "reproduced", "outside tolerance", "not comparable", "not run")
CONVENTIONS = ("macro", "keras_binary")


def value(result: Result, metric: str, convention: str) -> float:
    """A Table 2 or 3 metric from one result, in the given P/R/F1 convention."""
    m = result.metrics
    if metric in published.TABLE2_METRICS:
        return float(m["table2"][metric])
    if metric == "test_accuracy":
        return float(m["test"]["accuracy"])
    return float(m["test"][convention][metric.removeprefix("test_")])


def group_key(result: Result) -> str:
    """Results that differ only by seed belong together."""
    return json.dumps({"profile": result.profile, "settings": result.config["settings"]},
                      sort_keys=True)


@dataclass
class Verdict:
    """One scenario x metric: published vs reproduced, and what follows."""

    scenario: str
    metric: str
    published: published.Published
    convention: str
    status: str
    reason: str = ""
    values: list[float] = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)
    profile: str = ""

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.values) if self.values else None

    @property
    def std(self) -> float:
        return statistics.stdev(self.values) if len(self.values) > 1 else 0.0

    @property
    def delta(self) -> float | None:
        return None if self.mean is None else self.mean - self.published.value

    def fails(self) -> str | None:
        """A message when the metric is outside tolerance, else None."""
        if self.status != OUTSIDE:
            return None
        return (f"scenario {self.scenario!r}: {self.metric} {self.mean:.4f} "
                f"(std {self.std:.4f}, {len(self.values)} seed(s)) vs paper "
                f"{self.published.value:.4f} (delta {self.delta:+.4f}, |delta| > tolerance "
                f"{self.published.tolerance:.4f} + std)")


def judge(values: list[float], pub: published.Published) -> str:
    mean = statistics.fmean(values)
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return REPRODUCED if abs(mean - pub.value) <= pub.tolerance + spread else OUTSIDE


def pick_group(results: list[Result]) -> list[Result]:
    """The paper-profile configuration with most seeds, else the largest other one."""
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(group_key(r), []).append(r)
    return max(groups.values(), key=lambda g: (g[0].profile == "paper", len(g)))


def compare(results: list[Result]) -> list[Verdict]:
    """Every published (scenario, metric), judged against the results given."""
    by_scenario: dict[str, list[Result]] = {}
    for r in results:
        by_scenario.setdefault(r.scenario, []).append(r)
    verdicts = []
    for pub in published.load():
        convention = SCENARIOS[pub.scenario].convention
        runs = by_scenario.get(pub.scenario)
        if not runs:
            verdicts.append(Verdict(pub.scenario, pub.metric, pub, convention, NOT_RUN,
                                    "no results for this scenario"))
            continue
        group = pick_group(runs)
        values = [value(r, pub.metric, convention) for r in group]
        profile = group[0].profile
        if profile != "paper":
            status, reason = NOT_COMPARABLE, f"profile {profile!r}, not the paper's settings"
        else:
            status, reason = judge(values, pub), ""
        verdicts.append(Verdict(pub.scenario, pub.metric, pub, convention, status, reason,
                                values, [r.seed for r in group], profile))
    return verdicts

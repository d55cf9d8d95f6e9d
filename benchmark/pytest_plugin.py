"""pytest plugin: `pytest benchmark/ --paper-tolerance [--results-dir R]`.

Turns each published (scenario, metric) into one test whose outcome is the
comparison's verdict: reproduced passes, outside tolerance fails with the
numbers, not comparable and not run are skipped with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

RUN_HINT = ("python -m benchmark run --all --profile paper --results-dir {dir} "
            "(add --weights none offline, and --min-images 19 on the shared RMFD copy)")
verdicts_key = pytest.StashKey[object]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("benchmark")
    group.addoption("--paper-tolerance", action="store_true", default=False,
                    help="judge stored results against the paper's published numbers, one "
                    "test per scenario and metric. Default: %(default)r")
    group.addoption("--results-dir", default="results", metavar="DIR",
                    help="results folder read by --paper-tolerance. Default: %(default)r")


def _verdicts(config: pytest.Config):
    """[(id, verdict)], or [(id, error message)] when nothing can be judged."""
    from benchmark import compare, results

    folder = Path(config.getoption("results_dir"))
    try:
        found = results.scan(folder)
    except results.ResultsError as err:
        return [("results-unreadable", str(err))]
    if not found:
        return [("no-results", f"no results in {str(folder)!r}: make them with "
                 + RUN_HINT.format(dir=folder))]
    return [(f"{v.scenario}::{v.metric}", v) for v in compare.compare(found)]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "paper_tolerance: a verdict against the paper")
    if config.getoption("paper_tolerance", False):
        config.stash[verdicts_key] = _verdicts(config)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "paper_verdict" not in metafunc.fixturenames:
        return
    params = metafunc.config.stash.get(verdicts_key, [("disabled", None)])
    metafunc.parametrize("paper_verdict", [v for _, v in params], ids=[i for i, _ in params])

"""The verdicts of `pytest benchmark/ --paper-tolerance`, one test each."""

import pytest

from benchmark import compare


def test_paper_metric(paper_verdict):
    if paper_verdict is None:
        pytest.skip("pass --paper-tolerance to judge stored results against the paper")
    if isinstance(paper_verdict, str):
        pytest.fail(paper_verdict, pytrace=False)
    if paper_verdict.status in (compare.NOT_COMPARABLE, compare.NOT_RUN):
        pytest.skip(f"{paper_verdict.status}: {paper_verdict.reason}")
    message = paper_verdict.fails()
    if message:
        pytest.fail(message, pytrace=False)

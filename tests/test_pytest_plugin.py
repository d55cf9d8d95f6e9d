"""`pytest benchmark/ --paper-tolerance` end to end, through pytester."""

from pathlib import Path

import pytest
from resultsets import write_published_set

import benchmark

PACKAGE = str(Path(benchmark.__file__).parent)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(PACKAGE, "-p", "no:cacheprovider", "-rs", *args)


def test_help_lists_the_options(pytester):
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(["*--paper-tolerance*", "*--results-dir=DIR*"])


def test_without_the_flag_the_check_is_skipped_with_the_reason(pytester):
    result = run(pytester)
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*pass --paper-tolerance*"])


def test_published_numbers_pass_everywhere(pytester, tmp_path):
    result = run(pytester, "--paper-tolerance", "--results-dir",
                 str(write_published_set(tmp_path / "R")))
    result.assert_outcomes(passed=40)


def test_numbers_off_by_more_than_tolerance_fail_with_the_numbers(pytester, tmp_path):
    result = run(pytester, "--paper-tolerance", "--results-dir",
                 str(write_published_set(tmp_path / "R", shift=-0.2)))
    result.assert_outcomes(passed=10, failed=30)  # losses stay inside their wider band
    result.stdout.fnmatch_lines([
        "*model2-inceptionv3-arcface-masked::test_accuracy*",
        "*test_accuracy 0.5901 * vs paper 0.7901 (delta -0.2000, |delta| > tolerance 0.1000*",
    ])


def test_smoke_results_are_skipped_as_not_comparable(pytester, tmp_path):
    result = run(pytester, "--paper-tolerance", "--results-dir",
                 str(write_published_set(tmp_path / "R", profile="smoke")))
    result.assert_outcomes(skipped=40)
    result.stdout.fnmatch_lines(["*not comparable: profile 'smoke'*"])


def test_empty_results_fail_naming_the_command(pytester, tmp_path):
    result = run(pytester, "--paper-tolerance", "--results-dir", str(tmp_path / "empty"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no results in*python -m benchmark run --all*"])

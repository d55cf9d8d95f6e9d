"""Verdicts: reproduced, outside tolerance, not comparable, not run."""

import pytest
from resultsets import published_values, write_published_set, write_result

from benchmark import compare, results

MODEL2 = "model2-inceptionv3-arcface-masked"


def verdicts(root):
    return {(v.scenario, v.metric): v for v in compare.compare(results.scan(root))}


def test_published_numbers_are_reproduced_everywhere(tmp_path):
    vs = verdicts(write_published_set(tmp_path))
    assert len(vs) == 40
    assert {v.status for v in vs.values()} == {compare.REPRODUCED}


def test_off_by_more_than_tolerance_is_outside_with_numbers(tmp_path):
    vs = verdicts(write_published_set(tmp_path, shift=-0.2))
    v = vs[(MODEL2, "test_accuracy")]
    assert v.status == compare.OUTSIDE
    assert v.fails() == ("scenario 'model2-inceptionv3-arcface-masked': test_accuracy 0.5901 "
                         "(std 0.0000, 1 seed(s)) vs paper 0.7901 (delta -0.2000, |delta| > "
                         "tolerance 0.1000 + std)")


def test_exactly_at_tolerance_is_reproduced():
    pub = compare.published.by_scenario()[MODEL2]["test_accuracy"]
    assert compare.judge([pub.value + pub.tolerance], pub) == compare.REPRODUCED
    assert compare.judge([pub.value + pub.tolerance + 1e-3], pub) == compare.OUTSIDE


def test_seed_spread_widens_the_band():
    pub = compare.published.by_scenario()[MODEL2]["test_accuracy"]
    off = pub.value + pub.tolerance + 0.05
    assert compare.judge([off, off], pub) == compare.OUTSIDE
    assert compare.judge([off - 0.1, off + 0.1], pub) == compare.REPRODUCED


def test_smoke_results_are_not_comparable(tmp_path):
    vs = verdicts(write_published_set(tmp_path, profile="smoke"))
    assert {v.status for v in vs.values()} == {compare.NOT_COMPARABLE}
    assert "smoke" in vs[(MODEL2, "test_f1")].reason


def test_missing_scenario_is_not_run(tmp_path):
    write_result(tmp_path, MODEL2, published_values(MODEL2))
    vs = verdicts(tmp_path)
    assert vs[("baseline-resnet50-masked", "val_loss")].status == compare.NOT_RUN
    assert vs[(MODEL2, "val_loss")].status == compare.REPRODUCED


def test_paper_profile_wins_over_more_smoke_seeds(tmp_path):
    write_published_set(tmp_path, profile="smoke", seeds=(1, 2, 3))
    write_result(tmp_path, MODEL2, published_values(MODEL2), seed=9)
    v = verdicts(tmp_path)[(MODEL2, "test_recall")]
    assert (v.profile, v.seeds, v.status) == ("paper", [9], compare.REPRODUCED)


def test_seeds_give_mean_std_and_range(tmp_path):
    for seed, acc in ((1, 0.7), (2, 0.8), (3, 0.9)):
        write_result(tmp_path, MODEL2, {**published_values(MODEL2), "test_accuracy": acc},
                     seed=seed)
    v = verdicts(tmp_path)[(MODEL2, "test_accuracy")]
    assert v.mean == pytest.approx(0.8) and v.std == pytest.approx(0.1)
    assert (min(v.values), max(v.values)) == (0.7, 0.9)


def test_precision_uses_the_scenarios_declared_convention(tmp_path):
    write_published_set(tmp_path)
    vs = verdicts(tmp_path)
    assert vs[("baseline-resnet50-masked", "test_precision")].convention == "macro"
    assert vs[(MODEL2, "test_precision")].convention == "keras_binary"


def test_corrupt_metrics_json_is_a_clear_error(tmp_path):
    folder = write_result(tmp_path, MODEL2, published_values(MODEL2))
    (folder / "metrics.json").write_text("{not json")
    with pytest.raises(results.ResultsError, match="metrics.json is not valid JSON"):
        results.scan(tmp_path)

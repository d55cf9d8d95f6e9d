"""baselines/published.csv against the paper's own tables and text."""

import re
from pathlib import Path

import pytest

from benchmark import published
from benchmark.scenarios import SCENARIOS

PAPER = Path(__file__).resolve().parents[2] / "shared" / "paper" / "paper.txt"
ROW_ORDER = list(SCENARIOS)


def values(scenario: str) -> dict[str, float]:
    return {m: p.value for m, p in published.by_scenario()[scenario].items()}


def test_every_scenario_has_all_eight_metrics():
    table = published.by_scenario()
    assert set(table) == set(SCENARIOS)
    for rows in table.values():
        assert set(rows) == set(published.METRICS)


def test_every_row_has_a_positive_tolerance_and_a_source():
    for p in published.load():
        assert p.tolerance > 0 and "Table" in p.source


def test_table2_columns_follow_the_text_not_the_printed_headers():
    base, m2 = values("baseline-resnet50-masked"), values("model2-inceptionv3-arcface-masked")
    # "Model 2 has a better training data accuracy of 36.33% than the reference"
    assert m2["train_accuracy"] - base["train_accuracy"] == pytest.approx(0.3633)
    # "... better validation data accuracy of 12.65%"
    assert m2["val_accuracy"] - base["val_accuracy"] == pytest.approx(0.1265)
    # "The loss values of Model 2 ... are 0.1357 and 2.3069"
    assert (m2["train_loss"], m2["val_loss"]) == (0.1357, 2.3069)


def test_table3_differences_match_the_text():
    base, m2 = values("baseline-resnet50-masked"), values("model2-inceptionv3-arcface-masked")
    for metric, diff in (("test_accuracy", 0.3110), ("test_recall", 0.4423),
                         ("test_precision", 0.3920), ("test_f1", 0.4354)):
        assert m2[metric] - base[metric] == pytest.approx(diff, abs=1e-9)


@pytest.mark.parametrize("scenario", ROW_ORDER[1:])
def test_table3_f1_is_2pr_over_p_plus_r_for_models_1_to_4(scenario):
    v = values(scenario)
    p, r = v["test_precision"], v["test_recall"]
    assert 2 * p * r / (p + r) == pytest.approx(v["test_f1"], abs=1.5e-4)


def test_baseline_f1_is_not_2pr_over_p_plus_r():
    v = values("baseline-resnet50-masked")
    p, r = v["test_precision"], v["test_recall"]
    assert abs(2 * p * r / (p + r) - v["test_f1"]) > 0.01


def paper_rows(table: str) -> list[list[float]]:
    text = PAPER.read_text(encoding="utf-8")
    start = text.index(f"Table {table}. Table of")
    block = text[start:start + 1500]
    rows = re.findall(r"^Masked[^\n]*$", block, flags=re.M)[:5]
    return [[float(v.replace(",", ".").rstrip("%")) for v in row.split("\t")[2:6]]
            for row in rows]


@pytest.mark.skipif(not PAPER.exists(), reason=f"paper text not at {PAPER}")
def test_csv_matches_the_paper_text_cell_by_cell():
    t2, t3 = paper_rows("2"), paper_rows("3")
    for scenario, row2, row3 in zip(ROW_ORDER, t2, t3, strict=True):
        v = values(scenario)
        assert [v["train_accuracy"] * 100, v["val_accuracy"] * 100, v["train_loss"],
                v["val_loss"]] == pytest.approx(row2)
        assert [v[m] for m in published.TABLE3_METRICS] == pytest.approx(row3)

"""The HTML report: all rows, verdicts, curves, escaping, self-containment."""

import re
import shutil
import subprocess

import pytest
from resultsets import published_values, write_published_set, write_result

from benchmark import cli, report
from benchmark.scenarios import SCENARIOS

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def html(tmp_path):
    write_published_set(tmp_path / "R")
    out = report.render(tmp_path / "R")
    return out.read_text(encoding="utf-8")


def test_report_holds_all_five_rows(html):
    for sid in SCENARIOS:
        assert f'id="{sid}"' in html


def test_summary_table_has_one_verdict_row_per_scenario_and_metric(html):
    table = html.split('id="summary-table"')[1].split("</table>")[0]
    assert table.count('<tr class="reproduced">') == 40


def test_plots_are_embedded_png_data_uris_and_nothing_is_fetched(html):
    assert html.count('src="data:image/png;base64,') == 10  # curves + confusion, 5 rows
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_deviations_assumptions_and_environment_are_shown(html):
    assert "Every deviation from the paper" in html and "RMFD copy" in html
    assert "arcface_s_m" in html and "test cpu" in html


def test_hostile_person_name_comes_out_escaped(tmp_path):
    sid = "model2-inceptionv3-arcface-masked"
    write_result(tmp_path, sid, published_values(sid), classes=(HOSTILE, "b$o$b", "c&d"))
    text = report.render(tmp_path).read_text(encoding="utf-8")
    assert HOSTILE not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "c&amp;d" in text


def test_missing_rows_show_as_not_run(tmp_path):
    sid = "model2-inceptionv3-arcface-masked"
    write_result(tmp_path, sid, published_values(sid))
    text = report.render(tmp_path).read_text(encoding="utf-8")
    assert text.count("no results for this scenario in") == 4


def test_report_command_writes_where_asked(tmp_path, capsys):
    write_published_set(tmp_path / "R")
    assert cli.main(["report", "--results-dir", str(tmp_path / "R"), "-o",
                     str(tmp_path / "x.html")]) == 0
    assert (tmp_path / "x.html").stat().st_size > 10_000


def test_summary_table_renders_in_headless_chromium(tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    write_published_set(tmp_path / "R")
    page = report.render(tmp_path / "R")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert 'id="summary-table"' in dom and "model4-inceptionv3-arcface-mixed" in dom


def test_explain_section_shows_conventions_variant_and_table2_vs_3(tmp_path):
    base, ablation = "model1-resnet50-arcface-masked", "ablation-model1-logits-masked"
    analysis = {"logits_keras_binary": {"recall": 0.66, "precision": 0.15},
                "test_with_labels": {"accuracy": 0.05},
                "best_epoch_test": {"accuracy": 0.2}}
    write_result(tmp_path, base, {**published_values(base), "test_recall": 0.1},
                 analysis=analysis)
    write_result(tmp_path, ablation, published_values(base), analysis=analysis)
    text = report.render(tmp_path).read_text(encoding="utf-8")
    section = text.split('id="explain"')[1].split('id="deviations"')[0]
    assert "0.6600" in section and "0.0500" in section and "0.2000" in section
    assert "s·cos head" in section  # the ablation sits exactly on the paper's numbers
    assert "data audit not run" in section


def test_not_run_rows_show_the_reason_from_notes_json(tmp_path):
    sid = "model2-inceptionv3-arcface-masked"
    write_result(tmp_path, sid, published_values(sid))
    (tmp_path / "notes.json").write_text('{"model4-inceptionv3-arcface-mixed": "costs <1 h>"}')
    text = report.render(tmp_path).read_text(encoding="utf-8")
    assert "costs &lt;1 h&gt;" in text


def test_environment_section_shows_stored_benchmark_figures(tmp_path, monkeypatch):
    perf = tmp_path / "perf.json"
    perf.write_text('{"benchmarks": [{"name": "test_conv3x3_rate", "stats": {"median": 0.4},'
                    ' "extra_info": {"gflop_per_s": 296.3}}]}')
    monkeypatch.setattr(report.bench_json, "__defaults__", (perf,))
    write_published_set(tmp_path / "R")
    text = report.render(tmp_path / "R").read_text(encoding="utf-8")
    assert "test_conv3x3_rate" in text and "gflop_per_s 296.3" in text
    assert "Speed targets" in text and "not measured" in text


def test_notes_json_is_shown_for_rows_that_ran_too(tmp_path):
    sid = "model2-inceptionv3-arcface-masked"
    write_result(tmp_path, sid, published_values(sid))
    (tmp_path / "notes.json").write_text(f'{{"{sid}": "ran under bfloat16 <why>"}}')
    section = report.render(tmp_path).read_text(encoding="utf-8").split(f'id="{sid}"')[1]
    assert "Note: ran under bfloat16 &lt;why&gt;" in section

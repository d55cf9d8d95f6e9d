"""The command line: help everywhere, data check, clear errors with exit 2."""

import json
import subprocess
import sys

import pytest

from benchmark import cli, scenarios


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmark", *args],
                          capture_output=True, text=True)


@pytest.mark.parametrize("command", [[], ["list"], ["data"], ["data", "check"], ["run"], ["report"],
                                     ["profile"],
                                     ])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main([*command, "--help"])
    assert exit_.value.code == 0
    assert "usage: python -m benchmark" in capsys.readouterr().out


def test_list_shows_five_scenarios_with_published_numbers(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    rows = out.splitlines()
    assert len(rows) == 6 + len(scenarios.ABLATIONS) and "0.7901" in out
    assert rows[-1].startswith("ablation-") and "ablation of" in rows[-1]


def test_data_check_json_lists_selected_people(tiny_rmfd, capsys):
    assert cli.main(["data", "check", "--data-dir", str(tiny_rmfd), "--min-images", "6",
                     "--classes", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["selected"] == ["alice", "bob", "carol"]
    assert report["split"]["masked"] == {"images": 29, "train": 20, "test": 9}


def test_data_check_too_few_people_exits_2_with_one_line(tiny_rmfd):
    res = run_cli("data", "check", "--data-dir", str(tiny_rmfd), "--json")
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr.count("\n") == 1 and "--min-images" in res.stderr


def test_data_check_missing_root_exits_2(tmp_path):
    res = run_cli("data", "check", "--data-dir", str(tmp_path / "nope"))
    assert res.returncode == 2 and "nope" in res.stderr and "Traceback" not in res.stderr


def test_bad_flag_value_is_rejected(tiny_rmfd, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["data", "check", "--min-images", "zero"])
    assert exit_.value.code == 2
    assert "expected a whole number >= 1, got 'zero'" in capsys.readouterr().err


@pytest.mark.rmfd
def test_shared_copy_exits_2_at_paper_threshold(shared_rmfd):
    res = run_cli("data", "check", "--data-dir", str(shared_rmfd), "--json")
    assert res.returncode == 2
    assert "only 13 people" in res.stderr and "--min-images 19" in res.stderr


@pytest.mark.rmfd
def test_shared_copy_selects_15_at_19(shared_rmfd):
    res = run_cli("data", "check", "--data-dir", str(shared_rmfd), "--min-images", "19",
                  "--json")
    assert res.returncode == 0, res.stderr
    assert len(json.loads(res.stdout)["selected"]) == 15

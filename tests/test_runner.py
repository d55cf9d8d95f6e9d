"""One scenario end to end on generated data: files, skip, determinism, resume.

These train real Keras backbones at 32x32 on a few generated images, in
subprocesses so that each run starts TensorFlow afresh.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark import results, runner
from benchmark.results import FILES

pytestmark = pytest.mark.slow
TINY = ["--profile", "smoke", "--weights", "none", "--image-size", "32", "--min-images", "6",
        "--classes", "3"]


def bench(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmark", *args], capture_output=True,
                          text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, **kw)


def run_dirs(results_dir: Path) -> list[Path]:
    return sorted(p for p in results_dir.glob("*/*") if not p.name.startswith("."))


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    from conftest import make_rmfd

    base = tmp_path_factory.mktemp("e2e")
    rmfd = make_rmfd(base / "rmfd", {"a": 8, "b": 8, "c": 7}, {"a": 3, "b": 3, "c": 3})
    out = base / "R"
    res = bench("run", "--scenario", "baseline-resnet50-masked",
                "model1-resnet50-arcface-masked", *TINY, "--epochs", "2",
                "--data-dir", str(rmfd), "--results-dir", str(out))
    assert res.returncode == 0, res.stderr[-3000:]
    return rmfd, out, res


def test_run_writes_every_result_file(finished):
    _, out, _ = finished
    dirs = run_dirs(out)
    assert [d.name for d in dirs] == ["baseline-resnet50-masked",
                                      "model1-resnet50-arcface-masked"]
    for d in dirs:
        assert sorted(p.name for p in d.iterdir()) == sorted(FILES)


def test_result_records_config_hash_data_hash_env_and_deviations(finished):
    _, out, _ = finished
    r = results.read(run_dirs(out)[1])
    assert r.config["config_hash"] == r.metrics["config_hash"]
    assert r.environment["versions"]["tensorflow"] and r.environment["wall_seconds"] > 0
    assert any("image_size: 32" in d for d in r.config["deviations"])
    assert set(r.metrics["test"]) >= {"accuracy", "macro", "keras_binary"}
    assert len(r.history) == 2 and len(r.confusion) == 3


def test_progress_prints_one_line_per_epoch_with_time_left(finished):
    _, _, res = finished
    assert "epoch 2/2" in res.stdout and "min left" in res.stdout


def test_rerun_skips_finished_scenarios(finished):
    rmfd, out, _ = finished
    res = bench("run", "--scenario", "baseline-resnet50-masked", *TINY, "--epochs", "2",
                "--data-dir", str(rmfd), "--results-dir", str(out))
    assert res.returncode == 0 and "skipped" in res.stdout and "epoch" not in res.stdout


def test_results_of_another_config_are_not_overwritten(finished):
    rmfd, out, _ = finished
    target = run_dirs(out)[0] / "config.json"
    cfg = json.loads(target.read_text())
    cfg["config_hash"] = "something-else"
    target.write_text(json.dumps(cfg))
    res = bench("run", "--scenario", "baseline-resnet50-masked", *TINY, "--epochs", "2",
                "--data-dir", str(rmfd), "--results-dir", str(out))
    assert res.returncode == 2 and "--force" in res.stderr
    assert json.loads(target.read_text())["config_hash"] == "something-else"


def test_deterministic_runs_give_identical_metrics(finished, tmp_path):
    rmfd, _, _ = finished
    numbers = []
    for name in ("one", "two"):
        res = bench("run", "--scenario", "model1-resnet50-arcface-masked", *TINY,
                    "--epochs", "1", "--deterministic", "--data-dir", str(rmfd),
                    "--results-dir", str(tmp_path / name))
        assert res.returncode == 0, res.stderr[-2000:]
        metrics = results.read(run_dirs(tmp_path / name)[0]).metrics
        numbers.append((metrics["table2"], metrics["test"]))
    assert numbers[0] == numbers[1]


def test_mixed_precision_run_is_recorded_as_a_deviation_in_its_own_run(finished, tmp_path):
    rmfd, _, _ = finished
    res = bench("run", "--scenario", "model1-resnet50-arcface-masked", *TINY, "--epochs", "1",
                "--mixed-precision", "mixed_bfloat16", "--data-dir", str(rmfd),
                "--results-dir", str(tmp_path))
    assert res.returncode == 0, res.stderr[-2000:]
    result = results.read(run_dirs(tmp_path)[0])
    assert result.config["settings"]["precision"] == "mixed_bfloat16"
    assert "precision: 'mixed_bfloat16' (paper: 'float32')" in result.config["deviations"]
    assert 0.0 <= result.metrics["test"]["accuracy"] <= 1.0


def test_killed_run_resumes_without_redoing_finished_epochs(finished, tmp_path):
    rmfd, _, _ = finished
    args = [sys.executable, "-m", "benchmark", "run", "--scenario", "baseline-resnet50-masked",
            *TINY, "--epochs", "3", "--data-dir", str(rmfd), "--results-dir", str(tmp_path)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        if "epoch 1/3" in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert run_dirs(tmp_path) == []  # nothing half-written looks finished
    res = bench("run", "--scenario", "baseline-resnet50-masked", *TINY, "--epochs", "3",
                "--data-dir", str(rmfd), "--results-dir", str(tmp_path))
    assert res.returncode == 0, res.stderr[-2000:]
    assert "epoch 1/3" not in res.stdout and "epoch 3/3" in res.stdout
    assert len(results.read(run_dirs(tmp_path)[0]).history) == 3


def test_run_id_names_profile_seed_and_overrides():
    assert runner.run_id("paper", 1, {}) == "paper-seed1"
    assert runner.run_id("paper", 1, {"weights": "none"}).startswith("paper-seed1-")


def test_table2_takes_the_last_epoch_and_finds_the_best():
    rows = [{"epoch": "0", "accuracy": "0.5", "val_accuracy": "0.6", "loss": "1", "val_loss": "2"},
            {"epoch": "1", "accuracy": "0.7", "val_accuracy": "0.4", "loss": ".5", "val_loss": "3"}]
    t2 = runner.table2(rows)
    assert (t2["train_accuracy"], t2["val_accuracy"], t2["best_epoch"]) == (0.7, 0.4, 1)


def test_seconds_per_epoch_uses_measured_epoch_times_and_falls_back_to_wall():
    assert runner.seconds_per_epoch([{"epoch_seconds": "2"}, {"epoch_seconds": "4"}], 99) == 3
    assert runner.seconds_per_epoch([{"epoch": "0"}, {"epoch": "1"}], 10.0) == 5


def test_training_state_of_another_config_is_discarded(tmp_path):
    work = runner.fresh_work(tmp_path / "w", "aaa", force=False)
    (work / "history.csv").write_text("epoch\n0\n")
    assert (runner.fresh_work(tmp_path / "w", "aaa", force=False) / "history.csv").exists()
    assert not (runner.fresh_work(tmp_path / "w", "bbb", force=False) / "history.csv").exists()


def test_force_starts_training_afresh(tmp_path):
    work = runner.fresh_work(tmp_path / "w", "aaa", force=False)
    (work / "history.csv").write_text("epoch\n0\n")
    assert not (runner.fresh_work(tmp_path / "w", "aaa", force=True) / "history.csv").exists()

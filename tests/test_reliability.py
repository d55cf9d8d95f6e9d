"""Faults and hostile input: each a clear message or a counted skip, nothing lost."""

import errno
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from resultsets import published_values, write_result

from benchmark import cli, data, results
from conftest import make_rmfd, write_face

MODEL2 = "model2-inceptionv3-arcface-masked"
TINY = ["--profile", "smoke", "--weights", "none", "--image-size", "32", "--min-images", "6",
        "--classes", "3"]


# --- hostile data -----------------------------------------------------------------------

def test_symlink_loop_file_is_a_counted_skip(tiny_rmfd):
    loop = tiny_rmfd / data.TREES["masked"] / "alice" / "loop.jpg"
    os.symlink(loop, loop)
    inv = data.scan(tiny_rmfd)
    assert any(s.path.endswith("loop.jpg") for s in inv.skipped)
    assert inv.counts("masked")["alice"] == 10


def test_symlink_loop_folder_is_not_followed_forever(tiny_rmfd):
    os.symlink(tiny_rmfd / data.TREES["masked"], tiny_rmfd / data.TREES["masked"] / "loopy")
    inv = data.scan(tiny_rmfd)
    assert any(s.path.endswith("loopy") for s in inv.skipped)


def test_unreadable_folder_is_a_counted_skip(tiny_rmfd, monkeypatch):
    real = os.scandir

    def scandir(path):
        if str(path).endswith("bob"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(data.os, "scandir", scandir)
    inv = data.scan(tiny_rmfd)
    assert any(s.reason.startswith("unreadable folder") for s in inv.skipped)
    assert "bob" not in inv.counts("masked")


def test_huge_image_decodes_and_resizes(tmp_path):
    path = tmp_path / "huge.png"
    Image.new("RGB", (10000, 10000), (200, 10, 10)).save(path)
    x = data.load_images([data.ImageFile("masked", "p", path, "huge.png")], 16)
    assert x.shape == (1, 16, 16, 3) and x[0, 8, 8, 0] == pytest.approx(200, abs=1)


def test_cmyk_and_grey_jpegs_are_read_as_rgb(tmp_path):
    for mode in ("CMYK", "L"):
        write_face(tmp_path / f"{mode}.jpg", seed=2, size=10, mode=mode)
        assert data.decode(tmp_path / f"{mode}.jpg").shape == (10, 10, 3)


def test_names_with_spaces_unicode_and_html_survive_selection(tmp_path):
    names = {"zhou jielun": 4, "周杰伦": 4, "<i>&amp;\"x'": 4}
    root = make_rmfd(tmp_path / "r", names)
    sel = data.select(data.scan(root), "masked", 4, 3)
    assert set(sel.people) == set(names)


# --- hostile results --------------------------------------------------------------------

def test_results_dir_not_writable_is_one_clear_error(tmp_path, monkeypatch):
    def refuse(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(results.tempfile, "mkdtemp", refuse)
    with pytest.raises(results.ResultsError, match="cannot write results to .*Permission"):
        results.publish({"a.json": "{}"}, tmp_path / "run" / "scenario")


def test_disk_full_leaves_old_results_intact_and_no_partial_folder(tmp_path, monkeypatch):
    final = write_result(tmp_path, MODEL2, published_values(MODEL2))
    before = (final / "metrics.json").read_text()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(results.os, "fsync", full)
    with pytest.raises(results.ResultsError, match="No space left on device"):
        results.publish({"metrics.json": "{}", "config.json": "{}"}, final)
    assert (final / "metrics.json").read_text() == before
    assert [p.name for p in final.parent.iterdir()] == [MODEL2]


def test_corrupted_metrics_json_makes_report_exit_2_with_the_path(tmp_path, capsys):
    final = write_result(tmp_path, MODEL2, published_values(MODEL2))
    (final / "metrics.json").write_bytes(b"\x00\xff{")
    assert cli.main(["report", "--results-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "metrics.json is not valid JSON" in err and err.count("\n") == 1


def test_report_into_a_missing_folder_is_one_clear_error(tmp_path, capsys):
    write_result(tmp_path, MODEL2, published_values(MODEL2))
    (tmp_path / "file").write_text("x")
    assert cli.main(["report", "--results-dir", str(tmp_path), "-o",
                     str(tmp_path / "file" / "r.html")]) == 2
    assert "error:" in capsys.readouterr().err


# --- fuzzing ----------------------------------------------------------------------------

FIXTURE_OK = [HealthCheck.function_scoped_fixture]
NAMES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
                min_size=1, max_size=30).filter(lambda n: n not in (".", ".."))


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURE_OK)
@given(names=st.lists(NAMES, min_size=1, max_size=5, unique=True), payload=st.binary(max_size=64))
def test_scan_never_raises_on_arbitrary_names_and_bytes(tmp_path_factory, names, payload):
    root = tmp_path_factory.mktemp("fuzz")
    person = root / data.TREES["masked"] / names[0][:20]
    person.mkdir(parents=True)
    for name in names:
        try:
            (person / name).write_bytes(payload)
        except OSError:  # a name this file system refuses is not ours to test
            continue
    inv = data.scan(root)
    kept = {str(f.path) for fs in inv.people.get("masked", {}).values() for f in fs}
    skipped = {s.path for s in inv.skipped}
    on_disk = {str(p) for p in person.iterdir()}
    # every file is either used or a counted skip (or the folder itself is skipped)
    assert on_disk <= kept | skipped or str(person) in skipped


@given(counts=st.dictionaries(NAMES, st.integers(0, 40), max_size=20),
       minimum=st.integers(1, 30), classes=st.integers(1, 20))
def test_choose_people_follows_the_rule_for_any_counts(counts, minimum, classes):
    chosen = data.choose_people(counts, minimum, classes)
    assert len(chosen) <= classes and all(counts[p] >= minimum for p in chosen)
    assert [counts[p] for p in chosen] == sorted((counts[p] for p in chosen), reverse=True)


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE_OK)
@given(payload=st.binary(max_size=200) | st.text(max_size=100).map(str.encode))
def test_result_readers_give_a_dict_or_a_clear_error(tmp_path_factory, payload):
    path = tmp_path_factory.mktemp("json") / "metrics.json"
    path.write_bytes(payload)
    try:
        assert isinstance(results.read_json(path), dict)
    except results.ResultsError as err:
        assert str(path) in str(err)


# --- killed and interrupted runs ----------------------------------------------------------

def bench_args(rmfd: Path, out: Path, epochs: int = 3) -> list[str]:
    return [sys.executable, "-m", "benchmark", "run", "--scenario", "baseline-resnet50-masked",
            *TINY, "--epochs", str(epochs), "--data-dir", str(rmfd), "--results-dir", str(out)]


@pytest.mark.slow
def test_sigkill_at_a_random_step_then_rerun_completes(tmp_path):
    rmfd = make_rmfd(tmp_path / "rmfd", {"a": 16, "b": 16, "c": 16})  # 2 steps per epoch
    step = random.Random(os.environ.get("PYTEST_SEED", "0")).randint(1, 5)
    env = {**os.environ, "BENCHMARK_KILL_AT_BATCH": str(step), "TF_CPP_MIN_LOG_LEVEL": "3"}
    killed = subprocess.run(bench_args(rmfd, tmp_path / "R"), env=env, capture_output=True,
                            text=True)
    assert killed.returncode == -signal.SIGKILL
    assert not [p for p in (tmp_path / "R").glob("*/*") if not p.name.startswith(".")]
    again = subprocess.run(bench_args(rmfd, tmp_path / "R"), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-2000:]
    (folder,) = [p for p in (tmp_path / "R").glob("*/*") if not p.name.startswith(".")]
    assert len(results.read(folder).history) == 3


@pytest.mark.slow
def test_ctrl_c_exits_130_and_says_how_to_resume(tmp_path):
    rmfd = make_rmfd(tmp_path / "rmfd", {"a": 8, "b": 8, "c": 8})
    proc = subprocess.Popen(bench_args(rmfd, tmp_path / "R", epochs=20), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if "epoch 1/20" in line:
            proc.send_signal(signal.SIGINT)
            break
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "run the same command again to resume" in err and "Traceback" not in err


def test_written_files_never_show_half_content(tmp_path, monkeypatch):
    target = tmp_path / "x.json"
    target.write_text("old")

    def boom(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(results.os, "replace", boom)
    with pytest.raises(OSError):
        results.write_text(target, "new" * 1000)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["x.json"]



def test_a_swallowed_ctrl_c_still_stops_the_run_at_the_next_batch(monkeypatch):
    from benchmark.runner import Interrupt

    monkeypatch.setattr(Interrupt, "requested", False)
    with pytest.raises(KeyboardInterrupt):
        try:
            Interrupt.handler(signal.SIGINT, None)
        except KeyboardInterrupt:
            pass  # a library swallowing the first one
        Interrupt().on_train_batch_end(0)

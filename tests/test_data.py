"""The RMFD data layer: selection, split, manifests and bad input."""

import logging
from pathlib import Path

import numpy as np
import pytest

from benchmark import data
from conftest import make_rmfd, write_face


def selection(root: Path, dataset="masked", min_images=6, classes=3, cap=0):
    inv = data.scan(data.resolve_root(root))
    return inv, data.select(inv, dataset, min_images, classes, cap)


def test_selects_people_with_most_masked_images_ties_by_name(tiny_rmfd):
    _, sel = selection(tiny_rmfd, min_images=6, classes=3)
    assert sel.people == ("alice", "bob", "carol")


def test_choose_people_applies_minimum_then_count_then_name():
    counts = {"zed": 20, "amy": 20, "bo": 25, "cy": 19}
    assert data.choose_people(counts, 20, 15) == ["bo", "amy", "zed"]


def test_too_few_people_names_count_and_fixing_flags(tiny_rmfd):
    inv = data.scan(tiny_rmfd)
    with pytest.raises(data.DataError) as err:
        data.select(inv, "masked", min_images=10, classes=3)
    msg = str(err.value)
    assert "only 2 people" in msg and "at least 10 masked images" in msg
    assert "--min-images 9" in msg and "--classes 2" in msg


def test_mixed_adds_unmasked_images_of_the_same_people(tiny_rmfd):
    _, sel = selection(tiny_rmfd, dataset="mixed")
    trees = {(f.person, f.tree) for f in sel.files}
    assert ("alice", "unmasked") in trees
    assert {f.person for f in sel.files} == {"alice", "bob", "carol"}
    assert len(sel.files) == 10 + 10 + 9 + 12


def test_cap_limits_images_per_person_and_tree(tiny_rmfd):
    _, sel = selection(tiny_rmfd, cap=5)
    assert len(sel.files) == 15 and sel.deviations


def test_split_is_70_30_stratified_and_reproducible(tiny_rmfd):
    _, sel = selection(tiny_rmfd)
    train, test = data.split(sel.labels, 0.3, seed=7)
    assert len(test) == round(0.3 * len(sel.labels))
    assert not set(train) & set(test)
    test_labels = np.array(sel.labels)[test]
    assert set(np.bincount(test_labels)) <= {2, 3, 4}
    again = data.split(sel.labels, 0.3, seed=7)
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
    other = data.split(sel.labels, 0.3, seed=8)
    assert not np.array_equal(test, other[1])


def test_split_manifest_lists_every_file_with_its_sha256(tiny_rmfd):
    _, sel = selection(tiny_rmfd)
    train, test = data.split(sel.labels, 0.3, seed=0)
    rows = data.split_manifest(sel, train, test)
    assert len(rows) == len(sel.files)
    first = rows[0]
    assert first["sha256"] == data.sha256_file(tiny_rmfd / first["file"])
    assert {r["split"] for r in rows} == {"train", "test"}
    assert len(data.manifest_hash(rows)) == 16


def test_missing_root_is_one_clear_error(tmp_path):
    with pytest.raises(data.DataError, match="is not a folder: pass --data-dir"):
        data.resolve_root(tmp_path / "absent")


def test_wrong_layout_names_the_expected_folder(tmp_path):
    with pytest.raises(data.DataError, match="has no AFDB_masked_face_dataset/"):
        data.resolve_root(tmp_path)


def test_rmfd_root_variable_is_used(tiny_rmfd, monkeypatch):
    monkeypatch.setenv("RMFD_ROOT", str(tiny_rmfd))
    assert data.resolve_root(None) == tiny_rmfd


@pytest.mark.parametrize("name,content,reason", [
    ("notes.txt", b"hello", "not an image file"),
    ("empty.jpg", b"", "zero-byte file"),
    ("broken.jpg", b"not a jpeg at all", "undecodable image"),
])
def test_bad_files_are_counted_and_logged_skips(tiny_rmfd, caplog, name, content, reason):
    (tiny_rmfd / data.TREES["masked"] / "alice" / name).write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="benchmark.data"):
        inv = data.scan(tiny_rmfd)
    assert [s.reason for s in inv.skipped if s.path.endswith(name)][0].startswith(reason)
    assert inv.counts("masked")["alice"] == 10
    assert name in caplog.text


def test_truncated_jpeg_is_skipped(tiny_rmfd):
    good = tiny_rmfd / data.TREES["masked"] / "alice" / "0_0_0.jpg"
    (good.parent / "cut.jpg").write_bytes(good.read_bytes()[:200])
    inv = data.scan(tiny_rmfd)
    assert any(s.path.endswith("cut.jpg") for s in inv.skipped)


def test_empty_person_folder_is_skipped(tiny_rmfd):
    (tiny_rmfd / data.TREES["masked"] / "nobody").mkdir()
    inv = data.scan(tiny_rmfd)
    assert "nobody" not in inv.counts("masked")
    assert any(s.reason == "empty person folder" for s in inv.skipped)


def test_non_ascii_and_odd_names_are_kept(tmp_path):
    root = make_rmfd(tmp_path / "r", {"zhōu jié<lún>": 3})
    write_face(root / data.TREES["masked"] / "zhōu jié<lún>" / "x y&z.jpg", seed=3)
    inv = data.scan(root)
    assert inv.counts("masked") == {"zhōu jié<lún>": 4}


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "CMYK"])
def test_decode_gives_rgb_for_every_mode(tmp_path, mode):
    path = tmp_path / ("img.jpg" if mode in ("L", "CMYK") else "img.png")
    write_face(path, seed=1, size=12, mode=mode)
    arr = data.decode(path)
    assert arr.shape == (12, 12, 3) and arr.dtype == np.uint8


def test_load_images_resizes_to_the_config_size(tiny_rmfd):
    _, sel = selection(tiny_rmfd)
    x = data.load_images(sel.files[:3], 24)
    assert x.shape == (3, 24, 24, 3) and x.dtype == np.float32


def test_shared_copy_has_13_people_at_20_and_15_at_19(shared_rmfd):
    inv = data.scan(shared_rmfd, trees=("masked",))
    with pytest.raises(data.DataError, match="only 13 people .* --min-images 19"):
        data.select(inv, "masked", 20, 15)
    assert len(data.select(inv, "masked", 19, 15).people) == 15


def test_repeated_selection_records_each_skipped_file_once(tiny_rmfd):
    (tiny_rmfd / data.TREES["unmasked"] / "alice" / "bad.jpg").write_bytes(b"not a jpeg")
    inv = data.scan(tiny_rmfd)
    for _ in range(3):
        data.select(inv, "mixed", 6, 3)
    assert sum(s.path.endswith("bad.jpg") for s in inv.skipped) == 1

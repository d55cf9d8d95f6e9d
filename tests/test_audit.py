"""Data audit: planted duplicates are found, distinct faces are not flagged."""

import json
import shutil

import numpy as np
from PIL import Image

from benchmark import audit, cli
from benchmark.data import TREES


def test_hamming_counts_differing_bits():
    a = np.array([0b1010, 0], dtype=np.uint8)
    b = np.array([[0b0110, 1], [0b1010, 0]], dtype=np.uint8)
    assert audit.hamming(a, b).tolist() == [3, 0]


def test_dhash_is_256_bits_and_stable_under_resizing():
    rng = np.random.default_rng(0)
    img = (rng.uniform(size=(8, 8, 3)) * 255).astype(np.uint8)
    big = np.asarray(Image.fromarray(img).resize((160, 160), Image.BILINEAR))
    small = np.asarray(Image.fromarray(img).resize((224, 224), Image.BILINEAR))
    h1, h2 = audit.dhash(big), audit.dhash(small)
    assert h1.shape == (32,) and audit.hamming(h1, h2[None])[0] <= audit.NEAR_DISTANCE


def smooth_face(path, seed):
    """A smooth random image, so that small re-encodings keep its structure."""
    rng = np.random.default_rng(seed)
    coarse = Image.fromarray((rng.uniform(size=(6, 6, 3)) * 255).astype(np.uint8))
    path.parent.mkdir(parents=True, exist_ok=True)
    coarse.resize((96, 96), Image.BICUBIC).save(path, quality=95)


def test_planted_duplicates_found_and_distinct_faces_not_flagged(tmp_path):
    root = tmp_path / "r"
    masked = root / TREES["masked"]
    for p, person in enumerate(("ann", "ben", "cat")):
        for i in range(4):
            smooth_face(masked / person / f"0_0_{i}.jpg", seed=10 * p + i)
    shutil.copy(masked / "ann" / "0_0_1.jpg", masked / "ben" / "copy.jpg")
    Image.open(masked / "ann" / "0_0_2.jpg").resize((50, 50)).save(masked / "cat" / "near.jpg",
                                                                   quality=70)
    report = audit.audit(root, None)
    pairs = {(p["a"].split("/", 1)[1], p["b"].split("/", 1)[1], p["kind"])
             for p in report["cross_person"]}
    assert pairs == {("ann/0_0_1.jpg", "ben/copy.jpg", "identical"),
                     ("ann/0_0_2.jpg", "cat/near.jpg", "near")}


def test_leakage_counts_pairs_split_across_train_and_test(tmp_path):
    pairs = [audit.Pair("x/a.jpg", "y/b.jpg", "x", "y", "identical", 0),
             audit.Pair("x/c.jpg", "x/d.jpg", "x", "x", "near", 3)]
    manifest = tmp_path / "split_manifest.csv"
    manifest.write_text("split,tree,person,label,file,sha256\n"
                        "train,masked,x,0,x/a.jpg,1\ntest,masked,y,1,y/b.jpg,1\n"
                        "train,masked,x,0,x/c.jpg,2\ntrain,masked,x,0,x/d.jpg,3\n")
    assert audit.leakage(pairs, manifest) == pairs[:1]


def test_audit_command_json_on_the_shared_copy_lists_known_duplicates(shared_rmfd, capsys,
                                                                      tmp_path):
    assert cli.main(["data", "audit", "--data-dir", str(shared_rmfd), "--results-dir",
                     str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    pairs = {(p["a"], p["b"]) for p in report["cross_person"] if p["kind"] == "identical"}
    assert ("AFDB_masked_face_dataset/luhan/0_0_6.jpg",
            "AFDB_masked_face_dataset/yangyang/0_0_10.jpg") in pairs
    assert report["cross_person_counts"]["identical"] == 13

"""Data audit: the same face filed under two people, or on both sides of a split.

Byte-identical files are found by sha256; near-identical ones by a 256-bit
difference hash (dHash: is each pixel of a 17x16 grey thumbnail brighter than
its right neighbour), at Hamming distance <= 12 by default. RMFD's SOURCE.md
reports unrelated pairs at a median distance of about 125.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmark import data

NEAR_DISTANCE = 12
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def dhash(pixels: np.ndarray, size: int = 16) -> np.ndarray:
    """256 bits as 32 bytes: horizontal gradient signs of a (size, size+1) grey image."""
    from PIL import Image

    grey = Image.fromarray(pixels).convert("L").resize((size + 1, size), Image.BILINEAR)
    g = np.asarray(grey, dtype=np.int16)
    return np.packbits((g[:, 1:] > g[:, :-1]).ravel())


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bit distance between one packed hash and each row of `b`."""
    return _POPCOUNT[np.bitwise_xor(a, b)].sum(axis=-1)


@dataclass(frozen=True)
class Pair:
    """Two files that hold the same picture (distance 0 and same bytes: identical)."""

    a: str
    b: str
    person_a: str
    person_b: str
    kind: str  # "identical" | "near"
    distance: int


def near_pairs(hashes: np.ndarray, max_distance: int) -> list[tuple[int, int, int]]:
    """Every (i, j, distance) with i < j within max_distance; O(n^2) but vectorised."""
    found = []
    for i in range(len(hashes) - 1):
        d = hamming(hashes[i], hashes[i + 1:])
        for j in np.nonzero(d <= max_distance)[0]:
            found.append((i, i + 1 + int(j), int(d[j])))
    return found


def find_pairs(files: Sequence[data.ImageFile], max_distance: int = NEAR_DISTANCE) -> list[Pair]:
    """Identical and near-identical pairs; same bytes give distance 0, so no pair is missed."""
    digests = [data.sha256_file(f.path) for f in files]
    hashes = np.stack([dhash(data.decode(f.path)) for f in files]) if files else np.empty((0, 32))
    pairs = []
    for i, j, dist in near_pairs(hashes, max_distance):
        kind = "identical" if digests[i] == digests[j] else "near"
        pairs.append(Pair(files[i].relpath, files[j].relpath, files[i].person, files[j].person,
                          kind, dist))
    return pairs


def leakage(pairs: Sequence[Pair], manifest: Path) -> list[Pair]:
    """Pairs with one file in a run's train split and the other in its test split."""
    with open(manifest, newline="", encoding="utf-8") as fh:
        split = {row["file"]: row["split"] for row in csv.DictReader(fh)}
    return [p for p in pairs if {split.get(p.a), split.get(p.b)} == {"train", "test"}]


def audit(root: Path, results_dir: Path | None, max_distance: int = NEAR_DISTANCE) -> dict:
    """Cross-person duplicates in the data, and train/test leakage per stored run."""
    inv = data.scan(root)
    files = [f for tree in inv.people.values() for fs in tree.values() for f in fs]
    pairs = find_pairs(files, max_distance)
    cross = [p for p in pairs if p.person_a != p.person_b]
    report = {
        "root": str(root), "images": len(files), "max_distance": max_distance,
        "cross_person": [p.__dict__ for p in cross],
        "cross_person_counts": {k: sum(p.kind == k for p in cross) for k in ("identical", "near")},
        "same_person_counts": {k: sum(p.kind == k and p.person_a == p.person_b for p in pairs)
                               for k in ("identical", "near")},
        "leakage": {},
    }
    if results_dir and results_dir.is_dir():
        for manifest in sorted(results_dir.glob("*/*/split_manifest.csv")):
            if manifest.parent.name.startswith("."):
                continue
            leaks = leakage(pairs, manifest)
            key = f"{manifest.parent.parent.name}/{manifest.parent.name}"
            report["leakage"][key] = {"pairs": len(leaks),
                                      "cross_person": sum(p.person_a != p.person_b for p in leaks),
                                      "examples": [p.__dict__ for p in leaks[:20]]}
    return report


def as_text(r: dict) -> str:
    lines = [f"audited {r['images']} images under {r['root']} (near: dHash distance <= "
             f"{r['max_distance']})",
             f"cross-person: {r['cross_person_counts']['identical']} identical, "
             f"{r['cross_person_counts']['near']} near-identical pairs",
             f"same person: {r['same_person_counts']['identical']} identical, "
             f"{r['same_person_counts']['near']} near-identical pairs"]
    for p in r["cross_person"]:
        lines.append(f"  {p['kind']:9} d={p['distance']:2}  {p['a']}  =  {p['b']}")
    for run, leak in r["leakage"].items():
        lines.append(f"leakage {run}: {leak['pairs']} train/test pairs "
                     f"({leak['cross_person']} across people)")
    return "\n".join(lines)

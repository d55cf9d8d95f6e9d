"""Shared fixtures: small generated RMFD-layout folders and the shared copy."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from benchmark.data import TREES

pytest_plugins = ["pytester"]

SHARED_RMFD = Path(__file__).resolve().parents[2] / "shared" / "rmfd"


def write_face(path: Path, seed: int, size: int = 40, mode: str = "RGB") -> None:
    """A small distinct image: a per-person colour with per-image noise."""
    rng = np.random.default_rng(seed)
    base = (np.array([seed * 37 % 256, seed * 91 % 256, seed * 53 % 256]))
    pixels = np.clip(base + rng.integers(-40, 40, (size, size, 3)), 0, 255)
    img = Image.fromarray(pixels.astype(np.uint8), "RGB")
    path.parent.mkdir(parents=True, exist_ok=True)
    img.convert(mode).save(path)


def make_rmfd(root: Path, masked: dict[str, int], unmasked: dict[str, int] | None = None,
              size: int = 40) -> Path:
    """An RMFD-layout folder with the given number of images per person."""
    for tree, people in (("masked", masked), ("unmasked", unmasked or {})):
        for p_idx, (person, n) in enumerate(sorted(people.items())):
            for i in range(n):
                name = f"0_0_{i}.jpg" if tree == "masked" else f"0_0_{person}_{i:04d}.jpg"
                write_face(root / TREES[tree] / person / name,
                           seed=(p_idx + 1) * 1000 + i + (500 if tree == "unmasked" else 0),
                           size=size)
    (root / TREES["masked"]).mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture
def tiny_rmfd(tmp_path: Path) -> Path:
    """Four people with 10, 10, 9, 6 masked images and some unmasked ones."""
    return make_rmfd(tmp_path / "rmfd",
                     {"alice": 10, "bob": 10, "carol": 9, "dave": 6},
                     {"alice": 4, "bob": 4, "carol": 4})


@pytest.fixture
def shared_rmfd() -> Path:
    root = Path(os.environ.get("RMFD_ROOT", SHARED_RMFD))
    if not (root / TREES["masked"]).is_dir():
        pytest.skip(f"the shared RMFD copy is not at {root} (set RMFD_ROOT)")
    return root

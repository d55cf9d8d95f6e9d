"""The RMFD data layer: find, check, select, split and load face images.

RMFD (Wang et al., arXiv:2003.09093) is laid out as
`AFDB_masked_face_dataset/<person>/<file>` (masked faces) and
`AFDB_face_dataset/<person>/<file>` (unmasked). The paper keeps the 15 people
with at least 20 masked images and splits them 70/30 (section 3a).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

TREES: dict[str, str] = {
    "masked": "AFDB_masked_face_dataset",
    "unmasked": "AFDB_face_dataset",
}
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png"})
DEFAULT_CANDIDATES = ("../shared/rmfd", "../../shared/rmfd")


class DataError(ValueError):
    """Bad data input: one line that names the path or value and the fix."""


@dataclass(frozen=True)
class ImageFile:
    """One image of one person in one tree."""

    tree: str  # "masked" | "unmasked"
    person: str
    path: Path
    relpath: str  # POSIX path relative to the RMFD root, for manifests


@dataclass(frozen=True)
class Skip:
    """A file or folder left out, and why: counted and logged, never fatal."""

    path: str
    reason: str


@dataclass
class Inventory:
    """Every usable image found under a root, by tree and person."""

    root: Path
    people: dict[str, dict[str, list[ImageFile]]]  # tree -> person -> files
    skipped: list[Skip] = field(default_factory=list)

    def counts(self, tree: str) -> dict[str, int]:
        return {p: len(f) for p, f in self.people.get(tree, {}).items()}


@dataclass(frozen=True)
class Selection:
    """The people a scenario trains on and the files it uses."""

    people: tuple[str, ...]  # class order: label i is people[i]
    files: tuple[ImageFile, ...]
    labels: tuple[int, ...]
    deviations: tuple[str, ...]  # data-level differences from the paper


def resolve_root(data_dir: str | os.PathLike | None) -> Path:
    """--data-dir, else $RMFD_ROOT, else a shared copy next to the project."""
    candidates = [data_dir] if data_dir else []
    if not candidates and os.environ.get("RMFD_ROOT"):
        candidates = [os.environ["RMFD_ROOT"]]
    if not candidates:
        candidates = [c for c in DEFAULT_CANDIDATES if Path(c).is_dir()][:1]
    if not candidates:
        raise DataError(
            "no RMFD data given: pass --data-dir DIR or set RMFD_ROOT to the "
            "folder holding AFDB_masked_face_dataset/"
        )
    root = Path(candidates[0])
    if not root.is_dir():
        raise DataError(
            f"RMFD root {str(root)!r} is not a folder: pass --data-dir with the "
            "folder holding AFDB_masked_face_dataset/"
        )
    if not (root / TREES["masked"]).is_dir():
        raise DataError(
            f"{str(root)!r} has no {TREES['masked']}/ folder: expected the "
            "official RMFD layout <root>/AFDB_masked_face_dataset/<person>/<image>"
        )
    return root


def _listdir(folder: Path, skipped: list[Skip]) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError as err:
        skipped.append(Skip(str(folder), f"unreadable folder ({err.strerror})"))
        return []


def _valid_name(name: str) -> bool:
    """Names that cannot round-trip as UTF-8 cannot go into JSON manifests."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _candidate(entry: os.DirEntry, skipped: list[Skip]) -> bool:
    reason = None
    if not _valid_name(entry.name):
        reason = "file name is not valid UTF-8"
    elif Path(entry.name).suffix.lower() not in IMAGE_SUFFIXES:
        reason = "not an image file (expected .jpg, .jpeg or .png)"
    else:
        try:
            if not entry.is_file():
                reason = "not a regular file"
            elif entry.stat().st_size == 0:
                reason = "zero-byte file"
        except OSError as err:
            reason = f"unreadable ({err.strerror})"
    if reason:
        skipped.append(Skip(entry.path, reason))
    return reason is None


def scan_tree(root: Path, tree: str, inv: Inventory) -> None:
    """Add one tree's people and candidate image files to the inventory."""
    base = root / TREES[tree]
    people: dict[str, list[ImageFile]] = {}
    if not base.is_dir():
        inv.people[tree] = people
        return
    for person in _listdir(base, inv.skipped):
        if not _valid_name(person.name) or not person.is_dir():
            inv.skipped.append(Skip(person.path, "not a person folder"))
            continue
        files = [
            ImageFile(tree, person.name, Path(e.path), f"{TREES[tree]}/{person.name}/{e.name}")
            for e in _listdir(Path(person.path), inv.skipped)
            if _candidate(e, inv.skipped)
        ]
        if not files:
            inv.skipped.append(Skip(person.path, "empty person folder"))
            continue
        people[person.name] = files
    inv.people[tree] = people


def decode(path: Path) -> np.ndarray:
    """Decode any jpg/jpeg/png (grey, alpha, palette, CMYK) to uint8 RGB."""
    from PIL import Image

    with Image.open(path) as img:
        img.load()
        if img.mode in ("P", "LA", "PA") or "transparency" in img.info:
            img = img.convert("RGBA")
        return np.asarray(img.convert("RGB"), dtype=np.uint8)


def keep_decodable(files: Sequence[ImageFile], skipped: list[Skip]) -> list[ImageFile]:
    """Drop files that do not decode, recording each as a skip."""
    kept = []
    for f in files:
        try:
            decode(f.path)
        except Exception as err:  # noqa: BLE001 - any decoder failure is a skip
            skipped.append(Skip(str(f.path), f"undecodable image ({type(err).__name__})"))
            continue
        kept.append(f)
    return kept


def scan(root: Path, trees: Sequence[str] = ("masked", "unmasked")) -> Inventory:
    """List every usable image; masked images are decoded to count them right."""
    inv = Inventory(root, {})
    for tree in trees:
        scan_tree(root, tree, inv)
    masked = inv.people.get("masked", {})
    for person in list(masked):
        masked[person] = keep_decodable(masked[person], inv.skipped)
        if not masked[person]:
            del masked[person]
    for skip in inv.skipped:
        log.warning("skipped %s: %s", skip.path, skip.reason)
    return inv


def choose_people(counts: dict[str, int], min_images: int, classes: int) -> list[str]:
    """The paper's rule: at least `min_images`, the most images first, ties by name."""
    ranked = sorted((p for p, n in counts.items() if n >= min_images),
                    key=lambda p: (-counts[p], p))
    return ranked[:classes]


def too_few_message(counts: dict[str, int], min_images: int, classes: int, where: str) -> str:
    qualified = sum(n >= min_images for n in counts.values())
    ranked = sorted(counts.values(), reverse=True)
    fixes = [f"--classes {qualified}"] if qualified else []
    if len(ranked) >= classes:
        at = ranked[classes - 1]
        fixes.insert(0, f"--min-images {at} (selects {classes} of "
                     f"{sum(n >= at for n in ranked)} qualifying)")
    if not fixes and ranked:
        fixes = [f"--classes {len(ranked)} --min-images {ranked[-1]}"]
    fix = " or ".join(fixes) if fixes else "a folder with masked images"
    return (f"only {qualified} people in {where} have at least {min_images} masked "
            f"images, {classes} classes needed: pass {fix}")


def select(inv: Inventory, dataset: str, min_images: int, classes: int,
           max_per_class: int = 0) -> Selection:
    """Pick the classes and files of one scenario, by the paper's rule."""
    counts = inv.counts("masked")
    people = choose_people(counts, min_images, classes)
    if len(people) < classes:
        where = str(inv.root / TREES["masked"])
        raise DataError(too_few_message(counts, min_images, classes, where))
    trees = ("masked", "unmasked") if dataset == "mixed" else ("masked",)
    files: list[ImageFile] = []
    labels: list[int] = []
    skipped: list[Skip] = []
    for label, person in enumerate(people):
        for tree in trees:
            found = inv.people.get(tree, {}).get(person, [])
            if tree != "masked":
                found = keep_decodable(found, skipped)
            if max_per_class:
                found = found[:max_per_class]
            files += found
            labels += [label] * len(found)
    inv.skipped += [s for s in skipped if s not in inv.skipped]  # one record per file
    devs = []
    if max_per_class:
        devs.append(f"at most {max_per_class} images per person and tree (paper: all)")
    return Selection(tuple(people), tuple(files), tuple(labels), tuple(devs))


def split(labels: Sequence[int], test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified train/test indices, reproducible from the seed."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(labels))
    try:
        train, test = train_test_split(idx, test_size=test_fraction,
                                       stratify=list(labels), random_state=seed)
    except ValueError as err:
        raise DataError(f"cannot split {len(labels)} images {1 - test_fraction:.0%}/"
                        f"{test_fraction:.0%} by person: {err}; select classes with "
                        "more images (--min-images)") from None
    return np.sort(train), np.sort(test)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def split_manifest(sel: Selection, train: np.ndarray, test: np.ndarray) -> list[dict]:
    """One row per file: which split, whose, and its sha256, for audit."""
    part = {int(i): "train" for i in train} | {int(i): "test" for i in test}
    return [
        {"split": part[i], "tree": f.tree, "person": f.person, "label": sel.labels[i],
         "file": f.relpath, "sha256": sha256_file(f.path)}
        for i, f in enumerate(sel.files)
    ]


def manifest_hash(rows: Sequence[dict]) -> str:
    """Identifies the exact data of a run, independent of file order on disk."""
    lines = sorted(f"{r['split']}\t{r['file']}\t{r['label']}\t{r['sha256']}" for r in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def load_images(files: Sequence[ImageFile], size: int) -> np.ndarray:
    """Decode once and resize with TensorFlow (paper section 3a); float32 NHWC."""
    import tensorflow as tf

    out = np.empty((len(files), size, size, 3), dtype=np.float32)
    for i, f in enumerate(files):
        out[i] = tf.image.resize(decode(f.path), (size, size), method="bilinear").numpy()
    return out


def make_dataset(x: np.ndarray, y: np.ndarray, *, batch_size: int, preprocess,
                 labels_as_input: bool, shuffle_seed: int | None = None):
    """A tf.data pipeline over decoded images: shuffle, batch, preprocess, prefetch.

    ArcFace models take the one-hot labels as a second input during training
    (the margin goes on the target class), hence `labels_as_input`.
    """
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle_seed is not None:
        ds = ds.shuffle(len(x), seed=shuffle_seed, reshuffle_each_iteration=True)

    def prep(img, label):
        img = preprocess(img)
        return ((img, label), label) if labels_as_input else (img, label)

    ds = ds.batch(batch_size).map(prep, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)

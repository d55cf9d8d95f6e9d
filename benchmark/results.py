"""Results as plain files: written atomically, read back with clear errors.

Layout: `<results>/<run-id>/<scenario>/` holds config.json, history.csv,
metrics.json, confusion.csv, split_manifest.csv and environment.json. A
scenario folder appears only by an atomic rename once every file is written,
so a folder that exists is complete; training state lives in
`<results>/<run-id>/.work/<scenario>/` until then.
"""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FILES = ("config.json", "history.csv", "metrics.json", "confusion.csv",
         "split_manifest.csv", "environment.json")


class ResultsError(ValueError):
    """A results folder that cannot be read or written: one clear line."""


def dumps(obj) -> str:
    return json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False) + "\n"


def write_text(path: Path, text: str) -> None:
    """Write via a temporary file and rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; results are for everyone to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def csv_text(rows: list[dict] | list[list], header: list[str] | None = None) -> str:
    buf = io.StringIO()
    if rows and isinstance(rows[0], dict):
        writer = csv.DictWriter(buf, fieldnames=header or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    else:
        writer = csv.writer(buf)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return buf.getvalue()


def publish(files: dict[str, str], final: Path) -> None:
    """Write all files into a hidden sibling folder, then rename it into place.

    Any OS failure (no permission, disk full) leaves `final` as it was and
    becomes one ResultsError line.
    """
    try:
        _publish(files, final)
    except OSError as err:
        raise ResultsError(f"cannot write results to {final} ({err.strerror or err}): make "
                           "the folder writable and free some space, or pass --results-dir"
                           ) from None


def _publish(files: dict[str, str], final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.partial-"))
    try:
        staging.chmod(0o755)  # mkdtemp makes 0700; results are for everyone to read
        for name, text in files.items():
            write_text(staging / name, text)
        if final.exists():
            old = final.with_name(f".{final.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
            os.replace(staging, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                             cwd=Path(__file__).parent, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def environment() -> dict:
    """Library versions and hardware: what a result was made with."""
    import keras
    import matplotlib
    import numpy
    import pandas
    import PIL
    import sklearn
    import tensorflow as tf

    import benchmark

    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    return {
        "suite_version": benchmark.__version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "gpus": gpus,
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__,
                     "numpy": numpy.__version__, "scikit-learn": sklearn.__version__,
                     "pandas": pandas.__version__, "matplotlib": matplotlib.__version__,
                     "pillow": PIL.__version__},
    }


@dataclass
class Result:
    """One finished scenario run, as read back from its folder."""

    path: Path
    config: dict
    metrics: dict
    environment: dict
    history: list[dict]
    confusion: list[list[int]]

    @property
    def scenario(self) -> str:
        return self.config["scenario"]["id"]

    @property
    def profile(self) -> str:
        return self.config["profile"]

    @property
    def seed(self) -> int:
        return self.config["seed"]


def read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{path} is missing: rerun that scenario with --force") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ResultsError(f"{path} is not valid JSON ({err}): delete its folder and rerun "
                           "the scenario, or restore it from git") from None
    if not isinstance(value, dict):
        raise ResultsError(f"{path} holds a {type(value).__name__}, expected a JSON object: "
                           "delete its folder and rerun the scenario")
    return value


def read_csv(path: Path) -> list[dict]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise ResultsError(f"cannot read {path} ({err}): delete its folder and rerun the "
                           "scenario") from None


def read(folder: Path) -> Result:
    history = [{k: float(v) for k, v in row.items()} for row in read_csv(folder / "history.csv")]
    with open(folder / "confusion.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    confusion = [[int(v) for v in row[1:]] for row in rows[1:]]
    return Result(folder, read_json(folder / "config.json"), read_json(folder / "metrics.json"),
                  read_json(folder / "environment.json"), history, confusion)


def scan(results_dir: Path) -> list[Result]:
    """Every finished scenario under a results folder; hidden folders are work."""
    found = []
    if not results_dir.is_dir():
        return found
    for metrics in sorted(results_dir.glob("*/*/metrics.json")):
        folder = metrics.parent
        if folder.name.startswith(".") or folder.parent.name.startswith("."):
            continue
        found.append(read(folder))
    return found

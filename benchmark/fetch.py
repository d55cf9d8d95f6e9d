"""`data fetch`: download an RMFD archive, verify it, unpack it safely, check it.

The official RMFD release (X-zhangyang/Real-World-Masked-Face-Dataset on
GitHub) is distributed through Baidu Pan and Google Drive links, so the URL
and its sha256 come from the user.
"""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

from benchmark.data import DataError

CHUNK = 1 << 20


def download(url: str, target: Path, timeout: float = 60) -> None:
    """Fetch into `target`, resuming a partial file with an HTTP Range request.

    A server that ignores Range (answers 200) restarts the file from byte 0.
    """
    have = target.stat().st_size if target.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            mode = "ab" if have and resp.status == 206 else "wb"
            with open(target, mode) as fh:
                shutil.copyfileobj(resp, fh, CHUNK)
    except urllib.error.HTTPError as err:
        if err.code == 416 and have:  # asked past the end: the file is already whole
            return
        raise DataError(f"download of {url} failed: HTTP {err.code}: check the URL") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
        raise DataError(f"download of {url} failed ({getattr(err, 'reason', err)}): run the "
                        "same command again to resume") from None


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def safe_name(name: str) -> bool:
    """Relative, no '..', no drive: an entry that stays inside the destination."""
    p = PurePosixPath(name.replace("\\", "/"))
    return bool(name) and not p.is_absolute() and ".." not in p.parts and ":" not in p.parts[0]


def unpack(archive: Path, into: Path) -> None:
    """Unpack zip or tar, refusing any entry that could land outside `into`."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
                if not safe_name(info.filename) or is_link:
                    raise DataError(f"refused archive {archive}: entry {info.filename!r} "
                                    "escapes the destination or is a link")
            zf.extractall(into)
        return
    try:
        tf = tarfile.open(archive)
    except tarfile.TarError:
        raise DataError(f"{archive} is neither a zip nor a tar archive") from None
    with tf:
        for member in tf.getmembers():
            if not safe_name(member.name) or not (member.isfile() or member.isdir()):
                raise DataError(f"refused archive {archive}: entry {member.name!r} escapes "
                                "the destination or is a link or device")
        tf.extractall(into, filter="data")


def fetch(url: str, expected_sha256: str, dest: Path) -> Path:
    """Download, verify, unpack into `dest`; returns the folder that holds the trees."""
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest / ".download.partial"
    download(url, archive)
    got = sha256(archive)
    if got != expected_sha256.lower():
        archive.unlink()
        raise DataError(f"sha256 of {url} is {got}, expected {expected_sha256}: the partial "
                        "file was removed; check the URL and checksum and run again")
    with tempfile.TemporaryDirectory(dir=dest, prefix=".unpack-") as tmp:
        unpack(archive, Path(tmp))
        for item in Path(tmp).iterdir():
            target = dest / item.name
            if target.exists():
                raise DataError(f"{target} exists already: fetch into an empty --dest")
            item.rename(target)
    archive.unlink()
    return dest

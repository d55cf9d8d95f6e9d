"""`data fetch` against a local HTTP server: verify, unpack safely, check."""

import functools
import hashlib
import http.server
import io
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

from benchmark import cli, fetch
from benchmark.data import DataError
from conftest import make_rmfd


@pytest.fixture
def server(tmp_path):
    """Serves tmp_path/www on 127.0.0.1; yields (folder, base URL)."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def zip_of(folder: Path, target: Path) -> str:
    with zipfile.ZipFile(target, "w") as zf:
        for path in sorted(folder.rglob("*")):
            zf.write(path, path.relative_to(folder.parent))
    return hashlib.sha256(target.read_bytes()).hexdigest()


def test_fetch_downloads_verifies_unpacks_and_checks(server, tmp_path, capsys):
    www, url = server
    rmfd = make_rmfd(tmp_path / "src" / "rmfd", {"a": 5, "b": 5}, {"a": 2})
    digest = zip_of(rmfd, www / "rmfd.zip")
    dest = tmp_path / "dest"
    assert cli.main(["data", "fetch", "--url", f"{url}/rmfd.zip", "--sha256", digest,
                     "--dest", str(dest), "--min-images", "5", "--classes", "2"]) == 0
    assert (dest / "rmfd" / "AFDB_masked_face_dataset" / "a").is_dir()
    assert "selected 2" in capsys.readouterr().out
    assert not (dest / ".download.partial").exists()


def test_wrong_sha256_refuses_to_unpack(server, tmp_path):
    www, url = server
    (www / "x.zip").write_bytes(b"PK not really")
    with pytest.raises(DataError, match="sha256 of .* expected 00"):
        fetch.fetch(f"{url}/x.zip", "00" * 32, tmp_path / "d")
    assert list((tmp_path / "d").iterdir()) == []


def test_interrupted_download_restarts_cleanly(server, tmp_path):
    www, url = server
    payload = bytes(range(256)) * 100
    (www / "a.bin").write_bytes(payload)
    target = tmp_path / "a.bin"
    target.write_bytes(b"garbage from an earlier try")  # this server ignores Range
    fetch.download(f"{url}/a.bin", target)
    assert target.read_bytes() == payload


def test_unreachable_url_is_one_clear_error(tmp_path):
    with pytest.raises(DataError, match="run the same command again to resume"):
        fetch.download("http://127.0.0.1:9/nothing.zip", tmp_path / "x")


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil.txt", "a/../../evil.txt"])
def test_zip_entries_escaping_the_destination_are_refused(tmp_path, name):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(name, "x")
    with pytest.raises(DataError, match="refused archive"):
        fetch.unpack(archive, tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()


def test_tar_with_a_symlink_is_refused(tmp_path):
    archive = tmp_path / "bad.tar"
    with tarfile.open(archive, "w") as tf:
        link = tarfile.TarInfo("rmfd/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(link)
    with pytest.raises(DataError, match="is a link or device"):
        fetch.unpack(archive, tmp_path / "out")


def test_tar_with_dotdot_is_refused(tmp_path):
    archive = tmp_path / "bad.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        info = tarfile.TarInfo("../evil.txt")
        info.size = 1
        tf.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(DataError, match="refused archive"):
        fetch.unpack(archive, tmp_path / "out")

"""The vault on a shared folder (an SMB/NFS path written by several machines at once)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from caseapp.security.vault import Vault
from caseapp.store.blobs import SharedFolderBackend, open_backend
from caseapp.store.blobs.base import BlobExists, BlobStoreError
from caseapp.store.blobs.folder_files import write_lock

KEY = bytes(range(32))
CS = 4096

WRITER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from caseapp.security.vault import Vault
    from caseapp.store.blobs import open_backend
    folder, tag, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    vault = Vault(None, bytes(range(32)), chunk_size=4096, backend=open_backend(folder))
    while not go.exists():
        time.sleep(0.005)
    out = []
    for i in range(count):
        data = (f"{tag}-{i}-".encode() * 9000)[: 20000 + 3000 * i]
        out.append([vault.ingest_stream([data]).blob_id, len(data), tag, i])
    print(json.dumps(out))
""")


def data_for(tag: str, i: int) -> bytes:
    return (f"{tag}-{i}-".encode() * 9000)[: 20000 + 3000 * i]


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return folder


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_needs_a_reachable_folder(tmp_path: Path) -> None:
    with pytest.raises(BlobStoreError, match="not reachable"):
        open_backend(str(tmp_path / "not-mounted"))
    with pytest.raises(BlobStoreError):
        open_backend(str(tmp_path), part_size=1)


def test_two_writer_processes_at_once(share: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(share), tag, "6", str(go)],
                                stdout=subprocess.PIPE, env=env) for tag in ("alice", "bob")]
    time.sleep(0.5)
    go.touch()  # both start writing at the same moment
    results = []
    for proc in writers:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        results += json.loads(out)
    vault = Vault(None, KEY, chunk_size=CS, backend=SharedFolderBackend(share))
    assert vault.blob_ids() == {r[0] for r in results} and len(results) == 12
    for blob_id, _size, tag, i in results:
        expected = hashlib.sha256(data_for(tag, i)).hexdigest()
        assert vault.verify(blob_id) == (expected, len(data_for(tag, i)))
    assert files(share) == sorted(f"{r[0]}.cav" for r in results)  # no temp, no lock left
    # The same files are a local vault: one format.
    local = Vault(share, KEY, chunk_size=CS)
    assert all(local.verify(r[0])[0] == hashlib.sha256(data_for(r[2], r[3])).hexdigest()
               for r in results)


def test_never_overwrites_an_existing_blob(share: Path) -> None:
    backend = SharedFolderBackend(share)
    blob_id = "a" * 32
    (share / f"{blob_id}.cav").write_bytes(b"first")
    writer = backend.create(blob_id)
    writer.write(memoryview(b"second"))
    writer.finish()
    with pytest.raises(BlobExists):
        writer.commit()
    assert (share / f"{blob_id}.cav").read_bytes() == b"first"
    assert files(share) == [f"{blob_id}.cav"]


@pytest.mark.parametrize("code", [errno.EPERM, errno.EINVAL], ids=["eperm", "einval"])
@pytest.mark.parametrize("existing", [False, True])
def test_share_without_hard_links(share: Path, monkeypatch: pytest.MonkeyPatch,
                                  existing: bool, code: int) -> None:
    def no_links(src: object, dst: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "link", no_links)
    backend = SharedFolderBackend(share)
    blob_id = "b" * 32
    if existing:
        (share / f"{blob_id}.cav").write_bytes(b"first")
    writer = backend.create(blob_id)
    writer.write(memoryview(b"second"))
    writer.finish()
    if existing:
        with pytest.raises(BlobExists):
            writer.commit()
    else:
        writer.commit()
    assert (share / f"{blob_id}.cav").read_bytes() == (b"first" if existing else b"second")
    assert files(share) == [f"{blob_id}.cav"]


def test_failed_write_leaves_nothing(share: Path) -> None:
    vault = Vault(None, KEY, chunk_size=CS, backend=SharedFolderBackend(share))

    def source():  # noqa: ANN202
        yield b"x" * 50_000
        raise OSError("source went away")

    with pytest.raises(OSError, match="went away"):
        vault.ingest_stream(source())
    assert files(share) == []


def test_leftovers_only_once_stale(share: Path) -> None:
    backend = SharedFolderBackend(share)
    incoming = share / ".incoming"
    incoming.mkdir()
    fresh, old = incoming / ("c" * 32 + ".tmp"), incoming / ("d" * 32 + ".tmp")
    fresh.write_bytes(b"being written on another machine")
    old.write_bytes(b"dead")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    assert [x.name for x in backend.leftovers()] == [old.name]
    assert [x.name for x in backend.remove_leftovers()] == [old.name]
    assert fresh.exists() and not old.exists()
    # An old temp whose writer on this machine still holds its lock is left alone too.
    os.utime(fresh, (two_days_ago, two_days_ago))
    lock = write_lock(fresh)
    lock.acquire()
    try:
        assert backend.remove_leftovers() == [] and fresh.exists()
    finally:
        lock.release()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_opening_a_share_keeps_its_permissions(tmp_path: Path) -> None:
    """The share belongs to the team: opening it must not make it private to this OS user
    (the home's own vault folder, the control, still is)."""
    from caseapp.store.blobs import LocalFolderBackend

    share = tmp_path / "share"
    share.mkdir()
    os.chmod(share, 0o2770)
    SharedFolderBackend(share)
    assert share.stat().st_mode & 0o7777 == 0o2770
    own = tmp_path / "vault"
    own.mkdir(mode=0o755)
    LocalFolderBackend(own)
    assert own.stat().st_mode & 0o777 == 0o700

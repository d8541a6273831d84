"""Tests for the encrypted evidence vault (real files, real AES-GCM, small chunk size)."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from caseapp.domain.progress import Cancelled
from caseapp.security import vault as vault_mod
from caseapp.security.vault import (
    HEADER_SIZE,
    MAGIC,
    TAG_SIZE,
    BlobCorrupt,
    BlobMissing,
    FileChangedError,
    Vault,
    VaultError,
)
from caseapp.store.blobs import folder as folder_mod

CS = 64  # small chunks so multi-chunk cases stay tiny
KEY = bytes(range(32))
POSIX = os.name == "posix"


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(tmp_path / "vault", KEY, chunk_size=CS)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def vault_files(v: Vault) -> list[str]:
    """Every file in the vault folder (temp files under ``.incoming/`` included)."""
    names = [n for n in os.listdir(v.root) if n != ".incoming"]
    incoming = v.root / ".incoming"
    if incoming.is_dir():
        names += [f".incoming/{n}" for n in os.listdir(incoming)]
    return sorted(names)


def no_worker_threads() -> bool:
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if not any(t.name.startswith("vault-") for t in threading.enumerate()):
            return True
        time.sleep(0.01)
    return False


def is_direct(fd: int) -> bool:
    if not hasattr(os, "O_DIRECT"):
        return False
    import fcntl

    return bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT)


def ingest_bytes(v: Vault, tmp_path: Path, data: bytes, name: str = "src.bin") -> str:
    return v.ingest(write(tmp_path / name, data)).blob_id


def cancel_after(checks: int) -> Callable[[], bool]:
    """A cancel callback that asks to stop from its ``checks + 1``-th call on."""
    calls = 0

    def cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > checks

    return cancel


def chunk_span(index: int) -> tuple[int, int]:
    start = HEADER_SIZE + index * (CS + TAG_SIZE)
    return start, start + CS + TAG_SIZE


# -- round trips ---------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [0, 1, CS - 1, CS, CS + 1, 2 * CS, 5 * CS, 5 * CS + 17, 1000])
def test_round_trip(vault: Vault, tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    src = write(tmp_path / "src.bin", data)
    result = vault.ingest(src)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.size == size
    st = src.stat()
    assert (result.src_mtime_ns, result.src_ctime_ns) == (st.st_mtime_ns, st.st_ctime_ns)
    assert b"".join(vault.iter_plaintext(result.blob_id)) == data
    assert vault.verify(result.blob_id) == (result.sha256, size)
    out = tmp_path / "out.bin"
    assert vault.decrypt_to(result.blob_id, out) == result.sha256
    assert out.read_bytes() == data
    # Every chunk is full except the final one, which holds < CS bytes (maybe 0).
    chunks = size // CS + 1
    assert vault.path_of(result.blob_id).stat().st_size == HEADER_SIZE + size + chunks * TAG_SIZE
    assert vault_files(vault) == [f"{result.blob_id}.cav"]


def test_random_sizes_default_chunk(tmp_path: Path) -> None:
    v = Vault(tmp_path / "vault", KEY)
    for size in (3 * (1 << 20), 3 * (1 << 20) + 5, 123_457):
        data = os.urandom(size)
        result = v.ingest(write(tmp_path / f"s{size}", data))
        assert result.sha256 == hashlib.sha256(data).hexdigest()
        assert v.verify(result.blob_id) == (result.sha256, size)


@pytest.mark.parametrize("direct", [True, False], ids=["o_direct_if_available", "buffered"])
@pytest.mark.parametrize("size", [8191, 8192 - HEADER_SIZE, 50_000])
def test_round_trip_across_staging_buffers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           direct: bool, size: int) -> None:
    if not direct:
        monkeypatch.setattr(folder_mod, "_O_DIRECT", 0)
    v = Vault(tmp_path / "vault", KEY, chunk_size=CS)
    data = os.urandom(size)
    result = v.ingest(write(tmp_path / "src.bin", data))
    assert v.verify(result.blob_id) == (hashlib.sha256(data).hexdigest(), size)


def test_o_direct_refused_falls_back(vault: Vault, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = folder_mod.write_all
    refused: list[int] = []

    def picky_write(fd: int, data: bytes, offset: int) -> None:
        if not refused and is_direct(fd):
            refused.append(fd)
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        real_write(fd, data, offset)

    monkeypatch.setattr(folder_mod, "write_all", picky_write)
    data = os.urandom(50_000)
    result = vault.ingest(write(tmp_path / "src.bin", data))
    assert vault.verify(result.blob_id) == (hashlib.sha256(data).hexdigest(), len(data))


def test_bulk_goes_through_o_direct_where_supported(vault: Vault, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    probe = tmp_path / "probe"
    probe.touch()
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_DIRECT))
    except (AttributeError, OSError):
        pytest.skip("no O_DIRECT on this platform or file system")
    real_write = folder_mod.write_all
    direct_bytes = 0

    def counting_write(fd: int, data: bytes, offset: int) -> None:
        nonlocal direct_bytes
        if is_direct(fd):
            assert offset % 4096 == 0 and len(data) % 4096 == 0
            direct_bytes += len(data)
        real_write(fd, data, offset)

    monkeypatch.setattr(folder_mod, "write_all", counting_write)
    data = os.urandom(50_000)
    result = vault.ingest(write(tmp_path / "src.bin", data))
    blob_size = vault.path_of(result.blob_id).stat().st_size
    stage = (4 * (CS + TAG_SIZE) // 4096 + 2) * 4096  # only the last stage is buffered
    assert blob_size - stage < direct_bytes <= blob_size
    assert vault.verify(result.blob_id)[0] == hashlib.sha256(data).hexdigest()


def test_blob_format_names_and_permissions(vault: Vault, tmp_path: Path) -> None:
    blob_id = ingest_bytes(vault, tmp_path, b"x" * 100)
    assert re.fullmatch(r"[0-9a-f]{32}", blob_id)
    path = vault.path_of(blob_id)
    assert path.name.isascii() and path.name == f"{blob_id}.cav"
    raw = path.read_bytes()
    assert raw.startswith(MAGIC) and bytes.fromhex(blob_id) in raw[:HEADER_SIZE]
    if POSIX:
        assert stat.S_IMODE(vault.root.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_ciphertext_does_not_contain_plaintext(vault: Vault, tmp_path: Path) -> None:
    marker = b"PASSPORT-NO-X1234567-"
    blob_id = ingest_bytes(vault, tmp_path, marker * 50)
    raw = vault.path_of(blob_id).read_bytes()
    assert marker not in raw
    assert marker[:8] not in raw


def test_same_content_gives_different_blobs(vault: Vault, tmp_path: Path) -> None:
    a = ingest_bytes(vault, tmp_path, b"same" * 40, "a")
    b = ingest_bytes(vault, tmp_path, b"same" * 40, "b")
    assert a != b
    assert vault.path_of(a).read_bytes()[HEADER_SIZE:] != vault.path_of(b).read_bytes()[HEADER_SIZE:]


def test_ingest_stream(vault: Vault) -> None:
    parts = [b"", b"a" * 10, os.urandom(200), b"b", bytearray(b"c" * 64), memoryview(b"d" * 3)]
    data = b"".join(bytes(p) for p in parts)
    result = vault.ingest_stream(iter(parts), total=len(data))
    assert (result.size, result.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert (result.src_mtime_ns, result.src_ctime_ns) == (0, 0)
    assert b"".join(vault.iter_plaintext(result.blob_id)) == data


def test_a_failing_key_resolver_shows_its_reason_but_never_library_text(vault: Vault) -> None:
    from sqlalchemy.exc import ProgrammingError

    from caseapp.security.keys import KeyUnavailable

    blob = vault.ingest_stream(iter([b"sealed"])).blob_id

    def no_passphrase(_blob_id: str) -> list[bytes]:
        raise KeyUnavailable("Your team key is protected by a passphrase; none was given.")

    vault.keys_for = no_passphrase
    with pytest.raises(VaultError, match="not available: Your team key .*passphrase"):
        vault.verify(blob)

    def database_error(_blob_id: str) -> list[bytes]:
        raise ProgrammingError("SELECT evidence.case_id FROM evidence WHERE title = 'Kim'",
                               {"title": "Kim"}, Exception("relation does not exist"))

    vault.keys_for = database_error
    with pytest.raises(VaultError) as caught:
        vault.verify(blob)
    assert "not available (ProgrammingError)" in str(caught.value)
    assert "SELECT" not in str(caught.value) and "Kim" not in str(caught.value)
    vault.keys_for = None
    assert b"".join(vault.iter_plaintext(blob)) == b"sealed"


def test_progress_and_cancel_run_in_calling_thread(vault: Vault, tmp_path: Path) -> None:
    src = write(tmp_path / "src.bin", os.urandom(5 * CS + 3))
    seen: list[tuple[int, int]] = []
    threads: set[int] = set()

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        threads.add(threading.get_ident())

    def cancel() -> bool:
        threads.add(threading.get_ident())
        return False

    vault.ingest(src, progress=progress, cancel=cancel)
    assert seen == [(min((i + 1) * CS, 5 * CS + 3), 5 * CS + 3) for i in range(6)]
    assert threads == {threading.get_ident()}


def test_concurrent_ingests(vault: Vault, tmp_path: Path) -> None:
    datas = [os.urandom(1000 + i) for i in range(4)]
    results: list[str] = []

    def work(i: int) -> None:
        results.append(vault.ingest(write(tmp_path / f"c{i}", datas[i])).sha256)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(results) == sorted(hashlib.sha256(d).hexdigest() for d in datas)
    assert len(vault_files(vault)) == 4


# -- tampering -----------------------------------------------------------------------------------
@pytest.fixture
def blob(vault: Vault, tmp_path: Path) -> tuple[str, bytes]:
    data = os.urandom(4 * CS + 10)  # 5 chunks: 4 full + final of 10 bytes
    return ingest_bytes(vault, tmp_path, data), data


def assert_corrupt(v: Vault, blob_id: str) -> None:
    with pytest.raises(BlobCorrupt):
        v.verify(blob_id)
    with pytest.raises(BlobCorrupt):
        list(v.iter_plaintext(blob_id))


def rewrite(v: Vault, blob_id: str, edit) -> None:  # noqa: ANN001 - bytes -> bytes
    path = v.path_of(blob_id)
    path.write_bytes(edit(path.read_bytes()))


@pytest.mark.parametrize("cut", ["last_chunk", "two_chunks", "mid_chunk", "one_byte",
                                 "header_only", "partial_header", "empty"])
def test_truncation_detected(vault: Vault, blob: tuple[str, bytes], cut: str) -> None:
    blob_id, _ = blob
    ends = {"last_chunk": chunk_span(4)[0], "two_chunks": chunk_span(3)[0],
            "mid_chunk": chunk_span(2)[0] + 30, "header_only": HEADER_SIZE,
            "partial_header": 10, "empty": 0}
    rewrite(vault, blob_id, lambda raw: raw[:-1] if cut == "one_byte" else raw[:ends[cut]])
    assert_corrupt(vault, blob_id)


def test_truncation_of_empty_final_chunk(vault: Vault, tmp_path: Path) -> None:
    blob_id = ingest_bytes(vault, tmp_path, os.urandom(3 * CS))  # ends with an empty chunk
    rewrite(vault, blob_id, lambda raw: raw[:-TAG_SIZE])
    assert_corrupt(vault, blob_id)


def test_chunk_reorder_detected(vault: Vault, blob: tuple[str, bytes]) -> None:
    blob_id, _ = blob
    (a0, a1), (b0, b1) = chunk_span(1), chunk_span(2)
    rewrite(vault, blob_id, lambda raw: raw[:a0] + raw[b0:b1] + raw[a0:a1] + raw[b1:])
    assert_corrupt(vault, blob_id)


def test_chunk_dropped_from_middle_detected(vault: Vault, blob: tuple[str, bytes]) -> None:
    blob_id, _ = blob
    a0, a1 = chunk_span(1)
    rewrite(vault, blob_id, lambda raw: raw[:a0] + raw[a1:])
    assert_corrupt(vault, blob_id)


@pytest.mark.parametrize("offset", [0, 8, 12, 20, HEADER_SIZE, HEADER_SIZE + CS + 3, -1])
def test_bit_flip_detected(vault: Vault, blob: tuple[str, bytes], offset: int) -> None:
    blob_id, _ = blob

    def flip(raw: bytes) -> bytes:
        out = bytearray(raw)
        out[offset] ^= 0x01
        return bytes(out)

    rewrite(vault, blob_id, flip)
    with pytest.raises(BlobCorrupt):
        vault.verify(blob_id)


@pytest.mark.parametrize("extra", [1, TAG_SIZE, CS + TAG_SIZE, 2 * (CS + TAG_SIZE) + 5])
def test_appended_data_detected(vault: Vault, blob: tuple[str, bytes], extra: int) -> None:
    blob_id, _ = blob
    rewrite(vault, blob_id, lambda raw: raw + os.urandom(extra))
    assert_corrupt(vault, blob_id)


def test_appended_copy_of_own_chunk_detected(vault: Vault, blob: tuple[str, bytes]) -> None:
    blob_id, _ = blob
    rewrite(vault, blob_id, lambda raw: raw + raw[slice(*chunk_span(0))])
    assert_corrupt(vault, blob_id)


def test_swapped_header_blob_id_detected(vault: Vault, tmp_path: Path) -> None:
    a = ingest_bytes(vault, tmp_path, b"a" * 300, "a")
    b = ingest_bytes(vault, tmp_path, b"b" * 300, "b")
    raw_a, raw_b = vault.path_of(a).read_bytes(), vault.path_of(b).read_bytes()
    # b's chunks under a header naming a; then a's whole file stored under b's name.
    vault.path_of(a).write_bytes(raw_a[:HEADER_SIZE] + raw_b[HEADER_SIZE:])
    vault.path_of(b).write_bytes(raw_a)
    assert_corrupt(vault, a)
    assert_corrupt(vault, b)


def test_chunk_swapped_between_blobs_detected(vault: Vault, tmp_path: Path) -> None:
    a = ingest_bytes(vault, tmp_path, os.urandom(300), "a")
    b = ingest_bytes(vault, tmp_path, os.urandom(300), "b")
    s, e = chunk_span(1)
    raw_b = vault.path_of(b).read_bytes()
    rewrite(vault, a, lambda raw: raw[:s] + raw_b[s:e] + raw[e:])
    assert_corrupt(vault, a)


def test_wrong_key_is_corrupt(vault: Vault, blob: tuple[str, bytes]) -> None:
    blob_id, _ = blob
    other = Vault(vault.root, bytes(32), chunk_size=CS)
    assert_corrupt(other, blob_id)


def test_corrupt_message_has_no_key_material(vault: Vault, blob: tuple[str, bytes]) -> None:
    blob_id, _ = blob
    rewrite(vault, blob_id, lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]))
    with pytest.raises(BlobCorrupt) as info:
        vault.verify(blob_id)
    assert KEY.hex() not in str(info.value) and blob_id in str(info.value)


def test_missing_and_invalid_blob(vault: Vault, tmp_path: Path) -> None:
    missing = "0" * 32
    assert not vault.exists(missing)
    with pytest.raises(BlobMissing):
        vault.verify(missing)
    with pytest.raises(BlobMissing):
        vault.iter_plaintext(missing)
    with pytest.raises(BlobMissing):
        vault.decrypt_to(missing, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    for bad in ("../etc/passwd", "ABC", "0" * 31, "g" * 32):
        assert not vault.exists(bad)
        with pytest.raises(VaultError):
            vault.verify(bad)


def test_discard(vault: Vault, blob: tuple[str, bytes]) -> None:
    blob_id, _ = blob
    assert vault.exists(blob_id)
    vault.discard(blob_id)
    assert not vault.exists(blob_id)
    vault.discard(blob_id)  # idempotent
    assert vault_files(vault) == []


# -- failures leave nothing behind ---------------------------------------------------------------
def test_cancel_midway_leaves_nothing(vault: Vault, tmp_path: Path) -> None:
    src = write(tmp_path / "src.bin", os.urandom(20 * CS))
    with pytest.raises(Cancelled):
        vault.ingest(src, cancel=cancel_after(3))
    assert vault_files(vault) == []
    assert no_worker_threads()


def test_progress_exception_propagates_and_cleans_up(vault: Vault, tmp_path: Path) -> None:
    def progress(done: int, total: int) -> None:
        if done >= 3 * CS:
            raise RuntimeError("UI went away")

    with pytest.raises(RuntimeError, match="UI went away"):
        vault.ingest(write(tmp_path / "src.bin", os.urandom(20 * CS)), progress=progress)
    assert vault_files(vault) == []
    assert no_worker_threads()


def test_stream_source_error_propagates_and_cleans_up(vault: Vault) -> None:
    def chunks():  # noqa: ANN202
        yield os.urandom(5 * CS)
        raise ValueError("generator broke")

    with pytest.raises(ValueError, match="generator broke"):
        vault.ingest_stream(chunks())
    assert vault_files(vault) == []
    assert no_worker_threads()


@pytest.mark.parametrize("after", [0, 1, 3])
def test_disk_full_midway_leaves_nothing(vault: Vault, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    real_write = folder_mod.write_all
    calls = 0

    def failing_write(fd: int, data: bytes, offset: int) -> None:
        nonlocal calls
        calls += 1
        if calls > after:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(fd, data, offset)

    monkeypatch.setattr(folder_mod, "write_all", failing_write)
    with pytest.raises(VaultError, match=r"Vault write failed: the disk is full"):
        vault.ingest(write(tmp_path / "src.bin", os.urandom(500 * CS)))  # several writes
    assert vault_files(vault) == []
    assert no_worker_threads()


def test_fsync_failure_leaves_nothing(vault: Vault, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_fsync(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(vault_mod.os, "fsync", failing_fsync)
    with pytest.raises(VaultError, match="Vault write failed"):
        vault.ingest(write(tmp_path / "src.bin", b"x" * 200))
    assert vault_files(vault) == []


def test_unreadable_file_simulated(vault: Vault, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    src = write(tmp_path / "secret.bin", b"data")
    real_open = vault_mod.os.open

    def guarded_open(path, flags, *args):  # noqa: ANN001, ANN202
        if Path(path) == src:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(vault_mod.os, "open", guarded_open)
    with pytest.raises(VaultError, match=r"Could not read secret\.bin: Permission denied"):
        vault.ingest(src)
    assert vault_files(vault) == []


@pytest.mark.skipif(not POSIX or os.geteuid() == 0, reason="needs POSIX, non-root")
def test_unreadable_file_chmod(vault: Vault, tmp_path: Path) -> None:
    src = write(tmp_path / "locked.bin", b"data")
    src.chmod(0)
    try:
        with pytest.raises(VaultError, match="Could not read locked.bin"):
            vault.ingest(src)
    finally:
        src.chmod(0o600)
    assert vault_files(vault) == []


def test_missing_source(vault: Vault, tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="Could not read nope.bin"):
        vault.ingest(tmp_path / "nope.bin")


def test_directory_refused(vault: Vault, tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(VaultError, match="not a regular file"):
        vault.ingest(tmp_path / "folder")
    assert vault_files(vault) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_refused_without_blocking(vault: Vault, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(VaultError, match="named pipe"):
        vault.ingest(fifo)


def test_file_appended_during_ingest(vault: Vault, tmp_path: Path) -> None:
    src = write(tmp_path / "growing.log", os.urandom(10 * CS))

    def progress(done: int, total: int) -> None:
        if done == CS:
            with open(src, "ab") as handle:
                handle.write(b"more")

    with pytest.raises(FileChangedError, match="changed while it was being read"):
        vault.ingest(src, progress=progress)
    assert vault_files(vault) == []
    assert no_worker_threads()


def test_file_growing_fast_stops_early(vault: Vault, tmp_path: Path) -> None:
    src = write(tmp_path / "growing.log", os.urandom(2 * CS))

    def progress(done: int, total: int) -> None:
        with open(src, "ab") as handle:
            handle.write(os.urandom(10 * CS))

    with pytest.raises(FileChangedError):
        vault.ingest(src, progress=progress)
    assert vault_files(vault) == []


def test_file_rewritten_in_place_during_ingest(vault: Vault, tmp_path: Path) -> None:
    src = write(tmp_path / "doc.bin", os.urandom(10 * CS))
    mtime = src.stat().st_mtime_ns

    def progress(done: int, total: int) -> None:
        if done == CS:
            with open(src, "r+b") as handle:
                handle.write(b"\0" * 8)
            os.utime(src, ns=(mtime + 10**9, mtime + 10**9))  # mtime granularity may be coarse

    with pytest.raises(FileChangedError):
        vault.ingest(src, progress=progress)
    assert vault_files(vault) == []


def test_file_truncated_during_ingest(vault: Vault, tmp_path: Path) -> None:
    src = write(tmp_path / "doc.bin", os.urandom(10 * CS))

    def progress(done: int, total: int) -> None:
        if done == CS:
            os.truncate(src, 3 * CS)

    with pytest.raises(FileChangedError):
        vault.ingest(src, progress=progress)
    assert vault_files(vault) == []


def test_file_replaced_during_ingest(vault: Vault, tmp_path: Path) -> None:
    src = write(tmp_path / "doc.bin", os.urandom(10 * CS))
    other = write(tmp_path / "other.bin", os.urandom(10 * CS))

    def progress(done: int, total: int) -> None:
        if done == CS:
            os.replace(other, src)

    with pytest.raises(FileChangedError):
        vault.ingest(src, progress=progress)
    assert vault_files(vault) == []


NAMES = ["with space.bin", "증거 사진.jpg", "ünïcödé-文件.txt"]
if sys.platform != "win32":
    NAMES.append("new\nline.txt")


@pytest.mark.parametrize("name", NAMES)
def test_odd_names(vault: Vault, tmp_path: Path, name: str) -> None:
    data = os.urandom(150)
    result = vault.ingest(write(tmp_path / name, data))
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    out_dir = tmp_path / f"out {name}"
    out_dir.mkdir()
    assert vault.decrypt_to(result.blob_id, out_dir / name) == result.sha256
    assert (out_dir / name).read_bytes() == data
    assert all(n.isascii() and "\n" not in n for n in vault_files(vault))


# -- decrypt_to ----------------------------------------------------------------------------------
def test_decrypt_to_corrupt_keeps_existing_dest(vault: Vault, tmp_path: Path,
                                                blob: tuple[str, bytes]) -> None:
    blob_id, _ = blob
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    dest = write(out_dir / "exhibit.bin", b"previous")
    rewrite(vault, blob_id, lambda raw: raw[:-3] + b"xyz")
    with pytest.raises(BlobCorrupt):
        vault.decrypt_to(blob_id, dest)
    assert dest.read_bytes() == b"previous"
    assert os.listdir(out_dir) == ["exhibit.bin"]
    assert no_worker_threads()


def test_decrypt_to_cancel_and_progress(vault: Vault, tmp_path: Path,
                                        blob: tuple[str, bytes]) -> None:
    blob_id, data = blob
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    seen: list[tuple[int, int]] = []
    vault.decrypt_to(blob_id, out_dir / "a.bin", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (len(data), len(data))
    if POSIX:
        assert stat.S_IMODE((out_dir / "a.bin").stat().st_mode) == 0o600
    with pytest.raises(Cancelled):
        vault.decrypt_to(blob_id, out_dir / "b.bin", cancel=cancel_after(2))
    assert os.listdir(out_dir) == ["a.bin"]


def test_decrypt_to_disk_full(vault: Vault, tmp_path: Path, blob: tuple[str, bytes],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    blob_id, _ = blob
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def failing_write(fd: int, data: bytes, offset: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(vault_mod, "_write_all", failing_write)
    with pytest.raises(VaultError, match="the disk is full"):
        vault.decrypt_to(blob_id, out_dir / "x.bin")
    assert os.listdir(out_dir) == []


def test_decrypt_to_missing_folder(vault: Vault, tmp_path: Path, blob: tuple[str, bytes]) -> None:
    blob_id, _ = blob
    with pytest.raises(VaultError):
        vault.decrypt_to(blob_id, tmp_path / "no" / "such" / "x.bin")


def test_partial_iteration_releases_resources(vault: Vault, blob: tuple[str, bytes]) -> None:
    blob_id, data = blob
    chunks = vault.iter_plaintext(blob_id)
    assert next(chunks) == data[:CS]
    chunks.close()
    assert no_worker_threads()


def test_leftovers_are_temps_of_dead_writers_only(vault: Vault) -> None:
    from caseapp.store.blobs.folder_files import write_lock

    dead, live = vault.root / ("a" * 32 + ".tmp"), vault.root / ".incoming" / ("b" * 32 + ".tmp")
    live.parent.mkdir(exist_ok=True)
    held = write_lock(live)
    held.acquire()  # a writer still at work (in this test, the same process)
    try:
        dead.write_bytes(b"x" * 10)
        live.write_bytes(b"y")
        assert [x.name for x in vault.leftovers()] == [dead.name]
        assert [(x.name, x.size) for x in vault.remove_leftovers()] == [(dead.name, 10)]
        assert live.exists() and not dead.exists()
    finally:
        held.release()
    assert [x.name for x in vault.remove_leftovers()] == [live.name]
    assert vault_files(vault) == []


def test_ingest_leaves_no_lock_file_and_blobs_are_listed(vault: Vault, tmp_path: Path) -> None:
    src = tmp_path / "s.bin"
    src.write_bytes(b"z" * 100)
    result = vault.ingest(src)
    assert vault.blob_ids() == {result.blob_id}
    assert vault_files(vault) == [f"{result.blob_id}.cav"]
    assert vault.quarantine({result.blob_id}) == [result.blob_id]
    assert vault.blob_ids() == set() and (vault.root / "quarantine" / f"{result.blob_id}.cav").exists()


def test_bad_key_and_chunk_size(tmp_path: Path) -> None:
    with pytest.raises(VaultError):
        Vault(tmp_path / "v", b"short")
    with pytest.raises(VaultError):
        Vault(tmp_path / "v", KEY, chunk_size=1)

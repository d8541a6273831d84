"""Encrypted evidence vault: a directory of opaque, chunked AES-256-GCM blobs.

Blob file ``<32 hex>.cav``: a 32-byte header (magic, format version, flags, chunk size, raw blob
id), then chunks. Every chunk holds ``chunk_size`` plaintext bytes except the last, which holds
fewer (possibly 0): a 0-byte file is one empty final chunk, and a file that is an exact multiple
of the chunk size ends with an empty final chunk. Chunk ``i`` is ciphertext + 16-byte tag of
``AESGCM(k_blob).encrypt(nonce_i, plaintext_i, aad_i)`` with

* ``k_blob = HKDF-SHA256(vault key, info="caseapp/vault/blob/v1" || blob id)``: a chunk moved in
  from another blob, or a blob file renamed to another id, fails authentication;
* ``nonce_i = i (u64 BE) || final (u32 BE)``: unique under ``k_blob`` (the STREAM construction);
* ``aad_i = header || i (u64 BE) || final (u8)``: an altered header, or a dropped, reordered,
  truncated or appended chunk, fails authentication.

Ingest reads the source once through four stages joined by bounded queues over fixed pools of
buffers (memory stays flat): a reader thread, SHA-256 in the calling thread, an encryptor thread
sealing chunks straight into page-aligned staging buffers, and a writer thread. hashlib and
AESGCM release the GIL, so the stages overlap. The blob goes to a temp file in the vault that is
fsynced and renamed; on any failure or cancel it is removed.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import mmap
import os
import queue
import re
import secrets
import stat
import struct
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from caseapp import faults
from caseapp.domain.disk import DISK_FULL_ERRNOS
from caseapp.domain.progress import Cancel, Cancelled, Progress
from caseapp.security.vault_files import (
    BLOB_SUFFIX,
    TEMP_SUFFIX,
    Leftover,
    blob_ids,
    dead_temps,
    incoming,
    quarantine,
    release_write_lock,
    remove_dead_temps,
    write_lock,
)

MAGIC = b"CAVAULT\x00"
FORMAT_VERSION = 1
DEFAULT_CHUNK_SIZE = 1 << 20
MIN_CHUNK_SIZE, MAX_CHUNK_SIZE = 16, 1 << 26
TAG_SIZE = 16
_HEADER = struct.Struct(">8sHHI16s")  # magic, version, flags (0), chunk size, raw blob id
HEADER_SIZE = _HEADER.size  # 32
_DEPTH = 4  # chunks queued between two stages
_ALIGN = 4096  # O_DIRECT block alignment (buffer address, file offset, length)
_ID_RE = re.compile(r"[0-9a-f]{32}")
_O_BINARY = getattr(os, "O_BINARY", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO swapped in after stat must not block
_O_DIRECT = getattr(os, "O_DIRECT", 0)
_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket"}



class VaultError(Exception):
    """Base class; messages are user-readable and never contain key material."""

    #: True when a write failed for want of room (full disk, quota, file-size limit).
    no_room = False


class FileChangedError(VaultError):
    """The source file changed (size, mtime or identity) while it was read."""


class BlobMissing(VaultError):
    """No blob with that id exists in the vault."""


class BlobCorrupt(VaultError):
    """The blob fails authentication, is truncated or extended, or has a bad header."""


@dataclass(frozen=True)
class IngestResult:
    """What ingest stored: blob id, plaintext SHA-256 and size, source timestamps before reading."""

    blob_id: str
    sha256: str
    size: int
    src_mtime_ns: int
    src_ctime_ns: int


class _Aborted(Exception):
    """Internal: another pipeline stage failed or the consumer left; unwind quietly."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _write_error(exc: OSError, what: str = "Vault write") -> VaultError:
    if exc.errno in DISK_FULL_ERRNOS:
        error = VaultError(f"{what} failed: the disk is full or a file-size limit was reached")
        error.no_room = True
        return error
    return VaultError(f"{what} failed: {_reason(exc)}")


def _write_all(fd: int, data: bytes | memoryview, offset: int) -> None:
    """Write everything at ``offset`` (sequentially where there is no pwrite: Windows)."""
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset) if hasattr(os, "pwrite") else os.write(fd, view)
        view, offset = view[n:], offset + n


def _fsync_dir(path: Path) -> None:
    """fsync a directory so a rename in it is durable; skipped where unsupported (Windows)."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _get(q: queue.Queue[Any], abort: threading.Event) -> Any:
    while True:
        try:
            return q.get(timeout=0.05)
        except queue.Empty:
            if abort.is_set():
                raise _Aborted from None


def _put(q: queue.Queue[Any], item: Any, abort: threading.Event) -> None:
    while True:
        try:
            return q.put(item, timeout=0.05)
        except queue.Full:
            if abort.is_set():
                raise _Aborted from None


class _Sink:
    """Sequential writer of one new 0600 file.

    Where the OS and file system allow it (Linux O_DIRECT), whole aligned blocks bypass the page
    cache: no copy into the cache, nothing left for the final fsync to flush, and a huge exhibit
    does not evict the user's cache. The unaligned tail, and everything elsewhere, is buffered.
    """

    def __init__(self, path: Path) -> None:
        self.offset, self.direct = 0, -1
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o600)
        if _O_DIRECT:
            with contextlib.suppress(OSError):
                self.direct = os.open(path, os.O_WRONLY | _O_DIRECT)

    def aligned(self, n: int) -> int:
        """How much of ``n`` staged bytes to write now (the rest moves to the next stage)."""
        return n - n % _ALIGN if self.direct >= 0 else n

    def write(self, view: memoryview) -> None:
        if self.direct >= 0 and len(view) % _ALIGN == 0:
            try:
                _write_all(self.direct, view, self.offset)
                self.offset += len(view)
                return
            except OSError as exc:
                if exc.errno != errno.EINVAL or self.offset:
                    raise
                os.close(self.direct)  # this file system refuses O_DIRECT: write normally
                self.direct = -1
        _write_all(self.fd, view, self.offset)
        self.offset += len(view)

    def close(self) -> None:
        fds, self.fd, self.direct = (self.fd, self.direct), -1, -1
        failed = None
        for fd in fds:
            try:
                if fd >= 0:
                    os.close(fd)
            except OSError as exc:
                failed = exc
        if failed is not None:
            raise failed


class Vault:
    """A directory of encrypted blobs under one 32-byte vault key."""

    def __init__(self, root: Path, key: bytes, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        """Open the vault at ``root``, creating it (mode 0700 where supported)."""
        if len(key) != 32:
            raise VaultError("The vault key must be 32 bytes.")
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise VaultError(f"Chunk size must be between {MIN_CHUNK_SIZE} and {MAX_CHUNK_SIZE}.")
        self.root, self._key, self.chunk_size = Path(root), bytes(key), chunk_size
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise VaultError(f"Could not create the vault folder: {_reason(exc)}") from exc
        if os.name == "posix":
            with contextlib.suppress(OSError):
                os.chmod(self.root, 0o700)

    def path_of(self, blob_id: str) -> Path:
        """Path of a blob's file; raises VaultError for a malformed id."""
        if not isinstance(blob_id, str) or not _ID_RE.fullmatch(blob_id):
            raise VaultError("Invalid evidence blob id.")
        return self.root / f"{blob_id}{BLOB_SUFFIX}"

    def exists(self, blob_id: str) -> bool:
        """True if a blob file with this id exists (contents not checked)."""
        try:
            return self.path_of(blob_id).is_file()
        except VaultError:
            return False

    def _aead(self, raw_id: bytes) -> AESGCM:
        info = b"caseapp/vault/blob/v1" + raw_id
        return AESGCM(HKDF(hashes.SHA256(), 32, salt=None, info=info).derive(self._key))

    @staticmethod
    def _nonce_aad(header: bytes, index: int, final: bool) -> tuple[bytes, bytes]:
        return struct.pack(">QI", index, final), header + struct.pack(">QB", index, final)

    # -- ingest ------------------------------------------------------------------------------
    def ingest(self, src: Path, *, progress: Progress | None = None,
               cancel: Cancel | None = None) -> IngestResult:
        """Hash and encrypt the regular file ``src`` into a new blob, reading it once.

        ``progress(bytes_hashed, total)`` is called after each chunk and ``cancel()`` polled
        before each chunk, both in the calling thread. Raises FileChangedError, Cancelled
        or VaultError; on any failure nothing is left in the vault.
        """
        src = Path(src)
        name = src.name or str(src)
        try:
            st = os.stat(src)
            if not stat.S_ISREG(st.st_mode):
                kind = _KINDS.get(stat.S_IFMT(st.st_mode), "a device or special file")
                raise VaultError(f"{name} is {kind}, not a regular file.")
            fd = os.open(src, os.O_RDONLY | _O_BINARY | _O_NONBLOCK)
            handle = open(fd, "rb", buffering=0)  # noqa: SIM115 - closed by the with below
        except OSError as exc:
            raise VaultError(f"Could not read {name}: {_reason(exc)}") from exc
        changed = FileChangedError(f"{name} changed while it was being read; nothing was stored. "
                                   "Add it again once nothing is writing to it.")
        with handle:
            before = os.fstat(handle.fileno())
            ident = (before.st_dev, before.st_ino, before.st_size, before.st_mtime_ns)
            if not stat.S_ISREG(before.st_mode) or ident[:2] != (st.st_dev, st.st_ino):
                raise changed
            if hasattr(os, "posix_fadvise"):
                with contextlib.suppress(OSError):
                    os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)

            def fill(buf: bytearray) -> int:
                view, got = memoryview(buf), 0
                while got < len(buf):
                    try:
                        n = handle.readinto(view[got:])
                    except OSError as exc:
                        raise VaultError(f"Could not read {name}: {_reason(exc)}") from exc
                    if not n:
                        break
                    got += n
                return got

            def check(done: int, final: bool) -> None:
                if done > before.st_size:
                    raise changed  # still growing: stop now rather than read on
                if final:
                    try:
                        after = (os.fstat(handle.fileno()), os.stat(src))
                    except OSError:
                        raise changed from None
                    if done != before.st_size or any(
                            (s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns) != ident for s in after):
                        raise changed

            blob_id, digest, size = self._ingest(fill, before.st_size, progress, cancel, check)
        return IngestResult(blob_id, digest, size, before.st_mtime_ns, before.st_ctime_ns)

    def ingest_stream(self, chunks: Iterable[bytes], *, total: int = 0,
                      progress: Progress | None = None,
                      cancel: Cancel | None = None) -> IngestResult:
        """Store bytes produced in memory (e.g. demo data); timestamps are 0.

        ``chunks`` is consumed in a worker thread; ``total`` only feeds ``progress``.
        """
        source, pending = iter(chunks), memoryview(b"")

        def fill(buf: bytearray) -> int:
            nonlocal pending
            got = 0
            while got < len(buf):
                if not pending:
                    try:
                        pending = memoryview(next(source)).cast("B")
                    except StopIteration:
                        break
                take = min(len(pending), len(buf) - got)
                buf[got:got + take] = pending[:take]
                pending, got = pending[take:], got + take
            return got

        blob_id, digest, size = self._ingest(fill, total, progress, cancel, None)
        return IngestResult(blob_id, digest, size, 0, 0)

    def _ingest(self, fill: Callable[[bytearray], int], total: int, progress: Progress | None,
                cancel: Cancel | None,
                check: Callable[[int, bool], None] | None) -> tuple[str, str, int]:
        """Run read -> hash (this thread) -> encrypt -> write; returns (blob id, sha256, size)."""
        cs = self.chunk_size
        raw_id = secrets.token_bytes(16)
        blob_id, header = raw_id.hex(), _HEADER.pack(MAGIC, FORMAT_VERSION, 0, cs, raw_id)
        final_path, tmp = self.path_of(blob_id), incoming(self.root) / f"{blob_id}{TEMP_SUFFIX}"
        aead = self._aead(raw_id)
        seal = getattr(aead, "encrypt_into", None)  # cryptography >= 45
        lock = write_lock(tmp)  # held until the temp file is renamed or removed
        try:
            lock.acquire()
            sink = _Sink(tmp)
        except OSError as exc:
            release_write_lock(lock)
            raise _write_error(exc) from exc
        except BaseException:
            release_write_lock(lock)
            raise
        buffers: queue.Queue[bytearray] = queue.Queue()
        for _ in range(2 * _DEPTH + 3):
            buffers.put(bytearray(cs))
        stages: queue.Queue[memoryview] = queue.Queue()  # page-aligned, for O_DIRECT
        stage_size = (4 * (cs + TAG_SIZE) // _ALIGN + 2) * _ALIGN
        for _ in range(3):
            stages.put(memoryview(mmap.mmap(-1, stage_size)))
        to_hash: queue.Queue[tuple[bytearray, int]] = queue.Queue(_DEPTH)
        to_encrypt: queue.Queue[tuple[int, bytearray, int, bool]] = queue.Queue(_DEPTH)
        to_write: queue.Queue[tuple[memoryview, int] | None] = queue.Queue()
        abort = threading.Event()
        errors: list[BaseException] = []

        def reader() -> None:
            while True:
                buf = _get(buffers, abort)
                n = fill(buf)
                _put(to_hash, (buf, n), abort)
                if n < cs:
                    return

        def encryptor() -> None:
            stage, used = _get(stages, abort), HEADER_SIZE
            stage[:used] = header
            while True:
                index, buf, n, final = _get(to_encrypt, abort)
                if used + n + TAG_SIZE > stage_size:  # hand over; carry the unaligned rest
                    cut, nxt = sink.aligned(used), _get(stages, abort)
                    nxt[:used - cut] = stage[cut:used]
                    to_write.put((stage, cut))
                    stage, used = nxt, used - cut
                nonce, aad = self._nonce_aad(header, index, final)
                out = stage[used:used + n + TAG_SIZE]
                if seal is not None:
                    seal(nonce, memoryview(buf)[:n], aad, out)
                else:
                    out[:] = aead.encrypt(nonce, memoryview(buf)[:n], aad)
                buffers.put(buf)
                used += n + TAG_SIZE
                if final:
                    to_write.put((stage, used))
                    return to_write.put(None)

        def writer() -> None:
            try:
                while (item := _get(to_write, abort)) is not None:
                    sink.write(item[0][:item[1]])
                    stages.put(item[0])
                os.fsync(sink.fd)
            except OSError as exc:
                raise _write_error(exc) from exc

        def run(body: Callable[[], None]) -> None:
            try:
                body()
            except _Aborted:
                pass
            except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
                errors.append(exc)
                abort.set()

        threads = [threading.Thread(target=run, args=(body,), name=f"vault-{body.__name__}",
                                    daemon=True) for body in (reader, encryptor, writer)]
        for thread in threads:
            thread.start()
        hasher, done, index = hashlib.sha256(), 0, 0
        try:
            with contextlib.suppress(_Aborted):
                while True:
                    if cancel is not None and cancel():
                        raise Cancelled("Adding the file was cancelled; nothing was stored.")
                    buf, n = _get(to_hash, abort)
                    hasher.update(memoryview(buf)[:n])
                    done += n
                    if check is not None:
                        check(done, n < cs)
                    _put(to_encrypt, (index, buf, n, n < cs), abort)
                    faults.step("vault.chunk")
                    if progress is not None:
                        progress(done, total)
                    if n < cs:
                        break
                    index += 1
                for thread in threads:
                    thread.join()
            if errors:
                raise errors[0]
            if cancel is not None and cancel():
                raise Cancelled("Adding the file was cancelled; nothing was stored.")
            try:
                sink.close()
                faults.step("vault.before-rename")
                os.replace(tmp, final_path)
                _fsync_dir(self.root)
                faults.step("vault.renamed")
            except OSError as exc:
                _unlink_quietly(final_path)
                raise _write_error(exc) from exc
        except BaseException:
            abort.set()
            for thread in threads:
                thread.join()
            with contextlib.suppress(OSError):
                sink.close()
            _unlink_quietly(tmp)
            raise
        finally:
            release_write_lock(lock)
        return blob_id, hasher.hexdigest(), done

    # -- reading -----------------------------------------------------------------------------
    def _open_blob(self, blob_id: str) -> tuple[BinaryIO, bytes, int, int]:
        """Open a blob and check its header: (file, header, chunk count, plaintext size)."""
        path = self.path_of(blob_id)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed by the caller
        except FileNotFoundError:
            raise BlobMissing(f"Evidence blob {blob_id} is missing from the vault.") from None
        except OSError as exc:
            raise VaultError(f"Could not read evidence blob {blob_id}: {_reason(exc)}") from exc
        try:
            header = handle.read(HEADER_SIZE)
            if len(header) < HEADER_SIZE:
                raise BlobCorrupt(f"Evidence blob {blob_id} is truncated (no header).")
            magic, version, flags, cs, raw_id = _HEADER.unpack(header)
            if magic != MAGIC or version != FORMAT_VERSION or flags != 0 \
                    or not MIN_CHUNK_SIZE <= cs <= MAX_CHUNK_SIZE:
                raise BlobCorrupt(f"Evidence blob {blob_id} has an unknown or damaged header.")
            if raw_id.hex() != blob_id:
                raise BlobCorrupt(f"Evidence blob {blob_id} carries another blob's id.")
            body = os.fstat(handle.fileno()).st_size - HEADER_SIZE
            full, rest = divmod(body, cs + TAG_SIZE)
            if rest < TAG_SIZE:  # a final chunk is always 16 .. cs + 15 bytes
                raise BlobCorrupt(f"Evidence blob {blob_id} is truncated or extended.")
            return handle, header, full + 1, body - TAG_SIZE * (full + 1)
        except BaseException:
            handle.close()
            raise

    def _chunks(self, blob_id: str, handle: BinaryIO, header: bytes,
                count: int) -> Iterator[bytes]:
        with handle:
            aead, cs = self._aead(header[-16:]), _HEADER.unpack(header)[3]
            for index in range(count):
                final = index == count - 1
                data = handle.read(cs + TAG_SIZE)
                if (len(data) < cs + TAG_SIZE) != final or len(data) < TAG_SIZE:
                    raise BlobCorrupt(f"Evidence blob {blob_id} is truncated or extended.")
                nonce, aad = self._nonce_aad(header, index, final)
                try:
                    yield aead.decrypt(nonce, data, aad)
                except InvalidTag:
                    raise BlobCorrupt(
                        f"Evidence blob {blob_id} failed its integrity check at chunk {index} "
                        "(damaged, tampered with, or a different key).") from None
            if handle.read(1):
                raise BlobCorrupt(f"Evidence blob {blob_id} is truncated or extended.")

    def iter_plaintext(self, blob_id: str) -> Iterator[bytes]:
        """Yield the authenticated plaintext chunk by chunk.

        BlobMissing and header damage raise at once; damage further in raises while iterating,
        so a consumer must not trust what it received until the iterator is exhausted.
        """
        handle, header, count, _size = self._open_blob(blob_id)
        return self._chunks(blob_id, handle, header, count)

    def verify(self, blob_id: str) -> tuple[str, int]:
        """Decrypt and authenticate a whole blob: (sha256 of the plaintext, size)."""
        hasher, size = hashlib.sha256(), 0
        for chunk in _prefetch(self.iter_plaintext(blob_id)):
            hasher.update(chunk)
            size += len(chunk)
        return hasher.hexdigest(), size

    def decrypt_to(self, blob_id: str, dest: Path, *, progress: Progress | None = None,
                   cancel: Cancel | None = None) -> str:
        """Decrypt a blob to ``dest`` atomically (0600 temp file beside it, fsync, replace).

        Returns the plaintext SHA-256. ``progress``/``cancel`` as for :meth:`ingest`. On any
        error or cancel, ``dest`` is untouched and no temp file remains.
        """
        dest = Path(dest)
        handle, header, count, total = self._open_blob(blob_id)
        tmp = dest.parent / f".{secrets.token_hex(8)}{TEMP_SUFFIX}"
        what = f"Writing {dest.name}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o600)
        except OSError as exc:
            handle.close()
            raise _write_error(exc, what) from exc
        chunks = _prefetch(self._chunks(blob_id, handle, header, count))
        hasher, done = hashlib.sha256(), 0
        try:
            try:
                for chunk in chunks:
                    if cancel is not None and cancel():
                        raise Cancelled("Export was cancelled; nothing was written.")
                    hasher.update(chunk)
                    _write_all(fd, chunk, done)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
                os.fsync(fd)
                closing, fd = fd, -1
                os.close(closing)
                os.replace(tmp, dest)
                _fsync_dir(dest.parent)
            except OSError as exc:
                raise _write_error(exc, what) from exc
        except BaseException:
            chunks.close()
            handle.close()
            if fd >= 0:
                os.close(fd)
            _unlink_quietly(tmp)
            raise
        return hasher.hexdigest()

    def discard(self, blob_id: str) -> None:
        """Delete a blob -- only to roll back an ingest whose database transaction failed."""
        try:
            self.path_of(blob_id).unlink(missing_ok=True)
        except OSError as exc:
            raise VaultError(f"Could not remove evidence blob {blob_id}: {_reason(exc)}") from exc

    def leftovers(self) -> list[Leftover]:
        """Temp files of interrupted writes (their writer is gone)."""
        return dead_temps(self.root)

    def remove_leftovers(self) -> list[Leftover]:
        """Remove the temp files of interrupted writes; never a blob, never a live write."""
        return remove_dead_temps(self.root)

    def blob_ids(self) -> set[str]:
        """Ids of every complete blob in the vault folder."""
        return blob_ids(self.root)

    def quarantine(self, ids: set[str]) -> list[str]:
        """Move these (orphaned) blobs to the vault's ``quarantine/`` folder."""
        return quarantine(self.root, ids)


def _prefetch(source: Iterator[bytes]) -> Generator[bytes, None, None]:
    """Run ``source`` (read + decrypt) in a thread so the consumer (hash, write) overlaps it."""
    q: queue.Queue[tuple[bool, Any]] = queue.Queue(_DEPTH)
    stop = threading.Event()

    def run() -> None:
        try:
            for item in source:
                _put(q, (True, item), stop)
            _put(q, (False, None), stop)
        except _Aborted:
            pass
        except BaseException as exc:  # noqa: BLE001 - re-raised in the consumer
            with contextlib.suppress(_Aborted):
                _put(q, (False, exc), stop)
        finally:
            getattr(source, "close", lambda: None)()

    thread = threading.Thread(target=run, name="vault-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            ok, value = q.get()
            if not ok:
                if value is not None:
                    raise value
                return
            yield value
    finally:
        stop.set()
        thread.join()

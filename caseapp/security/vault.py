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
AESGCM release the GIL, so the stages overlap. The writer stage hands the sealed bytes to a
blob backend (``caseapp.store.blobs``): the home's own folder by default (a temp file, fsynced
and renamed), or a shared folder, or an S3 bucket (a multipart upload). The backend only ever
sees ciphertext; on any failure or cancel it is told to abort and leaves nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import queue
import secrets
import shutil
import stat
import struct
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from caseapp import faults
from caseapp.domain.disk import DISK_FULL_ERRNOS
from caseapp.domain.progress import Cancel, Cancelled, Progress
from caseapp.security.keys import KeyProblem
from caseapp.store.blobs.base import (
    BlobBackend,
    BlobNotFound,
    BlobReader,
    BlobStoreError,
    BlobWriter,
    Leftover,
    check_blob_id,
)
from caseapp.store.blobs.folder import LocalFolderBackend, fsync_dir
from caseapp.store.blobs.folder import write_all as _write_all
from caseapp.store.blobs.folder_files import TEMP_SUFFIX
from caseapp.store.errors import StoreError

MAGIC = b"CAVAULT\x00"
FORMAT_VERSION = 1
DEFAULT_CHUNK_SIZE = 1 << 20
MIN_CHUNK_SIZE, MAX_CHUNK_SIZE = 16, 1 << 26
TAG_SIZE = 16
_HEADER = struct.Struct(">8sHHI16s")  # magic, version, flags (0), chunk size, raw blob id
HEADER_SIZE = _HEADER.size  # 32
_DEPTH = 4  # chunks queued between two stages
_ALIGN = 4096  # O_DIRECT block alignment (buffer address, file offset, length)
_O_BINARY = getattr(os, "O_BINARY", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO swapped in after stat must not block
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


def _store_error(exc: OSError | BlobStoreError, what: str = "Vault write") -> VaultError:
    """A VaultError for a backend failure (an OSError from a folder, or a BlobStoreError)."""
    if isinstance(exc, OSError):
        return _write_error(exc, what)
    error = VaultError(str(exc))
    error.no_room = exc.no_room
    return error


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


#: Given a blob id, the keys it may be sealed under besides the vault key (a team case's
#: data key versions); tried in order on the first chunk.
KeysFor = Callable[[str], Sequence[bytes]]


class Vault:
    """Encrypted blobs under one 32-byte vault key (and, in team mode, case data keys)."""

    def __init__(self, root: Path | None, key: bytes, *, chunk_size: int = DEFAULT_CHUNK_SIZE,
                 backend: BlobBackend | None = None, keys_for: KeysFor | None = None) -> None:
        """Open the vault at the folder ``root`` (created, mode 0700 where supported), or on
        ``backend`` (a shared folder, an S3 bucket) when one is given. ``keys_for`` (also
        settable later) names the other keys a blob may be sealed under."""
        if len(key) != 32:
            raise VaultError("The vault key must be 32 bytes.")
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise VaultError(f"Chunk size must be between {MIN_CHUNK_SIZE} and {MAX_CHUNK_SIZE}.")
        self._key, self.chunk_size = bytes(key), chunk_size
        if backend is None:
            if root is None:
                raise VaultError("A vault needs a folder or a blob backend.")
            try:
                backend = LocalFolderBackend(Path(root))
            except OSError as exc:
                raise VaultError(f"Could not create the vault folder: {_reason(exc)}") from exc
        self.backend: BlobBackend = backend
        self.keys_for: KeysFor | None = keys_for
        #: The blob folder (None for an S3 bucket).
        self.root: Path | None = getattr(backend, "root", None)

    @property
    def kind(self) -> str:
        """Where the blobs are: "local", "shared" or "s3"."""
        return self.backend.kind

    def path_of(self, blob_id: str) -> Path:
        """Path of a blob's file (folder backends); raises VaultError for a malformed id."""
        try:
            return self.backend.path_of(blob_id)
        except BlobStoreError as exc:
            raise VaultError(str(exc)) from None

    def exists(self, blob_id: str) -> bool:
        """True if a blob with this id exists (contents not checked)."""
        try:
            return self.backend.exists(blob_id)
        except (OSError, BlobStoreError):
            return False

    def _aead(self, raw_id: bytes, key: bytes | None = None) -> AESGCM:
        info = b"caseapp/vault/blob/v1" + raw_id
        return AESGCM(HKDF(hashes.SHA256(), 32, salt=None, info=info).derive(key or self._key))

    def _candidates(self, blob_id: str, raw_id: bytes) -> list[AESGCM]:
        try:
            others = list(self.keys_for(blob_id)) if self.keys_for is not None else []
        except (VaultError, KeyProblem, StoreError) as exc:  # the reason, for the user
            raise VaultError(f"The key of evidence blob {blob_id} is not available: "
                             f"{exc}") from None
        except Exception as exc:  # noqa: BLE001 - a library's text may carry SQL: type only
            raise VaultError(f"The key of evidence blob {blob_id} is not available "
                             f"({type(exc).__name__}).") from None
        return [self._aead(raw_id, k) for k in [*others, self._key]]

    @staticmethod
    def _check_key(key: bytes | None) -> None:
        if key is not None and len(key) != 32:
            raise VaultError("A case data key must be 32 bytes.")

    @staticmethod
    def _nonce_aad(header: bytes, index: int, final: bool) -> tuple[bytes, bytes]:
        return struct.pack(">QI", index, final), header + struct.pack(">QB", index, final)

    # -- ingest ------------------------------------------------------------------------------
    def ingest(self, src: Path, *, progress: Progress | None = None,
               cancel: Cancel | None = None, key: bytes | None = None) -> IngestResult:
        """Hash and encrypt the regular file ``src`` into a new blob, reading it once.

        ``progress(bytes_hashed, total)`` is called after each chunk and ``cancel()`` polled
        before each chunk, both in the calling thread. ``key`` seals the blob under a case
        data key instead of the vault key. Raises FileChangedError, Cancelled or VaultError;
        on any failure nothing is left in the vault.
        """
        self._check_key(key)
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

            blob_id, digest, size = self._ingest(fill, before.st_size, progress, cancel, check,
                                                 key)
        return IngestResult(blob_id, digest, size, before.st_mtime_ns, before.st_ctime_ns)

    def ingest_stream(self, chunks: Iterable[bytes], *, total: int = 0,
                      progress: Progress | None = None, cancel: Cancel | None = None,
                      key: bytes | None = None) -> IngestResult:
        """Store bytes produced in memory (e.g. demo data); timestamps are 0.

        ``chunks`` is consumed in a worker thread; ``total`` only feeds ``progress``.
        """
        self._check_key(key)
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

        blob_id, digest, size = self._ingest(fill, total, progress, cancel, None, key)
        return IngestResult(blob_id, digest, size, 0, 0)

    def _ingest(self, fill: Callable[[bytearray], int], total: int, progress: Progress | None,
                cancel: Cancel | None, check: Callable[[int, bool], None] | None,
                key: bytes | None = None) -> tuple[str, str, int]:
        """Run read -> hash (this thread) -> encrypt -> write; returns (blob id, sha256, size)."""
        cs = self.chunk_size
        raw_id = secrets.token_bytes(16)
        blob_id, header = raw_id.hex(), _HEADER.pack(MAGIC, FORMAT_VERSION, 0, cs, raw_id)
        aead = self._aead(raw_id, key)
        seal = getattr(aead, "encrypt_into", None)  # cryptography >= 45
        try:
            sink: BlobWriter = self.backend.create(blob_id, size_hint=total)
        except (OSError, BlobStoreError) as exc:
            raise _store_error(exc) from exc
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
                sink.finish()
            except (OSError, BlobStoreError) as exc:
                raise _store_error(exc) from exc

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
                sink.commit()  # publishes the blob (the faults steps vault.before-rename/renamed)
            except (OSError, BlobStoreError) as exc:
                raise _store_error(exc) from exc
        except BaseException:
            abort.set()
            for thread in threads:
                thread.join()
            sink.abort()
            raise
        return blob_id, hasher.hexdigest(), done

    # -- reading -----------------------------------------------------------------------------
    def _open_blob(self, blob_id: str) -> tuple[BlobReader, bytes, int, int]:
        """Open a blob and check its header: (reader, header, chunk count, plaintext size)."""
        try:
            handle = self.backend.open(check_blob_id(blob_id))
        except BlobNotFound as exc:
            raise BlobMissing(str(exc)) from None
        except BlobStoreError as exc:
            raise VaultError(str(exc)) from None
        except OSError as exc:
            raise VaultError(f"Could not read evidence blob {blob_id}: {_reason(exc)}") from exc
        try:
            header = _read(handle, HEADER_SIZE)
            if len(header) < HEADER_SIZE:
                raise BlobCorrupt(f"Evidence blob {blob_id} is truncated (no header).")
            magic, version, flags, cs, raw_id = _HEADER.unpack(header)
            if magic != MAGIC or version != FORMAT_VERSION or flags != 0 \
                    or not MIN_CHUNK_SIZE <= cs <= MAX_CHUNK_SIZE:
                raise BlobCorrupt(f"Evidence blob {blob_id} has an unknown or damaged header.")
            if raw_id.hex() != blob_id:
                raise BlobCorrupt(f"Evidence blob {blob_id} carries another blob's id.")
            body = handle.size - HEADER_SIZE
            full, rest = divmod(body, cs + TAG_SIZE)
            if rest < TAG_SIZE:  # a final chunk is always 16 .. cs + 15 bytes
                raise BlobCorrupt(f"Evidence blob {blob_id} is truncated or extended.")
            return handle, header, full + 1, body - TAG_SIZE * (full + 1)
        except BaseException:
            handle.close()
            raise

    def _chunks(self, blob_id: str, handle: BlobReader, header: bytes,
                count: int) -> Iterator[bytes]:
        try:
            cs = _HEADER.unpack(header)[3]
            candidates = self._candidates(blob_id, header[-16:])
            for index in range(count):
                final = index == count - 1
                data = _read(handle, cs + TAG_SIZE)
                if (len(data) < cs + TAG_SIZE) != final or len(data) < TAG_SIZE:
                    raise BlobCorrupt(f"Evidence blob {blob_id} is truncated or extended.")
                nonce, aad = self._nonce_aad(header, index, final)
                try:
                    if index == 0 and len(candidates) > 1:  # which key sealed it?
                        plain, candidates = _first_opening(candidates, nonce, data, aad)
                        yield plain
                        continue
                    yield candidates[0].decrypt(nonce, data, aad)
                except InvalidTag:
                    raise BlobCorrupt(
                        f"Evidence blob {blob_id} failed its integrity check at chunk {index} "
                        "(damaged, tampered with, or a different key).") from None
            if _read(handle, 1):
                raise BlobCorrupt(f"Evidence blob {blob_id} is truncated or extended.")
        finally:
            handle.close()

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
                fsync_dir(dest.parent)
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
            self.backend.delete(blob_id)
        except BlobStoreError as exc:
            raise VaultError(str(exc)) from None
        except OSError as exc:
            raise VaultError(f"Could not remove evidence blob {blob_id}: {_reason(exc)}") from exc

    def leftovers(self) -> list[Leftover]:
        """What interrupted writes left (temp files, unfinished uploads) whose writer is gone."""
        with _as_vault_error():
            return self.backend.leftovers()

    def remove_leftovers(self) -> list[Leftover]:
        """Remove what interrupted writes left; never a blob, never a live write."""
        with _as_vault_error():
            return self.backend.remove_leftovers()

    def blob_ids(self) -> set[str]:
        """Ids of every complete blob."""
        with _as_vault_error():
            return self.backend.blob_ids()

    def quarantine(self, ids: set[str]) -> list[str]:
        """Move these (orphaned) blobs to the vault's ``quarantine/`` folder (or prefix)."""
        with _as_vault_error():
            return self.backend.quarantine(ids)

    def copy_raw(self, blob_id: str, dest: Path) -> None:
        """Copy a blob's ciphertext, as stored, to the new file ``dest`` (a backup's vault).

        From a folder it raises OSError as a file copy would; from a bucket, VaultError."""
        if self.root is not None:  # a folder: the OS copies the file (OSError as it is)
            shutil.copy2(self.path_of(blob_id), dest)
            return
        reader = None
        try:
            with _as_vault_error():
                reader = self.backend.open(check_blob_id(blob_id))
            with open(dest, "xb") as out:
                while data := _read(reader, 1 << 20):
                    out.write(data)
        except OSError as exc:
            raise _write_error(exc, f"Copying evidence blob {blob_id}") from exc
        finally:
            if reader is not None:
                reader.close()


@contextlib.contextmanager
def _as_vault_error() -> Iterator[None]:
    """A backend's BlobStoreError as a VaultError (BlobMissing for a missing blob)."""
    try:
        yield
    except BlobNotFound as exc:
        raise BlobMissing(str(exc)) from None
    except BlobStoreError as exc:
        raise VaultError(str(exc)) from None


def _first_opening(candidates: list[AESGCM], nonce: bytes, data: bytes,
                   aad: bytes) -> tuple[bytes, list[AESGCM]]:
    """Open the first chunk with the first key that authenticates it; raises InvalidTag."""
    for aead in candidates:
        try:
            return aead.decrypt(nonce, data, aad), [aead]
        except InvalidTag:
            continue
    raise InvalidTag


def _read(handle: BlobReader, n: int) -> bytes:
    """``handle.read(n)`` with a backend's failure as a VaultError."""
    try:
        return handle.read(n)
    except BlobStoreError as exc:
        raise VaultError(str(exc)) from None
    except OSError as exc:
        raise VaultError(f"Could not read an evidence blob: {_reason(exc)}") from exc


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

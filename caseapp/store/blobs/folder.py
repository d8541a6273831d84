"""Blob folders: the data home's own vault folder, and a shared (SMB/NFS) folder for a team.

Both keep one file ``<id>.cav`` per blob, written as ``.incoming/<id>.tmp`` (fsynced) and then
renamed, so a reader never sees half a blob. The local folder renames with ``os.replace`` and
writes whole aligned blocks with O_DIRECT where the file system allows it. The shared folder
is written by several machines at once: it writes through the page cache (network file
systems treat O_DIRECT differently), publishes with a hard link or an exclusive rename so an
existing blob is never overwritten, and counts a temp file as an interrupted write only once
nothing has written to it for a day (another machine's writer holds no lock we can see).
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable
from pathlib import Path

from filelock import FileLock

from caseapp import faults
from caseapp.store.blobs.base import (
    BlobExists,
    BlobNotFound,
    BlobStoreError,
    Leftover,
    check_blob_id,
)
from caseapp.store.blobs.folder_files import (
    BLOB_SUFFIX,
    TEMP_SUFFIX,
    blob_ids,
    dead_temps,
    incoming,
    quarantine,
    release_write_lock,
    remove_dead_temps,
    write_lock,
)

_ALIGN = 4096  # O_DIRECT block alignment (buffer address, file offset, length)
_O_BINARY = getattr(os, "O_BINARY", 0)
_O_DIRECT = getattr(os, "O_DIRECT", 0)
#: A shared-folder temp file untouched this long belongs to a writer that is gone.
SHARED_STALE_AFTER = 24 * 3600.0


def write_all(fd: int, data: bytes | memoryview, offset: int) -> None:
    """Write everything at ``offset`` (sequentially where there is no pwrite: Windows)."""
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset) if hasattr(os, "pwrite") else os.write(fd, view)
        view, offset = view[n:], offset + n


def fsync_dir(path: Path) -> None:
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


class _FileWriter:
    """Sequential writer of one new 0600 temp file, renamed into place by :meth:`commit`.

    With ``direct`` (Linux O_DIRECT), whole aligned blocks bypass the page cache: no copy into
    the cache, nothing left for the final fsync to flush, and a huge exhibit does not evict
    the user's cache. The unaligned tail, and everything elsewhere, is buffered.
    """

    def __init__(self, folder: _Folder, blob_id: str, direct: bool) -> None:
        self.folder, self.final = folder, folder.path_of(blob_id)
        self.tmp = incoming(folder.root) / f"{blob_id}{TEMP_SUFFIX}"
        self.offset, self.fd, self.direct = 0, -1, -1
        self.lock: FileLock | None = write_lock(self.tmp)  # held until renamed or removed
        try:
            self.lock.acquire()
            self.fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o600)
        except BaseException:
            self._release()
            raise
        if direct and _O_DIRECT:
            with contextlib.suppress(OSError):
                self.direct = os.open(self.tmp, os.O_WRONLY | _O_DIRECT)

    def aligned(self, n: int) -> int:
        return n - n % _ALIGN if self.direct >= 0 else n

    def write(self, view: memoryview) -> None:
        if self.direct >= 0 and len(view) % _ALIGN == 0:
            try:
                write_all(self.direct, view, self.offset)
                self.offset += len(view)
                return
            except OSError as exc:
                if exc.errno != errno.EINVAL or self.offset:
                    raise
                os.close(self.direct)  # this file system refuses O_DIRECT: write normally
                self.direct = -1
        write_all(self.fd, view, self.offset)
        self.offset += len(view)

    def finish(self) -> None:
        os.fsync(self.fd)

    def _close(self) -> None:
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

    def commit(self) -> None:
        try:
            self._close()
            faults.step("vault.before-rename")
            self.folder.publish(self.tmp, self.final)
            fsync_dir(self.folder.root)
        except BlobExists:
            self.abort()
            raise
        except BaseException:
            _unlink_quietly(self.final)  # may be ours: the rename happened, the fsync failed
            self.abort()
            raise
        self._release()
        faults.step("vault.renamed")

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._close()
        _unlink_quietly(self.tmp)
        self._release()

    def _release(self) -> None:
        lock, self.lock = self.lock, None
        if lock is not None:
            release_write_lock(lock)


class _Folder:
    """What both folder backends share."""

    kind = "local"
    direct = True
    stale_after: float | None = None

    def __init__(self, root: Path, private: bool = True) -> None:
        self.root = Path(root)
        if not private:  # a share's permissions are its administrator's: never changed here
            return
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            with contextlib.suppress(OSError):
                os.chmod(self.root, 0o700)

    @property
    def location(self) -> str:
        return str(self.root)

    def path_of(self, blob_id: str) -> Path:
        return self.root / f"{check_blob_id(blob_id)}{BLOB_SUFFIX}"

    def publish(self, tmp: Path, final: Path) -> None:
        """Rename the complete temp file to its blob name."""
        os.replace(tmp, final)

    def create(self, blob_id: str, size_hint: int = 0) -> _FileWriter:
        return _FileWriter(self, blob_id, self.direct)

    def open(self, blob_id: str) -> _FileReader:
        path = self.path_of(blob_id)
        try:
            return _FileReader(path)
        except FileNotFoundError:
            raise BlobNotFound(f"Evidence blob {blob_id} is missing from the vault.") from None

    def exists(self, blob_id: str) -> bool:
        try:
            return self.path_of(blob_id).is_file()
        except BlobStoreError:
            return False

    def delete(self, blob_id: str) -> None:
        self.path_of(blob_id).unlink(missing_ok=True)

    def blob_ids(self) -> set[str]:
        return blob_ids(self.root)

    def leftovers(self) -> list[Leftover]:
        return dead_temps(self.root, self.stale_after)

    def remove_leftovers(self) -> list[Leftover]:
        return remove_dead_temps(self.root, self.stale_after)

    def quarantine(self, ids: Iterable[str]) -> list[str]:
        return quarantine(self.root, ids)


class _FileReader:
    def __init__(self, path: Path) -> None:
        self._handle = open(path, "rb")  # noqa: SIM115 - closed by close()
        try:
            self.size = os.fstat(self._handle.fileno()).st_size
        except BaseException:
            self._handle.close()
            raise

    def read(self, n: int) -> bytes:
        return self._handle.read(n)

    def close(self) -> None:
        self._handle.close()


class LocalFolderBackend(_Folder):
    """The data home's ``vault/`` folder: one writer machine (the default)."""


class SharedFolderBackend(_Folder):
    """A folder on a file share that several investigators' machines write at once."""

    kind = "shared"
    direct = False
    stale_after = SHARED_STALE_AFTER

    def __init__(self, root: Path) -> None:
        if not Path(root).is_dir():
            raise BlobStoreError(f"The shared evidence folder {root} is not reachable.")
        super().__init__(root, private=False)

    def publish(self, tmp: Path, final: Path) -> None:
        """Link the temp file to its blob name (fails if the name exists), then drop the temp
        name. Where linking fails (a share without hard links): Windows' rename refuses an
        existing name; elsewhere the name is checked first (ids are 128 random bits, so two writers of one id
        means a bug, which this still catches unless both reach this line at once)."""
        try:
            os.link(tmp, final)
        except FileExistsError:
            raise BlobExists(f"Evidence blob {final.stem} already exists; not overwritten.") \
                from None
        except OSError:  # no hard links on this share (EPERM, ENOTSUP; Windows over SMB...)
            if final.exists():
                raise BlobExists(f"Evidence blob {final.stem} already exists; not overwritten.") \
                    from None
            try:
                os.rename(tmp, final)
            except FileExistsError:
                raise BlobExists(f"Evidence blob {final.stem} already exists; not "
                                 "overwritten.") from None
            return
        os.unlink(tmp)

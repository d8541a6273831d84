"""What lies in a blob folder (the local vault or a shared folder), apart from the blobs the database knows: leftovers of
interrupted writes, orphaned blobs, and the quarantine they can be moved to.

A blob is written as ``.incoming/<id>.tmp`` and renamed to ``<id>.cav`` once complete (the
small ``.incoming`` folder is cheap to look through at every start). The writer holds an OS
lock on ``<id>.tmp.lock`` from before it creates the temp file until it is renamed or removed, so a temp file whose lock can be taken belongs to a process that died: it is a
leftover, safe to remove. A live ingest in another process (the app and the CLI at once) keeps
its lock and is never touched. Orphaned blobs (complete, but no exhibit or attachment refers
to them) are only reported, or moved to ``quarantine/`` on request; never deleted.

On a shared folder (SMB/NFS) a writer on another machine holds its lock there, if at all
(network file systems do not all honour locks), so a temp file counts as dead only when its
lock is free *and* it has not been written to for ``stale_after`` seconds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from caseapp.store.blobs.base import Leftover

BLOB_SUFFIX, TEMP_SUFFIX, LOCK_SUFFIX = ".cav", ".tmp", ".lock"
QUARANTINE, INCOMING = "quarantine", ".incoming"

__all__ = ["Leftover", "blob_ids", "dead_temps", "incoming", "quarantine", "release_write_lock",
           "remove_dead_temps", "write_lock"]


def write_lock(tmp: Path) -> FileLock:
    """The lock a writer holds while ``tmp`` is being written (acquire before creating it)."""
    return FileLock(str(tmp) + LOCK_SUFFIX, timeout=0)


def release_write_lock(lock: FileLock) -> None:
    """Release a writer's lock and remove its lock file."""
    lock.release()
    with contextlib.suppress(OSError):
        os.unlink(lock.lock_file)


def blob_ids(root: Path) -> set[str]:
    """Ids of the complete blobs in the vault folder."""
    return {p.name[:-len(BLOB_SUFFIX)] for p in _entries(root, BLOB_SUFFIX)}


def _entries(root: Path, suffix: str) -> Iterator[Path]:
    with contextlib.suppress(OSError):
        for path in root.iterdir():
            if path.name.endswith(suffix) and path.is_file():
                yield path


def incoming(root: Path) -> Path:
    """The folder new blobs are written in before they are complete."""
    folder = root / INCOMING
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _temps(root: Path) -> list[Path]:
    # Older versions wrote temp files beside the blobs; look there too.
    return sorted([*_entries(root / INCOMING, TEMP_SUFFIX), *_entries(root, TEMP_SUFFIX)])


def _recent(path: Path, stale_after: float | None) -> bool:
    """True when ``path`` was written to within ``stale_after`` seconds (None: never)."""
    if stale_after is None:
        return False
    try:
        return time.time() - path.stat().st_mtime < stale_after
    except OSError:
        return False


def dead_temps(root: Path, stale_after: float | None = None) -> list[Leftover]:
    """Temp files whose writer is gone (their lock is free, and not written to lately)."""
    found = []
    for path in _temps(root):
        if _recent(path, stale_after) or _writer_alive(path):
            continue
        with contextlib.suppress(OSError):
            found.append(Leftover(path.name, path.stat().st_size))
    return found


def _writer_alive(tmp: Path) -> bool:
    lock = write_lock(tmp)
    try:
        lock.acquire()
    except Timeout:
        return True
    lock.release()
    return False


def remove_dead_temps(root: Path, stale_after: float | None = None) -> list[Leftover]:
    """Remove the temp files (and stale lock files) of writers that died; returns them."""
    removed = []
    for path in _temps(root):
        if _recent(path, stale_after):
            continue
        lock = write_lock(path)
        try:
            lock.acquire()
        except Timeout:
            continue  # a live ingest in another process
        try:
            size = path.stat().st_size
            path.unlink()
            removed.append(Leftover(path.name, size))
        except OSError:
            pass
        finally:
            release_write_lock(lock)
    for stale in [*_entries(root / INCOMING, TEMP_SUFFIX + LOCK_SUFFIX),
                  *_entries(root, TEMP_SUFFIX + LOCK_SUFFIX)]:
        tmp = stale.with_name(stale.name[:-len(LOCK_SUFFIX)])
        if not tmp.exists() and not _writer_alive(tmp):
            with contextlib.suppress(OSError):
                stale.unlink()
    return removed


def quarantine(root: Path, ids: Iterable[str]) -> list[str]:
    """Move these blobs into ``quarantine/`` inside the vault; returns the ids moved."""
    target = root / QUARANTINE
    moved = []
    for blob_id in sorted(ids):
        source = root / f"{blob_id}{BLOB_SUFFIX}"
        if not source.is_file():
            continue
        target.mkdir(mode=0o700, exist_ok=True)
        shutil.move(str(source), str(target / source.name))
        moved.append(blob_id)
    return moved

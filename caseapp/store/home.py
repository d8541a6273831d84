"""The data home: where a store lives, and the single-GUI lock on it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = "caseapp.lock"
#: The embedded store's database file in the data home.
DB_NAME = "caseapp.db"
#: Written before a restore moves files into a home, removed when it is complete: a home that
#: still has it was left half-restored by a crash, and the next open undoes that restore.
RESTORE_MARKER = ".restore-in-progress"
RESTORE_STAGING = ".restore-partial"


class HomeLocked(Exception):
    """Another caseapp window (or demo/restore) holds this data home."""


def resolve_home(cli_home: str | os.PathLike[str] | None = None) -> Path:
    """``--home`` wins, then ``CASEAPP_HOME``, then the platform's user data folder."""
    if cli_home:
        return Path(cli_home).expanduser().resolve()
    env_home = os.environ.get("CASEAPP_HOME")
    if env_home:
        return Path(env_home).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir("caseapp", appauthor=False)).resolve()


class HomeLock:
    """An OS file lock on the data home; the OS drops it if the process dies."""

    def __init__(self, home: Path) -> None:
        self._lock = FileLock(str(home / LOCK_NAME), timeout=0)

    def acquire(self) -> None:
        try:
            self._lock.acquire()
        except Timeout:
            raise HomeLocked(
                "This case store is already open in another caseapp window. Close that "
                "window first (or use another --home).") from None

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()

    def __enter__(self) -> HomeLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def begin_restore(home: Path, names: list[str]) -> None:
    """Record, durably, which files a restore is about to move into ``home``."""
    from caseapp.store.files import atomic_write_text

    atomic_write_text(home / RESTORE_MARKER, json.dumps({"names": sorted(names)}))


def end_restore(home: Path) -> None:
    """The restore is complete: the home is an ordinary store from now on."""
    from caseapp.store.files import fsync_dir

    (home / RESTORE_MARKER).unlink(missing_ok=True)
    fsync_dir(home)


def undo_interrupted_restore(home: Path) -> bool:
    """Remove what a crashed restore moved into ``home``; True when there was one to undo."""
    marker = home / RESTORE_MARKER
    if not marker.exists():
        return False
    try:
        names = json.loads(marker.read_text(encoding="utf-8")).get("names", [])
    except (OSError, ValueError):
        names = []
    for name in [*names, RESTORE_STAGING]:
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            continue
        target = home / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                target.unlink()
    marker.unlink(missing_ok=True)
    return True


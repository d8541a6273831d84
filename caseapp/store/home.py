"""The data home: where a store lives, and the single-GUI lock on it."""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = "caseapp.lock"
#: The embedded store's database file in the data home.
DB_NAME = "caseapp.db"


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

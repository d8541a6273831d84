"""Cheap facts about a data home for the app's start-up path.

Nothing here imports the database layer (SQLAlchemy/SQLModel/Alembic), so the desktop app can
find out whether a store exists and how it is unlocked before paying for those imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class StoreProbe:
    """What the app needs to know before unlocking a data home."""

    home: Path
    exists: bool
    #: "keyring" or "passphrase" for an existing store, else None.
    key_mode: str | None
    #: True when a new store could keep its key in the OS keyring.
    keyring_usable: bool

    @property
    def needs_passphrase(self) -> bool:
        """An existing store that is unlocked with a passphrase."""
        return self.exists and self.key_mode == "passphrase"


def resolve_home(cli_home: str | Path | None = None) -> Path:
    """``--home`` wins, then ``CASEAPP_HOME``, then the platform's user data folder."""
    from caseapp.store.home import resolve_home as _resolve

    return _resolve(cli_home)


def probe_store(home: str | Path | None = None) -> StoreProbe:
    """Whether ``home`` holds a store, its key mode, and whether a keyring is usable here."""
    from caseapp.security.keys import KeyManager, keyring_usable

    path = resolve_home(home)
    keys = KeyManager(path)
    exists = keys.exists()
    mode = keys.manifest().key_mode if exists else None
    return StoreProbe(home=path, exists=exists, key_mode=mode, keyring_usable=keyring_usable())


@dataclass(frozen=True)
class QuickOpen:
    """A store unlocked for the start-up preview: its key and its case list, read directly."""

    home: Path
    key_mode: str
    master_key: bytes = field(repr=False)
    #: The case list (a CaseListSource on a read-only connection; risk not filled in), or
    #: None when it could not be read this way (e.g. an older schema that the full open will
    #: upgrade first). The preview closes it when the full store takes over.
    source: Any = None

    @property
    def rows(self) -> list[Any] | None:
        """Every row of :attr:`source`, newest activity first (reads them all: for tests and
        small stores; the preview fetches a page at a time)."""
        if self.source is None:
            return None
        ids = self.source.order(7, True)
        rows = self.source.rows(ids)
        return [rows[i] for i in ids if i in rows]


def quick_open(home: str | Path, passphrase: str | None = None) -> QuickOpen:
    """Unlock an existing store and read its case list without the database layer.

    Used by the app to show the case list while the full workspace (SQLAlchemy, migrations)
    is still loading; pass ``master_key`` on to ``open_workspace`` afterwards. The database is
    opened read-only. Raises StoreUnavailable (no store, wrong passphrase, no key, or the store
    is already open in another window).
    """
    from caseapp.security.keys import KeyManager, KeyProblem, derive_keys
    from caseapp.services.errors import StoreUnavailable
    from caseapp.store.home import HomeLock, HomeLocked, undo_interrupted_restore

    path = Path(home)
    if undo_interrupted_restore(path):
        raise StoreUnavailable(f"A restore into {path} was interrupted; what it had copied "
                               "was removed. Run the restore again.")
    keys = KeyManager(path)
    if not keys.exists():
        raise StoreUnavailable(f"No caseapp store in {path}.")
    lock = HomeLock(path)
    try:  # refuse early if another window holds the store; the full open locks for real
        lock.acquire()
    except HomeLocked as exc:
        raise StoreUnavailable(str(exc)) from None
    finally:
        lock.release()
    mode = keys.manifest().key_mode
    try:
        master = keys.unlock(passphrase if mode == "passphrase" else None)
    except KeyProblem as exc:
        raise StoreUnavailable(str(exc)) from None
    from caseapp.services.cases.caselist_source import preview_source

    return QuickOpen(path, mode, master, preview_source(path, derive_keys(master).database))


def preload_database_layer() -> None:
    """Import the store implementation and configure the ORM mappers (what the first query
    would otherwise pay), so the app can do it on a worker while the key is unlocked.
    Safe on any thread; opens nothing."""
    from sqlalchemy.orm import configure_mappers

    import caseapp.domain.models  # noqa: F401 - the mapped tables
    import caseapp.store.sqlcipher.store  # noqa: F401 - engine, dialect, search index

    configure_mappers()

"""The store: the only layer that knows which database holds the case records.

:func:`open_store` opens the database of a data home behind :class:`~caseapp.store.interface.Store`.
Importing this package is cheap (no SQLAlchemy): the app's start-up path relies on that.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from caseapp.store.errors import QueryFailed, StoreBusy, StoreError, StoreOpenError
from caseapp.store.home import DB_NAME

if TYPE_CHECKING:
    from caseapp.store.interface import Store

__all__ = ["DB_NAME", "QueryFailed", "StoreBusy", "StoreError", "StoreOpenError", "open_store",
           "read_case_list_quickly"]


def open_store(home: Path, key: bytes, url: str | None = None) -> Store:
    """Open (create, migrate) a store with its 32-byte database key.

    Without ``url``: the embedded store of ``home``. With ``postgresql://USER@HOST/DBNAME``:
    that team store (the password from the OS keyring; ``key`` then keys local copies such as
    backups). Raises StoreOpenError when the store cannot be opened.
    """
    if url:
        from caseapp.store.postgresql.engine import is_postgresql_url

        if not is_postgresql_url(url):
            raise StoreOpenError("Unknown kind of store address; team stores are "
                                 "postgresql://USER@HOST/DBNAME.")
        from caseapp.store.postgresql.store import open_postgresql

        return open_postgresql(url, backup_key=key)
    from caseapp.store.sqlcipher.store import open_sqlcipher

    return open_sqlcipher(home / DB_NAME, key)


def read_case_list_quickly(home: Path, key: bytes) -> list[tuple[Any, ...]] | None:
    """The case list rows read without the database layer (the app's start-up preview), or
    None when they cannot be read that way."""
    from caseapp.store.sqlcipher.quick import read_case_list

    return read_case_list(home / DB_NAME, key)

"""Team mode's store: the case tables on a PostgreSQL 15+ server, behind the store interface.

Sessions, the write lock and error mapping come from :mod:`.engine`; the search index from
:mod:`.search_index` and :mod:`.search_sql`. Sessions, cross-case link lookups and the case list
are the local store's (:mod:`caseapp.store.common_store`, :mod:`caseapp.store.common_links`);
the page-at-a-time case list is :mod:`.case_list`. :meth:`PostgresStore.copy_database` writes
a local SQLCipher copy of one consistent snapshot (``REPEATABLE READ``), keyed with the data
home's database key: a team store's backup is an ordinary local store that ``caseapp restore``
opens offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import SQLModel

from caseapp.domain.search_query import ParsedQuery
from caseapp.store.common_store import SharedSearchIndex, SharedStore
from caseapp.store.errors import QueryFailed, StoreConnectionLost, StoreError, StoreOpenError
from caseapp.store.interface import SearchRow, Snapshot
from caseapp.store.postgresql import links_sql, search_index
from caseapp.store.postgresql.case_list import PostgresCaseListReader
from caseapp.store.postgresql.engine import (
    KEYRING_SERVICE,
    make_engine,
    parse_url,
    safe_location,
    transport_of,
    write_engine,
)
from caseapp.store.postgresql.migrate import upgrade
from caseapp.store.postgresql.notify import PostgresChangeListener
from caseapp.store.postgresql.search_sql import build_sql


class PostgresSearchIndex(SharedSearchIndex):
    """``tsvector`` search in the team database (:mod:`.search_index`)."""

    _index = search_index

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._writer = write_engine(engine)
        self._checked = False

    def ensure_current(self) -> bool:
        if self._checked:
            return False
        with self._engine.connect() as conn:
            current = search_index.is_current(conn)
        rebuilt = False
        if not current:
            with self._writer.begin() as conn:
                if not search_index.is_current(conn):  # another client may have done it
                    search_index.rebuild(conn)
                    rebuilt = True
        self._checked = True
        return rebuilt

    def query(self, parsed: ParsedQuery, limit: int) -> list[SearchRow]:
        sql, params = build_sql(parsed, limit)
        with self._engine.connect() as conn:
            try:
                rows = conn.execute(text(sql), params).all()
            except DBAPIError as exc:
                if isinstance(exc, OperationalError):
                    raise
                raise QueryFailed("That search could not be run; try simpler words.") from None
        return [SearchRow._make((*row[:8], float(row[8]))) for row in rows]

    def file_texts(self, doc_ids: Sequence[int]) -> dict[int, str]:
        if not doc_ids:
            return {}
        stmt = text("SELECT id, filetext FROM search_fts WHERE id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True))
        with self._engine.connect() as conn:
            rows = conn.execute(stmt, {"ids": list(doc_ids)})
            return {int(i): content or "" for i, content in rows}


class PostgresStore(SharedStore):
    """One open team database (see :mod:`caseapp.store.interface`)."""

    _links = links_sql

    kind = "postgresql"

    def __init__(self, url: str, backup_key: bytes | None = None) -> None:
        self.url = url
        #: ``USER@HOST:PORT/DBNAME``, for messages and the status bar (no password).
        self.location = safe_location(parse_url(url))
        self._backup_key = backup_key
        #: For this package and white-box tests only; services use the methods.
        self.engine = make_engine(url)
        self._writer = write_engine(self.engine)
        self.search = PostgresSearchIndex(self.engine)
        #: ``"tls"``, ``"local-socket"`` or ``"plain"``: how the connection travels.
        self.transport = "plain"

    @property
    def transport_secure(self) -> bool:
        """True when the connection is encrypted (TLS) or never leaves the machine."""
        return self.transport in ("tls", "local-socket")

    def open(self) -> None:
        """Connect, learn the transport and bring the schema to head; raises StoreOpenError."""
        try:
            self.transport = transport_of(self.engine)
            upgrade(self.engine)
        except StoreConnectionLost:
            raise StoreOpenError(
                f"The team store {self.location} could not be reached: the server is down, "
                "the address is wrong, or it refused this role (check the password in the "
                "OS keyring).") from None
        except (DBAPIError, StoreError) as exc:
            if isinstance(exc, StoreOpenError):
                raise
            state = str(getattr(getattr(exc, "orig", None), "sqlstate", "") or "")
            if state.startswith("28"):  # invalid_authorization_specification, bad password
                raise StoreOpenError(
                    f"The team store {self.location} refused this role: check the password "
                    f"in the OS keyring (service {KEYRING_SERVICE!r}, user "
                    f"{self.location.rsplit('/', 1)[0]!r}).") from None
            if state == "3D000":  # invalid_catalog_name
                raise StoreOpenError(f"The team store {self.location} has no such database; "
                                     "ask the administrator to create it.") from None
            raise StoreOpenError(f"The team store {self.location} could not be opened "
                                 f"({type(exc).__name__}).") from None

    def copy_database(self, dest: Path) -> Snapshot:
        """A local SQLCipher copy of one consistent snapshot (see the module docstring)."""
        if self._backup_key is None:
            raise StoreOpenError("This team store was opened without a local key; it cannot "
                                 "be copied to a local file.")
        from caseapp.store.sqlcipher.engine import make_engine as local_engine
        from caseapp.store.sqlcipher.engine import upgrade as local_upgrade

        target = local_engine(dest, self._backup_key)
        try:
            local_upgrade(target)
            with self.engine.connect().execution_options(
                    isolation_level="REPEATABLE READ") as src, target.begin() as dst:
                with src.begin():
                    for table in SQLModel.metadata.sorted_tables:
                        result = src.execute(table.select().order_by(*table.primary_key))
                        while batch := result.mappings().fetchmany(2000):
                            dst.execute(table.insert(), [dict(row) for row in batch])
                    blobs = list(src.execute(text("SELECT blob_id FROM evidence")).scalars())
                    head = src.execute(text(
                        "SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1")).first()
                # the local index is rebuilt from the copied tables on first use
                dst.execute(text("DELETE FROM search_state WHERE key = 'index_version'"))
        finally:
            target.dispose()
        return Snapshot(blobs, int(head[0]) if head else 0, str(head[1]) if head else "")

    def case_list_reader(self) -> PostgresCaseListReader:
        """The case list a page at a time, as this member sees it (:mod:`.case_list`)."""
        return PostgresCaseListReader(self.engine)

    def change_listener(self) -> PostgresChangeListener:
        """What other clients commit, as it happens (:mod:`.notify`); not yet started."""
        return PostgresChangeListener(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def open_postgresql(url: str, backup_key: bytes | None = None) -> PostgresStore:
    """Open (creating the schema in an empty database) the team store at ``url``."""
    store = PostgresStore(url, backup_key)
    try:
        store.open()
    except StoreOpenError:
        store.dispose()
        raise
    return store

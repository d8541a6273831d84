"""The embedded store: an SQLCipher-encrypted SQLite file with FTS5, behind the store interface."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import text

from caseapp.domain.search_query import ParsedQuery
from caseapp.store.case_list import CaseListReader
from caseapp.store.common_store import SharedSearchIndex, SharedStore
from caseapp.store.errors import QueryFailed, StoreOpenError
from caseapp.store.interface import SearchRow, Snapshot
from caseapp.store.sqlcipher import links_sql, search_index
from caseapp.store.sqlcipher.engine import make_engine, upgrade, write_engine
from caseapp.store.sqlcipher.search_sql import build_sql


class SqlcipherSearchIndex(SharedSearchIndex):
    """FTS5 inside the encrypted database (:mod:`caseapp.store.sqlcipher.search_index`)."""

    _index = search_index

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._writer = write_engine(engine)

    def ensure_current(self) -> bool:
        # search_index keeps "checked" per engine of the connection that checked: the writer's
        # (checking only the reader's took the write lock again on every search)
        if search_index.is_current(self._writer) or search_index.is_current(self._engine):
            return False
        with self._writer.begin() as conn:
            return search_index.ensure_current(conn)

    def has_fts(self) -> bool:
        with self._engine.connect() as conn:
            return search_index.has_fts(conn)

    def query(self, parsed: ParsedQuery, limit: int) -> list[SearchRow]:
        sql, params = build_sql(parsed, limit)
        with self._engine.connect() as conn:
            # Straight on the DB-API connection: SQLAlchemy's result layer costs ~0.2 ms a search.
            dbapi = conn.connection.driver_connection
            try:
                rows = dbapi.execute(sql, params).fetchall()  # type: ignore[union-attr]
            except conn.dialect.loaded_dbapi.Error:
                raise QueryFailed("That search could not be run; try simpler words.") from None
        return [SearchRow._make(row) for row in rows]

    def file_texts(self, doc_ids: Sequence[int]) -> dict[int, str]:
        if not doc_ids:
            return {}
        stmt = text("SELECT rowid, filetext FROM search_fts WHERE rowid IN :ids").bindparams(
            sa.bindparam("ids", expanding=True))
        with self._engine.connect() as conn:
            return {int(rowid): content or ""
                    for rowid, content in conn.execute(stmt, {"ids": list(doc_ids)})}


class SqlcipherStore(SharedStore):
    """One open SQLCipher database (see :mod:`caseapp.store.interface`)."""

    _links = links_sql

    kind = "sqlcipher"

    def __init__(self, db_path: Path, key: bytes) -> None:
        self.db_path = db_path
        self._key = key
        #: For this package and white-box tests only; services use the methods.
        self.engine = make_engine(db_path, key)
        self._writer = write_engine(self.engine)
        self._readers: list[CaseListReader] = []
        self.search = SqlcipherSearchIndex(self.engine)

    def upgrade(self) -> None:
        """Bring the schema to the newest revision; raises StoreOpenError."""
        upgrade(self.engine)

    def case_list_reader(self) -> CaseListReader:
        """A page-at-a-time case-list reader on a read-only connection of its own (closed by
        :meth:`dispose`, or by the caller with ``close()``)."""
        from caseapp.store.sqlcipher.quick import open_case_list_reader

        reader = open_case_list_reader(self.db_path, self._key)
        if reader is None:
            raise StoreOpenError("The case list could not be read.")
        self._readers.append(reader)
        return reader

    def copy_database(self, dest: Path) -> Snapshot:
        from sqlcipher3 import dbapi2 as sqlcipher

        raw = self.engine.raw_connection()
        try:
            target = sqlcipher.connect(str(dest))
            try:
                target.execute(f"PRAGMA key = \"x'{self._key.hex()}'\"")
                raw.driver_connection.backup(target)  # type: ignore[union-attr]
                blobs = [row[0] for row in target.execute("SELECT blob_id FROM evidence")]
                head = target.execute(
                    "SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
            finally:
                target.close()
        finally:
            raw.close()
        return Snapshot(blobs, int(head[0]) if head else 0, str(head[1]) if head else "")

    def dispose(self) -> None:
        for reader in self._readers:
            reader.close()
        self._readers.clear()
        self.engine.dispose()


def open_sqlcipher(db_path: Path, key: bytes) -> SqlcipherStore:
    """Open (creating and migrating as needed) the database at ``db_path``."""
    store = SqlcipherStore(db_path, key)
    try:
        store.upgrade()
    except StoreOpenError:
        store.dispose()
        raise
    return store

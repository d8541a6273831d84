"""The store-interface methods both stores run the same way (see :mod:`caseapp.store.interface`).

:class:`caseapp.store.sqlcipher.store.SqlcipherStore` and
:class:`caseapp.store.postgresql.store.PostgresStore` (and their search indexes) inherit these;
each sets the engines and names its own dialect modules (``search_index``, ``links_sql``).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any, ClassVar, Protocol

import sqlalchemy as sa
from sqlmodel import Session

from caseapp.store import common_index
from caseapp.store.case_list import fetch_case_rows
from caseapp.store.interface import Occurrence, OccurrenceSeed, PendingExhibit


class _EnsuresCurrent(Protocol):
    def ensure_current(self) -> bool: ...


class SharedSearchIndex:
    """Pending-exhibit and rebuild methods of a store's search index."""

    _engine: sa.Engine  # reads
    _writer: sa.Engine  # writes, under the store's write lock
    #: The store's index module: ``set_filetext(conn, evidence_id, content)``, ``rebuild(conn)``.
    _index: ClassVar[ModuleType]

    def has_pending(self) -> bool:
        with self._engine.connect() as conn:
            return common_index.has_pending(conn)

    def pending_exhibits(self, limit: int) -> list[PendingExhibit]:
        with self._engine.connect() as conn:
            return [PendingExhibit(*row) for row in common_index.pending_exhibits(conn, limit)]

    def set_file_texts(self, texts: Sequence[tuple[int, str]]) -> None:
        with self._writer.begin() as conn:
            for evidence_id, content in texts:
                self._index.set_filetext(conn, evidence_id, content)

    def rebuild(self) -> dict[str, int]:
        with self._writer.begin() as conn:
            return dict(self._index.rebuild(conn))


class SharedStore:
    """Sessions, link lookups and the case list of an open store."""

    engine: sa.Engine
    _writer: sa.Engine
    search: _EnsuresCurrent
    #: The store's link module: ``occurrences(conn, seed)``.
    _links: ClassVar[ModuleType]

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def write_session(self) -> Session:
        return Session(self._writer, expire_on_commit=False)

    def occurrences(self, seed: OccurrenceSeed) -> tuple[list[Occurrence], list[Occurrence]]:
        self.search.ensure_current()  # near keys of rows loaded around the ORM
        with self.engine.connect() as conn:
            return self._links.occurrences(conn, seed)

    def case_rows(self) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return fetch_case_rows(conn.connection.driver_connection)

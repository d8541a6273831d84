"""The case list a page at a time on a team store (:class:`PostgresCaseListReader`).

The same answers as the local store's :class:`caseapp.store.case_list.CaseListReader`, sorted,
filtered and joined into filter texts by the server, read through the store's own engine: as
the member's login role, so row-level security leaves only the cases they may see (ids, refs
and rows of the others never reach the client).

Each call takes a connection from the store's pool in autocommit mode (no transaction is held
open between calls, and a server restart costs one failed call, not the reader).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from caseapp.store.case_list import CASE_LIST_SQL, ORDER_KEYS, no_cyclic_gc

#: The local store's sort keys; titles compare lower-cased byte by byte like SQLite's NOCASE
#: (the "C" collation), so both stores list the same order whatever the server's locale.
PG_ORDER_KEYS: dict[str, str] = {**ORDER_KEYS, "title": 'lower(c.title) COLLATE "C" {d}'}

_ROWS_SQL = (CASE_LIST_SQL.split("FROM case_file AS c")[0]
             + "FROM case_file AS c WHERE c.id = ANY(%s)")
#: Every case's filter text in one string (one value to decode, not a tuple per row).
_TEXTS_SQL = ("SELECT string_agg(id::text, ',' ORDER BY id), string_agg(ref || ' ' || "
              "translate(title, E'\\n\\r', '  ') || ' ' || status || ' ' || priority, E'\\n' "
              "ORDER BY id) FROM (SELECT id, ref, title, status, priority FROM case_file "
              "WHERE id > %s ORDER BY id LIMIT %s) AS part")
#: The server's transaction snapshot (xmin:xmax:in-progress ids): it differs after any
#: transaction that wrote has started or ended, in any database of the cluster.
_SNAPSHOT_SQL = "SELECT pg_current_snapshot()::text"


class PostgresCaseListReader:
    """A :class:`caseapp.store.interface.CaseListReader` over a team store's read engine."""

    #: How many ids one :meth:`rows` statement asks for (one array parameter each).
    BATCH = 2_000

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._snapshot: str | None = None
        self._version = 0

    def _fetch(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        autocommit = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        with autocommit as conn, no_cyclic_gc():
            return [tuple(row) for row in conn.exec_driver_sql(sql, params)]

    def data_version(self) -> int:
        """Changes whenever a write may have committed since the last call (conservative:
        any writing transaction of the cluster counts, as ``PRAGMA data_version`` counts
        any commit of another connection)."""
        snapshot = str(self._fetch(_SNAPSHOT_SQL)[0][0])
        if snapshot != self._snapshot:
            self._snapshot = snapshot
            self._version += 1
        return self._version

    def order(self, key: str, descending: bool, status: str | None = None) -> list[int]:
        """Visible case ids sorted by ``key`` (ties by id), optionally only with ``status``."""
        d = "DESC" if descending else "ASC"
        where, params = ("WHERE c.status = %s ", (status,)) if status else ("", ())
        sql = (f"SELECT c.id FROM case_file AS c {where}ORDER BY "
               f"{PG_ORDER_KEYS[key].format(d=d)}, c.id {d}")
        return [row[0] for row in self._fetch(sql, params)]

    def texts(self, after: int = 0, limit: int = -1) -> dict[int, str]:
        """id -> ``"ref title status priority"`` of every visible case (see the protocol)."""
        ids, texts = self._fetch(_TEXTS_SQL, (after, limit if limit > 0 else None))[0]
        if not ids:
            return {}
        with no_cyclic_gc():
            return dict(zip(map(int, ids.split(",")), texts.split("\n"), strict=True))

    def rows(self, ids: list[int]) -> list[tuple[Any, ...]]:
        """The :data:`CASE_LIST_SQL` columns of these cases (any order; unknown or hidden
        ids skipped)."""
        out: list[tuple[Any, ...]] = []
        for start in range(0, len(ids), self.BATCH):
            out.extend(self._fetch(_ROWS_SQL, (ids[start:start + self.BATCH],)))
        return out

    def id_of(self, ref: str) -> int | None:
        """The id of the visible case ``ref``, or None."""
        found = self._fetch("SELECT id FROM case_file WHERE ref = %s", (ref,))
        return int(found[0][0]) if found else None

    def close(self) -> None:
        """Nothing to release: each call returned its connection to the store's pool."""

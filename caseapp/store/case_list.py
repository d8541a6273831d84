"""The case list query, run on a DB-API connection (plain tuples, no per-value processing).

This module imports no database library, so the app's start-up preview can read the case list
before SQLAlchemy is loaded. Timestamps come back raw: on SQLite the stored
``YYYY-MM-DD HH:MM:SS.ffffff`` UTC text, which sorts like the time itself; other drivers
return datetimes (:func:`caseapp.services.cases.caselist.as_utc` turns either into UTC).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Plain SQL (no parameters, no dialect-specific syntax) over the tables of domain/models.py.
CASE_LIST_SQL = """
SELECT c.id, c.ref, c.title, c.status, c.priority, c.opened_at, c.updated_at,
       (SELECT COUNT(*) FROM subject AS s WHERE s.case_id = c.id),
       (SELECT COUNT(*) FROM evidence AS e WHERE e.case_id = c.id AND e.withdrawn_at IS NULL)
FROM case_file AS c
ORDER BY c.updated_at DESC, c.id DESC
"""


def fetch_case_rows(dbapi_connection: Any) -> list[tuple[Any, ...]]:
    """Run :data:`CASE_LIST_SQL` on a DB-API connection; plain 9-column tuples."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(CASE_LIST_SQL)
        with no_cyclic_gc():
            return cursor.fetchall()
    finally:
        cursor.close()


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Tens of thousands of new tuples trigger cyclic-GC passes that cost more than building
    them; tuples of strings and numbers hold no cycles, so pause the collector meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# -- the case list read a page at a time ---------------------------------------------------------

#: Sort keys of :meth:`CaseListReader.order` (SQL expressions over ``case_file AS c``).
ORDER_KEYS: dict[str, str] = {
    "ref": "c.year {d}, c.seq {d}",
    "title": "c.title COLLATE NOCASE {d}",
    "status": ("CASE c.status WHEN 'open' THEN 0 WHEN 'in-review' THEN 1 WHEN 'escalated' "
               "THEN 2 WHEN 'closed' THEN 3 ELSE 9 END {d}"),
    "priority": ("CASE c.priority WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 "
                 "WHEN 'critical' THEN 3 ELSE 9 END {d}"),
    "subjects": "(SELECT COUNT(*) FROM subject AS s WHERE s.case_id = c.id) {d}",
    "exhibits": ("(SELECT COUNT(*) FROM evidence AS e WHERE e.case_id = c.id "
                 "AND e.withdrawn_at IS NULL) {d}"),
    "updated": "c.updated_at {d}",
}

_ROWS_SQL = CASE_LIST_SQL.split("FROM case_file AS c")[0] + "FROM case_file AS c WHERE c.id IN "
#: Every case's filter text in one string (SQLite's group_concat: one value instead of a Python
#: tuple per row, which is what made 100,000 rows slow); the columns CaseListReader.texts splits.
_TEXTS_SQL = ("SELECT group_concat(id), group_concat(ref || ' ' || replace(replace(title, "
              "char(10), ' '), char(13), ' ') || ' ' || status || ' ' || priority, char(10)) "
              "FROM (SELECT id, ref, title, status, priority FROM case_file WHERE id > ? "
              "ORDER BY id LIMIT ?)")


class CaseListReader:
    """The case list over one DB-API connection of a SQLite/SQLCipher file, for a model that
    shows a page at a time: the order of every id (one integer column, mostly read from an
    index), every case's filter text in one string, and full rows only for the ids asked for.

    Used from one thread at a time (the UI thread); the connection is this object's own.
    """

    #: How many ids one :meth:`rows` statement asks for (well under SQLite's variable limit).
    BATCH = 500

    def __init__(self, connection: Any) -> None:
        self._conn = connection

    def data_version(self) -> int:
        """Changes whenever another connection has committed (``PRAGMA data_version``)."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def order(self, key: str, descending: bool, status: str | None = None) -> list[int]:
        """Case ids sorted by ``key`` (see :data:`ORDER_KEYS`; ties by id), optionally only
        those with ``status``."""
        d = "DESC" if descending else "ASC"
        where, params = ("WHERE c.status = ? ", (status,)) if status else ("", ())
        sql = (f"SELECT c.id FROM case_file AS c {where}ORDER BY "
               f"{ORDER_KEYS[key].format(d=d)}, c.id {d}")
        with no_cyclic_gc():
            return [row[0] for row in self._conn.execute(sql, params).fetchall()]

    def texts(self, after: int = 0, limit: int = -1) -> dict[int, str]:
        """id -> ``"ref title status priority"`` of every case (not case-folded); with
        ``limit`` > 0 only that many, the lowest ids above ``after`` (a part at a time)."""
        ids, texts = self._conn.execute(_TEXTS_SQL, (after, limit)).fetchone()
        if not ids:
            return {}
        with no_cyclic_gc():
            return dict(zip(map(int, ids.split(",")), texts.split("\n"), strict=True))

    def rows(self, ids: list[int]) -> list[tuple[Any, ...]]:
        """The :data:`CASE_LIST_SQL` columns of these cases (any order; unknown ids skipped)."""
        out: list[tuple[Any, ...]] = []
        for start in range(0, len(ids), self.BATCH):
            chunk = ids[start:start + self.BATCH]
            marks = ",".join("?" * len(chunk))
            out.extend(self._conn.execute(f"{_ROWS_SQL}({marks})", chunk).fetchall())
        return out

    def id_of(self, ref: str) -> int | None:
        """The id of the case ``ref``, or None."""
        row = self._conn.execute("SELECT id FROM case_file WHERE ref = ?", (ref,)).fetchone()
        return None if row is None else int(row[0])

    def close(self) -> None:
        self._conn.close()


def open_reader(home: Path, key: bytes) -> CaseListReader | None:
    """A reader of the embedded store of ``home`` opened without the database layer (the
    app's start-up preview), or None when the list cannot be read that way."""
    from caseapp.store.home import DB_NAME
    from caseapp.store.sqlcipher.quick import open_case_list_reader

    return open_case_list_reader(home / DB_NAME, key)

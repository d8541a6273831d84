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

"""The case list as the desktop app shows it, fetched fast enough for 10,000+ cases.

:func:`caseapp.services.cases.cases.list_cases` (CLI, export) wraps these rows with datetimes; the
app's table only formats the ~30 rows on screen, so it uses them raw. The query runs on the
driver's cursor (plain tuples, no per-value type processing) and hands
timestamps over raw: on SQLite the stored ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC text, which sorts
like the time itself; other drivers return datetimes. :func:`as_utc` turns either into an aware
UTC datetime when a row is displayed.

This module imports no database library, so the app's start-up preview
(:func:`caseapp.services.maintenance.startup.quick_open`) can use it before SQLAlchemy is loaded.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from caseapp.services.workspace import Workspace

#: Plain SQL (no parameters, no dialect-specific syntax) over the tables of domain/models.py.
CASE_LIST_SQL = """
SELECT c.id, c.ref, c.title, c.status, c.priority, c.opened_at, c.updated_at,
       (SELECT COUNT(*) FROM subject AS s WHERE s.case_id = c.id),
       (SELECT COUNT(*) FROM evidence AS e WHERE e.case_id = c.id AND e.withdrawn_at IS NULL)
FROM case_file AS c
ORDER BY c.updated_at DESC, c.id DESC
"""


class CaseListRow(NamedTuple):
    """One line of the app's case list; ``opened_at``/``updated_at`` are raw (see as_utc)."""

    id: int
    ref: str
    title: str
    status: str
    priority: str
    opened_at: Any
    updated_at: Any
    subjects: int
    exhibits: int
    risk: int | None = None
    risk_band: str | None = None


def as_utc(raw: Any) -> datetime | None:
    """A raw timestamp of :class:`CaseListRow` as an aware UTC datetime."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(raw)).replace(tzinfo=UTC)


def fetch_rows(dbapi_connection: Any) -> list[tuple[Any, ...]]:
    """Run :data:`CASE_LIST_SQL` on a DB-API connection; plain tuples."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(CASE_LIST_SQL)
        with _no_cyclic_gc():
            return cursor.fetchall()
    finally:
        cursor.close()


def rows_from_tuples(rows: list[tuple[Any, ...]]) -> list[CaseListRow]:
    """Wrap driver tuples (9 columns) as rows without risk, at C speed."""
    make, cls, no_risk = tuple.__new__, CaseListRow, (None, None)
    with _no_cyclic_gc():
        return [make(cls, row + no_risk) for row in rows]


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Tens of thousands of new tuples trigger cyclic-GC passes that cost more than building
    them; tuples of strings and numbers hold no cycles, so pause the collector meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def case_list(ws: Workspace) -> list[CaseListRow]:
    """Every case, newest activity first, with subject/exhibit counts and risk."""
    from caseapp.services.redflags.risk import risk_in

    with ws.session() as session:
        rows = fetch_rows(session.connection().connection.driver_connection)
        risks = risk_in(session)
    if not risks:
        return rows_from_tuples(rows)
    result = []
    for row in rows:
        score = risks.get(row[0])
        result.append(CaseListRow(*row, score.score if score else None,
                                  score.band if score else None))
    return result

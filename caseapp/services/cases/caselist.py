"""The case list as the desktop app shows it, fetched fast enough for 10,000+ cases.

:func:`caseapp.services.cases.cases.list_cases` (CLI, export) wraps these rows with datetimes; the
app's table only formats the ~30 rows on screen, so it uses them raw. The store runs the query
(:meth:`caseapp.store.interface.Store.case_rows`: plain tuples, no per-value type processing)
and hands timestamps over raw: on SQLite the stored ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC text,
which sorts like the time itself; other drivers return datetimes. :func:`as_utc` turns either
into an aware UTC datetime when a row is displayed.

This module imports no database library, so the app's start-up preview
(:func:`caseapp.services.maintenance.startup.quick_open`) can use it before SQLAlchemy is loaded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from caseapp.store.case_list import no_cyclic_gc

if TYPE_CHECKING:
    from caseapp.services.workspace import Workspace

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


def rows_from_tuples(rows: list[tuple[Any, ...]]) -> list[CaseListRow]:
    """Wrap driver tuples (9 columns) as rows without risk, at C speed."""
    make, cls, no_risk = tuple.__new__, CaseListRow, (None, None)
    with no_cyclic_gc():
        return [make(cls, row + no_risk) for row in rows]


def case_list(ws: Workspace) -> list[CaseListRow]:
    """Every case, newest activity first, with subject/exhibit counts and risk."""
    from caseapp.services.redflags.risk import risk_in

    rows = ws.store.case_rows()
    with ws.session() as session:
        risks = risk_in(session)
    if not risks:
        return rows_from_tuples(rows)
    result = []
    for row in rows:
        score = risks.get(row[0])
        result.append(CaseListRow._make((*row, score.score if score else None,
                                         score.band if score else None)))
    return result


def case_refs(ws: Workspace, limit: int) -> list[str]:
    """The ``limit`` newest case references (by year and number, newest first): for choice
    lists, which cannot hold 100,000 cases."""
    from sqlmodel import col, select

    from caseapp.domain.models import Case

    with ws.session() as session:
        query = (select(Case.ref).order_by(col(Case.year).desc(), col(Case.seq).desc())
                 .limit(limit))
        return list(session.exec(query).all())

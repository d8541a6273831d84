"""The case list as the desktop app shows it, fetched fast enough for 10,000+ cases.

:func:`caseapp.services.cases.list_cases` builds ORM rows and datetimes for every case, which
costs ~150 ms at 10,000 cases here. The app's table only formats the ~30 rows on screen, so
this query runs on the driver's cursor (plain tuples, no per-value type processing) and hands
timestamps over raw: on SQLite the stored ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC text, which sorts
like the time itself; other drivers return datetimes. :func:`as_utc` turns either into an aware
UTC datetime when a row is displayed. Counts and the red-flag risk are the same as
``list_cases``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import col, func, select

from caseapp.domain.models import Case, Evidence, Subject
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


_SQL_CACHE: dict[str, str] = {}


def _sql(engine: sa.engine.Engine) -> str:
    key = engine.dialect.name
    if key not in _SQL_CACHE:
        subj = (select(Subject.case_id, func.count().label("n")).group_by(Subject.case_id)
                .subquery())
        exh = (select(Evidence.case_id, func.count().label("n"))
               .where(col(Evidence.case_id).is_not(None), col(Evidence.withdrawn_at).is_(None))
               .group_by(Evidence.case_id).subquery())
        query = (sa.select(Case.id, Case.ref, Case.title, Case.status, Case.priority,
                           Case.opened_at, Case.updated_at, func.coalesce(subj.c.n, 0),
                           func.coalesce(exh.c.n, 0))
                 .outerjoin(subj, subj.c.case_id == Case.id)
                 .outerjoin(exh, exh.c.case_id == Case.id)
                 .order_by(sa.desc(Case.updated_at), sa.desc(Case.id)))
        _SQL_CACHE[key] = str(query.compile(dialect=engine.dialect,
                                            compile_kwargs={"literal_binds": True}))
    return _SQL_CACHE[key]


def case_list(ws: Workspace) -> list[CaseListRow]:
    """Every case, newest activity first, with subject/exhibit counts and risk."""
    from caseapp.services.risk import risk_in

    with ws.session() as session:
        conn = session.connection()
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(_sql(ws.engine))
            rows = cursor.fetchall()
        finally:
            cursor.close()
        risks = risk_in(session)
    if not risks:
        return [CaseListRow(*row) for row in rows]
    result = []
    for row in rows:
        score = risks.get(row[0])
        result.append(CaseListRow(*row, score.score if score else None,
                                  score.band if score else None))
    return result

"""Risk scores of many cases at once (the case list's Risk column)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from caseapp.domain.enums import ChecklistState
from caseapp.domain.models import Checklist, ChecklistAnswer
from caseapp.domain.redflags import Score, Template, compute_score
from caseapp.services.errors import Conflict
from caseapp.services.redflags.templates import resolve_template
from caseapp.services.workspace import Workspace


def risk_in(session: Session, case_ids: Iterable[int] | None = None) -> dict[int, Score]:
    """Scores of every case that has a checklist (or of ``case_ids``), in two queries."""
    query = select(Checklist)
    if case_ids is not None:
        query = query.where(col(Checklist.case_id).in_(list(case_ids)))
    checklists = session.exec(query).all()
    if not checklists:
        return {}
    states: dict[int, dict[str, str]] = {c.id or 0: {} for c in checklists}
    answer_query = (select(ChecklistAnswer.checklist_id, ChecklistAnswer.item_id,
                           ChecklistAnswer.state)
                    .where(ChecklistAnswer.state != ChecklistState.NOT_ASSESSED.value))
    if case_ids is not None:
        answer_query = answer_query.where(col(ChecklistAnswer.checklist_id).in_(list(states)))
    for checklist_id, item_id, state in session.exec(answer_query).all():
        if checklist_id in states:
            states[checklist_id][item_id] = state
    templates: dict[tuple[str, int], Template | None] = {}
    result: dict[int, Score] = {}
    for checklist in checklists:
        key = (checklist.template_id, checklist.template_version)
        if key not in templates:
            try:
                templates[key] = resolve_template(session, *key)
            except Conflict:
                templates[key] = None  # unavailable template: no score rather than a crash
        template = templates[key]
        if template is not None:
            result[checklist.case_id] = compute_score(template, states[checklist.id or 0])
    return result


def case_risk(ws: Workspace, case_ids: Iterable[int] | None = None) -> dict[int, Score]:
    """Risk score per case id, for the cases that have a checklist (used by the case list)."""
    with ws.session() as session:
        return risk_in(session, case_ids)


"""Reading the audit chain page by page, and cheap store-wide counts for the app."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, func, select

from caseapp.domain.models import AuditEntry, Case, Evidence, Subject, Tip
from caseapp.services.workspace import Workspace


@dataclass(frozen=True)
class AuditRow:
    """One audit entry as the Audit page shows it."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]
    hash: str


def audit_count(ws: Workspace) -> int:
    """Number of entries in the audit chain."""
    with ws.session() as session:
        return int(session.exec(select(func.count()).select_from(AuditEntry)).one())


def list_audit(ws: Workspace, *, before_id: int | None = None, limit: int = 500) -> list[AuditRow]:
    """Up to ``limit`` entries, newest first, with ids below ``before_id`` when given."""
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(max(1, limit))
    if before_id is not None:
        query = query.where(col(AuditEntry.id) < before_id)
    with ws.session() as session:
        entries = session.exec(query).all()
    rows = []
    for entry in entries:
        try:
            detail = json.loads(entry.detail)
        except ValueError:
            detail = {"unreadable": entry.detail}
        rows.append(AuditRow(entry.id or 0, entry.at, entry.actor, entry.action, entry.entity,
                             entry.entity_id, detail if isinstance(detail, dict) else
                             {"value": detail}, entry.hash))
    return rows


@dataclass(frozen=True)
class StoreCounts:
    """Totals for the status bar."""

    cases: int
    open_cases: int
    subjects: int
    exhibits: int
    tips: int


def store_counts(ws: Workspace) -> StoreCounts:
    """Cases (and how many are not closed), subjects, current exhibits and tips."""
    with ws.session() as session:
        def count(query: Any) -> int:
            return int(session.exec(query).one())

        return StoreCounts(
            cases=count(select(func.count()).select_from(Case)),
            open_cases=count(select(func.count()).select_from(Case)
                             .where(Case.status != "closed")),
            subjects=count(select(func.count()).select_from(Subject)),
            exhibits=count(select(func.count()).select_from(Evidence)
                           .where(col(Evidence.case_id).is_not(None),
                                  col(Evidence.withdrawn_at).is_(None))),
            tips=count(select(func.count()).select_from(Tip)),
        )

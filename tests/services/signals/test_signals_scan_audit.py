"""The exhibit scan's audit entry names the case by its ref (as every case entry does), so the
audit view shows and filters it under the case; a case without exhibits gets no finding."""

from __future__ import annotations

from sqlmodel import select

from caseapp.domain.models import AuditEntry
from caseapp.services.maintenance.audit_events import to_event
from caseapp.services.signals.scan import scan_exhibits
from tests.services.signals.helpers import make_case


def test_scan_audit_entry_is_filed_under_the_case_ref(ws) -> None:
    ref = make_case(ws)
    assert scan_exhibits(ws, ref) == []  # control: nothing to compare, nothing found
    with ws.session() as session:
        [entry] = session.exec(select(AuditEntry).where(
            AuditEntry.action == "signals.exhibits-scanned")).all()
    assert (entry.entity, entry.entity_id) == ("case", ref)
    assert to_event(entry).case == ref

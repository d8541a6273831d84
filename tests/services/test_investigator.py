"""The investigator profile: stored encrypted, audited, and the actor of what follows, with
the OS account recorded beside it; control: without a profile the OS account acts alone."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from caseapp.domain.models import AuditEntry
from caseapp.security import audit
from caseapp.services import investigator
from caseapp.services.cases import cases
from caseapp.services.evidence import evidence
from caseapp.services.workspace import open_workspace


def _last(ws, action: str) -> AuditEntry:  # type: ignore[no-untyped-def]
    with ws.session() as session:
        return session.exec(select(AuditEntry).where(AuditEntry.action == action)
                            .order_by(AuditEntry.id.desc())).first()  # type: ignore[union-attr]


def test_without_a_profile_the_os_account_acts(ws) -> None:
    assert investigator.get_profile(ws) is None
    cases.create_case(ws, "No profile")
    entry = _last(ws, "case.created")
    assert entry.actor == audit.os_account() and "os_account" not in json.loads(entry.detail)


def test_profile_is_the_actor_with_the_os_account_beside_it(ws, home: Path,
                                                            tmp_path: Path) -> None:
    profile = investigator.set_profile(ws, "Jane Doe", organisation="Acme Investigations",
                                       role="Investigator", badge="E-4711")
    assert profile.actor == "Jane Doe (Acme Investigations)"
    ref = cases.create_case(ws, "With profile").ref
    entry = _last(ws, "case.created")
    assert entry.actor == "Jane Doe (Acme Investigations)"
    assert json.loads(entry.detail)["os_account"] == audit.os_account()
    src = tmp_path / "a.txt"
    src.write_text("evidence", encoding="utf-8")
    ev = evidence.ingest_file(ws, ref, src)
    assert ev.ingested_by == ev.acquired_by == "Jane Doe (Acme Investigations)"
    assert [c.actor for c in evidence.custody_log(ws, ev.id)] == [profile.actor] * 2
    assert _last(ws, "investigator.profile-set").actor == profile.actor
    ws.close()
    assert audit.current_actor() == audit.os_account()  # closed: nobody's profile
    again = open_workspace(home)
    try:
        assert investigator.get_profile(again) == profile
        assert audit.current_actor() == profile.actor
    finally:
        again.close()

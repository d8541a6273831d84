"""Per-case checklists: lazy start, answers, scoring, exhibits, suggestions, case-list risk."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import select

from caseapp.domain.enums import ChecklistState
from caseapp.domain.models import AuditEntry, Case, Checklist, ChecklistAnswer, TemplateBlob, Tip
from caseapp.domain.redflags import load_builtin_templates
from caseapp.security import audit
from caseapp.services.cases import cases, subjects
from caseapp.services.cases.subjects import IdentifierInput as Ident
from caseapp.services.errors import Conflict, InvalidInput, NotFound
from caseapp.services.evidence import evidence
from caseapp.services.redflags import checklists

OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEFAULT = "dprk-remote-it-worker"
SHARED = "identity.shared-contact"  # weight 3, suggest_on email + phone


def new_case(ws, title: str = "Contractor", **subject) -> str:  # type: ignore[no-untyped-def]
    case = cases.create_case(ws, title, opened_at=OPENED)
    if subject:
        subjects.add_subject(ws, case.ref, subject["name"],
                             identifiers=subject.get("identifiers", []))
    return case.ref


def audit_actions(ws, action: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with ws.session() as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == action)).all()
    details = [json.loads(r.detail) for r in rows]
    if ws.store.kind == "postgresql":  # a team store names the login role in every entry
        assert all(d.pop("db_user") == "caseapp_admin" for d in details)
    return details


def add_exhibits(ws, ref: str, tmp_path: Path, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        path = tmp_path / f"{ref}-{i}.txt"
        path.write_text(f"exhibit {ref} {i}")
        evidence.ingest_file(ws, ref, path)


def test_first_access_pins_newest_default_template(ws) -> None:
    ref = new_case(ws)
    view = checklists.get_checklist(ws, ref)
    builtin = {t.id: t for t in load_builtin_templates()}[DEFAULT]
    assert (view.template.id, view.template.version) == (DEFAULT, builtin.version)
    assert [i.item.id for i in view.items] == [i.id for i in builtin.items]
    assert all(i.state is ChecklistState.NOT_ASSESSED and i.note == "" and i.exhibits == []
               for i in view.items)
    assert (view.score.score, view.score.band, view.score.coverage) == (0, "unassessed", 0.0)
    assert view.newer_version is None
    with ws.session() as session:
        rows = session.exec(select(Checklist)).all()
        blob = session.exec(select(TemplateBlob)).one()
    assert [(r.template_id, r.template_version) for r in rows] == [(DEFAULT, builtin.version)]
    # The bundled text is kept so the case keeps its version even if a release drops it.
    assert (blob.template_id, blob.version) == (DEFAULT, builtin.version)
    assert 'id = "dprk-remote-it-worker"' in blob.toml
    checklists.get_checklist(ws, ref)  # second access: nothing new
    assert audit_actions(ws, "checklist.started") == [
        {"case": ref, "template": DEFAULT, "version": builtin.version, "lazy": True}]


def test_flags_show_json_shape(ws) -> None:
    ref = new_case(ws)
    data = checklists.get_checklist(ws, ref).to_json()
    json.dumps(data)  # plain JSON types only
    assert {"case", "template", "version", "score", "band", "coverage", "items"} <= data.keys()
    assert (data["case"], data["template"], data["score"], data["band"], data["coverage"]) == (
        ref, DEFAULT, 0, "unassessed", 0.0)
    first = data["items"][0]
    assert {"id", "category", "label", "weight", "state", "note", "exhibits",
            "suggestion"} <= first.keys()
    assert (first["state"], first["note"], first["exhibits"], first["suggestion"]) == (
        "not-assessed", "", [], None)
    assert first["category"] == first["id"].split(".")[0]


def test_set_item_scores_and_records_who_and_when(ws) -> None:
    ref = new_case(ws)
    view = checklists.set_item(ws, ref, SHARED, "confirmed", note=" Same phone as résumé B ")
    total = len(view.items)
    assert (view.score.score, view.score.band, view.score.confirmed) == (45, "elevated", 1)
    assert view.score.coverage == 1 / total
    entry = view.item(SHARED)
    assert entry.state is ChecklistState.CONFIRMED and entry.note == "Same phone as résumé B"
    assert entry.updated_by == audit.current_actor() and entry.updated_at is not None
    # A suspected weight-2 item, through the contract formula with floats and round().
    view = checklists.set_item(ws, ref, "interview.avoids-video", "Suspected")
    assert view.score.score == round(100 * (1 - (1 - 0.45) * (1 - 0.25 * 0.5))) == 52
    assert view.score.band == "high" and view.score.suspected == 1
    details = audit_actions(ws, "checklist.item-set")
    assert details[0] == {"case": ref, "item": SHARED, "state": ["not-assessed", "confirmed"],
                          "note_changed": True}
    assert details[1]["state"] == ["not-assessed", "suspected"]
    with ws.session() as session:
        touched = session.exec(select(Case)).one().updated_at
    assert touched == view.item("interview.avoids-video").updated_at


def test_state_spellings_and_note_only_changes(ws) -> None:
    ref = new_case(ws)
    for given, expected in [("Not Applicable", "not-applicable"), ("not_observed",
                            "not-observed"), ("CONFIRMED", "confirmed")]:
        view = checklists.set_item(ws, ref, SHARED, given)
        assert view.item(SHARED).state.value == expected
    view = checklists.set_item(ws, ref, SHARED, None, note="line one\nline two")
    assert view.item(SHARED).state is ChecklistState.CONFIRMED
    assert view.item(SHARED).note == "line one\nline two"
    before = len(audit_actions(ws, "checklist.item-set"))
    checklists.set_item(ws, ref, SHARED, "confirmed", note="line one\nline two")  # no change
    assert len(audit_actions(ws, "checklist.item-set")) == before


def test_unknown_item_or_state_is_invalid_input_and_writes_nothing(ws) -> None:
    ref = new_case(ws)
    with pytest.raises(InvalidInput) as info:
        checklists.set_item(ws, ref, SHARED, "maybe")
    assert "not-assessed, not-observed, suspected, confirmed, not-applicable" in str(info.value)
    with pytest.raises(InvalidInput) as info:
        checklists.set_item(ws, ref, "identity.shared-contacts", "confirmed")
    message = str(info.value)
    assert "has no item 'identity.shared-contacts'" in message
    assert "Did you mean 'identity.shared-contact'?" in message
    assert "behaviour.extortion" in message  # the allowed ids are listed
    with ws.session() as session:
        assert session.exec(select(ChecklistAnswer)).all() == []


def test_nothing_assessed_and_all_not_applicable(ws) -> None:
    ref = new_case(ws)
    view = checklists.get_checklist(ws, ref)
    assert (view.score.score, view.score.band, view.score.assessed) == (0, "unassessed", 0)
    for entry in view.items:
        view = checklists.set_item(ws, ref, entry.item.id, "not-applicable")
    assert (view.score.score, view.score.band, view.score.coverage) == (0, "low", 1.0)
    assert checklists.case_risk(ws)[view.case_id].band == "low"


def test_exhibits_link_replace_and_validate(ws, tmp_path: Path) -> None:
    ref = new_case(ws)
    add_exhibits(ws, ref, tmp_path, 3)
    view = checklists.set_item(ws, ref, SHARED, "suspected", exhibits=["e-2", "E-001", "E1"])
    assert view.item(SHARED).exhibits == ["E-001", "E-002"]
    assert view.to_json()["items"][2]["exhibits"] == ["E-001", "E-002"]
    with pytest.raises(InvalidInput, match=r"has no exhibit E-009 \(exhibits: E-001, E-002, E-003\)"):
        checklists.set_item(ws, ref, SHARED, "suspected", exhibits=["E-009"])
    with pytest.raises(InvalidInput, match="not an exhibit number"):
        checklists.link_exhibit(ws, ref, SHARED, "photo.png")
    view = checklists.link_exhibit(ws, ref, SHARED, "E-003")
    assert view.item(SHARED).exhibits == ["E-001", "E-002", "E-003"]
    checklists.link_exhibit(ws, ref, SHARED, "E-003")  # already linked: no change
    assert len(audit_actions(ws, "checklist.exhibit-linked")) == 1
    view = checklists.link_exhibit(ws, ref, SHARED, "E-001", remove=True)
    assert view.item(SHARED).exhibits == ["E-002", "E-003"]
    assert audit_actions(ws, "checklist.exhibit-unlinked")[0]["exhibit"] == "E-001"
    with pytest.raises(InvalidInput, match="E-001 is not linked"):
        checklists.link_exhibit(ws, ref, SHARED, "E-001", remove=True)
    # A withdrawn exhibit stays shown where linked (marked) but cannot be linked anew.
    evidence.withdraw(ws, ref, "E-002", "wrong file")
    view = checklists.get_checklist(ws, ref)
    assert view.item(SHARED).withdrawn_exhibits == ["E-002"]
    with pytest.raises(InvalidInput, match="withdrawn"):
        checklists.link_exhibit(ws, ref, "identity.borrowed-photo", "E-002")
    assert view.item(SHARED).state is ChecklistState.SUSPECTED  # linking never sets a state


def test_exhibits_of_another_case_are_not_accepted(ws, tmp_path: Path) -> None:
    first, second = new_case(ws, "A"), new_case(ws, "B")
    add_exhibits(ws, first, tmp_path, 2)
    with pytest.raises(InvalidInput, match=f"{second} has no exhibit E-001"):
        checklists.set_item(ws, second, SHARED, "confirmed", exhibits=["E-001"])


def add_tip(ws, ref: str, kind: str, value: str) -> None:  # type: ignore[no-untyped-def]
    with ws.transaction() as session:
        now = datetime(2026, 3, 5, tzinfo=UTC)
        tip = Tip(ref=ref, year=2026, seq=int(ref[-4:]), received_at=now, content="tip",
                  created_at=now, updated_at=now)
        session.add(tip)
        session.flush()
        session.add(subjects.make_identifier(kind, value, tip_id=tip.id))


def test_shared_phone_suggests_without_changing_state_and_dismissal(ws) -> None:
    first = new_case(ws, "Daniel", name="Daniel Park", identifiers=[
        Ident("phone", "+1 (512) 555-0142"), Ident("email", "dan@mail.example")])
    second = new_case(ws, "Alex", name="Alex Morgan", identifiers=[
        Ident("phone", "+15125550142")])
    new_case(ws, "Unrelated", name="Someone", identifiers=[Ident("phone", "+1 206 555 0187")])
    view = checklists.get_checklist(ws, first)
    suggestion = view.item(SHARED).suggestion
    assert suggestion is not None
    assert suggestion.reason == f"phone +15125550142 also in {second} (subject Alex Morgan)"
    assert suggestion.links == (second,)
    phone_items = {i.item.id for i in view.items if "phone" in i.item.suggest_on}
    assert {i.item.id for i in view.items if i.suggestion} == phone_items
    assert SHARED in phone_items and len(phone_items) > 1
    # A suggestion is never a state and never moves the score.
    assert all(i.state is ChecklistState.NOT_ASSESSED for i in view.items)
    assert (view.score.score, view.score.band) == (0, "unassessed")
    assert view.to_json()["items"][2]["suggestion"]["links"] == [second]
    # The other case sees the link back.
    other = checklists.get_checklist(ws, second).item(SHARED).suggestion
    assert other is not None and other.reason.endswith(f"{first} (subject Daniel Park)")

    view = checklists.dismiss_suggestion(ws, first, SHARED)
    assert view.item(SHARED).suggestion is None
    assert view.item(SHARED).state is ChecklistState.NOT_ASSESSED
    assert sum(1 for i in view.items if i.suggestion) == len(phone_items) - 1
    assert checklists.get_checklist(ws, first).item(SHARED).suggestion is None  # stays dismissed
    assert audit_actions(ws, "checklist.suggestion-dismissed") == [
        {"case": first, "item": SHARED, "links": [second]}]
    with pytest.raises(InvalidInput, match="no open suggestion"):
        checklists.dismiss_suggestion(ws, first, SHARED)
    with pytest.raises(InvalidInput, match="no open suggestion"):
        checklists.dismiss_suggestion(ws, first, "interview.avoids-video")

    # A new link (a tip with the same phone) brings it back, naming only the new link.
    add_tip(ws, "TIP-2026-0001", "phone", "+1 512 555 0199")  # another number
    assert checklists.get_checklist(ws, first).item(SHARED).suggestion is None
    add_tip(ws, "TIP-2026-0002", "phone", "+1 512 555 0142")
    back = checklists.get_checklist(ws, first).item(SHARED).suggestion
    assert back is not None and back.links == ("TIP-2026-0002",)
    assert back.reason == "phone +15125550142 also in TIP-2026-0002"


def test_choosing_flagged_state_accepts_the_suggestion(ws) -> None:
    first = new_case(ws, "A", name="A", identifiers=[Ident("email", "x@mail.example")])
    second = new_case(ws, "B", name="B", identifiers=[Ident("email", "X@Mail.Example")])
    view = checklists.set_item(ws, first, "identity.multiple-personas", "not-observed")
    assert view.item("identity.multiple-personas").suggestion is not None  # still open
    view = checklists.set_item(ws, first, SHARED, "confirmed")
    assert view.item(SHARED).suggestion is None
    assert audit_actions(ws, "checklist.item-set")[-1]["accepted_suggestion"] == [second]
    assert checklists.get_checklist(ws, first).item(SHARED).suggestion is None


def test_list_cases_fills_risk(ws) -> None:
    scored, started, untouched = new_case(ws, "Scored"), new_case(ws, "Started"), new_case(ws)
    checklists.set_item(ws, scored, SHARED, "confirmed")
    checklists.set_item(ws, scored, "payment.third-party-name", "confirmed")
    checklists.get_checklist(ws, started)
    rows = {r.ref: r for r in cases.list_cases(ws)}
    assert (rows[scored].risk, rows[scored].risk_band) == (70, "high")
    assert (rows[started].risk, rows[started].risk_band) == (0, "unassessed")
    assert (rows[untouched].risk, rows[untouched].risk_band) == (None, None)
    risks = checklists.case_risk(ws)
    assert set(risks) == {rows[scored].id, rows[started].id}
    assert checklists.case_risk(ws, [rows[started].id]).keys() == {rows[started].id}


def count_queries(ws, call) -> int:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def listener(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(ws.store.engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(ws.store.engine, "before_cursor_execute", listener)
    return len(seen)


def test_case_risk_query_count_does_not_grow_with_cases(ws) -> None:
    for n in range(2):
        checklists.set_item(ws, new_case(ws, f"case {n}"), SHARED, "suspected")
    few = count_queries(ws, lambda: checklists.case_risk(ws))
    for n in range(6):
        checklists.set_item(ws, new_case(ws, f"more {n}"), SHARED, "confirmed")
    many = count_queries(ws, lambda: checklists.case_risk(ws))
    assert many == few <= 4
    assert len(checklists.case_risk(ws)) == 8


def test_unavailable_template_is_an_error_not_a_crash(ws) -> None:
    ref = new_case(ws)
    with ws.transaction() as session:
        case = cases.get_case_in(session, ref)
        session.add(Checklist(case_id=case.id, template_id="ghost", template_version=3,
                              created_at=OPENED, updated_at=OPENED))
    with pytest.raises(Conflict, match="ghost v3 is not available"):
        checklists.get_checklist(ws, ref)
    assert checklists.case_risk(ws) == {}
    assert cases.list_cases(ws)[0].risk is None


def test_start_checklist_on_another_template_when_started_is_a_conflict(ws) -> None:
    ref = new_case(ws)
    assert checklists.start_checklist(ws, ref).template.id == DEFAULT
    assert checklists.start_checklist(ws, ref, DEFAULT).template.id == DEFAULT  # idempotent
    with pytest.raises(Conflict, match="already uses dprk-remote-it-worker"):
        checklists.start_checklist(ws, ref, "custom")
    other = new_case(ws, "Other")
    with pytest.raises(NotFound, match="No red-flag template 'custom'"):
        checklists.start_checklist(ws, other, "custom")


def test_demo_cases_have_visible_scores(ws) -> None:
    from caseapp.services.maintenance import demo

    refs = demo.load_demo(ws)["cases"]
    rows = {r.ref: r for r in cases.list_cases(ws)}
    assert all(rows[ref].risk is not None and rows[ref].risk > 0 for ref in refs)
    first = checklists.get_checklist(ws, refs[0])
    assert first.item("logistics.forwarded-abroad").state is ChecklistState.CONFIRMED
    assert first.item("technical.remote-access-tools").state is ChecklistState.CONFIRMED
    assert first.item("technical.vpn-unusual-asn").state is ChecklistState.SUSPECTED
    assert first.item("technical.vpn-unusual-asn").exhibits == ["E-003"]
    assert rows[refs[0]].risk_band in ("high", "critical")
    # The shared payment account suggests payment items on the other case; the one the demo
    # confirmed counts as accepted.
    second = checklists.get_checklist(ws, refs[1])
    assert second.item("payment.third-party-name").suggestion is None
    suggestion = second.item("payment.frequent-changes").suggestion
    assert suggestion is not None and suggestion.links == (refs[0],)

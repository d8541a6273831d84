"""Tip intake, grading, status, follow-up/triage, identifiers and tipster protection."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from caseapp.domain.models import AuditEntry, Identifier, Tip
from caseapp.services.cases.subjects import IdentifierInput as Ident
from caseapp.services.errors import Conflict, InvalidInput, NotFound
from caseapp.services.tips import intake, tips

NAME = "Wilhelmina Testerson-Fictional"
CONTACT = "w.testerson@tipster.example"
RELATION = "Landlord of the forwarding flat"
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _tip(ws, content: str = "Laptop forwarded to a flat in New Jersey.", **kw):  # noqa: ANN001
    kw.setdefault("channel", "email")
    kw.setdefault("received_at", T0)
    return tips.create_tip(ws, content, **kw).tip


def _audit_text(ws) -> str:  # noqa: ANN001
    with ws.session() as session:
        return "\n".join(f"{e.action} {e.entity_id} {e.detail}"
                         for e in session.exec(select(AuditEntry)).all())


def test_refs_follow_the_year_received(ws) -> None:
    a = _tip(ws, "first tip of 2026 about a contractor")
    b = _tip(ws, "second tip of 2026 about a contractor")
    c = _tip(ws, "a tip received in 2025", received_at=datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
    d = _tip(ws, "received 2027-01-01 in UTC but given in New York time",
             received_at=datetime(2026, 12, 31, 20, 0, tzinfo=UTC) + timedelta(hours=5))
    assert (a.ref, b.ref, c.ref, d.ref) == ("TIP-2026-0001", "TIP-2026-0002", "TIP-2025-0001",
                                            "TIP-2027-0001")
    assert tips.get_tip(ws, "tip-2026-0002").id == b.id
    with pytest.raises(NotFound):
        tips.get_tip(ws, "TIP-2026-0099")


@pytest.mark.parametrize(("given", "stored"), [
    ("phone", "hotline"), ("e-mail", "email"), ("Mail", "email"),
    ("reward program", "reward-programme"), ("Web_Form", "web-form"), ("walk in", "walk-in"),
    ("REFERRAL", "referral"), ("internal", "internal"),
])
def test_channel_aliases(ws, given: str, stored: str) -> None:
    assert _tip(ws, channel=given).channel == stored


def test_invalid_channel_and_empty_or_huge_content_are_refused(ws) -> None:
    with pytest.raises(InvalidInput, match="tip channel"):
        _tip(ws, channel="carrier pigeon")
    with pytest.raises(InvalidInput, match="content"):
        _tip(ws, "   \n ")
    with pytest.raises(InvalidInput, match="limit"):
        _tip(ws, "x" * (intake.MAX_CONTENT + 1))
    with pytest.raises(InvalidInput, match="zone"):
        _tip(ws, received_at=datetime(2026, 1, 1, 9, 0))
    assert tips.list_tips(ws) == []


def test_grading_is_validated_on_create_and_update(ws) -> None:
    view = _tip(ws, reliability="b", credibility=2)
    assert (view.reliability, view.credibility, view.grade) == ("B", "2", "B2")
    assert view.grade_meaning == "Usually reliable / Probably true"
    assert view.to_json()["reliability_meaning"] == "Usually reliable"
    for bad in ({"reliability": "G"}, {"credibility": "7"}, {"credibility": "0"},
                {"reliability": "AB"}):
        with pytest.raises(InvalidInput, match="grading"):
            _tip(ws, "another tip, never saved", **bad)
        with pytest.raises(InvalidInput, match="grading"):
            tips.update_tip(ws, view.ref, **bad)
    assert [v.ref for v in tips.list_tips(ws)] == [view.ref]
    saved = tips.update_tip(ws, view.ref, reliability="F", credibility=None)
    assert (saved.tip.reliability, saved.tip.credibility, saved.tip.grade) == ("F", None, "F?")
    assert '"credibility":null' in _audit_text(ws)


def test_reward_status(ws) -> None:
    view = _tip(ws, channel="reward-programme", reward_status="potentially eligible")
    assert view.reward_status == "potentially-eligible"
    assert tips.update_tip(ws, view.ref, reward_status="referred").tip.reward_status == "referred"
    with pytest.raises(InvalidInput, match="reward status"):
        tips.update_tip(ws, view.ref, reward_status="paid out")
    assert _tip(ws, "a second tip without reward").reward_status == "not-applicable"


def test_status_transitions(ws) -> None:
    ref = _tip(ws).ref
    assert tips.set_tip_status(ws, ref, "in triage").status == "in-triage"
    assert tips.set_tip_status(ws, ref, "actionable").status == "actionable"
    with pytest.raises(Conflict, match="not linked"):
        tips.set_tip_status(ws, ref, "linked")
    with pytest.raises(Conflict, match="duplicate"):
        tips.set_tip_status(ws, ref, "duplicate")
    assert tips.set_tip_status(ws, ref, "closed").status == "closed"
    with pytest.raises(Conflict, match="closed cannot move to actionable"):
        tips.set_tip_status(ws, ref, "actionable")
    with pytest.raises(InvalidInput, match="tip status"):
        tips.set_tip_status(ws, ref, "archived")
    assert tips.set_tip_status(ws, ref, "in-triage").status == "in-triage"
    audit = _audit_text(ws)
    assert audit.count("tip.status") == 4
    assert '"from":"closed","to":"in-triage"' in audit


def test_follow_up_overdue_and_triage_queue(ws) -> None:
    now = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    day = timedelta(days=1)
    old_new = _tip(ws, "oldest new tip in the queue", received_at=now - 9 * day).ref
    new_new = _tip(ws, "most recent new tip in the queue", received_at=now - day).ref
    late = _tip(ws, "a tip whose follow-up is late", received_at=now - 3 * day,
                follow_up_due=now - 2 * day).ref
    tips.set_tip_status(ws, late, "actionable")
    triage = _tip(ws, "a tip in triage with a future follow-up", received_at=now - 20 * day,
                  follow_up_due=now + 3 * day).ref
    tips.set_tip_status(ws, triage, "in-triage")
    closed = _tip(ws, "a closed tip with an old follow-up", received_at=now - 30 * day,
                  follow_up_due=now - 10 * day).ref
    tips.set_tip_status(ws, closed, "closed")
    views = tips.list_tips(ws, now=now)
    assert [v.ref for v in views] == [late, old_new, new_new, triage, closed]
    assert [v.overdue for v in views] == [True, False, False, False, False]
    assert [v.ref for v in tips.list_tips(ws, active_only=True, now=now)] == [
        late, old_new, new_new, triage]
    assert [v.ref for v in tips.list_tips(ws, status="closed", now=now)] == [closed]
    cleared = tips.update_tip(ws, late, follow_up_due=None).tip
    assert cleared.follow_up_due is None and not cleared.overdue
    with pytest.raises(InvalidInput, match="zone"):
        tips.update_tip(ws, late, follow_up_due=datetime(2026, 5, 1))


def test_identifiers_typed_normalised_and_suggested(ws) -> None:
    text = ("Contact him at Daniel.Park+jobs@Mailbox.example or +1 (512) 555-0142; profile "
            "https://www.linkedin.com/in/daniel-park-dev-0000/ from 198.51.100.23, paid to "
            "0x52908400098527886E0F7030069857D2E4169EE7.")
    suggestions = tips.suggest_identifiers(text)
    assert [(s.kind, s.normalized) for s in suggestions] == [
        ("email", "daniel.park+jobs@mailbox.example"), ("phone", "+15125550142"),
        ("url", "https://www.linkedin.com/in/daniel-park-dev-0000"),
        ("ip", "198.51.100.23"), ("wallet", "0x52908400098527886E0F7030069857D2E4169EE7")]
    view = _tip(ws, text, identifiers=[Ident("phone", "+1 (512) 555-0142"),
                                       Ident("e-mail", "Daniel.Park+jobs@Mailbox.example"),
                                       Ident("phone", "12")])
    assert [(i.kind, i.normalized, i.normalized_ok) for i in view.identifiers] == [
        ("phone", "+15125550142", True), ("email", "daniel.park+jobs@mailbox.example", True),
        ("phone", "12", False)]
    with ws.session() as session:
        rows = session.exec(select(Identifier).where(Identifier.tip_id == view.id)).all()
        assert len(rows) == 3 and all(r.subject_id is None for r in rows)
    recorded = [(i.kind, i.normalized) for i in view.identifiers]
    left = tips.suggest_identifiers(text, exclude=recorded)
    assert [s.kind for s in left] == ["url", "ip", "wallet"]
    saved = tips.add_tip_identifiers(ws, view.ref, [Ident(s.kind, s.value) for s in left])
    assert len(saved.tip.identifiers) == 6
    with pytest.raises(InvalidInput, match="identifier kind"):
        tips.add_tip_identifiers(ws, view.ref, [Ident("shoe-size", "44")])


def test_identity_is_masked_everywhere_until_revealed(ws) -> None:
    view = _tip(ws, tipster_name=NAME, tipster_contact=CONTACT, relationship=RELATION,
                identifiers=[Ident("phone", "+1 206 555 0187")])
    assert view.has_identity and view.identity_masked and not view.anonymous
    for shown in (view, tips.get_tip(ws, view.ref), tips.list_tips(ws)[0],
                  tips.update_tip(ws, view.ref, assignee_note="call back").tip):
        assert shown.tipster_name is None and shown.tipster_contact is None
        assert shown.relationship is None and shown.identity_masked
        dumped = json.dumps(shown.to_json(), default=str) + repr(shown)
        assert NAME not in dumped and CONTACT not in dumped and RELATION not in dumped
        assert shown.to_json()["tipster"] is None
    assert tips.list_tips(ws, text="Testerson") == []  # identity is not searchable
    assert "tip.tipster-revealed" not in _audit_text(ws)

    identity = tips.reveal_tipster(ws, view.ref)
    assert (identity.name, identity.contact, identity.relationship) == (NAME, CONTACT, RELATION)
    assert NAME not in repr(identity) and CONTACT not in repr(identity)
    shown = tips.get_tip(ws, view.ref).with_identity(identity)
    assert shown.to_json()["tipster"] == {"name": NAME, "contact": CONTACT,
                                          "relationship": RELATION}
    assert not shown.identity_masked
    with ws.session() as session:
        reveals = session.exec(select(AuditEntry).where(
            AuditEntry.action == "tip.tipster-revealed")).all()
    assert [(e.entity, e.entity_id) for e in reveals] == [("tip", view.ref)]

    tips.set_tipster(ws, view.ref, anonymous=False, name=NAME + " Jr", contact=CONTACT)
    audit = _audit_text(ws)
    assert "Testerson" not in audit and CONTACT not in audit and RELATION not in audit
    assert "tip.tipster-updated" in audit


def test_anonymous_tips_have_no_identity(ws) -> None:
    with pytest.raises(InvalidInput) as err:
        _tip(ws, anonymous=True, tipster_name=NAME)
    assert NAME not in str(err.value)
    with pytest.raises(InvalidInput) as err:
        _tip(ws, anonymous=True, tipster_contact=CONTACT)
    assert CONTACT not in str(err.value)
    with pytest.raises(InvalidInput) as err:
        _tip(ws, tipster_name="N" * (intake.MAX_FIELD + 1))
    assert "NNNN" not in str(err.value)
    view = _tip(ws, anonymous=True)
    assert view.anonymous and not view.has_identity and not view.identity_masked
    with pytest.raises(Conflict, match="anonymous"):
        tips.reveal_tipster(ws, view.ref)
    named = _tip(ws, "a named tip made anonymous later", tipster_name=NAME,
                 tipster_contact=CONTACT)
    after = tips.set_tipster(ws, named.ref, anonymous=True)
    assert after.anonymous and not after.has_identity
    with ws.session() as session:
        row = session.get(Tip, named.id)
        assert (row.tipster_name, row.tipster_contact, row.relationship) == (None, None, "")
    with pytest.raises(InvalidInput):
        tips.set_tipster(ws, named.ref, anonymous=True, name=NAME)
    assert NAME not in _audit_text(ws)


def test_update_changes_only_given_fields_and_keeps_ref(ws) -> None:
    view = _tip(ws, programme="Rewards (fictional)", reference="R-1")
    saved = tips.update_tip(ws, view.ref, content="Updated text about the laptop",
                            received_at=datetime(2025, 6, 1, tzinfo=UTC), reference="R-2")
    assert saved.tip.ref == view.ref
    assert saved.tip.content == "Updated text about the laptop"
    assert saved.tip.programme == "Rewards (fictional)" and saved.tip.reference == "R-2"
    with ws.session() as session:
        assert session.get(Tip, view.id).content_key == "updated text about the laptop"
    before = _audit_text(ws).count("tip.updated")
    tips.update_tip(ws, view.ref, reference="R-2")  # no change, no audit entry
    assert _audit_text(ws).count("tip.updated") == before


def test_a_tip_edit_is_one_transaction(ws) -> None:
    from sqlmodel import func, select

    from caseapp.domain.models import AuditEntry
    from caseapp.services.cases.subjects import IdentifierInput
    from caseapp.services.errors import CaseappError
    from caseapp.services.tips import tips

    saved = tips.create_tip(ws, "Courier collects laptops weekly", channel="hotline",
                            identifiers=[IdentifierInput("phone", "+1 512 555 0142")])
    ref = saved.tip.ref
    with ws.session() as session:
        audits_before = session.exec(select(func.count()).select_from(AuditEntry)).one()
    # The last step (an impossible status) fails: the earlier steps must not stay.
    with pytest.raises(CaseappError):
        tips.save_tip_edit(ws, ref, fields={"content": "Changed content", "programme": "RFJ"},
                           add_identifiers=[IdentifierInput("email", "a@b.example")],
                           status="duplicate")
    after = tips.get_tip(ws, ref)
    assert after.content == "Courier collects laptops weekly" and after.programme == ""
    assert [i.kind for i in after.identifiers] == ["phone"]
    with ws.session() as session:
        assert session.exec(select(func.count()).select_from(AuditEntry)).one() == audits_before
    # A valid edit lands whole.
    done = tips.save_tip_edit(ws, ref, fields={"content": "Changed content"},
                              add_identifiers=[IdentifierInput("email", "a@b.example")],
                              status="in-triage")
    assert done.tip.content == "Changed content" and done.tip.status == "in-triage"
    assert sorted(i.kind for i in done.tip.identifiers) == ["email", "phone"]
    from caseapp.services.maintenance.verify import verify_store

    assert verify_store(ws).ok

"""The demo data's tips: a reward lead on case 1's identifiers, an anonymous hotline tip, and
an e-mail tip linked to a case."""

from __future__ import annotations

from sqlmodel import select

from caseapp.domain.models import AuditEntry, Tip
from caseapp.services.maintenance import demo, demo_tips, verify
from caseapp.services.tips import casework, tips


def test_demo_tips(ws) -> None:
    summary = demo.load_demo(ws)
    assert len(summary["tips"]) == 3
    reward, hotline, email = (tips.get_tip(ws, ref) for ref in summary["tips"])
    assert demo_tips.FORWARDING_ADDRESS == demo.SHARED_FORWARDING_ADDRESS
    assert (reward.channel, reward.reward_status, reward.grade) == (
        "reward-programme", "potentially-eligible", "B2")
    assert reward.identity_masked and reward.tipster_name is None
    related = {r.ref: r for r in casework.related_cases(ws, reward.ref)}
    assert summary["cases"][0] in related
    assert {k for k, _v in related[summary["cases"][0]].shared} == {"address", "phone"}
    assert hotline.anonymous and not hotline.has_identity and hotline.channel == "hotline"
    assert email.channel == "email" and email.status == "linked"
    assert email.cases == (summary["cases"][1],) and len(email.attachments) == 1
    assert [t.ref for t in casework.tips_for_case(ws, summary["cases"][1])] == [email.ref]
    assert verify.verify_store(ws).ok
    with ws.session() as session:
        names = [t.tipster_name for t in session.exec(select(Tip)).all() if t.tipster_name]
        details = " ".join(e.detail for e in session.exec(select(AuditEntry)).all())
    assert names and all("(fictional)" in n for n in names)
    assert not any(n in details for n in names)

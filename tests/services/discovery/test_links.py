"""Cross-case links: exact and near matches, normalisation edge cases, upkeep, JSON shape."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from caseapp.services.cases import cases, subjects
from caseapp.services.cases.subjects import IdentifierInput as I  # noqa: N817
from caseapp.services.discovery import links
from caseapp.services.errors import NotFound
from caseapp.services.tips import tips


def _case(ws, title: str, *idents: tuple[str, str], subject: str = "Subject") -> str:
    ref = cases.create_case(ws, title).ref
    subjects.add_subject(ws, ref, subject, identifiers=[I(k, v) for k, v in idents])
    return ref


def _groups(ws, ref: str) -> list[dict]:
    return [g.to_json() for g in links.links_for_case(ws, ref)]


def _summary(ws, ref: str) -> set[tuple[str, str, str, tuple[str, ...]]]:
    return {(g["kind"], g["normalized"], g["match"], tuple(c["ref"] for c in g["cases"]))
            for g in _groups(ws, ref)}


def test_exact_links_across_cases_and_tips_exclude_the_case_itself(ws) -> None:
    a = _case(ws, "A", ("phone", "+1 (520) 555-0142"), ("email", "Dan@Mail.Example"),
              subject="Dan")
    b = _case(ws, "B", ("phone", "+15205550142"), subject="Daniel")
    c = _case(ws, "C", ("email", "dan@mail.example"), subject="D.")
    tip = tips.create_tip(ws, "He reuses the number", channel="hotline",
                          received_at=datetime(2025, 1, 2, tzinfo=UTC),
                          identifiers=[I("phone", "+1 520 555 0142")]).tip
    groups = _groups(ws, a)
    assert [(g["kind"], g["match"]) for g in groups] == [("phone", "exact"), ("email", "exact")]
    phone, email = groups
    assert phone["normalized"] == "+15205550142" and phone["reason"] == "same phone number"
    assert [(x["ref"], x["title"], x["subject"]) for x in phone["cases"]] == [(b, "B", "Daniel")]
    assert [t["ref"] for t in phone["tips"]] == [tip.ref]
    assert phone["counts"] == {"cases": 1, "subjects": 1, "tips": 1}
    assert phone["first_seen"] == "2025-01-02T00:00:00+00:00"
    assert phone["last_seen"] > phone["first_seen"]
    assert [x["ref"] for x in email["cases"]] == [c]
    assert all(a not in [x["ref"] for x in g["cases"]] for g in groups)
    assert _summary(ws, b) == {("phone", "+15205550142", "exact", (a,))}


def test_json_shape_matches_the_contract(ws) -> None:
    a = _case(ws, "A", ("ip", "203.0.113.7"))
    _case(ws, "B", ("ip", "203.0.113.7"))
    tips.create_tip(ws, "ip tip", channel="email", identifiers=[I("ip", "203.0.113.7")])
    [group] = _groups(ws, a)
    assert {"kind", "normalized", "match", "reason", "cases", "tips"} <= group.keys()
    assert group["match"] in ("exact", "near") and isinstance(group["reason"], str)
    assert {"ref", "title", "subject"} <= group["cases"][0].keys()
    assert {"ref"} <= group["tips"][0].keys()


def test_no_links_for_unique_identifiers(ws) -> None:
    a = _case(ws, "A", ("email", "only.me@example.org"))
    _case(ws, "B", ("email", "someone.else@example.org"))
    assert links.links_for_case(ws, a) == []


def test_unknown_refs(ws) -> None:
    with pytest.raises(NotFound):
        links.links_for_case(ws, "CASE-2020-9999")
    with pytest.raises(NotFound):
        links.links_for_tip(ws, "TIP-2020-9999")


@pytest.mark.parametrize(("ours", "theirs"), [
    ("email:Dan.K@Mail.Example", "email:dan.k@mail.example"),
    ("url:https://www.linkedin.com/in/Dan-K/?utm_source=share", "url:linkedin.com/in/dan-k"),
    ("url:https://GitHub.com/DanK", "url:github.com/dank/"),
    ("ip:2001:DB8:0:0::1", "ip:2001:db8::1"),
    ("ip:::ffff:198.51.100.4", "ip:198.51.100.4"),
    ("phone:+44 (0)7700 900123", "phone:0044 7700 900 123"),
    ("address:1200 Oak Street, Tucson, AZ 85701", "address:1200 OAK ST TUCSON AZ 85701"),
    ("handle:@DanK_dev", "handle:dank_dev"),
    ("bank:GB82 WEST 1234 5698 7654 32", "bank:GB82WEST12345698765432"),
    ("wallet:not a real wallet", "wallet:not a real wallet"),
])
def test_normalisation_makes_exact_links(ws, ours: str, theirs: str) -> None:
    kind, _, value = ours.partition(":")
    kind2, _, value2 = theirs.partition(":")
    a = _case(ws, "A", (kind, value))
    b = _case(ws, "B", (kind2, value2))
    [group] = _groups(ws, a)
    assert group["match"] == "exact" and [c["ref"] for c in group["cases"]] == [b]


@pytest.mark.parametrize(("ours", "theirs", "reason"), [
    ("john.doe@gmail.com", "johndoe@gmail.com", "Gmail ignores dots"),
    ("john.doe@gmail.com", "john.doe+jobs@gmail.com", "+tags"),
    ("johndoe@googlemail.com", "john.doe@gmail.com", "googlemail.com is gmail.com"),
    ("dan@proton.me", "dan+upwork@proton.me", "+tags"),
])
def test_email_near_matches_are_labelled(ws, ours: str, theirs: str, reason: str) -> None:
    a = _case(ws, "A", ("email", ours))
    b = _case(ws, "B", ("email", theirs))
    [group] = _groups(ws, a)
    assert group["match"] == "near" and reason in group["reason"]
    assert group["reason"].startswith("same mailbox")
    assert [(c["ref"], c["value"]) for c in group["cases"]] == [(b, theirs)]
    assert reason in group["cases"][0]["reason"]


def test_dots_matter_outside_gmail(ws) -> None:
    a = _case(ws, "A", ("email", "john.doe@outlook.com"))
    _case(ws, "B", ("email", "johndoe@outlook.com"))
    assert links.links_for_case(ws, a) == []


def test_phone_near_matches(ws) -> None:
    a = _case(ws, "A", ("phone", "+1 520 555 0142"))
    b = _case(ws, "B", ("phone", "(520) 555-0142"))  # no country code: kept raw, flagged
    c = _case(ws, "C", ("phone", "+44 5205 550142"))
    groups = _groups(ws, a)
    assert [(g["match"], [x["ref"] for x in g["cases"]]) for g in groups] == [
        ("near", [b, c])]
    reasons = {x["ref"]: x["reason"] for x in groups[0]["cases"]}
    assert "no country code" in reasons[b]
    assert "another country code (+1 / +44)" in reasons[c]


def test_address_unit_and_formatting_near_matches(ws) -> None:
    a = _case(ws, "A", ("address", "1200 Oak Street, Tucson, AZ 85701"))
    b = _case(ws, "B", ("address", "Apt 4B, 1200 Oak St., Tucson AZ 85701"))
    c = _case(ws, "C", ("address", "1200 Oak Street, Tucson, AZ 85701, Unit 7"))
    d = _case(ws, "D", ("address", "1200 Oak Street Tucson-AZ 85701"))
    [group] = _groups(ws, a)
    assert group["match"] == "near"
    reasons = {x["ref"]: x["reason"] for x in group["cases"]}
    assert set(reasons) == {b, c, d}
    assert "unit" in reasons[b] and "unit" in reasons[c]
    assert "punctuation" in reasons[d]
    _case(ws, "E", ("address", "1300 Oak Street, Tucson, AZ 85701"))
    assert {x["ref"] for x in _groups(ws, a)[0]["cases"]} == {b, c, d}  # another number


def test_exact_and_near_are_separate_and_not_repeated(ws) -> None:
    a = _case(ws, "A", ("email", "jane.roe@gmail.com"), ("email", "janeroe@gmail.com"))
    b = _case(ws, "B", ("email", "janeroe@gmail.com"))
    c = _case(ws, "C", ("email", "jane.r.oe@gmail.com"))
    summary = _summary(ws, a)
    # B holds one of A's own values exactly: it is listed there, not again as a near match.
    assert ("email", "janeroe@gmail.com", "exact", (b,)) in summary
    assert ("email", "jane.roe@gmail.com", "near", (c,)) in summary
    assert ("email", "janeroe@gmail.com", "near", (c,)) in summary
    assert not any(m == "near" and b in refs for _k, _n, m, refs in summary)
    matches = [g["match"] for g in _groups(ws, a)]
    assert matches == sorted(matches, key=lambda m: m != "exact")  # exact first


def test_wallet_case_and_mac_separators_are_near(ws) -> None:
    a = _case(ws, "A", ("wallet", "0x52908400098527886E0F7030069857D2E4169EE7"),
              ("device", "A4:83:E7:12:34:56"))
    _case(ws, "B", ("wallet", "0x52908400098527886e0f7030069857d2e4169ee7"),
          ("device", "a4-83-e7-12-34-56"))
    reasons = {g["kind"]: (g["match"], g["reason"]) for g in _groups(ws, a)}
    assert reasons["wallet"] == ("near", "same wallet address apart from letter case")
    assert reasons["device"] == ("near", "same hardware address apart from separators")


def test_tipster_identity_never_links(ws) -> None:
    a = _case(ws, "A", ("email", "whistle@mail.example"), ("phone", "+1 520 555 0199"))
    tips.create_tip(ws, "I know who is behind it", channel="email", tipster_name="T. Ipster",
                    tipster_contact="whistle@mail.example", relationship="+1 520 555 0199")
    assert links.links_for_case(ws, a) == []
    assert [g.counts["tips"] for g in links.links_for_identifier(
        ws, "email", "whistle@mail.example")] == [0]


def test_deleting_an_identifier_removes_its_links(ws) -> None:
    a = _case(ws, "A", ("email", "x.y@gmail.com"), ("phone", "+1 520 555 0177"))
    b_ref = cases.create_case(ws, "B").ref
    view = subjects.add_subject(ws, b_ref, "B", identifiers=[I("email", "xy@gmail.com"),
                                                            I("phone", "+15205550177")])
    assert {(g["kind"], g["match"]) for g in _groups(ws, a)} == {("email", "near"),
                                                                 ("phone", "exact")}
    for ident in view.identifiers:
        subjects.remove_identifier(ws, ident.id)
    assert _groups(ws, a) == []
    subjects.add_identifier(ws, view.subject.id, "email", "x.y+new@gmail.com")
    assert [(g["kind"], g["match"]) for g in _groups(ws, a)] == [("email", "near")]


def test_links_for_tip_and_for_identifier(ws) -> None:
    a = _case(ws, "A", ("handle", "@ghostcoder"), subject="Ghost")
    t1 = tips.create_tip(ws, "first", channel="hotline",
                         identifiers=[I("handle", "GhostCoder")]).tip
    t2 = tips.create_tip(ws, "second", channel="hotline",
                         identifiers=[I("handle", "@ghostcoder")]).tip
    [group] = [g.to_json() for g in links.links_for_tip(ws, t1.ref)]
    assert [c["ref"] for c in group["cases"]] == [a]
    assert [t["ref"] for t in group["tips"]] == [t2.ref]  # not the tip itself
    found = links.links_for_identifier(ws, "handle", "@GHOSTCODER")
    assert [(g.match, g.counts) for g in found] == [
        ("exact", {"cases": 1, "subjects": 1, "tips": 2})]
    assert links.links_for_identifier(ws, "handle", "ghostcoder", exclude_case_ref=a)[0] \
        .counts == {"cases": 0, "subjects": 0, "tips": 2}
    near = links.links_for_identifier(ws, "email", "ghost.coder@gmail.com")
    assert near == []


def test_near_reason_helper() -> None:
    assert links.near_reason("email", "a.b@gmail.com", "ab+x@gmail.com") == (
        "same mailbox: Gmail ignores dots in the name; +tags are ignored by the mail provider")
    assert "country code" in links.near_reason("phone", "+15205550142", "+445205550142")

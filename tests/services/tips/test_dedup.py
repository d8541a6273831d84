"""De-duplication of tips: shared identifiers, near-identical text, false positives, decisions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from caseapp.services.cases.subjects import IdentifierInput as Ident
from caseapp.services.errors import Conflict, InvalidInput
from caseapp.services.tips import tips
from caseapp.services.tips.dedup import SIMILARITY_THRESHOLD, ContentIndex

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
ORIGINAL = ("The contractor Daniel Park ships his laptop to 1208 Larkspur Ct Apt 4B Millbrook "
            "NJ. He logs in at night via VPN.")
FORWARDED = ("Fwd: The contractor Daniel Park ships his company laptop to 1208 Larkspur Court "
             "Apt 4B, Millbrook NJ; he logs in at night via a VPN.")


def _save(ws, content: str, **kw):  # noqa: ANN001
    kw.setdefault("channel", "email")
    kw.setdefault("received_at", T0)
    return tips.create_tip(ws, content, **kw)


def test_shared_identifier_is_a_candidate_with_its_reason(ws) -> None:
    first = _save(ws, "Hotline caller names a contractor who never turns the camera on.",
                  identifiers=[Ident("phone", "+1 (206) 555-0187"),
                               Ident("email", "Alex.Morgan.QA@Mailbox.example")]).tip
    second = _save(ws, "Completely different wording: payroll changed the beneficiary.",
                   identifiers=[Ident("phone", "+1 206 555 0187")])
    assert [c.ref for c in second.candidates] == [first.ref]
    cand = second.candidates[0]
    assert cand.shared == (("phone", "+12065550187"),) and cand.similarity is None
    assert cand.reasons == ("shares phone +12065550187",) and cand.score == 85
    third = _save(ws, "Third wording entirely; shares both identifiers in other forms.",
                  identifiers=[Ident("phone", "0012065550187"),
                               Ident("email", "alex.morgan.qa@MAILBOX.EXAMPLE")])
    scores = {c.ref: c.score for c in third.candidates}
    assert scores == {first.ref: 100, second.tip.ref: 85}
    assert third.candidates[0].ref == first.ref  # best first
    assert tips.duplicate_candidates(ws, first.ref)[0].ref == third.tip.ref


def test_near_identical_text_is_a_candidate(ws) -> None:
    first = _save(ws, ORIGINAL).tip
    saved = _save(ws, FORWARDED, channel="hotline")
    assert [c.ref for c in saved.candidates] == [first.ref]
    cand = saved.candidates[0]
    assert SIMILARITY_THRESHOLD <= cand.similarity < 100
    assert cand.reasons == (f"similar content ({cand.similarity}%)",)
    same = _save(ws, ORIGINAL.upper().replace(".", "!"))
    assert same.candidates[0].reasons == ("same content",) and same.candidates[0].score == 100
    reordered = _save(ws, "He logs in at night via VPN. The contractor Daniel Park ships his "
                          "laptop to 1208 Larkspur Ct Apt 4B Millbrook NJ.")
    assert first.ref in [c.ref for c in reordered.candidates]


@pytest.mark.parametrize(("a", "b"), [
    # Same pattern, different people, places and payment: not the same lead.
    ("Contractor John Smith's laptop was shipped to 12 Oak Street, Springfield, and he asked "
     "to be paid in crypto.",
     "Contractor Mary Jones's laptop was shipped to 99 Elm Road, Riverside, and she asked to "
     "be paid by wire."),
    # Same topic and template, different subject and detail.
    ("I think the new QA contractor Alex Morgan uses a fake identity; his camera never works "
     "in meetings.",
     "I think the new backend contractor Daniel Park uses a fake identity; his camera never "
     "works in calls."),
    # A short tip whose words all appear in a longer, different one.
    ("Daniel Park is a fraud.",
     "Daniel Park is a fraud according to my colleague, who saw his payroll change request "
     "naming a third party in Hong Kong and a second laptop."),
    # Short texts that differ by one letter are compared for equality only.
    ("Call back at noon", "Call back at noor"),
    ("Caller reports a remote worker at Acme Corp whose voice changes between calls. Asked "
     "for follow up next week.",
     "Caller reports a remote worker at Beta Ltd whose time zone does not match his claimed "
     "city. Asked for follow up next week."),
])
def test_false_positives_do_not_match(ws, a: str, b: str) -> None:
    _save(ws, a)
    assert _save(ws, b).candidates == []


def test_mark_duplicate_follows_chains_and_refuses_loops(ws) -> None:
    a = _save(ws, ORIGINAL).tip
    b = _save(ws, FORWARDED).tip
    c = _save(ws, ORIGINAL + " Again.").tip
    marked = tips.mark_duplicate(ws, b.ref, a.ref)
    assert (marked.status, marked.duplicate_of) == ("duplicate", a.ref)
    # Decided: the pair is no longer offered either way.
    assert b.ref not in [x.ref for x in tips.duplicate_candidates(ws, a.ref)]
    assert a.ref not in [x.ref for x in tips.duplicate_candidates(ws, b.ref)]
    # c marked a duplicate of b resolves to the original a.
    assert tips.mark_duplicate(ws, c.ref, b.ref).duplicate_of == a.ref
    with pytest.raises(Conflict, match="itself"):
        tips.mark_duplicate(ws, a.ref, b.ref)  # b -> a: would loop back to a
    with pytest.raises(Conflict, match="itself"):
        tips.mark_duplicate(ws, a.ref, a.ref)
    reopened = tips.set_tip_status(ws, b.ref, "in-triage")
    assert reopened.status == "in-triage" and reopened.duplicate_of is None
    tips.set_tip_status(ws, a.ref, "closed")
    with pytest.raises(Conflict, match="cannot be marked a duplicate"):
        tips.mark_duplicate(ws, a.ref, b.ref)


def test_keep_separate_is_remembered_both_ways(ws) -> None:
    a = _save(ws, ORIGINAL, identifiers=[Ident("phone", "+1 512 555 0142")]).tip
    saved = _save(ws, FORWARDED, identifiers=[Ident("phone", "+15125550142")])
    assert [c.ref for c in saved.candidates] == [a.ref]
    tips.keep_separate(ws, saved.tip.ref, a.ref)
    assert tips.duplicate_candidates(ws, saved.tip.ref) == []
    assert tips.duplicate_candidates(ws, a.ref) == []
    assert tips.get_tip(ws, a.ref).kept_separate == (saved.tip.ref,)
    tips.keep_separate(ws, a.ref, saved.tip.ref)  # idempotent
    assert tips.get_tip(ws, a.ref).kept_separate == (saved.tip.ref,)
    # A third copy is still matched against both.
    third = _save(ws, ORIGINAL)
    assert {c.ref for c in third.candidates} == {a.ref, saved.tip.ref}
    with pytest.raises(InvalidInput):
        tips.keep_separate(ws, a.ref, a.ref)


def test_editing_content_rechecks_candidates(ws) -> None:
    a = _save(ws, ORIGINAL).tip
    b = _save(ws, "A different lead about someone else in another city entirely.")
    assert b.candidates == []
    again = tips.update_tip(ws, b.tip.ref, content=FORWARDED)
    assert [c.ref for c in again.candidates] == [a.ref]


def test_content_index_exact_and_similar() -> None:
    index = ContentIndex({1: "alpha beta gamma delta epsilon zeta", 2: "short"})
    assert index.find_exact("short") == 2 and index.find_exact("other") is None
    assert index.similar("short") == {2: 100}
    assert index.similar("alpha beta gamma delta epsilon zeta", exclude=[1]) == {}
    assert index.similar("zeta alpha beta gamma delta epsilon") == {1: 100}

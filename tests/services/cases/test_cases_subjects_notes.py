"""Cases, subjects, identifiers and notes through the services API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from caseapp.services.cases import cases, notes, subjects
from caseapp.services.cases.subjects import IdentifierInput
from caseapp.services.errors import Conflict, InvalidInput, NotFound


def test_case_refs_are_sequential_per_year(ws) -> None:
    a = cases.create_case(ws, "A", opened_at=datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
    b = cases.create_case(ws, "B", opened_at=datetime(2026, 1, 1, 1, 0, tzinfo=UTC))
    c = cases.create_case(ws, "C", opened_at=datetime(2026, 2, 1, tzinfo=UTC))
    assert (a.ref, b.ref, c.ref) == ("CASE-2025-0001", "CASE-2026-0001", "CASE-2026-0002")


def test_markup_kept_literally_control_characters_removed(ws) -> None:
    case = cases.create_case(ws, "  <b>Bold</b> & <font name=x>\x00\x07 title\nnext  ")
    assert case.title == "<b>Bold</b> & <font name=x> title next"
    assert cases.get_case(ws, case.ref.lower()).title == case.title


def test_empty_title_is_refused(ws) -> None:
    with pytest.raises(InvalidInput, match="title"):
        cases.create_case(ws, " \n\t ")
    assert cases.list_cases(ws) == []


def test_status_transitions(ws) -> None:
    case = cases.create_case(ws, "Status")
    assert cases.set_status(ws, case.ref, "In Review").status == "in-review"
    closed = cases.set_status(ws, case.ref, "closed")
    assert closed.closed_at is not None
    with pytest.raises(Conflict):
        cases.set_status(ws, case.ref, "escalated")
    with pytest.raises(InvalidInput, match="open, in-review"):
        cases.set_status(ws, case.ref, "archived")
    assert cases.set_status(ws, case.ref, "open").closed_at is None


def test_list_counts_subjects_and_exhibits(ws, tmp_path) -> None:
    case = cases.create_case(ws, "Counts", subject_name="Kim")
    subjects.add_subject(ws, case.ref, "Other")
    (tmp_path / "f.txt").write_text("x")
    from caseapp.services.evidence import evidence

    evidence.ingest_file(ws, case.ref, tmp_path / "f.txt")
    row = cases.list_cases(ws)[0]
    assert (row.subjects, row.exhibits) == (2, 1)
    assert cases.list_cases(ws, status="closed") == []


def test_subject_identifiers_normalised_and_flagged(ws) -> None:
    case = cases.create_case(ws, "Ids")
    view = subjects.add_subject(ws, case.ref, "김민준", aliases=["Kim Min-jun", " "],
                                identifiers=[IdentifierInput("e-mail", " Kim.MJ@Example.COM "),
                                             IdentifierInput("phone", "not a phone"),
                                             IdentifierInput("IP", "::ffff:192.0.2.1")])
    assert view.aliases == ["Kim Min-jun"]
    email, phone, ip = view.identifiers
    assert (email.kind, email.normalized, email.normalized_ok) == (
        "email", "kim.mj@example.com", True)
    assert phone.normalized_ok is False and phone.raw == "not a phone"
    assert ip.normalized == "192.0.2.1"
    listed = subjects.list_subjects(ws, case.ref)
    assert [i.raw for i in listed[0].identifiers] == [email.raw, phone.raw, ip.raw]


def test_bad_identifier_kind_writes_nothing(ws) -> None:
    case = cases.create_case(ws, "Bad kind")
    with pytest.raises(InvalidInput, match="identifier kind"):
        subjects.add_subject(ws, case.ref, "X", identifiers=[IdentifierInput("fax", "1")])
    assert subjects.list_subjects(ws, case.ref) == []


def test_shared_identifier_across_cases(ws) -> None:
    one = cases.create_case(ws, "One")
    two = cases.create_case(ws, "Two")
    subjects.add_subject(ws, one.ref, "A", identifiers=[IdentifierInput("phone", "+1 512 555 0142")])
    subjects.add_subject(ws, two.ref, "B", identifiers=[IdentifierInput("phone", "+15125550142")])
    hits = subjects.shared_identifiers(ws, "phone", "(+1) 512-555-0142",
                                       exclude_case_ref=one.ref)
    assert [(h.case_ref, h.subject_name) for h in hits] == [(two.ref, "B")]
    grouped = subjects.shared_for_case(ws, one.ref)
    assert list(grouped) == [("phone", "+15125550142")]


def test_notes_keep_history_and_zone(ws) -> None:
    case = cases.create_case(ws, "Notes")
    seoul = timezone(timedelta(hours=9))
    note = notes.add_note(ws, case.ref, "First <i>draft</i>",
                          occurred_at=datetime(2026, 3, 2, 10, 15, tzinfo=seoul))
    assert note.occurred_at == datetime(2026, 3, 2, 1, 15, tzinfo=UTC)
    assert note.recorded_at > note.occurred_at
    edited = notes.edit_note(ws, note.id, text="Second")
    assert edited.version == 2
    history = notes.note_history(ws, note.id)
    assert [(h.version, h.text) for h in history] == [(1, "First <i>draft</i>")]
    with pytest.raises(InvalidInput):
        notes.add_note(ws, case.ref, "naive", occurred_at=datetime(2026, 1, 1))
    kinds = [e.kind for e in notes.timeline(ws, case.ref)]
    assert "note" in kinds and "event" in kinds


def test_unknown_case_is_not_found(ws) -> None:
    with pytest.raises(NotFound):
        notes.add_note(ws, "CASE-1999-0001", "x")


def test_demo_timeline_opens_on_the_cases_opened_date(ws) -> None:
    """The case-opened event uses the case's opened date (not the day the record was
    written), so the demo's timeline reads in order: opened, notes, exhibits acquired."""
    from caseapp.services.cases import cases as cases_service
    from caseapp.services.cases import notes as notes_service
    from caseapp.services.maintenance import demo

    demo.load_demo(ws)
    for ref in ("CASE-2026-0001", "CASE-2026-0002", "CASE-2026-0003"):
        case = cases_service.get_case(ws, ref)
        entries = notes_service.timeline(ws, ref)
        assert entries[0].title == "Case opened" and entries[0].at == case.opened_at
        first_note = min(e.at for e in entries if e.kind == "note")
        assert entries[0].at <= first_note
        acquired = [e for e in entries if e.title.endswith(" acquired")]
        assert acquired and all(e.at >= case.opened_at for e in acquired)
        assert [e.at for e in entries] == sorted(e.at for e in entries)

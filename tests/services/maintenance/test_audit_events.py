"""The audit log read for people: events in words with case/record refs, filters, CSV."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from caseapp.services.maintenance import audit_events, demo
from caseapp.services.maintenance.audit_events import AuditFilter

CASE1, CASE3 = "CASE-2026-0001", "CASE-2026-0003"


def test_events_are_in_words_with_refs_and_no_reprs(ws) -> None:
    demo.load_demo(ws)
    events = audit_events.list_events(ws, limit=1000)
    assert events[0].id > events[-1].id  # newest first
    by_action = {}
    for ev in events:
        by_action.setdefault(ev.action, ev)
        # no raw ids or Python reprs in what people read
        for text in (ev.event, ev.summary, ev.record, *ev.detail_lines()):
            assert "['" not in text and "True" not in text and "False" not in text, text
        assert "." not in ev.event.split()[0]
    item = by_action["checklist.item-set"]
    assert item.event == "Red-flag item assessed" and item.case.startswith("CASE-")
    assert "checklist" not in item.record.lower() or item.record == "red-flag checklist"
    assert "→" in item.summary and "not assessed" in item.summary
    started = by_action["checklist.started"]
    assert "Lazy: yes" in started.detail_lines()
    subject = next(e for e in events if e.action == "subject.added" and e.case == CASE3)
    assert subject.record == "Li Wei" and "王伟" in subject.summary
    assert "Aliases: 王伟; Lee Way" in subject.full_text()
    note = by_action["note.added"]
    assert note.record.startswith("note of 2026-") and note.case.startswith("CASE-")
    exhibit = by_action["evidence.ingested"]
    assert exhibit.record.startswith("E-0")
    tip = by_action["tip.linked"]
    assert tip.record.startswith("TIP-") and tip.case.startswith("CASE-")
    assert audit_events.action_words("made.up-thing") == "Made: up thing"


def test_filters_by_case_action_actor_and_date(ws) -> None:
    demo.load_demo(ws)
    every = audit_events.list_events(ws, limit=1000)
    of_case = audit_events.list_events(ws, AuditFilter(case=CASE3), limit=1000)
    assert of_case and all(e.case == CASE3 for e in of_case)
    assert len(of_case) == len([e for e in every if e.case == CASE3])
    assert audit_events.count_events(ws, AuditFilter(case=CASE3)) == len(of_case)
    items = audit_events.list_events(ws, AuditFilter(actions=("checklist.item-set",)))
    assert items and {e.action for e in items} == {"checklist.item-set"}
    actions, actors = audit_events.distinct_values(ws)
    assert "case.created" in actions and actors
    assert audit_events.count_events(ws, AuditFilter(actor=actors[0])) == len(every)
    assert audit_events.count_events(ws, AuditFilter(actor="nobody")) == 0
    later = datetime.now(UTC) + timedelta(days=1)
    assert audit_events.count_events(ws, AuditFilter(since=later)) == 0
    assert audit_events.count_events(ws, AuditFilter(until=later)) == len(every)
    # paging through a filter
    first = audit_events.list_events(ws, AuditFilter(case=CASE3), limit=3)
    rest = audit_events.list_events(ws, AuditFilter(case=CASE3), before_id=first[-1].id,
                                    limit=1000)
    assert [e.id for e in first + rest] == [e.id for e in of_case]


def test_csv_export_of_the_filtered_log(ws, tmp_path: Path) -> None:
    demo.load_demo(ws)
    from caseapp.services.cases import cases

    cases.create_case(ws, "=HYPERLINK(\"http://x\")")  # a formula-looking title
    dest = tmp_path / "audit.csv"
    count = audit_events.write_csv(ws, AuditFilter(case=CASE1), dest)
    with open(dest, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == audit_events.CSV_COLUMNS
    assert len(rows) - 1 == count == audit_events.count_events(ws, AuditFilter(case=CASE1))
    assert all(r[4] == CASE1 for r in rows[1:])
    assert any(r[3] == "Red-flag item assessed" for r in rows[1:])
    every = tmp_path / "all.csv"
    audit_events.write_csv(ws, None, every)
    text = every.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and not (tmp_path / "all.csv.part").exists()


def test_profile_entries_read_as_words(ws) -> None:
    from caseapp.services import investigator
    from caseapp.services.cases import cases

    investigator.set_profile(ws, "Jane Doe", organisation="Acme")
    cases.create_case(ws, "After the profile")
    newest, profile_set = audit_events.list_events(ws, limit=2)
    assert newest.actor == "Jane Doe (Acme)" and "OS account: " in newest.full_text()
    assert profile_set.event == "Investigator profile set"

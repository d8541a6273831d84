"""The case list (raw rows for the app, list_cases with datetimes): counts, order, filter."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from caseapp.services.cases import caselist, cases, subjects
from caseapp.services.evidence import evidence


def test_case_list_matches_list_cases(ws, tmp_path: Path) -> None:
    a = cases.create_case(ws, "Alpha 김", opened_at=datetime(2025, 5, 1, 8, 30, tzinfo=UTC)).ref
    b = cases.create_case(ws, "Beta").ref
    subjects.add_subject(ws, a, "X")
    subjects.add_subject(ws, a, "Y")
    for name in ("1.txt", "2.txt"):
        (tmp_path / name).write_text(name, encoding="utf-8")
        evidence.ingest_file(ws, b, tmp_path / name)
    evidence.withdraw(ws, b, "E-002", "duplicate")
    fast = caselist.case_list(ws)
    slow = cases.list_cases(ws)
    assert [r.ref for r in fast] == [r.ref for r in slow] == [b, a]
    for f, s in zip(fast, slow, strict=True):
        assert (f.id, f.title, f.status, f.priority, f.subjects, f.exhibits, f.risk,
                f.risk_band) == (s.id, s.title, s.status, s.priority, s.subjects, s.exhibits,
                                 s.risk, s.risk_band)
        assert caselist.as_utc(f.updated_at) == s.updated_at
        assert caselist.as_utc(f.opened_at) == s.opened_at
    assert (fast[1].subjects, fast[0].exhibits) == (2, 1)
    assert caselist.as_utc(fast[1].opened_at) == datetime(2025, 5, 1, 8, 30, tzinfo=UTC)
    # Counted from the data itself: b has no subject, a no exhibit; withdrawn ones not counted.
    assert (fast[0].subjects, fast[1].exhibits) == (0, 0)
    cases.set_status(ws, a, "in-review")
    assert [r.ref for r in cases.list_cases(ws, status="In Review")] == [a]
    assert cases.list_cases(ws, status="closed") == []


def test_as_utc_accepts_datetimes_and_none() -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)
    assert caselist.as_utc(naive) == naive.replace(tzinfo=UTC)
    assert caselist.as_utc(None) is None
    assert caselist.as_utc("2026-01-02 03:04:05.000001").microsecond == 1

"""The batched CSV path (``read_csv_stream`` + ``SignInEngine.feed_batch``, what the importer
runs) gives the same rows, errors, observations and findings as the row-by-row path
(``read_csv`` + ``feed``) on awkward input: a BOM, quoted newlines, bad times, unknown
results, short and blank rows, missing optional columns, a CSV syntax error, batches split
across templates."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from caseapp.domain.signals import csvlog
from caseapp.domain.signals import engine as E
from caseapp.domain.signals.parse import OtherAccount, read_csv, read_csv_stream
from caseapp.domain.signals.refdata import ProviderList, RangeTable
from caseapp.domain.signals.rows import RowError, SignIn, SignInBatch
from caseapp.resources_access import resource

RANGES = RangeTable.from_text(resource("signals", "egress_ranges.csv").read_text("utf-8"))
PROVIDERS = ProviderList.from_text(resource("signals", "vpn_providers.csv").read_text("utf-8"))
SUBJECTS = {1: E.SubjectProfile(1, "Jane Roe", "Austin, TX", "US", 30.27, -97.74, -6.0,
                                "America/Chicago"),
            2: E.SubjectProfile(2, "Carl Control", "Austin, TX", "US", 30.27, -97.74, -6.0,
                                "America/Chicago")}
START = datetime(2026, 3, 2, tzinfo=UTC)


def _owner(account: str) -> int | None:
    folded = account.lower()
    return 1 if folded.startswith("jane") else 2 if folded.startswith("carl") else None


def _log() -> str:
    """A generic log with no device_id column (optional), starting with a BOM."""
    out = ["\ufeffuser,time,ip,user_agent,result"]
    for day in range(6):
        at = START + timedelta(days=day)
        # the suspect: an Asian working day through a VPN, the control: Austin office hours
        for hour in (1, 3, 5):
            out.append(f"jane.roe@example.com,{(at + timedelta(hours=hour)).isoformat()},"
                       f"192.0.2.10,\"UA line one\nline two\",success")
        for hour in (15, 17, 19):
            out.append(f"carl@example.com,{(at + timedelta(hours=hour)).isoformat()},"
                       "192.0.2.70,UA,Success")
    out += ["jane.roe@example.com,not a time,192.0.2.10,UA,success",
            "jane.roe@example.com,2026-03-09T01:00:00,192.0.2.10,UA,success",  # naive
            "jane.roe@example.com,2026-03-09T02:00:00Z,192.0.2.10,UA,maybe",
            "jane.roe@example.com,2026-03-09T03:00:00Z,192.0.2.10",  # short: result ""
            "carl@example.com,2026-03-09T04:00:00Z,192.0.2.70,UA,failure",
            "someone@else.example,not a time,192.0.2.99,UA,success",
            ",,,,",
            "",
            "JANE.ROE@example.com,\"Mar 9, 2026, 10:00:00 AM GMT-5\",192.0.2.10,UA,ok",
            f"carl@example.com,2026-03-09T05:00:00Z,192.0.2.70,{'x' * 200_000},success",
            "jane.roe@example.com,2026-03-09T06:00:00Z,192.0.2.10,UA,success"]
    return "\n".join(out) + "\n"


def _row_by_row(text: str) -> tuple[list[Any], E.SignInEngine]:
    _fmt, rows = read_csv(io.StringIO(text, newline=""),
                          keep=lambda a: _owner(a) is not None)
    out = list(rows)
    engine = E.SignInEngine(SUBJECTS, RANGES, PROVIDERS)
    for row in out:
        if isinstance(row, SignIn):
            sid = _owner(row.account)
            assert sid is not None
            engine.feed(sid, row)
    return out, engine


def _batched(text: str) -> tuple[list[Any], E.SignInEngine, int]:
    _fmt, stream = read_csv_stream(io.StringIO(text, newline=""), owner=_owner)
    engine = E.SignInEngine(SUBJECTS, RANGES, PROVIDERS)
    out: list[Any] = []
    batches = 0
    for item in stream:
        if isinstance(item, SignInBatch):
            batches += 1
            engine.feed_batch(item)
            for line, row in csvlog.expand(item):
                out.append(OtherAccount(line, row[1]) if isinstance(row, tuple) else row)
        else:
            out.append(item)
    return out, engine, batches


def _findings(engine: E.SignInEngine) -> list[tuple[Any, ...]]:
    return [(f.rule.name, f.subject_id, f.key, f.lines, f.line_count, f.score, f.summary,
             f.detail) for f in engine.finish()]


@pytest.fixture
def default_csv_field_limit() -> Iterator[None]:
    """The csv module's own field limit: the tips importer raises it for the whole process
    when it is imported, and the long cell below must stay a CSV syntax error."""
    previous = csv.field_size_limit(131072)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


@pytest.mark.usefixtures("default_csv_field_limit")
@pytest.mark.parametrize("batch_rows", [csvlog.BATCH_ROWS, 1, 4])
def test_batched_path_matches_row_by_row(monkeypatch: pytest.MonkeyPatch,
                                         batch_rows: int) -> None:
    monkeypatch.setattr(csvlog, "BATCH_ROWS", batch_rows)
    text = _log()
    assert len(text) > csv.field_size_limit()  # the long cell is a CSV syntax error
    rows, slow = _row_by_row(text)
    batched, fast, batches = _batched(text)
    assert batches > (1 if batch_rows < 10 else 0)

    assert batched == rows
    assert slow.observations == fast.observations
    assert [slow.hours(s) for s in SUBJECTS] == [fast.hours(s) for s in SUBJECTS]
    assert [slow.hours_local(s) for s in SUBJECTS] == [fast.hours_local(s) for s in SUBJECTS]
    assert _findings(slow) == _findings(fast)

    # ...and what both say is right: physical line numbers past the quoted newlines (each
    # suspect row takes two lines), the BOM stripped off the header, errors by line.
    signins = [r for r in rows if isinstance(r, SignIn)]
    assert signins[0].line == 2 and signins[0].user_agent == "UA line one\nline two"
    assert signins[1].line == 4 and signins[3].line == 8  # the control's first row
    assert signins[0].device_id == ""  # no device_id column
    first_odd = 2 + 6 * 9  # header + 6 days x (3 two-line rows + 3 rows)
    tail = [r for r in rows if r.line >= first_odd]
    assert [(type(r).__name__, r.line) for r in tail] == [
        ("RowError", first_odd), ("RowError", first_odd + 1), ("RowError", first_odd + 2),
        ("SignIn", first_odd + 3), ("SignIn", first_odd + 4),
        ("OtherAccount", first_odd + 5), ("SignIn", first_odd + 8),
        ("RowError", first_odd + 9)]
    errors = [r.error for r in tail if isinstance(r, RowError)]
    assert "time" in errors[0] and "zone" in errors[1]
    assert "success/failure" in errors[2]
    assert "CSV syntax error" in errors[3] and "x" * 50 not in errors[3]
    short, failed, human = (r for r in tail if isinstance(r, SignIn))
    assert short.ok is None and short.user_agent == ""  # a short row: missing cells are ""
    assert failed.ok is False and human.at == datetime(2026, 3, 9, 15, tzinfo=UTC)
    # the row after the syntax error is not read
    assert all(r.line < first_odd + 10 for r in rows)

    names = {(f[0], f[1]) for f in _findings(fast)}
    assert ("vpn-egress", 1) in names and ("working-hours", 1) in names
    assert not any(subject == 2 for _rule, subject in names)  # the control stays silent


def test_a_stretch_of_errors_or_skipped_rows_is_cut_into_batches(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The importer checks cancel and progress between batches: rows that are all errors
    (or Okta events that are no sign-ins) must not pile up in one batch."""
    monkeypatch.setattr(csvlog, "BATCH_ROWS", 10)
    naive = "".join(f"jane.roe@example.com,2026-03-09T01:00:{n % 60:02d},192.0.2.1,UA,ok\n"
                    for n in range(35))
    _fmt, stream = read_csv_stream(io.StringIO("user,time,ip,user_agent,result\n" + naive,
                                               newline=""), owner=_owner)
    batches = list(stream)
    assert [len(b.errors) for b in batches] == [10, 10, 10, 5]  # type: ignore[union-attr]
    okta = ("eventType,published,actor.alternateId,client.ipAddress,outcome.result\n"
            + "user.account.lock,2026-03-09T01:00:00Z,jane.roe@example.com,192.0.2.1,"
              "SUCCESS\n" * 25
            + "user.session.start,2026-03-09T02:00:00Z,jane.roe@example.com,192.0.2.1,"
              "SUCCESS\n")
    _fmt, stream = read_csv_stream(io.StringIO(okta, newline=""), owner=_owner)
    batches = list(stream)
    assert len(batches) == 3 and [b.size for b in batches] == [0, 0, 1]  # type: ignore[union-attr]


def test_template_tables_stay_bounded_on_a_log_of_distinct_rows(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every row has its own user agent, so every row is a template: the reader starts new
    tables once MAX_TEMPLATES are held, and the rows, observations and findings stay what
    the row-by-row path gives (control: without the bound one table holds every row)."""
    monkeypatch.setattr(csvlog, "BATCH_ROWS", 50)
    out = ["user,time,ip,user_agent,result"]
    for n in range(1200):
        at = (START + timedelta(minutes=7 * n)).isoformat()
        who = ("jane.roe@example.com", "carl@example.com", f"nobody{n}@else.example")[n % 3]
        out.append(f"{who},{at},192.0.2.{10 + n % 3},UA {n},success")
    text = "\n".join(out) + "\n"
    rows, slow = _row_by_row(text)

    def tables(limit: int) -> tuple[list[int], list[Any], E.SignInEngine]:
        monkeypatch.setattr(csvlog, "MAX_TEMPLATES", limit)
        _fmt, stream = read_csv_stream(io.StringIO(text, newline=""), owner=_owner)
        engine = E.SignInEngine(SUBJECTS, RANGES, PROVIDERS)
        sizes: list[int] = []
        got: list[Any] = []
        for item in stream:
            assert isinstance(item, SignInBatch)
            engine.feed_batch(item)
            sizes.append(len(item.templates))
            got += [OtherAccount(line, r[1]) if isinstance(r, tuple) else r
                    for line, r in csvlog.expand(item)]
        return sizes, got, engine

    sizes, got, fast = tables(200)
    assert max(sizes) <= 200 + 50 and len(sizes) == 24
    assert any(after < before for before, after in pairwise(sizes))  # new tables
    assert got == rows
    assert slow.observations == fast.observations
    assert _findings(slow) == _findings(fast) and _findings(fast)
    unbounded, got, _engine = tables(10**9)
    assert max(unbounded) == 800 and got == rows  # the control: one template per sign-in

"""Format detection and parsing of each documented export shape; row errors by line."""

from __future__ import annotations

import io

import pytest

from caseapp.domain.signals.parse import looks_like_json, read_csv, read_json
from caseapp.domain.signals.rows import InventoryItem, RowError, SignalFormat, SignIn
from caseapp.domain.signals.times import parse_time
from tests.domain import signals_fixtures as fx


def _csv(text: str, fmt: SignalFormat | None = None):
    found, rows = read_csv(io.StringIO(text, newline=""), fmt)
    return found, list(rows)


def test_entra_csv_detected_parsed_and_bad_time_reported_by_line() -> None:
    fmt, rows = _csv(fx.ENTRA_CSV)
    assert fmt is SignalFormat.ENTRA
    first, second, bad = rows
    assert isinstance(first, SignIn) and first.line == 2
    assert (first.account, first.ip, first.country, first.city, first.ok, first.managed) == (
        "jane.roe@example.com", "192.0.2.10", "US", "Dallas", True, False)
    assert isinstance(second, SignIn) and second.device_id == "dev-1" and second.country == "CN"
    assert isinstance(bad, RowError) and bad.line == 4 and "time" in bad.error


def test_entra_json_value_list_with_lines() -> None:
    fmt, rows = read_json(fx.ENTRA_JSON)
    rows = list(rows)
    assert fmt is SignalFormat.ENTRA
    assert [type(r) for r in rows] == [SignIn, SignIn]
    assert rows[0].latitude == 32.78 and rows[0].ok is True and rows[0].managed is False
    assert rows[1].ok is False
    assert rows[0].line < rows[1].line and rows[0].line > 1


def test_okta_json_skips_non_signin_events_and_reports_missing_actor() -> None:
    fmt, rows = read_json(fx.OKTA_JSON)
    rows = list(rows)
    assert fmt is SignalFormat.OKTA
    assert isinstance(rows[0], SignIn) and rows[0].country == "NL"
    assert rows[0].latitude == 52.37 and rows[0].ok is True
    assert len(rows) == 2 and isinstance(rows[1], RowError) and "user" in rows[1].error


def test_okta_csv_dotted_columns() -> None:
    fmt, rows = _csv(fx.OKTA_CSV)
    assert fmt is SignalFormat.OKTA
    assert len(rows) == 1 and isinstance(rows[0], SignIn) and rows[0].device_id == "d-9"


def test_google_workspace_login_audit_csv() -> None:
    fmt, rows = _csv(fx.GWS_CSV)
    assert fmt is SignalFormat.GWORKSPACE
    assert [r.line for r in rows] == [2, 4]
    ok, failed = rows
    assert isinstance(ok, SignIn) and ok.ok is True
    assert isinstance(failed, SignIn) and failed.ok is False
    assert failed.at.isoformat() == "2026-03-02T08:15:00+00:00"


def test_generic_csv_requires_zone_and_known_result() -> None:
    fmt, rows = _csv(fx.GENERIC_CSV)
    assert fmt is SignalFormat.GENERIC
    assert isinstance(rows[0], SignIn) and rows[0].at.hour == 15
    assert isinstance(rows[1], RowError) and rows[1].line == 3 and "zone" in rows[1].error
    assert isinstance(rows[2], RowError) and "success/failure" in rows[2].error


def test_inventory_generic_and_mde() -> None:
    fmt, rows = _csv(fx.INVENTORY_CSV)
    assert fmt is SignalFormat.INVENTORY
    assert isinstance(rows[1], InventoryItem) and rows[1].vendor_id == "1d6b"
    assert isinstance(rows[4], RowError) and rows[4].line == 6
    fmt, rows = _csv(fx.MDE_CSV)
    assert fmt is SignalFormat.MDE
    process, usb = rows
    assert isinstance(process, InventoryItem) and process.name == "TeamViewer.exe"
    assert isinstance(usb, InventoryItem) and (usb.vendor_id, usb.product_id) == ("1d6b", "0104")
    assert usb.name == "PiKVM Composite Device"


def test_unknown_header_and_wrong_forced_format_refused() -> None:
    with pytest.raises(ValueError, match="matches no known export"):
        _csv("a,b,c\n1,2,3\n")
    with pytest.raises(ValueError, match="not a okta export"):
        _csv(fx.ENTRA_CSV, SignalFormat.OKTA)
    with pytest.raises(ValueError, match="neither"):
        read_json('[{"x": 1}]')


def test_broken_json_reports_line_and_stops() -> None:
    _fmt, rows = read_json('[\n{"published": "2026-03-02T01:00:00Z", "eventType": '
                           '"user.session.start", "actor": {"alternateId": "a@b.c"}},\n'
                           '{"published": oops}\n]')
    rows = list(rows)
    assert isinstance(rows[0], SignIn) and isinstance(rows[1], RowError)
    assert rows[1].line == 3
    assert looks_like_json(" [") and not looks_like_json("user,time")


def test_parse_time_forms() -> None:
    assert parse_time("2026-03-02T01:00:00Z", naive_is_utc=False).hour == 1
    assert parse_time("3/2/2026, 1:00:00 PM", naive_is_utc=True).hour == 13
    with pytest.raises(ValueError, match="no zone"):
        parse_time("2026-03-02 01:00:00", naive_is_utc=False)


def test_rows_of_accounts_not_kept_are_counted_not_validated() -> None:
    from caseapp.domain.signals.parse import OtherAccount

    text = ("user,time,ip,user_agent,device_id,result\n"
            "other@example.com,not-a-time,192.0.2.1,UA,,success\n"
            "jane.roe@example.com,2026-03-02T01:00:00Z,192.0.2.1,UA,,success\n")
    _fmt, rows = read_csv(io.StringIO(text, newline=""),
                          keep=lambda a: a.startswith("jane"))
    other, kept = list(rows)
    assert other == OtherAccount(2, "other@example.com")
    assert isinstance(kept, SignIn) and kept.line == 3


def test_generic_times_offsets_and_results_read_per_row_despite_caches() -> None:
    """The fast paths (ISO times read in C, result words and kept accounts remembered) give
    the same rows as the slow ones: offsets converted to UTC, a naive time and an unknown
    result still row errors on every line, kept/not-kept decided per account."""
    text = ("user,time,ip,user_agent,device_id,result\n"
            "jane.roe@example.com,2026-03-02T10:00:00+02:00,192.0.2.1,UA,,Success\n"
            "jane.roe@example.com,2026-03-02T10:00:00,192.0.2.1,UA,,success\n"
            "jane.roe@example.com,2026-03-02T10:00:00Z,192.0.2.1,UA,,maybe\n"
            "jane.roe@example.com,2026-03-02T10:00:00Z,192.0.2.1,UA,,maybe\n"
            "jane.roe@example.com,\"Mar 2, 2026, 10:00:00 AM GMT-5\",192.0.2.1,UA,,FAILURE\n"
            "other@example.com,2026-03-02T10:00:00Z,192.0.2.1,UA,,success\n"
            ",,,,,\n"
            "Jane.Roe@example.com,2026-03-02T11:00:00Z,192.0.2.1,UA,,Success\n")
    seen: list[str] = []

    def keep(account: str) -> bool:
        seen.append(account)
        return account.lower().startswith("jane")

    _fmt, rows = read_csv(io.StringIO(text, newline=""), keep=keep)
    out = list(rows)
    assert isinstance(out[0], SignIn) and out[0].at.isoformat() == "2026-03-02T08:00:00+00:00"
    assert out[0].ok is True
    assert isinstance(out[1], RowError) and "zone" in out[1].error and out[1].line == 3
    assert [type(r).__name__ for r in out[2:4]] == ["RowError", "RowError"]
    assert all("success/failure" in r.error for r in out[2:4])  # type: ignore[union-attr]
    assert isinstance(out[4], SignIn) and out[4].at.hour == 15 and out[4].ok is False
    assert type(out[5]).__name__ == "OtherAccount" and out[5].line == 7
    assert isinstance(out[6], SignIn) and out[6].line == 9 and out[6].account[0] == "J"
    assert len(out) == 7  # the blank row is skipped
    assert seen == ["jane.roe@example.com", "other@example.com", "Jane.Roe@example.com"]

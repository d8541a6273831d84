"""signals import on a real encrypted store: exhibit with custody, rows, identifiers,
findings (suspect fires, control silent), accept/dismiss, atomicity."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from caseapp.domain.models import (
    AuditEntry,
    CustodyEvent,
    Evidence,
    Identifier,
    SignalFinding,
    SignalImport,
    SignalObservation,
)
from caseapp.domain.progress import Cancelled
from caseapp.services.cases.cases import create_case
from caseapp.services.cases.subjects import IdentifierInput, add_subject
from caseapp.services.errors import Conflict, InvalidInput
from caseapp.services.redflags.checklists import get_checklist
from caseapp.services.signals.findings import accept_finding, dismiss_finding, list_findings
from caseapp.services.signals.importer import import_signals
from tests.domain import signals_fixtures as fx
from tests.services.signals.helpers import make_case, signin_log


def _rules(report_findings, subject: str) -> set[str]:
    return {f["rule"] for f in report_findings if f["subject"] == subject}


def test_import_records_exhibit_rows_identifiers_and_findings(ws, tmp_path: Path) -> None:
    ref = make_case(ws)
    report = import_signals(ws, ref, signin_log(tmp_path / "signins.csv"))
    assert report.format == "generic" and report.exhibit == "E-001"
    assert report.rows == 53 and report.attributed == 52
    assert report.unattributed == {"stranger@example.com": 1}
    assert [(e.line, "time" in e.error) for e in report.errors] == [(55, True)]
    assert _rules(report.findings, "Jane Roe") == {
        "vpn-egress", "geo-vs-residence", "impossible-travel", "working-hours"}
    assert _rules(report.findings, "Carl Control") == set()
    vpn = next(f for f in report.findings if f["rule"] == "vpn-egress")
    assert vpn["exhibit"] == "E-001" and vpn["lines"][:2] == [2, 3] and vpn["version"] == 1
    assert {d["name"] for d in vpn["data"]} >= {"caseapp egress ranges (seed)"}
    with ws.session() as session:
        evidence = session.exec(select(Evidence)).one()
        actions = [c.action for c in session.exec(select(CustodyEvent)).all()]
        assert evidence.sha256 and "ingested" in actions and "acquired" in actions
        imp = session.exec(select(SignalImport)).one()
        assert imp.evidence_id == evidence.id and imp.rows == 53
        obs = session.exec(select(SignalObservation)).all()
        assert sum(o.count for o in obs) == 52
        jane_ips = {i.normalized for i in session.exec(select(Identifier).where(
            Identifier.kind == "ip")).all()}
        assert {"192.0.2.10", "198.51.100.7", "203.0.113.5", "192.0.2.70"} <= jane_ips
        devices = {i.raw for i in session.exec(select(Identifier).where(
            Identifier.kind == "device")).all()}
        assert devices == {"LAP-77", "LAP-12"}
        assert session.exec(select(AuditEntry).where(
            AuditEntry.action == "signals.imported")).one()


def test_reimport_same_file_refused_and_leaves_store_unchanged(ws, tmp_path: Path) -> None:
    ref = make_case(ws)
    path = signin_log(tmp_path / "s.csv")
    import_signals(ws, ref, path)
    with pytest.raises(Conflict, match="already imported"):
        import_signals(ws, ref, path)
    with ws.session() as session:
        assert len(session.exec(select(SignalImport)).all()) == 1
        assert len(session.exec(select(Evidence)).all()) == 1


def test_cancel_and_bad_header_leave_nothing(ws, tmp_path: Path) -> None:
    ref = make_case(ws)
    big = tmp_path / "big.csv"
    rows = ["user,time,ip,user_agent,device_id,result"] + [
        f"jane.roe@example.com,2026-03-02T01:{i % 60:02d}:00Z,192.0.2.10,UA,,success"
        for i in range(12000)]
    big.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(Cancelled):
        import_signals(ws, ref, big, cancel=lambda: True)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="matches no known export"):
        import_signals(ws, ref, bad)
    with ws.session() as session:
        assert session.exec(select(Evidence)).all() == []
        assert session.exec(select(SignalImport)).all() == []
        assert session.exec(select(Identifier).where(Identifier.kind == "ip")).all() == []
    assert not any(p.is_file() for p in (ws.home / "vault").rglob("*")
                   if p.name != ".lock" and ".incoming" not in p.parts)


def test_shared_egress_across_cases_and_control_silent(ws, tmp_path: Path) -> None:
    other = create_case(ws, "Other case")
    add_subject(ws, other.ref, "Other Worker",
                identifiers=[IdentifierInput("ip", "192.0.2.10")])
    ref = make_case(ws)
    report = import_signals(ws, ref, signin_log(tmp_path / "s.csv"))
    shared = [f for f in report.findings if f["rule"] == "shared-egress"]
    assert [(f["subject"], f["detail"]["value"]) for f in shared] == [
        ("Jane Roe", "192.0.2.10")]
    assert other.ref in shared[0]["summary"]


def test_inventory_import_finds_tools_and_kvm(ws, tmp_path: Path) -> None:
    ref = create_case(ws, "Inventory").ref
    add_subject(ws, ref, "Jane Roe", identifiers=[IdentifierInput("email",
                                                                  "jane.roe@example.com")])
    add_subject(ws, ref, "Sam Poe", identifiers=[IdentifierInput("email",
                                                                 "sam.poe@example.com")])
    path = tmp_path / "inventory.csv"
    path.write_text(fx.INVENTORY_CSV, encoding="utf-8")
    report = import_signals(ws, ref, path)
    assert report.format == "inventory" and [e.line for e in report.errors] == [6]
    assert {(f["subject"], f["rule"]) for f in report.findings} == {
        ("Jane Roe", "remote-tools"), ("Jane Roe", "kvm-hardware")}
    assert report.data[0].name.startswith("caseapp remote-control")


def test_entra_json_and_okta_fixtures_import(ws, tmp_path: Path) -> None:
    ref = make_case(ws)
    entra = tmp_path / "entra.json"
    entra.write_text(fx.ENTRA_JSON, encoding="utf-8")
    report = import_signals(ws, ref, entra)
    assert report.format == "entra" and report.attributed == 2
    assert "vpn-egress" in _rules(report.findings, "Jane Roe")


def test_accept_attaches_to_item_without_state_change_and_dismiss_is_audited(
        ws, tmp_path: Path) -> None:
    ref = make_case(ws)
    import_signals(ws, ref, signin_log(tmp_path / "s.csv"))
    view = list_findings(ws, ref)
    vpn = next(f for f in view.findings if f["rule"] == "vpn-egress")
    hours = next(f for f in view.findings if f["rule"] == "working-hours")
    accepted = accept_finding(ws, ref, vpn["id"], note="Astrill range")
    assert accepted["status"] == "accepted"
    item = next(i for i in get_checklist(ws, ref).items
                if i.item.id == "technical.vpn-unusual-asn")
    assert item.state.value == "not-assessed"
    assert "E-001" in item.exhibits
    assert item.suggestion is not None and "vpn-egress" in item.suggestion.reason
    dismiss_finding(ws, ref, hours["id"], reason="night shift agreed")
    with pytest.raises(InvalidInput):
        dismiss_finding(ws, ref, hours["id"])
    with ws.session() as session:
        row = session.get(SignalFinding, hours["id"])
        assert row is not None and row.status == "dismissed"
        entry = session.exec(select(AuditEntry).where(
            AuditEntry.action == "signals.finding-dismissed")).one()
        assert "night shift" in entry.detail
    view = list_findings(ws, ref)
    assert [h.subject for h in view.hours] == ["Jane Roe", "Carl Control"]
    carl = view.hours[1]
    assert carl.score is not None and carl.score <= 0
    assert any(loc.place.startswith("Shenyang") for loc in view.locations)


@pytest.mark.parametrize(("name", "text", "fmt", "rows"), [
    ("entra.csv", fx.ENTRA_CSV, "entra", 2), ("entra.json", fx.ENTRA_JSON, "entra", 2),
    ("okta.json", fx.OKTA_JSON, "okta", 1), ("okta.csv", fx.OKTA_CSV, "okta", 1),
    ("gws.csv", fx.GWS_CSV, "gworkspace", 2), ("mde.csv", fx.MDE_CSV, "mde", 2),
])
def test_each_vendor_fixture_imports_through_the_service(ws, tmp_path: Path, name, text, fmt,
                                                         rows) -> None:
    ref = create_case(ws, f"Vendor {name}").ref
    add_subject(ws, ref, "Jane Roe", claimed_location="Austin, TX", identifiers=[
        IdentifierInput("email", "jane.roe@example.com")])
    add_subject(ws, ref, "Sam Poe", claimed_location="Seattle, WA", identifiers=[
        IdentifierInput("email", "sam.poe@example.com")])
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = import_signals(ws, ref, path)
    assert report.format == fmt and report.attributed == rows
    rules = {(f["subject"], f["rule"]) for f in report.findings}
    if fmt == "okta":  # Amsterdam NordVPN exit (documentation range) for a Seattle subject
        assert ("Sam Poe", "vpn-egress") in rules
    if fmt == "mde":
        assert rules == {("Jane Roe", "remote-tools"), ("Jane Roe", "kvm-hardware")}
    if fmt == "gworkspace":
        assert rules == set()  # Seattle residential range, a Seattle subject: silent


def test_cancel_is_checked_on_a_run_of_json_row_errors(ws, tmp_path: Path) -> None:
    """A JSON export of one sign-in and 12,000 objects that are no sign-in (row errors
    only): cancel is still asked, and a cancelled import leaves nothing; control: the same
    file without cancel imports with every error reported."""
    ref = make_case(ws)
    sign_in = {"createdDateTime": "2026-03-02T01:15:00Z",
               "userPrincipalName": "jane.roe@example.com", "ipAddress": "192.0.2.10",
               "status": {"errorCode": 0}}
    log = tmp_path / "errors.json"
    log.write_text(json.dumps({"value": [sign_in] + [7] * 12000}), encoding="utf-8")
    asked: list[str] = []

    def cancel() -> bool:  # the vault's copy asks too: only the parse's asks cancel
        asked.append(sys._getframe(1).f_code.co_name)
        return asked[-1] == "_parse"

    with pytest.raises(Cancelled):
        import_signals(ws, ref, log, cancel=cancel)
    assert "_parse" in asked
    with ws.session() as session:
        assert session.exec(select(SignalImport)).all() == []
    report = import_signals(ws, ref, log, cancel=lambda: False)
    assert report.attributed == 1 and len(report.errors) == 12000
    assert {e.error for e in report.errors} == {"not a JSON object"}

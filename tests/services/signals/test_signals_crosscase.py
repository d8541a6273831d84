"""shared-egress across cases is found for BOTH cases, whichever imports first; the earlier
case is re-evaluated in the new import's unit of work (its own rows cited, data version and
trigger recorded, audited); a hand-entered identifier alone gives the earlier case nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from caseapp.domain.models import AuditEntry
from caseapp.services.cases.cases import create_case
from caseapp.services.cases.subjects import IdentifierInput, add_subject
from caseapp.services.maintenance import verify
from caseapp.services.redflags.checklists import get_checklist
from caseapp.services.signals.findings import accept_finding, list_findings
from caseapp.services.signals.importer import import_signals


def _case(ws, title: str, name: str, email: str) -> str:  # type: ignore[no-untyped-def]
    ref = create_case(ws, title).ref
    add_subject(ws, ref, name, claimed_location="Austin, TX",
                identifiers=[IdentifierInput("email", email)])
    return ref


def _log(path: Path, email: str, ips: list[str], day: int) -> Path:
    lines = ["user,time,ip,user_agent,device_id,result"]
    for n, ip in enumerate(ips):
        lines.append(f"{email},2026-03-{day:02d}T1{n}:00:00Z,{ip},UA,,success")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _shared(ws, ref: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [f for f in list_findings(ws, ref).findings if f["rule"] == "shared-egress"]


@pytest.mark.parametrize("first_is_a", [True, False])
def test_both_cases_get_the_finding_in_either_order(ws, tmp_path: Path,
                                                    first_is_a: bool) -> None:
    a = _case(ws, "Case A", "Alex Morgan", "alex@a.example")
    b = _case(ws, "Case B", "Bo Park", "bo@b.example")
    log_a = _log(tmp_path / "a.csv", "alex@a.example", ["192.0.2.70", "203.0.113.5"], 2)
    log_b = _log(tmp_path / "b.csv", "bo@b.example", ["198.51.100.9", "203.0.113.5",
                                                       "203.0.113.5"], 3)
    order = [(a, log_a), (b, log_b)] if first_is_a else [(b, log_b), (a, log_a)]
    first = import_signals(ws, *order[0])
    assert first.reevaluated == {} and _shared(ws, order[0][0]) == []
    second = import_signals(ws, *order[1])
    earlier, later = order[0][0], order[1][0]
    # the later case's own finding, citing its own rows
    own = [f for f in second.findings if f["rule"] == "shared-egress"]
    assert [f["detail"]["value"] for f in own] == ["203.0.113.5"]
    assert earlier in own[0]["summary"]
    # the earlier case was re-evaluated: a finding citing ITS exhibit and line
    [found] = _shared(ws, earlier)
    assert second.to_json()["reevaluated"] == [{"case": earlier, "findings": [found["id"]]}]
    assert found["exhibit"] == "E-001" and found["status"] == "open"
    # the earlier case's own log holds 203.0.113.5 on line 3 (A) or lines 3 and 4 (B)
    assert found["lines"] == ([3] if first_is_a else [3, 4])
    assert found["line_count"] == (1 if first_is_a else 2)
    assert found["version"] == 1 and found["redflag_item"] == "logistics.laptop-farm"
    assert later in found["summary"] and found["detail"]["found_by"]["case"] == later
    assert {d["name"] for d in found["data"]} == {"caseapp egress ranges (seed)"}
    assert all(len(d["sha256"]) == 64 for d in found["data"])
    with ws.session() as session:
        entries = session.exec(select(AuditEntry).where(
            AuditEntry.action == "signals.reevaluated")).all()
    assert len(entries) == 1
    assert (entries[0].entity, entries[0].entity_id) == ("case", earlier)  # the ref, as others
    detail = json.loads(entries[0].detail)
    assert detail["case"] == earlier and detail["trigger"]["case"] == later
    assert detail["findings"] == [found["id"]] and detail["data"][0]["version"]
    assert verify.verify_store(ws).ok  # the earlier case's new state is vouched for
    # accepting it links the earlier case's own exhibit to the checklist item
    accept_finding(ws, earlier, found["id"])
    item = next(i for i in get_checklist(ws, earlier).items
                if i.item.id == "logistics.laptop-farm")
    assert "E-001" in item.exhibits


def test_hand_entered_identifier_and_unrelated_case_get_nothing(ws, tmp_path: Path) -> None:
    manual = create_case(ws, "Hand-entered").ref
    add_subject(ws, manual, "Kim Lee", identifiers=[IdentifierInput("ip", "203.0.113.5")])
    unrelated = _case(ws, "Unrelated", "Uma Roy", "uma@u.example")
    import_signals(ws, unrelated, _log(tmp_path / "u.csv", "uma@u.example",
                                       ["198.51.100.40"], 2))
    b = _case(ws, "Case B", "Bo Park", "bo@b.example")
    report = import_signals(ws, b, _log(tmp_path / "b.csv", "bo@b.example",
                                        ["203.0.113.5"], 3))
    assert [f["detail"]["value"] for f in report.findings
            if f["rule"] == "shared-egress"] == ["203.0.113.5"]
    assert report.reevaluated == {}
    assert _shared(ws, manual) == [] and _shared(ws, unrelated) == []
    with ws.session() as session:
        assert session.exec(select(AuditEntry).where(
            AuditEntry.action == "signals.reevaluated")).all() == []

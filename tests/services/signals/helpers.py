"""A case with a suspect and a clean control subject, and sign-in logs for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from caseapp.services.cases.cases import create_case
from caseapp.services.cases.subjects import IdentifierInput, add_subject

START = datetime(2026, 3, 2, tzinfo=UTC)


def make_case(ws, title: str = "Signals case") -> str:  # type: ignore[no-untyped-def]
    case = create_case(ws, title)
    add_subject(ws, case.ref, "Jane Roe", claimed_location="Austin, TX",
                identifiers=[IdentifierInput("email", "jane.roe@example.com")])
    add_subject(ws, case.ref, "Carl Control", claimed_location="Austin, TX",
                identifiers=[IdentifierInput("email", "carl.control@example.com")])
    return case.ref


def signin_log(path: Path, *, extra: str = "") -> Path:
    """Generic CSV: Jane signs in via the VPN range at UTC+8 hours, then from Shenyang an
    hour after Austin; Carl signs in from an Austin ISP in Austin office hours."""
    lines = ["user,time,ip,user_agent,device_id,result"]
    for day in range(5):
        for hour in range(1, 6):
            at = START + timedelta(days=day, hours=hour)
            lines.append(f"jane.roe@example.com,{at.isoformat()},192.0.2.10,UA,LAP-77,success")
        for hour in range(15, 20):
            at = START + timedelta(days=day, hours=hour)
            lines.append(f"carl.control@example.com,{at.isoformat()},192.0.2.70,UA,LAP-12,"
                         "success")
    at = START + timedelta(days=6, hours=2)
    lines.append(f"jane.roe@example.com,{at.isoformat()},203.0.113.5,UA,LAP-77,success")
    lines.append(f"jane.roe@example.com,{(at + timedelta(hours=1)).isoformat()},"
                 "198.51.100.7,UA,LAP-77,success")
    lines.append("stranger@example.com,2026-03-02T01:00:00Z,192.0.2.99,UA,,success")
    lines.append("jane.roe@example.com,yesterday,192.0.2.10,UA,,success")
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path

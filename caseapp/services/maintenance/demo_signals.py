"""Demo signals: a fictional sign-in log and endpoint inventory that trip several rules.

Daniel Park (claims Austin, TX) signs in through the demo VPN range during a UTC+9 working
day, once from a Seattle ISP address that Alex Morgan (case 2) also uses and an hour later
from Shenyang; his laptop runs AnyDesk with a PiKVM-style USB gadget attached. Alex Morgan
signs in from a Seattle ISP in Seattle office hours (the clean control, apart from the
shared address). All addresses are IETF documentation ranges.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from caseapp.services.signals.importer import import_signals
from caseapp.services.workspace import Workspace

_START = datetime(2026, 2, 2, tzinfo=UTC)
_DANIEL = "Daniel.Park.Dev+jobs@mailbox.example"
_ALEX = "alex.morgan.qa@mailbox.example"
_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0"


def _entra_csv() -> str:
    head = ("Date (UTC),Request ID,User agent,User,Username,Application,IP address,Location,"
            "Status,Device ID,Managed,Compliant\n")
    rows = []
    for day in range(10):
        for hour in (0, 1, 2, 3, 5, 6, 7):  # 09-17 at UTC+9, the small hours in Austin
            at = _START + timedelta(days=day, hours=hour, minutes=7 * hour % 60)
            rows.append(f"{at:%Y-%m-%dT%H:%M:%SZ},req-{day}-{hour},{_UA},Daniel Park,{_DANIEL},"
                        "Office 365,192.0.2.14,\"Dallas, Texas, US\",Success,,False,False")
    at = _START + timedelta(days=11, hours=1)
    rows.append(f"{at:%Y-%m-%dT%H:%M:%SZ},req-x1,{_UA},Daniel Park,{_DANIEL},Office 365,"
                "203.0.113.5,\"Seattle, Washington, US\",Success,LAP-DP-01,True,True")
    at += timedelta(hours=1)
    rows.append(f"{at:%Y-%m-%dT%H:%M:%SZ},req-x2,{_UA},Daniel Park,{_DANIEL},Office 365,"
                "198.51.100.23,\"Shenyang, Liaoning, CN\",Success,LAP-DP-01,True,True")
    rows.append(f"{at:%Y-%m-%dT%H:%M:%SZ},req-x3,{_UA},Daniel Park,{_DANIEL},Office 365,"
                "198.51.100.23,\"Shenyang, Liaoning, CN\",Failure,LAP-DP-01,True,True")
    return head + "\n".join(rows) + "\n"


def _alex_csv() -> str:
    rows = ["user,time,ip,user_agent,device_id,result"]
    for day in range(10):
        for hour in (17, 18, 20, 22, 23):  # 09-15 in Seattle (UTC-8)
            at = _START + timedelta(days=day, hours=hour)
            rows.append(f"{_ALEX},{at.isoformat()},203.0.113.5,{_UA},LAP-AM-07,success")
    return "\n".join(rows) + "\n"


_INVENTORY = (
    "host,user,kind,name,vendor,vendor_id,product_id,seen_at\n"
    f"LAP-DP-01,{_DANIEL},software,AnyDesk,philandro Software GmbH,,,2026-02-03T10:00:00Z\n"
    f"LAP-DP-01,{_DANIEL},software,Microsoft Teams,Microsoft,,,2026-02-03T10:00:00Z\n"
    f"LAP-DP-01,{_DANIEL},usb,USB Composite Device,Linux Foundation,1d6b,0104,"
    "2026-02-04T01:12:00Z\n"
    f"LAP-DP-01,{_DANIEL},process,AnyDesk.exe,,,,2026-02-04T01:15:00Z\n")


def load_demo_signals(ws: Workspace, case_refs: list[str]) -> dict[str, Any]:
    """Import the demo sign-in logs and inventory into the first two demo cases."""
    if len(case_refs) < 2:
        return {}
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="caseapp-demo-signals-") as tmp:
        folder = Path(tmp)
        files = [(case_refs[0], "entra-signins-daniel-park.csv", _entra_csv()),
                 (case_refs[0], "endpoint-inventory-LAP-DP-01.csv", _INVENTORY),
                 (case_refs[1], "signins-alex-morgan.csv", _alex_csv())]
        for ref, name, text in files:
            path = folder / name
            path.write_text(text, encoding="utf-8")
            report = import_signals(ws, ref, path)
            out[name] = len(report.findings)
    return out

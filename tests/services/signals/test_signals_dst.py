"""Through the service: a Chicago subject's hour profile is counted per instant in
America/Chicago (daylight saving honoured), stored with the import and shown as such."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from caseapp.services.signals.findings import list_findings
from caseapp.services.signals.importer import import_signals
from tests.services.signals.helpers import make_case

CHICAGO = ZoneInfo("America/Chicago")


def _log(path: Path) -> Path:
    """Carl (control) signs in at 08:30 and 19:30 Chicago time, 1-21 March 2026 (the change
    to CDT is on 8 March); Jane signs in 01:00-08:00 UTC (a UTC+8 day)."""
    lines = ["user,time,ip,user_agent,device_id,result"]
    for n in range(21):
        day = datetime(2026, 3, 1) + timedelta(days=n)
        for hour in (8, 19):
            at = day.replace(hour=hour, minute=30, tzinfo=CHICAGO).astimezone(UTC)
            lines.append(f"carl.control@example.com,{at.isoformat()},192.0.2.70,UA,L1,success")
        for hour in range(1, 9):
            at = day.replace(hour=hour, tzinfo=UTC)
            lines.append(f"jane.roe@example.com,{at.isoformat()},192.0.2.70,UA,L2,success")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_hours_are_local_per_instant_and_control_stays_clean(ws, tmp_path: Path) -> None:
    ref = make_case(ws)
    report = import_signals(ws, ref, _log(tmp_path / "dst.csv"))
    hours = [f for f in report.findings if f["rule"] == "working-hours"]
    assert [(f["subject"], f["version"]) for f in hours] == [("Jane Roe", 2)]
    assert hours[0]["detail"]["dst_aware"] is True
    view = list_findings(ws, ref)
    carl = next(h for h in view.hours if h.subject == "Carl Control")
    assert carl.zone == "America/Chicago" and carl.hours_local is not None
    assert carl.hours_claimed[8] == 21 and carl.hours_claimed[19] == 21
    assert carl.claimed_share == 0.5 and carl.score is not None and carl.score <= 0
    assert carl.to_json()["dst_aware"] is True
    jane = next(h for h in view.hours if h.subject == "Jane Roe")
    assert jane.score is not None and jane.score >= 0.9

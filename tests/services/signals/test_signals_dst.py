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


def test_new_york_band_is_taken_per_day_through_the_service(ws, tmp_path: Path) -> None:
    """New York (EDT from 8 March 2026): Nora signs in 09:00-17:00 at UTC+8 (01:00-09:00
    UTC), Ned 09:00-17:00 New York time, 1-21 March. The UTC+8/+9 band the chart shades is
    taken per day of each one's sign-ins (New York dates; Nora's first is 20:00 on 28 Feb):
    hour 05 on the 14 EDT days, 18 on the EST days; Nora's sign-ins all sit in it and the
    rule fires for her only; Ned's office hours are outside it."""
    from caseapp.services.cases.cases import create_case
    from caseapp.services.cases.subjects import IdentifierInput, add_subject

    ref = create_case(ws, "DST case").ref
    for name in ("Nora Suspect", "Ned Control"):
        add_subject(ws, ref, name, claimed_location="Brooklyn, NY",
                    identifiers=[IdentifierInput("email", f"{name.split()[0].lower()}@x.example")])
    york = ZoneInfo("America/New_York")
    lines = ["user,time,ip,user_agent,device_id,result"]
    for n in range(21):
        day = datetime(2026, 3, 1) + timedelta(days=n)
        for hour in range(1, 10):
            lines.append(f"nora@x.example,{day.replace(hour=hour, tzinfo=UTC).isoformat()},"
                         "192.0.2.70,UA,N1,success")
        for hour in range(9, 17):
            at = day.replace(hour=hour, tzinfo=york).astimezone(UTC)
            lines.append(f"ned@x.example,{at.isoformat()},192.0.2.70,UA,N2,success")
    log = tmp_path / "ny.csv"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_signals(ws, ref, log)
    fired = [f for f in report.findings if f["rule"] == "working-hours"]
    assert [f["subject"] for f in fired] == ["Nora Suspect"]
    assert fired[0]["detail"]["utc8_9_band_claimed_zone"][5] == round(14 / 22, 3)
    view = list_findings(ws, ref)
    nora = next(h for h in view.hours if h.subject == "Nora Suspect")
    ned = next(h for h in view.hours if h.subject == "Ned Control")
    for profile, days in ((nora, 22), (ned, 21)):
        assert profile.zone == "America/New_York" and profile.band is not None
        assert profile.band[5] == round(14 / days, 3)
        assert profile.band[18] == round((days - 14) / days, 3)
        assert profile.band[0] == 1.0 and profile.band[12] == 0.0
        assert profile.to_json()["utc8_9_band_claimed_zone"] == list(profile.band)
    assert all(nora.band[h] > 0 for h in range(24) if nora.hours_claimed[h])  # type: ignore[index]
    assert nora.hours_claimed[5] == 14 and nora.score is not None and nora.score >= 0.9
    assert [h for h in range(24) if ned.hours_claimed[h]] == list(range(9, 17))
    assert all(ned.band[h] == 0 for h in range(9, 17))  # type: ignore[index]
    assert ned.score is not None and ned.score < 0

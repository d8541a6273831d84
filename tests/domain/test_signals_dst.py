"""working-hours v2 places each sign-in in the claimed zone's local time at its own instant,
so daylight saving is honoured on both sides of a change (America/Chicago, 8 March 2026)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from caseapp.domain.signals import engine as E
from caseapp.domain.signals import rules as R
from caseapp.domain.signals.refdata import ProviderList, RangeTable
from caseapp.domain.signals.rows import SignIn
from caseapp.resources_access import resource

RANGES = RangeTable.from_text(resource("signals", "egress_ranges.csv").read_text("utf-8"))
PROVIDERS = ProviderList.from_text(resource("signals", "vpn_providers.csv").read_text("utf-8"))
CHICAGO = ZoneInfo("America/Chicago")


def _profile(sid: int, name: str) -> E.SubjectProfile:
    return E.SubjectProfile(sid, name, "Austin, TX", "US", 30.27, -97.74, -6.0,
                            "America/Chicago", CHICAGO)


def _engine() -> E.SignInEngine:
    return E.SignInEngine({1: _profile(1, "Jane Roe"), 2: _profile(2, "Carl Control")},
                          RANGES, PROVIDERS)


def _row(line: int, at: datetime) -> SignIn:
    return SignIn(line, "x@example.com", at.astimezone(UTC), "192.0.2.70", "UA", "", True)


def _feed(engine: E.SignInEngine, subject: int, hours: range | tuple[int, ...],
          zone: Any = UTC, minute: int = 0) -> None:
    """One sign-in a day at each of ``hours`` (wall time in ``zone``) over :func:`_days`."""
    line = 2
    for day in _days():
        for hour in hours:
            engine.feed(subject, _row(line, day.replace(hour=hour, minute=minute,
                                                        tzinfo=zone)))
            line += 1


def _days() -> list[datetime]:
    """1-21 March 2026: a week before the change to CDT (8 March) and two weeks after."""
    return [datetime(2026, 3, 1) + timedelta(days=n) for n in range(21)]


def test_local_hour_follows_the_spring_and_autumn_changes() -> None:
    engine = _engine()
    assert engine.local_hour(CHICAGO, datetime(2026, 3, 8, 7, 59, tzinfo=UTC)) == 1  # CST
    assert engine.local_hour(CHICAGO, datetime(2026, 3, 8, 8, 0, tzinfo=UTC)) == 3  # CDT
    assert engine.local_hour(CHICAGO, datetime(2026, 11, 1, 6, 59, tzinfo=UTC)) == 1  # CDT
    assert engine.local_hour(CHICAGO, datetime(2026, 11, 1, 7, 0, tzinfo=UTC)) == 1  # CST
    assert engine.local_hour(CHICAGO, datetime(2026, 11, 1, 8, 0, tzinfo=UTC)) == 2
    india = ZoneInfo("Asia/Kolkata")  # a half-hour offset: the quarter-hour cache holds
    assert engine.local_hour(india, datetime(2026, 3, 8, 2, 29, tzinfo=UTC)) == 7
    assert engine.local_hour(india, datetime(2026, 3, 8, 2, 30, tzinfo=UTC)) == 8


def test_clean_control_across_the_change_is_not_flagged() -> None:
    """A Chicago worker signing in at 08:30 and 19:30 local time every day. With the zone's
    January offset (rule v1) every sign-in after 8 March looked an hour earlier (08:30 CDT
    read as 07:30), the claimed-day share fell to 17% and the rule fired (+0.33)."""
    engine = _engine()
    _feed(engine, 2, (8, 19), CHICAGO, minute=30)
    hours = [f for f in engine.finish() if f.rule is R.WORKING_HOURS]
    assert hours == []
    local = engine.hours_local(2)
    assert local is not None and local[8] == 21 and local[19] == 21 and sum(local) == 42
    # the same bins read at the January offset (the v1 rule) would have fired
    old = E.working_hours(engine.hours(2), -6.0)
    assert old is not None and old.detail["fires"] and old.score >= 0.25
    new = E.working_hours(engine.hours(2), -6.0, hours_local=local)
    assert new is not None and not new.detail["fires"] and new.score == 0.0


def test_asian_day_fires_and_its_bins_move_with_the_change() -> None:
    """Sign-ins 09:00-16:00 at UTC+8 (01:00-08:00 UTC) over the same three weeks."""
    engine = _engine()
    _feed(engine, 1, range(1, 9))
    hours = [f for f in engine.finish() if f.rule is R.WORKING_HOURS]
    assert [f.subject_id for f in hours] == [1]
    found = hours[0]
    assert R.WORKING_HOURS.version == 2 and found.rule.label == "working-hours v2"
    assert found.detail["fires"] and found.score >= 0.9 and found.detail["dst_aware"]
    local = found.detail["hours_claimed_zone"]
    # 01:00 UTC is 19:00 CST up to 8 March (the change is at 08:00 UTC that day) and
    # 20:00 CDT on the 13 days after; 20:00 also holds 02:00 UTC of the 8 CST days
    assert local[19] == 8 and local[20] == 8 + 13
    assert local[3] == 14  # 08:00 UTC is 03:00 CDT from 8 March on (02:00 CST before)
    assert local[2] == 7 + 13  # 08:00 UTC in CST, then 07:00 UTC in CDT
    assert found.lines and all(isinstance(n, int) for n in found.lines)


NEW_YORK = ZoneInfo("America/New_York")


def _ny(sid: int, name: str) -> E.SubjectProfile:
    return E.SubjectProfile(sid, name, "New York, NY", "US", 40.71, -74.01, -5.0,
                            "America/New_York", NEW_YORK)


def test_band_moves_with_new_york_daylight_saving() -> None:
    """The UTC+8/+9 day (23:00-10:00 UTC) is 18:00-05:00 in New York in January (EST,
    UTC-5) and 19:00-06:00 in July (EDT, UTC-4); over 1-21 March (EDT from 8 March) hour
    18 is covered on 7 of 21 days and hour 05 on 14."""
    january = E.asian_band(NEW_YORK, date(2026, 1, 5), date(2026, 1, 11))
    july = E.asian_band(NEW_YORK, date(2026, 7, 5), date(2026, 7, 11))
    assert [h for h in range(24) if january[h]] == [0, 1, 2, 3, 4, *range(18, 24)]
    assert [h for h in range(24) if july[h]] == [0, 1, 2, 3, 4, 5, *range(19, 24)]
    assert set(january) == {0.0, 1.0} and set(july) == {0.0, 1.0}
    march = E.asian_band(NEW_YORK, date(2026, 3, 1), date(2026, 3, 21))
    assert march[18] == round(7 / 21, 3) and march[5] == round(14 / 21, 3)
    assert march[0] == 1.0 and march[12] == 0.0 and march[6] == 0.0
    # a half-hour zone: each local hour by its middle
    india = E.asian_band(ZoneInfo("Asia/Kolkata"), date(2026, 1, 1), date(2026, 1, 1))
    assert [h for h in range(24) if india[h]] == list(range(4, 15))


def _ny_engine() -> E.SignInEngine:
    return E.SignInEngine({1: _ny(1, "Nora Suspect"), 2: _ny(2, "Ned Control")},
                          RANGES, PROVIDERS)


def test_new_york_asian_day_across_the_change_fires_and_sits_in_its_band() -> None:
    """Sign-ins 09:00-17:00 at UTC+8 (01:00-09:00 UTC), 1-21 March 2026. After 8 March
    01:00-09:00 UTC is 21:00-05:00 EDT: the 05:00 sign-ins lie outside a band drawn with
    the January offset (18:00-04:00) but inside the band taken per day."""
    engine = _ny_engine()
    _feed(engine, 1, range(1, 10))
    found = [f for f in engine.finish() if f.rule is R.WORKING_HOURS]
    assert [f.subject_id for f in found] == [1] and found[0].score >= 0.9
    local = found[0].detail["hours_claimed_zone"]
    band = found[0].detail["utc8_9_band_claimed_zone"]
    assert local[5] == 14 and local[4] == 21  # 09 UTC in EDT (8-21 March); 08 EDT + 09 EST
    assert band[5] > 0 and band[18] > 0 and band == engine.band(1)
    assert all(band[h] > 0 for h in range(24) if local[h]), (local, band)
    fixed = {h for h in range(24) if E.in_asian_day((h + 5) % 24)}  # January offset
    assert 5 not in fixed and local[5]


def test_new_york_clean_control_across_the_change_is_silent() -> None:
    """Ned signs in 09:00-17:00 New York time every day across the same change."""
    engine = _ny_engine()
    _feed(engine, 2, range(9, 17), NEW_YORK)
    assert [f for f in engine.finish() if f.rule is R.WORKING_HOURS] == []
    local = engine.hours_local(2)
    assert local is not None and [h for h in range(24) if local[h]] == list(range(9, 17))
    band = engine.band(2)
    assert band is not None and all(band[h] == 0 for h in range(9, 17))
    found = E.working_hours(engine.hours(2), -5.0, hours_local=local)
    assert found is not None and not found.detail["fires"] and found.score == 0
    assert found.detail["claimed_share"] == 1.0 and found.detail["utc8_9_share"] == 0.0

"""The working-hours rule's arithmetic: shares of a 08:00-18:00 day in 24 hourly bins."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from caseapp.domain.signals import rules as R
from caseapp.domain.signals.rules import Finding, Settings


def business_share(hours_utc: list[int], offset_hours: float) -> float:
    """Share of events inside 08:00-18:00 at UTC+``offset_hours`` (``0`` for bins that are
    already local hours)."""
    total = sum(hours_utc)
    if not total:
        return 0.0
    inside = sum(n for h, n in enumerate(hours_utc) if 8 <= (h + offset_hours) % 24 < 18)
    return inside / total


def shift_hours(hours_utc: list[int], offset: float) -> list[int]:
    """UTC bins shown at one fixed offset (the fallback when no local bins were kept)."""
    return [hours_utc[int((h - offset) % 24)] for h in range(24)]


def in_asian_day(utc_hour: int) -> bool:
    """True when a UTC hour lies in a 08:00-18:00 day at UTC+8 or at UTC+9."""
    return 8 <= (utc_hour + 8) % 24 < 18 or 8 <= (utc_hour + 9) % 24 < 18


def _pattern(tz: tzinfo, day: date) -> tuple[bool, ...]:
    # each local hour by its middle (hh:30): right for half-hour zones too
    return tuple(in_asian_day(datetime(day.year, day.month, day.day, h, 30, tzinfo=tz)
                              .astimezone(UTC).hour) for h in range(24))


def asian_band(tz: tzinfo, first: date, last: date) -> list[float]:
    """For each hour of the day in ``tz``: the share of the days ``first``..``last`` on
    which that local hour lies in a UTC+8/+9 working day. The zone's offset is taken on
    each day (tz database), so the band moves with daylight saving: for America/New_York
    it covers local 18:00-05:00 in January (UTC-5) and 19:00-06:00 in July (UTC-4)."""
    if last < first:
        first, last = last, first
    counts = [0] * 24
    day, days, known = first, 0, {}
    while day <= last:
        # the offsets at both ends of the day: one pattern per distinct pair
        marks = (tz.utcoffset(datetime(day.year, day.month, day.day, 0, 30)),
                 tz.utcoffset(datetime(day.year, day.month, day.day, 23, 30)))
        pattern = known.get(marks)
        if pattern is None:
            pattern = known[marks] = _pattern(tz, day)
        for hour, inside in enumerate(pattern):
            counts[hour] += inside
        days += 1
        day += timedelta(days=1)
    return [round(n / days, 3) for n in counts]


def working_hours(hours_utc: list[int], claimed_offset: float | None,
                  settings: Settings | None = None, *,
                  hours_local: list[int] | None = None) -> Finding | None:
    """The working-hours score (a Finding with ``detail['fires']``) or None without a zone.

    ``hours_local``: the same events by local hour of the claimed zone at each instant
    (daylight saving honoured); without it the UTC bins are shifted by ``claimed_offset``.
    """
    settings = settings or Settings()
    if claimed_offset is None and hours_local is None:
        return None
    total = sum(hours_utc)
    local = (list(hours_local) if hours_local is not None
             else shift_hours(hours_utc, claimed_offset or 0.0))
    claimed = business_share(local, 0)
    asia = max(business_share(hours_utc, 8), business_share(hours_utc, 9))
    score = round(asia - claimed, 3)
    fires = total >= settings.min_hour_events and score >= settings.hours_threshold
    return Finding(R.WORKING_HOURS, 0,
                   f"{round(claimed * 100)}% of sign-ins in a 08-18 day of the claimed zone, "
                   f"{round(asia * 100)}% in a UTC+8/+9 day (score {score:+.2f})",
                   max(0.0, score), "hours",
                   detail={"hours_utc": list(hours_utc), "hours_claimed_zone": local,
                           "claimed_offset": claimed_offset,
                           "dst_aware": hours_local is not None,
                           "claimed_share": round(claimed, 3),
                           "utc8_9_share": round(asia, 3), "events": total, "fires": fires})

"""The working-hours rule's arithmetic: shares of a 08:00-18:00 day in 24 hourly bins."""

from __future__ import annotations

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

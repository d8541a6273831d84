"""Time stamps as the exporters write them, parsed to aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_GMT = re.compile(r"^(?P<body>.+?)\s*(?:GMT|UTC)(?P<off>[+-]\d{1,2}(?::?\d{2})?)?$")
_HUMAN = ("%m/%d/%Y, %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p", "%b %d, %Y, %I:%M:%S %p",
          "%B %d, %Y, %I:%M:%S %p", "%b %d, %Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S")


def _offset(text: str | None) -> timezone:
    if not text:
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:-2]) if len(digits) > 2 else int(digits)
    minutes = int(digits[-2:]) if len(digits) > 2 else 0
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_time(text: str, *, naive_is_utc: bool) -> datetime:
    """An ISO 8601 time (``Z`` or an offset), or an export's ``5/1/2026, 10:15:00 AM`` /
    ``May 1, 2026, 10:15:00 AM GMT-5`` form. Without a zone: UTC when ``naive_is_utc`` (a
    column documented as UTC), else ValueError. Raises ValueError when unreadable."""
    value = text.strip()
    if not value:
        raise ValueError("the time is empty")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None:
        zone: timezone | None = None
        match = _GMT.match(value)
        if match:
            value, zone = match.group("body").strip(" ,"), _offset(match.group("off"))
        for pattern in _HUMAN:
            try:
                moment = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
        if moment is None:
            raise ValueError(f"{text.strip()[:40]!r} is not a time caseapp can read")
        if zone is not None:
            moment = moment.replace(tzinfo=zone)
    if moment.tzinfo is None:
        if not naive_is_utc:
            raise ValueError(f"the time {text.strip()[:40]!r} has no zone (write Z or +hh:mm)")
        return moment.replace(tzinfo=UTC)
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)

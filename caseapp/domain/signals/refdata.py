"""Reference data of the rules (IP ranges, VPN/hosting networks, remote tools), from text.

Every data set carries its name, version and SHA-256 (:class:`DataSet`), recorded in each
finding that used it. The services read the shipped files under ``resources/signals/`` or a
newer file the user points at; the format is CSV with ``# key: value`` comment lines first.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DataSet:
    name: str
    version: str
    sha256: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "sha256": self.sha256}

    @property
    def label(self) -> str:
        return f"{self.name} {self.version} (sha256 {self.sha256[:12]}…)"


def _read(text: str, fallback_name: str) -> tuple[DataSet, list[dict[str, str]]]:
    meta: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if sep and key.strip() in ("name", "version") and key.strip() not in meta:
                meta[key.strip()] = value.strip()
            continue
        body.append(line)
    rows = list(csv.DictReader(io.StringIO("\n".join(body))))
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return DataSet(meta.get("name", fallback_name), meta.get("version", "unversioned"), sha), [
        {k.strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in rows]


@dataclass(frozen=True)
class Network:
    """What the range table says about one IP."""

    network: str
    country: str
    asn: int | None
    org: str
    kind: str
    provider: str
    city: str
    latitude: float | None
    longitude: float | None


@dataclass
class RangeTable:
    """Sorted, non-overlapping-enough ranges; the most specific match wins."""

    data: DataSet
    _starts: dict[int, list[int]] = field(default_factory=dict)
    _rows: dict[int, list[tuple[int, int, Network]]] = field(default_factory=dict)
    #: Asked for an IP no range matches (an offline geolocation/ASN database the services
    #: open), with the data set it reads; ``fallback_hits`` counts its answers.
    fallback: Callable[[str], Network | None] | None = None
    fallback_data: DataSet | None = None
    fallback_hits: int = 0

    @classmethod
    def from_text(cls, text: str) -> RangeTable:
        data, rows = _read(text, "egress ranges")
        table = cls(data)
        spans: dict[int, list[tuple[int, int, Network]]] = {4: [], 6: []}
        for row in rows:
            try:
                net = ipaddress.ip_network(row.get("network", ""), strict=False)
            except ValueError:
                continue
            asn_text = row.get("asn", "").upper().removeprefix("AS")
            info = Network(str(net), row.get("country", "").upper(),
                           int(asn_text) if asn_text.isdigit() else None, row.get("org", ""),
                           row.get("kind", "").lower(), row.get("provider", ""),
                           row.get("city", ""), _num(row.get("latitude")),
                           _num(row.get("longitude")))
            spans[net.version].append((int(net.network_address), int(net.broadcast_address),
                                       info))
        for version, items in spans.items():
            # Larger ranges first at equal start, so a nested smaller one sorts after it.
            items.sort(key=lambda s: (s[0], -(s[1] - s[0])))
            table._rows[version] = items
            table._starts[version] = [s[0] for s in items]
        return table

    def lookup(self, ip: str) -> Network | None:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return None
        value = int(addr)
        starts, rows = self._starts.get(addr.version, []), self._rows.get(addr.version, [])
        index = bisect.bisect_right(starts, value) - 1
        best: tuple[int, Network] | None = None
        # Ranges starting at or before the IP; the smallest one holding it is the most
        # specific. A bounded walk back covers nesting without scanning the whole table.
        for start, end, info in reversed(rows[max(0, index - 63):index + 1]):
            if start <= value <= end and (best is None or end - start < best[0]):
                best = (end - start, info)
        if best is None and self.fallback is not None:
            found = self.fallback(str(addr))
            if found is not None:
                self.fallback_hits += 1
            return found
        return best[1] if best else None

    def data_sets(self) -> list[DataSet]:
        """The range file, and the fallback database once it answered a lookup."""
        used = self.fallback_data is not None and self.fallback_hits > 0
        return [self.data, *([self.fallback_data] if used and self.fallback_data else [])]


def _num(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ProviderEntry:
    label: str
    kind: str
    source: str


@dataclass
class ProviderList:
    """Commercial VPN / hosting networks by ASN and by brand name."""

    data: DataSet
    asns: dict[int, ProviderEntry] = field(default_factory=dict)
    names: dict[str, ProviderEntry] = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str) -> ProviderList:
        data, rows = _read(text, "vpn providers")
        result = cls(data)
        for row in rows:
            entry = ProviderEntry(row.get("label", ""), row.get("kind", "vpn"),
                                  row.get("source", ""))
            value = row.get("value", "").lower()
            if row.get("match") == "asn" and value.removeprefix("as").isdigit():
                result.asns[int(value.removeprefix("as"))] = entry
            elif row.get("match") == "name" and value:
                result.names[value] = entry
        return result

    def classify(self, net: Network | None) -> ProviderEntry | None:
        """The VPN/hosting entry a network belongs to, or None (residential, unknown)."""
        if net is None:
            return None
        if net.asn is not None and net.asn in self.asns:
            return self.asns[net.asn]
        haystack = f"{net.provider} {net.org}".lower()
        for name, entry in self.names.items():
            if name in haystack:
                return entry
        if net.kind in ("vpn", "hosting", "proxy"):
            return ProviderEntry(net.provider or net.org, net.kind, "range file")
        return None


@dataclass(frozen=True)
class ToolEntry:
    kind: str  # tool | kvm
    label: str
    match: str  # name | usb | host
    value: str
    source: str


@dataclass
class ToolList:
    data: DataSet
    entries: list[ToolEntry] = field(default_factory=list)

    @classmethod
    def from_text(cls, text: str) -> ToolList:
        data, rows = _read(text, "remote tools")
        return cls(data, [ToolEntry(r.get("kind", "tool"), r.get("label", ""),
                                    r.get("match", "name"), r.get("value", "").lower(),
                                    r.get("source", "")) for r in rows if r.get("value")])

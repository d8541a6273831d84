"""Every sign-in/inventory/reuse rule fires on a suspect subject and stays silent on a clean
control subject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from caseapp.domain.signals import engine as E
from caseapp.domain.signals import reuse
from caseapp.domain.signals.refdata import ProviderList, RangeTable, ToolList
from caseapp.domain.signals.rows import InventoryItem, InventoryKind, SignIn
from caseapp.resources_access import resource

RANGES = RangeTable.from_text(resource("signals", "egress_ranges.csv").read_text("utf-8"))
PROVIDERS = ProviderList.from_text(resource("signals", "vpn_providers.csv").read_text("utf-8"))
TOOLS = ToolList.from_text(resource("signals", "remote_tools.csv").read_text("utf-8"))

SUSPECT = E.SubjectProfile(1, "Jane Roe", "Austin, TX", "US", 30.27, -97.74, -6.0,
                           "America/Chicago")
CONTROL = E.SubjectProfile(2, "Carl Control", "Austin, TX", "US", 30.27, -97.74, -6.0,
                           "America/Chicago")
START = datetime(2026, 3, 2, tzinfo=UTC)


def _row(line: int, at: datetime, ip: str, account: str = "x@example.com", device: str = "",
         **kw) -> SignIn:
    return SignIn(line, account, at, ip, "UA", device, True, **kw)


def _run(rows: list[tuple[int, SignIn]]) -> list:
    engine = E.SignInEngine({1: SUSPECT, 2: CONTROL}, RANGES, PROVIDERS)
    for subject, row in rows:
        engine.feed(subject, row)
    return engine.finish()


def _names(findings, subject: int) -> set[str]:
    return {f.rule.name for f in findings if f.subject_id == subject}


def test_ranges_lookup_most_specific_and_ipv6() -> None:
    net = RANGES.lookup("192.0.2.10")
    assert net is not None and net.provider == "Astrill VPN" and net.asn == 64496
    assert RANGES.lookup("192.0.2.70").kind == "residential"
    assert RANGES.lookup("2001:db8::1").kind == "hosting"
    assert RANGES.lookup("10.0.0.1") is None and RANGES.lookup("nonsense") is None
    assert PROVIDERS.classify(RANGES.lookup("192.0.2.10")).label.startswith("Example Hosting")
    assert PROVIDERS.classify(RANGES.lookup("192.0.2.70")) is None
    assert RANGES.data.version == "2026-12-07" and len(RANGES.data.sha256) == 64


def test_vpn_egress_fires_for_vpn_and_not_for_residential_control() -> None:
    rows = [(1, _row(2 + i, START + timedelta(hours=i), "192.0.2.10")) for i in range(3)]
    rows += [(2, _row(10 + i, START + timedelta(hours=i), "192.0.2.70")) for i in range(3)]
    findings = _run(rows)
    vpn = [f for f in findings if f.rule.name == "vpn-egress"]
    assert len(vpn) == 1 and vpn[0].subject_id == 1 and vpn[0].lines == [2, 3, 4]
    assert {d.name for d in vpn[0].data} == {"caseapp egress ranges (seed)",
                                             "caseapp commercial VPN and hosting networks"}
    assert "vpn-egress" not in _names(findings, 2)


def test_geo_vs_residence_fires_abroad_silent_at_home() -> None:
    rows = [(1, _row(2, START, "198.51.100.7")),
            (1, _row(3, START + timedelta(days=1), "", country="CN", city="Shenyang")),
            (2, _row(4, START, "192.0.2.70")), (2, _row(5, START, "", country="US"))]
    findings = _run(rows)
    geo = [f for f in findings if f.rule.name == "geo-vs-residence"]
    assert [f.subject_id for f in geo] == [1] and geo[0].lines == [2, 3]
    assert geo[0].detail["countries"] == {"CN": 2}


def test_impossible_travel_fires_on_fast_jump_and_not_on_slow_one() -> None:
    rows = [(1, _row(2, START, "192.0.2.70")),  # Austin
            (1, _row(3, START + timedelta(hours=1), "198.51.100.7")),  # Shenyang, 1 h later
            (2, _row(4, START, "192.0.2.70")),
            (2, _row(5, START + timedelta(hours=30), "198.51.100.7"))]  # 30 h later: possible
    findings = _run(rows)
    travel = [f for f in findings if f.rule.name == "impossible-travel"]
    assert [f.subject_id for f in travel] == [1] and travel[0].lines == [2, 3]
    jump = travel[0].detail["jumps"][0]
    assert jump["km"] > 10000 and jump["speed_kmh"] > 900
    assert abs(E.haversine_km(0, 0, 0, 1) - 111.195) < 0.01


def test_shared_egress_between_subjects_but_not_corporate_or_alone() -> None:
    rows = [(1, _row(2, START, "203.0.113.5", device="LAP-9")),
            (2, _row(3, START, "203.0.113.5")),
            (1, _row(4, START, "192.0.2.200")), (2, _row(5, START, "192.0.2.201")),  # corporate
            (1, _row(6, START, "192.0.2.70"))]
    findings = [f for f in _run(rows) if f.rule.name == "shared-egress"]
    assert sorted((f.subject_id, f.detail["value"]) for f in findings) == [
        (1, "203.0.113.5"), (2, "203.0.113.5")]
    assert sorted(findings[0].lines) == [2, 3]


def test_working_hours_fires_for_asian_day_and_not_for_claimed_day() -> None:
    rows = []
    for day in range(5):
        for hour in range(1, 9):  # 01-09 UTC = 09-17 at UTC+8, 19-03 in Chicago
            rows.append((1, _row(len(rows) + 2, START + timedelta(days=day, hours=hour),
                                 "192.0.2.70")))
        for hour in range(15, 23):  # 15-23 UTC = 09-17 in Chicago
            rows.append((2, _row(len(rows) + 2, START + timedelta(days=day, hours=hour),
                                 "192.0.2.70")))
    findings = _run(rows)
    hours = [f for f in findings if f.rule.name == "working-hours"]
    assert [f.subject_id for f in hours] == [1]
    assert hours[0].score >= 0.9 and hours[0].detail["hours_utc"][1] == 5
    assert hours[0].lines and len(hours[0].detail["hours_claimed_zone"]) == 24
    control = E.working_hours([0] * 15 + [5] * 8 + [0], -6.0)
    assert control is not None and not control.detail["fires"] and control.score == 0.0


def test_remote_tools_and_kvm_fire_for_suspect_only() -> None:
    items = [InventoryItem(2, "LAP-JR", "jr", InventoryKind.SOFTWARE, "AnyDesk"),
             InventoryItem(3, "LAP-JR", "jr", InventoryKind.USB, "Composite", "", "1d6b",
                           "0104"),
             InventoryItem(4, "tinypilot-01", "jr", InventoryKind.PROCESS, "sshd"),
             InventoryItem(5, "LAP-CC", "cc", InventoryKind.SOFTWARE, "Microsoft Teams"),
             InventoryItem(6, "LAP-CC", "cc", InventoryKind.USB, "Mouse", "", "046d", "c077")]
    findings = E.match_inventory(items, TOOLS, lambda i: 1 if i.user == "jr" else 2)
    assert {(f.subject_id, f.rule.name, f.detail["label"]) for f in findings} == {
        (1, "remote-tools", "AnyDesk"),
        (1, "kvm-hardware", "PiKVM / TinyPilot USB gadget (Linux Foundation composite gadget)"),
        (1, "kvm-hardware", "TinyPilot (default host name)")}
    assert all(f.data[0].name.startswith("caseapp remote-control") for f in findings)


def test_reused_photo_and_text_across_subjects_only() -> None:
    photos = [reuse.Item(1, "Jane Roe", "CASE-1", "CASE-1/E-001", 0xF0F0F0F0F0F0F0F0),
              reuse.Item(3, "Other Name", "CASE-2", "CASE-2/E-004", 0xF0F0F0F0F0F0F0F1),
              reuse.Item(2, "Carl Control", "CASE-1", "CASE-1/E-002", 0x0123456789ABCDEF),
              reuse.Item(1, "Jane Roe", "CASE-1", "CASE-1/E-005", 0xF0F0F0F0F0F0F0F0)]
    found = reuse.photo_findings(photos, own_subjects={1, 2})
    assert {(f.subject_id, f.exhibits[1]) for f in found} == {(1, "CASE-2/E-004")}
    resume = reuse.normalise_text("Senior full-stack engineer, ten years of React and Node "
                                  "experience at fintech startups; led teams of five. " * 5)
    other = reuse.normalise_text("Gardening notes: tomatoes need sun, water and patience "
                                 "through the long summer; compost helps. " * 5)
    texts = [reuse.Item(1, "Jane Roe", "CASE-1", "CASE-1/E-003", resume),
             reuse.Item(3, "Other Name", "CASE-2", "CASE-2/E-009", resume.replace("five",
                                                                                  "six")),
             reuse.Item(2, "Carl Control", "CASE-1", "CASE-1/E-006", other)]
    found = reuse.text_findings(texts, own_subjects={1, 2})
    assert [(f.subject_id, f.exhibits[1]) for f in found] == [(1, "CASE-2/E-009")]
    assert found[0].detail["similarity"] >= 90

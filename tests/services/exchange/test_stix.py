"""STIX 2.1 export: validator-clean, parses back with stix2, TLP on every object, redacted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import stix2
from stix2validator import ValidationOptions, validate_string

from caseapp.domain.exchange.tlp import TLP
from caseapp.security import audit
from caseapp.services.errors import InvalidInput
from caseapp.services.evidence.evidence import custody_log, list_evidence
from caseapp.services.exchange.share import preview_share, share_case
from tests.services.exchange.conftest import MARKUP, TIPSTER

# The one validator warning we accept: {103} "not a valid UUIDv4 ID" on our extension's
# SCO. STIX 2.1 (section 2.9) gives SCOs deterministic UUIDv5 ids; the validator cannot
# know that a type declared by an extension-definition is an SCO, so it asks for UUIDv4.
ACCEPTED = "{103}"


def validate(data: bytes) -> list[str]:
    """Validator warnings other than the accepted one; asserts there are no errors."""
    result = validate_string(data.decode("utf-8"), ValidationOptions(version="2.1"))
    errors = [str(e) for e in result.errors]
    assert result.is_valid and not errors, errors
    warnings = [str(w) for w in result.warnings]
    for w in warnings:
        if ACCEPTED in w:
            assert "caseapp-identifier--" in w, w
    return [w for w in warnings if ACCEPTED not in w]


@pytest.mark.parametrize("tlp", list(TLP))
def test_every_case_and_level_is_validator_clean(demo: Any, tmp_path: Path, tlp: TLP) -> None:
    for ref in ("CASE-2026-0001", "CASE-2026-0004"):
        out = tmp_path / f"{ref}-{tlp.value}.json"
        share_case(demo, ref, "stix", out, tlp=tlp)
        data = out.read_bytes()
        assert validate(data) == []
        bundle = stix2.parse(data.decode(), allow_custom=True)
        for obj in bundle.objects:
            if obj.type != "marking-definition":
                assert obj.object_marking_refs, obj.id
        markings = {o.id: o for o in bundle.objects if o.type == "marking-definition"}
        assert tlp.stix_id in markings
        ext = markings[tlp.stix_id].extensions
        assert ext["extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"][
            "tlp_2_0"] == tlp.value


def test_content_confirmed_case_and_redaction(demo: Any, tmp_path: Path) -> None:
    out = tmp_path / "c1.json"
    result = share_case(demo, "CASE-2026-0001", "stix", out, tlp=TLP.GREEN)
    objs = json.loads(out.read_bytes())["objects"]
    types = {o["type"] for o in objs}
    assert {"threat-actor", "email-addr", "ipv4-addr", "url", "indicator", "relationship",
            "report", "note", "caseapp-identifier", "extension-definition"} <= types
    actor = next(o for o in objs if o["type"] == "threat-actor")
    assert actor["name"] == "Daniel Park" and "김민준 (Kim Min-jun)" in actor["aliases"]
    bank = [o for o in objs if o.get("identifier_kind") == "bank"]
    assert bank and all(o["value"].startswith("[REDACTED] …") for o in bank)
    assert "1234 5678" not in out.read_text(encoding="utf-8")
    patterns = [o["pattern"] for o in objs if o["type"] == "indicator"]
    assert "[email-addr:value = 'daniel.park.dev@mailbox.example']" in patterns or any(
        "email-addr:value" in p for p in patterns)
    assert not any("REDACTED" in p for p in patterns)  # no indicator on a masked value
    assert result.counts == {k: v for k, v in sorted(result.counts.items())}
    assert any("last four" in r for r in result.redactions)


def test_tipster_masked_unless_revealed(demo: Any, tmp_path: Path) -> None:
    from caseapp.services.exchange.gather import ShareOptions

    out = tmp_path / "c2.json"
    share_case(demo, "CASE-2026-0002", "stix", out)
    text = out.read_text(encoding="utf-8")
    assert TIPSTER not in text and "[REDACTED]" in text
    shown = tmp_path / "c2-revealed.json"
    share_case(demo, "CASE-2026-0002", "stix", shown,
               options=ShareOptions(reveal_tipsters=True))
    assert TIPSTER in shown.read_text(encoding="utf-8")


def test_markup_and_non_latin_survive(demo: Any, tmp_path: Path) -> None:
    out = tmp_path / "c4.json"
    share_case(demo, "CASE-2026-0004", "stix", out, tlp=TLP.CLEAR)
    objs = json.loads(out.read_bytes())["objects"]
    subject = next(o for o in objs if o["type"] == "identity" and o["name"] == MARKUP)
    assert subject["identity_class"] == "individual"  # no confirmed finding: not an actor
    assert not [o for o in objs if o["type"] == "indicator"]
    report = next(o for o in objs if o["type"] == "report")
    assert "北朝鮮" in report["name"] and "평양 ☃" in report["description"]
    assert any(o["type"] == "ipv6-addr" for o in objs)
    assert any(o["type"] == "domain-name" and o["value"] == "front-company.example"
               for o in objs)
    wallet = next(o for o in objs if o.get("identifier_kind") == "wallet")
    assert wallet["value"].startswith("bc1q")


def test_recorded_in_audit_and_custody(demo: Any, tmp_path: Path) -> None:
    out = tmp_path / "c1.json"
    result = share_case(demo, "CASE-2026-0001", "stix", out, tlp=TLP.AMBER_STRICT)
    with demo.session() as session:
        head = audit.head(session)
    assert head is not None and head.action == "case.shared"
    detail = json.loads(head.detail)
    assert detail["format"] == "stix" and detail["tlp"] == "amber+strict"
    assert detail["files"][0]["sha256"] == result.sha256[str(out)]
    for ev in list_evidence(demo, "CASE-2026-0001"):
        last = custody_log(demo, ev.id or 0)[-1]
        assert last.action == "exported" and json.loads(last.detail)["format"] == "stix"


def test_refusals_leave_nothing(demo: Any, tmp_path: Path) -> None:
    out = tmp_path / "chart.graphml"
    with pytest.raises(InvalidInput, match="TLP:RED"):
        share_case(demo, "CASE-2026-0001", "graphml", out, tlp=TLP.RED)
    with pytest.raises(InvalidInput):
        share_case(demo, "CASE-2026-0001", "stix", tmp_path / "missing" / "x.json")
    assert [p.name for p in tmp_path.iterdir()] == ["home"]


def test_preview_counts_without_writing(demo: Any) -> None:
    with demo.session() as session:
        before = audit.head(session)
    preview = preview_share(demo, "CASE-2026-0001", "stix", TLP.GREEN)
    assert preview.counts["threat-actor"] == 1 and preview.counts["indicator"] >= 1
    with demo.session() as session:
        after = audit.head(session)
    assert before is not None and after is not None and after.action != "case.shared"


def test_store_verifies_after_shares_and_watchlists(demo: Any, tmp_path: Path) -> None:
    from caseapp.services.exchange.watchlists import import_watchlist
    from caseapp.services.maintenance.audit_events import ACTION_WORDS
    from caseapp.services.maintenance.verify import verify_store
    from tests.services.exchange import listfixtures as fx

    share_case(demo, "CASE-2026-0001", "misp", tmp_path / "e.json")
    import_watchlist(demo, fx.write(tmp_path, "sdn.xml", fx.SDN_XML))
    report = verify_store(demo)
    assert report.ok, report.problems
    assert {"case.shared", "watchlist.imported"} <= set(ACTION_WORDS)

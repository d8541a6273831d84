"""Demo signals trip several rules (control stays clean); findings reach the PDF, the
checklist and the links."""

from __future__ import annotations

from pathlib import Path

import pypdf

from caseapp.services.casefile.exports import export_case_file
from caseapp.services.discovery.links import links_for_case
from caseapp.services.discovery.search import search
from caseapp.services.maintenance.demo import load_demo
from caseapp.services.signals.findings import accept_finding, list_findings


def test_demo_signals_fire_and_reach_the_pdf(ws, tmp_path: Path) -> None:
    result = load_demo(ws, signals=True)
    first, second = result["cases"][0], result["cases"][1]
    daniel = list_findings(ws, first)
    assert {f["rule"] for f in daniel.findings} >= {
        "vpn-egress", "working-hours", "impossible-travel", "geo-vs-residence",
        "remote-tools", "kvm-hardware"}
    alex = list_findings(ws, second)
    assert {f["rule"] for f in alex.findings} == {"shared-egress"}
    assert alex.hours[0].score is not None and alex.hours[0].score < 0
    vpn = next(f for f in daniel.findings if f["rule"] == "vpn-egress")
    accept_finding(ws, first, vpn["id"], note="Astrill exit")
    groups = links_for_case(ws, second)
    shared = next(g for g in groups if g.kind == "ip" and g.normalized == "203.0.113.5")
    assert shared.reason == "same sign-in egress IP (imported sign-in logs)"
    assert [c.ref for c in shared.cases] == [first]
    hits = search(ws, "203.0.113.5")
    assert {(h.type, h.ref) for h in hits if h.type == "identifier"} == {
        ("identifier", first), ("identifier", second)}
    assert any(h.type == "identifier" and "LAP-DP-01" in h.title for h in search(ws, "LAP-DP-01"))
    out = tmp_path / "case.pdf"
    export_case_file(ws, first, out)
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(str(out)).pages).split())
    assert "Signals findings" in text and "(vpn-egress v1)" in text
    assert "accepted: Astrill exit" in text
    assert "caseapp egress ranges (seed) 2026-12-07" in text
    assert f"{vpn['exhibit']} lines 2, 3" in text

"""Link chart exports: GraphML parses back with networkx, ANX parses as i2 XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import networkx as nx

from caseapp.domain.exchange.tlp import TLP
from caseapp.services.exchange.graph import read_anx_labels
from caseapp.services.exchange.share import share_case
from tests.services.exchange.conftest import MARKUP


def test_graphml_parses_with_types_and_labels(demo: Any, tmp_path: Path) -> None:
    out = tmp_path / "chart.graphml"
    result = share_case(demo, "CASE-2026-0001", "graphml", out, tlp=TLP.GREEN)
    g = nx.read_graphml(out)
    assert g.graph["tlp"] == "TLP:GREEN" and g.graph["case"] == "CASE-2026-0001"
    types = {d["type"] for _n, d in g.nodes(data=True)}
    assert {"Case", "Person", "Email Address", "Bank Account", "Tip"} <= types
    person = next(d for _n, d in g.nodes(data=True) if d["type"] == "Person")
    assert person["label"] == "Daniel Park"
    bank = next(d for _n, d in g.nodes(data=True) if d["type"] == "Bank Account")
    assert bank["label"].startswith("[REDACTED] …")
    others = [d["label"] for _n, d in g.nodes(data=True) if d["type"] == "Case"]
    assert len(others) >= 2  # this case and the one sharing the account
    assert result.counts["links"] == g.number_of_edges()


def test_anx_is_utf16_i2_xml_with_markup_and_non_latin(demo: Any, tmp_path: Path) -> None:
    out = tmp_path / "chart.anx"
    share_case(demo, "CASE-2026-0004", "anx", out, tlp=TLP.AMBER)
    data = out.read_bytes()
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    root = ET.fromstring(data.decode("utf-16"))
    assert root.tag == "Chart"
    labels = read_anx_labels(data)
    assert MARKUP in labels and any("北朝鮮" in label for label in labels)
    icon_types = {s.get("Type") for s in root.iter("IconStyle")}
    assert {"Person", "Crypto Wallet", "Web Site", "Case"} <= icon_types
    props = {p.get("Name"): p.get("Value") for p in root.iter("CustomProperty")}
    assert props.get("TLP") == "TLP:AMBER" or "TLP:AMBER" in data.decode("utf-16")

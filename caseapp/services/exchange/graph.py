"""The case's link graph as GraphML (``networkx``) and as an i2 ANX chart (``anxwritter``).

Nodes: the case, its subjects, their identifiers, and the other cases and tips that share
one of them. Edges: ``subject of`` (subject to case), ``uses`` (subject to identifier),
``also in`` / ``reported in`` (identifier to another case / tip, with exact or near).
Every node has ``label`` (what Gephi, yEd and Maltego show), ``type`` (Case, Person,
Email Address, Telephone, Web Site, IP Address, Address, Bank Account, Crypto Wallet,
Device, Government ID, Online Handle, Tip) and ``kind``; the graph carries ``tlp`` and
``case``. In ANX the types are i2 icon types and the TLP is a chart property.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

import networkx as nx

from caseapp.domain.exchange.content import ShareContent
from caseapp.domain.exchange.tlp import TLP

if TYPE_CHECKING:
    from caseapp.services.exchange.share import Artefact

NODE_TYPES = {"email": "Email Address", "phone": "Telephone", "url": "Web Site",
              "ip": "IP Address", "address": "Address", "bank": "Bank Account",
              "wallet": "Crypto Wallet", "device": "Device", "gov-id": "Government ID",
              "handle": "Online Handle"}
_COLOURS = {"Case": "Blue", "Person": "Red", "Tip": "Green"}


def link_graph(content: ShareContent, tlp: TLP) -> nx.MultiDiGraph:
    """The case's link graph with labelled, typed nodes."""
    g = nx.MultiDiGraph(case=content.case_ref, tlp=tlp.label,
                        name=f"{content.case_ref}: {content.title}")
    case_id = f"case:{content.case_ref}"
    g.add_node(case_id, label=f"{content.case_ref} {content.title}", type="Case",
               kind="case")
    ident_ids: dict[tuple[str, str], str] = {}
    for subject in content.subjects:
        sid = f"person:{subject.key}"
        g.add_node(sid, label=subject.name, type="Person", kind="subject",
                   aliases="; ".join(subject.aliases), role=subject.role)
        g.add_edge(sid, case_id, label="subject of", type="subject of")
        for ident in subject.identifiers:
            key = (ident.kind, ident.normalized)
            nid = ident_ids.setdefault(key, f"{ident.kind}:{ident.normalized}")
            g.add_node(nid, label=ident.value, type=NODE_TYPES.get(ident.kind, "Identifier"),
                       kind=ident.kind, normalized=ident.normalized,
                       redacted=ident.redacted)
            g.add_edge(sid, nid, label="uses", type="uses")
    for link in content.links:
        nid = ident_ids.get((link.via_kind, link.via_value), f"{link.via_kind}:{link.via_value}")
        if nid not in g:
            g.add_node(nid, label=link.via_value, type=NODE_TYPES.get(link.via_kind,
                                                                      "Identifier"),
                       kind=link.via_kind, normalized=link.via_value, redacted=False)
        other = f"{link.kind}:{link.ref}"
        g.add_node(other, label=link.label if link.kind == "case" else link.ref,
                   type="Case" if link.kind == "case" else "Tip", kind=link.kind)
        verb = "also in" if link.kind == "case" else "reported in"
        if not g.has_edge(nid, other):
            g.add_edge(nid, other, label=f"{verb} ({link.match})", type=verb)
    return g


def graphml(content: ShareContent, tlp: TLP) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(link_graph(content, tlp), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def anx(content: ShareContent, tlp: TLP) -> bytes:
    """The i2 Analyst's Notebook exchange file (UTF-16 XML, as ANB reads it)."""
    from anxwritter import ANXChart

    g = link_graph(content, tlp)
    chart = ANXChart()
    chart.add_custom_property("TLP", tlp.label)
    chart.add_custom_property("Case", content.case_ref)
    for node, data in g.nodes(data=True):
        attrs = {k: str(v) for k, v in data.items()
                 if k not in ("label", "type") and v not in ("", None)}
        chart.add_icon(id=node, type=data["type"], label=data["label"],
                       color=_COLOURS.get(data["type"]), attributes=attrs)
    for source, target, data in g.edges(data=True):
        chart.add_link(from_id=source, to_id=target, type=data["type"], arrow="->",
                       label=data["label"])
    return b"".join(chart.iter_anx_bytes())


def counts_graph(content: ShareContent, tlp: TLP) -> dict[str, int]:
    g = link_graph(content, tlp)
    out: dict[str, int] = {"links": g.number_of_edges()}
    for _node, data in g.nodes(data=True):
        out[data["type"]] = out.get(data["type"], 0) + 1
    return dict(sorted(out.items()))


def build_graphml(content: ShareContent, tlp: TLP) -> Artefact:
    from caseapp.services.exchange.share import Artefact

    return Artefact({"": graphml(content, tlp)}, counts_graph(content, tlp))


def build_anx(content: ShareContent, tlp: TLP) -> Artefact:
    from caseapp.services.exchange.share import Artefact

    return Artefact({"": anx(content, tlp)}, counts_graph(content, tlp))


def read_anx_labels(data: bytes) -> list[str]:
    """Labels of the chart items of an ANX file (for tests and the preview)."""
    root = ET.fromstring(data.decode("utf-16"))
    return [item.get("Label", "") for item in root.iter("ChartItem")]

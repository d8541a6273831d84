"""MISP event JSON of a case, built with ``pymisp`` (no network: ``MISPEvent.to_json``).

- the event: ``info`` = case ref and title, ``tlp:`` tag of the export (MISP's TLP 2.0
  taxonomy), ``caseapp:case`` tag, threat level high when a finding is confirmed,
  distribution "your organisation only" (the receiving team widens it);
- a ``person`` object per subject (full-name, alias, role, text; e-mail, phone-number,
  ip-src, address and handle inside the object, as the template has them);
- each identifier also as an event attribute with the category/type of
  :mod:`caseapp.domain.exchange.misp_types` (``to_ids`` only for confirmed cases and not
  for masked values), referenced from its subject's object;
- findings and links to other cases/tips as ``text`` attributes (Other / Internal
  reference).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pymisp import MISPEvent, MISPObject

from caseapp.domain.exchange.content import ShareContent
from caseapp.domain.exchange.misp_types import attribute_type
from caseapp.domain.exchange.tlp import TLP

if TYPE_CHECKING:
    from caseapp.services.exchange.share import Artefact

_IN_PERSON = {"email": "e-mail", "phone": "phone-number", "ip": "ip-src",
              "address": "address", "handle": "handle"}


def build_event(content: ShareContent, tlp: TLP) -> MISPEvent:
    """The case as a MISPEvent marked ``tlp``."""
    event = MISPEvent()
    event.info = f"{content.case_ref}: {content.title}"
    event.distribution = 0
    event.threat_level_id = 1 if content.confirmed else 2
    event.analysis = 2 if content.status == "closed" else 1
    event.date = content.generated_at.date()
    event.add_tag(tlp.misp_tag)
    event.add_tag(f'caseapp:case="{content.case_ref}"')
    event.add_attribute("text", content.case_ref, category="Internal reference",
                        comment="caseapp case reference", to_ids=False)
    if content.summary:
        event.add_attribute("text", content.summary, category="Other", comment="case summary",
                            to_ids=False)
    for subject in content.subjects:
        person = MISPObject("person", standalone=False)
        person.add_attribute("full-name", value=subject.name)
        for alias in subject.aliases:
            person.add_attribute("alias", value=alias)
        if subject.role:
            person.add_attribute("role", value=subject.role)
        described = "; ".join(p for p in (subject.platform, subject.location) if p)
        if described:
            person.add_attribute("text", value=described)
        for ident in subject.identifiers:
            relation = _IN_PERSON.get(ident.kind)
            if relation:
                person.add_attribute(relation, value=ident.normalized or ident.value)
        event.add_object(person)
        for ident in subject.identifiers:
            value = ident.normalized or ident.value
            category, kind_type, ids, comment = attribute_type(ident.kind, value)
            attr = event.add_attribute(
                kind_type, value, category=category,
                comment=f"{comment} of {subject.name}" + (" (redacted)" if ident.redacted
                                                          else ""),
                to_ids=ids and content.confirmed and not ident.redacted)
            person.add_reference(getattr(attr, "uuid", ""), "associated-with")
    for finding in content.findings:
        event.add_attribute("text", f"{finding.label}: {finding.state}."
                            + (f" {finding.note}" if finding.note else ""),
                            category="Other", comment=f"finding {finding.item_id}",
                            to_ids=False)
    for link in content.links:
        event.add_attribute("text", f"{link.kind} {link.ref}", category="Internal reference",
                            comment=f"shares the {link.via_kind} {link.via_value} "
                            f"({link.match} match)", to_ids=False)
    return event


def render(content: ShareContent, tlp: TLP) -> bytes:
    """``{"Event": {...}}`` as UTF-8 JSON (the form MISP imports)."""
    event = build_event(content, tlp)
    return json.dumps({"Event": json.loads(event.to_json())}, indent=2,
                      ensure_ascii=False).encode("utf-8")


def counts(data: bytes) -> dict[str, int]:
    """Attributes per type and objects per template (``object:person``)."""
    ev = json.loads(data)["Event"]
    out: dict[str, int] = {}
    for attr in ev.get("Attribute", []):
        out[attr["type"]] = out.get(attr["type"], 0) + 1
    for obj in ev.get("Object", []):
        key = f"object:{obj['name']}"
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


def build(content: ShareContent, tlp: TLP) -> Artefact:
    from caseapp.services.exchange.share import Artefact

    data = render(content, tlp)
    return Artefact({"": data}, counts(data))

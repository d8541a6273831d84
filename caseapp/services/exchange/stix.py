"""STIX 2.1 bundle of a case, built with the ``stix2`` library.

Objects (every one marked with the export's official TLP 2.0 marking definition):

- an ``identity`` for the exporting caseapp store (``created_by_ref`` of everything);
- per subject an ``identity`` (individual), or a ``threat-actor`` once the case has a
  confirmed finding;
- per identifier an SCO: ``email-addr``, ``ipv4-addr``/``ipv6-addr``, ``url`` (plus a
  ``domain-name`` for a bare website), ``user-account`` (handles); kinds STIX has no SCO
  for (wallet, bank, phone, address, device, gov-id) as the custom SCO
  ``x-caseapp-identifier`` (``identifier_kind``, ``value``; documented in docs/cli.md);
- ``relationship``: subject ``related-to`` each identifier; per confirmed identifier an
  ``indicator`` (an equality pattern on the SCO) that ``indicates`` the threat actor;
- a ``note`` per shared finding and one per linked case/tip;
- a ``report`` for the case referring to all of them.

SDO and SRO ids are fresh UUIDv4 (as the spec recommends); SCO ids are the spec's
deterministic UUIDv5, so the same e-mail address is the same object in every export.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import stix2
from stix2.properties import StringProperty

from caseapp.domain.exchange.content import ShareContent, SharedIdentifier, SharedSubject
from caseapp.domain.exchange.tlp import TLP, stix_marking

CUSTOM_TYPE = "caseapp-identifier"
#: The extension-definition that declares ``caseapp-identifier`` (a new SCO; fixed id).
EXTENSION_ID = "extension-definition--5b2d0a2e-8f57-4d3c-9a54-1f0cf3e6a9d1"
_EXTENSION_CREATED = "2026-12-07T00:00:00.000Z"
_PRODUCER_ID = "identity--2f3d7c1e-4a8b-4c55-8e0a-6b1d9f7e3c21"  # caseapp, the extension's author
_PATTERN_PATHS = {"email": "email-addr:value", "url": "url:value", "handle":
                  "user-account:account_login"}


@stix2.v21.CustomObservable(CUSTOM_TYPE, [
    ("identifier_kind", StringProperty(required=True)),
    ("value", StringProperty(required=True)),
], id_contrib_props=["identifier_kind", "value"], extension_name=EXTENSION_ID)
class CaseappIdentifier:
    """An identifier kind STIX 2.1 has no observable for (wallet, bank, phone, …)."""


def _sid(kind: str, content: ShareContent, *parts: str) -> str:
    """A fresh UUIDv4 id (the spec's SHOULD for SDOs and SROs)."""
    return f"{kind}--{uuid.uuid4()}"


def extension_definition() -> stix2.v21.ExtensionDefinition:
    """The published definition of the ``caseapp-identifier`` SCO."""
    return stix2.v21.ExtensionDefinition(
        id=EXTENSION_ID, created_by_ref=_PRODUCER_ID, created=_EXTENSION_CREATED,
        modified=_EXTENSION_CREATED, name="caseapp identifier",
        description=("An identifier of a person that STIX 2.1 has no observable for: "
                     "identifier_kind is one of wallet, bank, phone, address, device, "
                     "gov-id; value is caseapp's normalised value (a bank or government "
                     "ID number may be cut to its last four characters)."),
        schema="caseapp docs/cli.md, section 'STIX 2.1 bundle'", version="1.0",
        extension_types=["new-sco"], object_marking_refs=[TLP.CLEAR.stix_id])


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _sco(ident: SharedIdentifier, common: dict[str, Any]) -> tuple[list[Any], str | None]:
    """The SCO(s) for ``ident`` and the pattern of an indicator for it (None: none)."""
    value = ident.normalized or ident.value
    if ident.kind == "email" and "@" in value and not ident.redacted:
        return [stix2.v21.EmailAddress(value=value, **common)], \
            f"[email-addr:value = {_quote(value)}]"
    if ident.kind == "ip" and not ident.redacted:
        if ":" in value:
            return [stix2.v21.IPv6Address(value=value, **common)], \
                f"[ipv6-addr:value = {_quote(value)}]"
        return [stix2.v21.IPv4Address(value=value, **common)], \
            f"[ipv4-addr:value = {_quote(value)}]"
    if ident.kind == "url" and not ident.redacted:
        objs: list[Any] = [stix2.v21.URL(value=value, **common)]
        host = value.split("://", 1)[-1].split("/", 1)
        if len(host) == 1 or host[1] in ("", "/"):
            objs.append(stix2.v21.DomainName(value=host[0].split(":")[0], **common))
        return objs, f"[url:value = {_quote(value)}]"
    if ident.kind == "handle" and not ident.redacted:
        login = ident.value.lstrip("@")
        return [stix2.v21.UserAccount(account_login=login, display_name=ident.value,
                                      **common)], \
            f"[user-account:account_login = {_quote(login)}]"
    pattern = None if ident.redacted else (
        f"[{CUSTOM_TYPE}:value = {_quote(value)}]")
    return [CaseappIdentifier(identifier_kind=ident.kind, value=value, **common)], pattern


def build_bundle(content: ShareContent, tlp: TLP) -> stix2.v21.Bundle:
    """The case as a STIX 2.1 bundle marked ``tlp``."""
    marking = stix2.v21.MarkingDefinition(**stix_marking(tlp))
    marks: dict[str, Any] = {"object_marking_refs": [marking.id]}
    at = content.generated_at
    producer = stix2.v21.Identity(
        id=_sid("identity", content, "producer"), name=f"caseapp store {content.store_id}",
        identity_class="organization", created=at, modified=at, **marks)
    sdo: dict[str, Any] = {"created_by_ref": producer.id, "created": at, "modified": at, "allow_custom": True,
           **marks}
    # The published extension definition and its author are TLP:CLEAR whatever the export.
    objects: list[Any] = [marking, producer, extension_definition(),
                          stix2.v21.Identity(id=_PRODUCER_ID, name="caseapp",
                                             identity_class="system",
                                             created=_EXTENSION_CREATED,
                                             modified=_EXTENSION_CREATED,
                                             object_marking_refs=[TLP.CLEAR.stix_id])]
    if tlp is not TLP.CLEAR:
        objects.insert(1, stix2.v21.MarkingDefinition(**stix_marking(TLP.CLEAR)))
    refs: list[str] = []
    for subject in content.subjects:
        actor = _subject(content, subject, sdo)
        objects.append(actor)
        refs.append(actor.id)
        for ident in subject.identifiers:
            scos, pattern = _sco(ident, marks)
            for sco in scos:
                if sco.id not in refs:
                    objects.append(sco)
                    refs.append(sco.id)
                rel = stix2.v21.Relationship(
                    id=_sid("relationship", content, subject.key, sco.id),
                    relationship_type="related-to", source_ref=actor.id, target_ref=sco.id,
                    description=f"{ident.kind} of {subject.name}", **sdo)
                objects.append(rel)
                refs.append(rel.id)
            if content.confirmed and pattern is not None:
                objects += _indicator(content, subject, ident, pattern, actor.id,
                                      sdo, refs)
    for finding in content.findings:
        note = stix2.v21.Note(
            id=_sid("note", content, "finding", finding.item_id),
            abstract=f"{finding.label} ({finding.state})",
            content=finding.note or finding.label, authors=[content.actor],
            object_refs=[r for r in refs if r.startswith(("identity", "threat-actor"))]
            or [producer.id], **sdo)
        objects.append(note)
        refs.append(note.id)
    for link in content.links:
        note = stix2.v21.Note(
            id=_sid("note", content, "link", link.kind, link.ref, link.via_kind,
                    link.via_value),
            abstract=f"Also seen in {link.kind} {link.ref}",
            content=(f"{link.kind.capitalize()} {link.ref} ({link.label}) shares the "
                     f"{link.via_kind} {link.via_value} ({link.match} match)."),
            object_refs=[r for r in refs if r.startswith(("identity", "threat-actor"))]
            or [producer.id], **sdo)
        objects.append(note)
        refs.append(note.id)
    report = stix2.v21.Report(
        id=_sid("report", content, "report"), name=f"{content.case_ref}: {content.title}",
        description=content.summary or content.title, published=at,
        report_types=["threat-actor" if content.confirmed else "identity"],
        object_refs=refs or [producer.id],
        labels=[f"status:{content.status}"] + ([f"risk:{content.band}"] if content.band
                                              else []),
        external_references=[{"source_name": "caseapp", "external_id": content.case_ref}],
        **sdo)
    objects.append(report)
    return stix2.v21.Bundle(objects=objects, allow_custom=True)


def _subject(content: ShareContent, subject: SharedSubject, sdo: dict[str, Any]) -> Any:
    described = "; ".join(p for p in (subject.role, subject.platform, subject.location) if p)
    if content.confirmed:
        return stix2.v21.ThreatActor(
            id=_sid("threat-actor", content, subject.key), name=subject.name,
            aliases=list(subject.aliases) or None, description=described or None,
            threat_actor_types=["criminal"], roles=["agent"],
            resource_level="organization", primary_motivation="personal-gain", **sdo)
    return stix2.v21.Identity(
        id=_sid("identity", content, subject.key), name=subject.name,
        identity_class="individual", description=described or None,
        contact_information="; ".join(subject.aliases) or None, **sdo)


def _indicator(content: ShareContent, subject: SharedSubject, ident: SharedIdentifier,
               pattern: str, actor_id: str, sdo: dict[str, Any],
               refs: list[str]) -> list[Any]:
    indicator = stix2.v21.Indicator(
        id=_sid("indicator", content, subject.key, ident.kind, ident.normalized),
        name=f"{ident.kind} used by {subject.name}", pattern=pattern, pattern_type="stix",
        description=(f"The {ident.kind} {ident.normalized} was used by {subject.name}, a "
                     f"subject of {content.case_ref} with a confirmed finding."),
        valid_from=content.generated_at, indicator_types=["attribution"], **sdo)
    indicates = stix2.v21.Relationship(
        id=_sid("relationship", content, indicator.id, "indicates"),
        relationship_type="indicates", source_ref=indicator.id, target_ref=actor_id, **sdo)
    refs += [indicator.id, indicates.id]
    return [indicator, indicates]


def render(content: ShareContent, tlp: TLP) -> bytes:
    """The bundle as UTF-8 JSON."""
    bundle = build_bundle(content, tlp)
    return json.dumps(json.loads(bundle.serialize()), indent=2, ensure_ascii=False,
                      sort_keys=False).encode("utf-8")


def counts(data: bytes) -> dict[str, int]:
    """Objects per STIX type in a rendered bundle (the preview)."""
    out: dict[str, int] = {}
    for obj in json.loads(data)["objects"]:
        out[obj["type"]] = out.get(obj["type"], 0) + 1
    return dict(sorted(out.items()))

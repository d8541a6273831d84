"""Advisory indicator lists: STIX 2.1 bundles, MISP events and caseapp's documented CSV.

**STIX**: ``indicator`` objects with ``pattern_type`` stix and simple equality patterns
(``[email-addr:value = 'x']``, several joined by ``OR``) on email-addr, domain-name, url,
ipv4-addr, ipv6-addr, user-account:account_login and caseapp-identifier:value; SCOs of
those types (and ``cryptocurrency-wallet``: ``address``/``value``); names and aliases of
``threat-actor``, ``intrusion-set`` and ``identity`` objects (not the bundle's authors).
Other patterns and object types are reported and skipped.

**MISP**: ``{"Event": …}``, ``{"response": [{"Event": …}]}`` or a list of those;
attributes (and object attributes) of person-identifying types; other types are counted
and reported once per type.

**CSV** (UTF-8, header row): ``kind,value[,name,programmes,reference,remarks]``; ``kind``
an identifier kind (email, phone, url, ip, address, wallet, bank, gov-id, device, handle)
or ``name``; ``programmes`` separated by ``;``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from caseapp.domain.enums import IdentifierKind
from caseapp.domain.exchange.listed import (
    NAME,
    ListedParty,
    ParsedList,
    WatchlistFormatError,
    decode_text,
)
from caseapp.domain.identifiers import classify

_PATH_KINDS = {"email-addr:value": "email", "domain-name:value": "url", "url:value": "url",
               "ipv4-addr:value": "ip", "ipv6-addr:value": "ip",
               "user-account:account_login": "handle", "caseapp-identifier:value": None,
               "cryptocurrency-wallet:address": "wallet",
               "cryptocurrency-wallet:value": "wallet"}
_SCO_KINDS = {"email-addr": ("value", "email"), "domain-name": ("value", "url"),
              "url": ("value", "url"), "ipv4-addr": ("value", "ip"),
              "ipv6-addr": ("value", "ip"), "user-account": ("account_login", "handle")}
_NAMED = ("threat-actor", "intrusion-set", "identity", "campaign")
_QUIET = ("relationship", "report", "marking-definition", "extension-definition", "note",
          "opinion", "grouping", "language-content", "sighting", "observed-data",
          "attack-pattern", "malware", "tool", "course-of-action", "vulnerability",
          "infrastructure", "location", "malware-analysis", "file", "artifact",
          "x509-certificate", "network-traffic", "process", "software", "directory",
          "autonomous-system", "mac-addr", "mutex", "windows-registry-key", "email-message")
_COMPARISON = re.compile(
    r"\s*\[\s*([a-z0-9-]+):([a-z0-9_.]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]\s*", re.I)
_INNER = re.compile(r"\s*([a-z0-9-]+):([a-z0-9_.]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*", re.I)
_MISP_KINDS = {"email": "email", "email-src": "email", "email-dst": "email",
               "domain": "url", "hostname": "url", "url": "url", "link": "url",
               "ip-src": "ip", "ip-dst": "ip", "btc": "wallet", "xmr": "wallet",
               "phone-number": "phone", "whois-registrant-phone": "phone",
               "whois-registrant-email": "email", "bank-account-nr": "bank", "iban": "bank",
               "full-name": NAME, "passport-number": "gov-id", "github-username": "handle",
               "twitter-id": "handle", "jabber-id": "email"}
_MISP_QUIET = {"text", "comment", "other", "datetime", "link"}
_KINDS = {k.value for k in IdentifierKind} | {NAME}


def _json(data: bytes, what: str) -> Any:
    text, note = decode_text(data, what=what)
    if note:
        raise WatchlistFormatError([f"{what}: JSON must be UTF-8 ({note})"])
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise WatchlistFormatError([f"{what} line {exc.lineno}, column {exc.colno}: "
                                    f"{exc.msg}"]) from None
    except RecursionError:
        raise WatchlistFormatError([f"{what}: nested too deeply"]) from None


_OR = re.compile(r"\s+OR\s+")
_ESCAPE = re.compile(r"\\(.)")


def parse_pattern(pattern: str) -> list[tuple[str, str]] | None:
    """``[a:b = 'x'] OR [c:d = 'y']`` / ``[a:b = 'x' OR c:d = 'y']`` -> [(path, value)];
    None when the pattern is anything else (AND, other operators, qualifiers)."""
    text = pattern.strip()
    found: list[tuple[str, str]] = []
    if text.startswith("[") and text.endswith("]") and pattern.count("[") == 1:
        parts = _OR.split(text[1:-1])
        regex = _INNER
    else:
        parts = _OR.split(text)
        regex = _COMPARISON
    for part in parts:
        m = regex.fullmatch(part)
        if not m:
            return None
        value = m.group(3)
        if "\\" in value:
            value = _ESCAPE.sub(r"\1", value)
        found.append((f"{m.group(1).lower()}:{m.group(2).lower()}", value))
    return found


def parse_stix(data: bytes, what: str = "bundle") -> ParsedList:
    """A STIX 2.1 bundle -> ParsedList."""
    doc = _json(data, what)
    if not isinstance(doc, dict) or doc.get("type") != "bundle" or not isinstance(
            doc.get("objects", []), list):
        raise WatchlistFormatError([f"{what}: not a STIX bundle (no type 'bundle' with an "
                                    "objects list)"])
    objects: list[Any] = [o for o in doc.get("objects", []) if isinstance(o, dict)]
    del doc  # each object is dropped once read below: a big bundle is not held twice
    result = ParsedList("stix")
    authors = {o.get("created_by_ref") for o in objects}
    identities = {o.get("id"): o for o in objects if o.get("type") == "identity"}
    publisher = next((identities[a].get("name", "") for a in authors if a in identities), "")
    result.publisher = str(publisher)
    latest = max((str(o.get("published") or o.get("modified") or "") for o in objects
                  if o.get("type") in ("report", "indicator")), default="")
    result.list_date = latest[:10]
    for index in range(len(objects)):
        obj, objects[index] = objects[index], None
        kind = obj.get("type", "")
        if kind == "indicator":
            _indicator(result, obj, what, index)
        elif kind in _SCO_KINDS or kind in ("caseapp-identifier", "cryptocurrency-wallet"):
            _sco(result, obj, what, index)
        elif kind in _NAMED:
            if obj.get("id") in authors:
                continue  # a publisher, not a listed party
            party = ListedParty(ref=str(obj.get("id", "")), name=str(obj.get("name", "")),
                                type=kind, programmes=tuple(map(str, obj.get("labels", []))))
            for name in [obj.get("name", ""), *obj.get("aliases", [])]:
                party.add(NAME, str(name))
            if party.items:
                result.parties.append(party)
                result.records += 1
        elif kind not in _QUIET:
            result.skip(f"{_at(what, index, obj)}: object type {kind!r} is not "
                        "understood; skipped")
    return result


def _at(what: str, index: int, obj: dict[str, Any]) -> str:
    """An object's location, written only when a problem is reported (a bundle of 100,000
    indicators mostly has none)."""
    return f"{what} object {index + 1} ({obj.get('id', obj.get('type', ''))})"


def _indicator(result: ParsedList, obj: dict[str, Any], what: str, index: int) -> None:
    if obj.get("pattern_type", "stix") != "stix":
        result.skip(f"{_at(what, index, obj)}: {obj.get('pattern_type')} patterns cannot be "
                    "evaluated; skipped")
        return
    pairs = parse_pattern(str(obj.get("pattern", "")))
    if not pairs:
        result.skip(f"{_at(what, index, obj)}: the pattern is not a simple equality caseapp "
                    "can evaluate; skipped")
        return
    party = ListedParty(ref=str(obj.get("id", "")), name=str(obj.get("name", "")),
                        type="indicator", programmes=tuple(map(str, obj.get(
                            "indicator_types", []) + obj.get("labels", []))),
                        remarks=str(obj.get("description", ""))[:500])
    for path, value in pairs:
        if path not in _PATH_KINDS:
            result.skip(f"{_at(what, index, obj)}: {path} is not a person identifier caseapp "
                        "matches; skipped")
            continue
        kind = _PATH_KINDS[path] or classify(value)
        if kind:
            party.add(str(kind), value)
    if party.items:
        result.parties.append(party)
        result.records += 1


def _sco(result: ParsedList, obj: dict[str, Any], what: str, index: int) -> None:
    kind_name = obj.get("type", "")
    if kind_name == "caseapp-identifier":
        kind, value = str(obj.get("identifier_kind", "")), str(obj.get("value", ""))
    elif kind_name == "cryptocurrency-wallet":
        kind, value = "wallet", str(obj.get("address") or obj.get("value") or "")
    else:
        prop, kind = _SCO_KINDS[kind_name]
        value = str(obj.get(prop, ""))
    if kind not in _KINDS or kind == NAME or not value or "[REDACTED]" in value:
        result.skip(f"{_at(what, index, obj)}: no identifier caseapp can match; skipped")
        return
    party = ListedParty(ref=str(obj.get("id", "")), name=value, type="observable")
    party.add(kind, value)
    result.parties.append(party)
    result.records += 1


def _misp_events(doc: Any) -> list[dict[str, Any]]:
    if isinstance(doc, list):
        return [e for d in doc for e in _misp_events(d)]
    if isinstance(doc, dict):
        if isinstance(doc.get("response"), list):
            return _misp_events(doc["response"])
        if isinstance(doc.get("Event"), dict):
            return [doc["Event"]]
        if "Attribute" in doc or "Object" in doc:
            return [doc]
    return []


def parse_misp(data: bytes, what: str = "event") -> ParsedList:
    """MISP event JSON -> ParsedList."""
    events = _misp_events(_json(data, what))
    if not events:
        raise WatchlistFormatError([f"{what}: no MISP Event in the file"])
    result = ParsedList("misp")
    other: dict[str, int] = {}
    for event in events:
        org = event.get("Orgc") or event.get("Org") or {}
        result.publisher = result.publisher or str(org.get("name", "")) if isinstance(
            org, dict) else result.publisher
        result.list_date = max(result.list_date, str(event.get("date", "")))
        tags = tuple(str(t.get("name", "")) for t in event.get("Tag", []) if isinstance(t, dict)
                     and not str(t.get("name", "")).startswith("tlp:"))
        info = str(event.get("info", ""))
        loose = ListedParty(ref=str(event.get("uuid", "")), name=info, type="event",
                            programmes=tags)
        for attr in event.get("Attribute", []):
            _misp_attr(loose, attr, other)
        if loose.items:
            result.parties.append(loose)
            result.records += 1
        for obj in event.get("Object", []):
            if not isinstance(obj, dict):
                continue
            attrs = [a for a in obj.get("Attribute", []) if isinstance(a, dict)]
            names = [a.get("value") for a in attrs if a.get("object_relation") == "full-name"]
            party = ListedParty(ref=str(obj.get("uuid", "")), name=str(names[0] if names
                                                                        else info),
                                type=str(obj.get("name", "object")), programmes=tags)
            for attr in attrs:
                if attr.get("object_relation") == "alias":
                    party.add(NAME, str(attr.get("value", "")))
                else:
                    _misp_attr(party, attr, other)
            if party.items:
                result.parties.append(party)
                result.records += 1
    for kind, n in sorted(other.items()):
        result.skip(f"{what}: {n} attribute(s) of type {kind!r} are not person identifiers; "
                    "skipped")
    return result


def _misp_attr(party: ListedParty, attr: Any, other: dict[str, int]) -> None:
    if not isinstance(attr, dict):
        return
    kind_type, value = str(attr.get("type", "")), str(attr.get("value", ""))
    kind = _MISP_KINDS.get(kind_type)
    if kind is None:
        if kind_type not in _MISP_QUIET:
            other[kind_type] = other.get(kind_type, 0) + 1
        return
    if value and "[REDACTED]" not in value:
        party.add(kind, value)


def parse_csv(data: bytes, what: str = "list.csv") -> ParsedList:
    """caseapp's watchlist CSV -> ParsedList (a bad header or row shape is fatal)."""
    text, note = decode_text(data, what=what)
    result = ParsedList("csv")
    if note:
        result.problems.append(note)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "kind" not in header or "value" not in header:
        raise WatchlistFormatError([f"{what} line 1: the header must name the columns kind "
                                    "and value (optionally name, programmes, reference, "
                                    "remarks)"])
    reader.fieldnames = header
    problems: list[str] = []
    parties: dict[str, ListedParty] = {}
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                problems.append(f"{what} line {line}: more fields than the header has")
                continue
            kind = (row.get("kind") or "").strip().lower()
            value = (row.get("value") or "").strip()
            if not kind and not value:
                continue
            if kind not in _KINDS:
                result.skip(f"{what} line {line}: unknown kind {kind[:30]!r}; skipped")
                continue
            ref = (row.get("reference") or "").strip() or f"line {line}"
            name = (row.get("name") or "").strip() or value
            party = parties.setdefault(ref, ListedParty(
                ref=ref, name=name, type="listed", programmes=tuple(
                    p.strip() for p in (row.get("programmes") or "").split(";") if p.strip()),
                remarks=(row.get("remarks") or "").strip()))
            party.add(kind, value)
            result.records += 1
    except csv.Error as exc:
        problems.append(f"{what} line {reader.line_num}: {exc}")
    if problems:
        raise WatchlistFormatError(problems)
    result.parties = [p for p in parties.values() if p.items]
    return result

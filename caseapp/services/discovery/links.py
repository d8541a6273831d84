"""Cross-case links: other cases, subjects and tips that share an identifier.

Exact links share ``(kind, normalized)``. Near links share a near-match key
(:func:`caseapp.domain.identifiers.near_keys`, kept in ``search_near_key``) but not the normalised
value: e-mail addresses equal apart from dots or +tags where the provider ignores them, phone
numbers equal apart from formatting or country code, addresses equal apart from the unit or
punctuation. Each group is one identifier of the queried case (or tip) with everything sharing
it; near groups come after exact ones and say why they are near. First/last seen: when each
occurrence was recorded (a tip's: when the tip was received), across all of them.

Two queries per call (exact, near), both driven by the ``(kind, normalized)`` index and the
near-key index. Tipster identity is never an identifier, so it never links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import phonenumbers
from sqlmodel import select

from caseapp.domain.enums import IdentifierKind
from caseapp.domain.identifiers import near_keys
from caseapp.domain.models import Case, Tip
from caseapp.services.cases.subjects import make_identifier
from caseapp.services.errors import NotFound
from caseapp.services.workspace import Workspace
from caseapp.store.interface import OccurrenceSeed

__all__ = ["LinkGroup", "LinkedCase", "LinkedTip", "links_for_case", "links_for_identifier",
           "links_for_tip", "near_reason"]


@dataclass(frozen=True)
class LinkedCase:
    """A subject of another case holding the identifier (``value``: as recorded there)."""

    ref: str
    title: str
    subject: str
    subject_id: int
    value: str
    reason: str = ""  # near matches: why this one is near

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "title": self.title, "subject": self.subject,
                "subject_id": self.subject_id, "value": self.value, "reason": self.reason}


@dataclass(frozen=True)
class LinkedTip:
    """A tip holding the identifier."""

    ref: str
    id: int
    value: str
    reason: str = ""  # near matches: why this one is near

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "id": self.id, "value": self.value, "reason": self.reason}


@dataclass
class LinkGroup:
    """Everything sharing one identifier of the queried record, exactly or nearly."""

    kind: str
    normalized: str
    match: str  # "exact" | "near"
    reason: str
    cases: list[LinkedCase] = field(default_factory=list)
    tips: list[LinkedTip] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {"cases": len({c.ref for c in self.cases}), "subjects": len(self.cases),
                "tips": len(self.tips)}

    def to_json(self) -> dict[str, Any]:
        """The CONTRACTS.md ``links`` item (plus counts and first/last seen)."""
        return {"kind": self.kind, "normalized": self.normalized, "match": self.match,
                "reason": self.reason, "cases": [c.to_json() for c in self.cases],
                "tips": [t.to_json() for t in self.tips], "counts": self.counts,
                "first_seen": _iso(self.first_seen), "last_seen": _iso(self.last_seen)}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


_KIND_WORDS = {"email": "e-mail address", "phone": "phone number", "url": "web address",
               "ip": "IP address", "address": "postal address", "wallet": "wallet address",
               "bank": "bank account", "gov-id": "government ID", "device": "device ID",
               "handle": "handle"}


def _email_parts(value: str) -> tuple[str, str]:
    local, _, domain = value.casefold().rpartition("@")
    return local, domain


def near_reason(kind: str, ours: str, theirs: str) -> str:
    """Why two normalised values of ``kind`` with the same near key are a near match."""
    return _reason_text(kind, _near_notes(kind, ours, theirs))


def _reason_text(kind: str, notes: list[str]) -> str:
    return ("same mailbox: " if kind == "email" else "") + "; ".join(notes)


def _near_notes(kind: str, ours: str, theirs: str) -> list[str]:
    if kind == "email":
        (lo, do), (lt, dt) = _email_parts(ours), _email_parts(theirs)
        base_o, base_t = lo.split("+", 1)[0], lt.split("+", 1)[0]
        notes = []
        if do != dt:
            notes.append("googlemail.com is gmail.com")
        if base_o != base_t and base_o.replace(".", "") == base_t.replace(".", ""):
            notes.append("Gmail ignores dots in the name")
        if lo != base_o or lt != base_t:
            notes.append("+tags are ignored by the mail provider")
        return notes or ["provider-equivalent spelling"]
    if kind == "phone":
        codes = []
        for value in (ours, theirs):
            try:
                codes.append(phonenumbers.parse(value, None).country_code)
            except phonenumbers.NumberParseException:
                codes.append(None)
        if None not in codes and codes[0] != codes[1]:
            return [f"same national number under another country code (+{codes[0]} / "
                    f"+{codes[1]})"]
        return ["same digits; formatting differs (one number has no country code)"]
    if kind == "address":
        if _alnum(ours) == _alnum(theirs):
            return ["same address apart from punctuation or spacing"]
        return ["same address apart from the unit, flat or room number"]
    if kind == "url":
        return ["same site and path apart from scheme, www, port or query"]
    if kind == "wallet":
        return ["same wallet address apart from letter case"]
    if kind == "device":
        return ["same hardware address apart from separators"]
    return [f"similar {_KIND_WORDS.get(kind, kind)}"]


def _alnum(value: str) -> str:
    return "".join(c for c in value.casefold() if c.isalnum())


def _collect(ws: Workspace, seed: OccurrenceSeed, exclude_case: int | None,
             exclude_tip: int | None) -> list[LinkGroup]:
    exact_rows, near_rows = ws.store.occurrences(seed)
    own = {(r[0], r[1]) for r in exact_rows}  # the seeds themselves
    groups: dict[tuple[str, str, str], LinkGroup] = {}
    notes: dict[tuple[str, str, str], list[str]] = {}
    for match, rows in (("exact", exact_rows), ("near", near_rows)):
        for (kind, norm, _oid, raw, other_norm, created, sid, sname, cid, cref, ctitle, tid,
             tref, received) in rows:
            if match == "near" and (kind, other_norm) in own:
                continue  # already listed as an exact link of that identifier
            key = (match, kind, norm)
            group = groups.get(key)
            if group is None:
                group = groups[key] = LinkGroup(kind, norm, match,
                                                f"same {_KIND_WORDS.get(kind, kind)}")
            reason = ""
            if match == "near":
                entry_notes = _near_notes(kind, norm, other_norm)
                reason = _reason_text(kind, entry_notes)
                group_notes = notes.setdefault(key, [])
                group_notes.extend(n for n in entry_notes if n not in group_notes)
                group.reason = _reason_text(kind, group_notes)
            seen = _utc(received if tid is not None else created)
            if seen is not None:
                group.first_seen = min(filter(None, (group.first_seen, seen)))
                group.last_seen = max(filter(None, (group.last_seen, seen)))
            if cid is not None and cid != exclude_case:
                if all(c.subject_id != sid for c in group.cases):
                    group.cases.append(LinkedCase(cref or "", ctitle or "", sname or "", sid or 0,
                                                  raw, reason))
            elif tid is not None and tid != exclude_tip and all(t.id != tid for t in group.tips):
                group.tips.append(LinkedTip(tref or "", tid, raw, reason))
    result = [g for g in groups.values() if g.cases or g.tips]
    for group in result:
        group.cases.sort(key=lambda c: (c.ref, c.subject_id))
        group.tips.sort(key=lambda t: t.ref)
    result.sort(key=lambda g: (g.match != "exact", -(g.counts["cases"] + g.counts["tips"]),
                               g.kind, g.normalized))
    _signal_reasons(ws, result)
    return result


def _signal_reasons(ws: Workspace, groups: list[LinkGroup]) -> None:
    """Exact IP/device links seen in imported sign-in logs say so (reason ``same sign-in
    egress IP`` / ``same sign-in device``): the laptop-farm pattern of several workers behind
    one address or machine."""
    wanted = [g for g in groups if g.match == "exact" and g.kind in ("ip", "device")]
    if not wanted:
        return
    from sqlmodel import col

    from caseapp.domain.models import SignalObservation

    with ws.session() as session:
        ips = set(session.exec(select(SignalObservation.ip).where(col(SignalObservation.ip).in_(
            [g.normalized for g in wanted if g.kind == "ip"] or [""]))).all())
        names = [g.normalized for g in wanted if g.kind == "device"]
        variants = {v for n in names for v in (n, n.upper(), n.lower())} or {""}
        devices = {d.casefold() for d in session.exec(select(SignalObservation.device_id).where(
            col(SignalObservation.device_id).in_(variants))).all()}
    for group in wanted:
        if group.kind == "ip" and group.normalized in ips:
            group.reason = "same sign-in egress IP (imported sign-in logs)"
        elif group.kind == "device" and group.normalized.casefold() in devices:
            group.reason = "same sign-in device (imported sign-in logs)"


def _owner_id(ws: Workspace, table: type[Case] | type[Tip], ref: str, label: str) -> int:
    with ws.session() as session:
        owner = session.exec(select(table.id).where(table.ref == ref.strip().upper())).first()
    if owner is None:
        raise NotFound(f"No {label} {ref.strip()!r}.")
    return int(owner)


def links_for_case(ws: Workspace, case_ref: str) -> list[LinkGroup]:
    """Groups of other cases/subjects and tips sharing each identifier of the case's subjects."""
    case_id = _owner_id(ws, Case, case_ref, "case")
    return _collect(ws, OccurrenceSeed("case", case_id), case_id, None)


def links_for_tip(ws: Workspace, tip_ref: str) -> list[LinkGroup]:
    """Groups of cases/subjects and other tips sharing each identifier of the tip."""
    tip_id = _owner_id(ws, Tip, tip_ref, "tip")
    return _collect(ws, OccurrenceSeed("tip", tip_id), None, tip_id)


def links_for_identifier(ws: Workspace, kind: str, value: str, *,
                         exclude_case_ref: str | None = None) -> list[LinkGroup]:
    """Who holds this identifier (normalised like a recorded one), exactly or nearly."""
    probe = make_identifier(kind, value, subject_id=0)
    keys = near_keys(IdentifierKind(probe.kind), probe.normalized)
    exclude = _owner_id(ws, Case, exclude_case_ref, "case") if exclude_case_ref else None
    seed = OccurrenceSeed("value", kind=probe.kind, normalized=probe.normalized,
                          near_key=keys[0] if keys else None)
    return _collect(ws, seed, exclude, None)

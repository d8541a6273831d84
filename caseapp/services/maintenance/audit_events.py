"""The audit log in words: events with their case and record refs, filters, CSV export.

The chain itself (:mod:`caseapp.security.audit`) keeps action ids, internal entity ids and
JSON details, which is what the hashes cover. This module reads it for people: an action id
becomes "Red-flag item assessed", ``checklist 3`` becomes the case ref and the item's label,
and the detail becomes a sentence plus one readable line per field. Shared by the Audit page
and ``caseapp audit list``.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, func, or_, select

from caseapp.domain.models import AuditEntry
from caseapp.services.errors import InvalidInput
from caseapp.services.workspace import Workspace

#: Action id -> what happened, in words. Unknown actions are spelled out from their id.
ACTION_WORDS: dict[str, str] = {
    "store.created": "Store created",
    "store.verified": "Store verified",
    "store.backup": "Store backed up",
    "store.restored": "Store restored from a backup",
    "vault.quarantined": "Stray exhibit file quarantined",
    "vault.leftovers-removed": "Unfinished exhibit files removed",
    "key.recovery-code": "Recovery code made",
    "key.passphrase-changed": "Passphrase changed",
    "signing.certificate-created": "Signing certificate created",
    "case.created": "Case opened",
    "case.updated": "Case details edited",
    "case.status": "Case status changed",
    "case.exported": "Case file exported (PDF)",
    "case.shared": "Case shared (STIX, MISP, link chart or referral pack prepared)",
    "watchlist.imported": "Watchlist imported",
    "watchlist.removed": "Watchlist removed",
    "case.produced": "Production made",
    "subject.added": "Subject added",
    "subject.updated": "Subject edited",
    "identifier.added": "Identifier added",
    "identifier.removed": "Identifier removed",
    "note.added": "Note added",
    "note.edited": "Note edited",
    "note.conflict-copy": "Conflicting copy of a note kept (a colleague saved it first)",
    "note.conflict-kept": "Conflicting copy kept as a note of its own",
    "note.conflict-settled": "Conflicting copy settled",
    "evidence.ingested": "Exhibit added",
    "evidence.from-tip": "Exhibit added from a tip",
    "evidence.withdrawn": "Exhibit withdrawn",
    "evidence.opened": "Exhibit opened",
    "evidence.exported": "Exhibit copied out",
    "evidence.verified": "Exhibit re-hashed",
    "checklist.started": "Red-flag checklist started",
    "checklist.item-set": "Red-flag item assessed",
    "checklist.suggestion-dismissed": "Red-flag suggestion dismissed",
    "checklist.upgraded": "Red-flag checklist upgraded",
    "template.imported": "Red-flag template imported",
    "tip.created": "Tip logged",
    "tip.updated": "Tip edited",
    "tip.status": "Tip status changed",
    "tip.tipster-updated": "Tipster details edited",
    "tip.tipster-revealed": "Tipster identity revealed",
    "tip.identifiers-added": "Identifiers added to a tip",
    "tip.attachment-added": "Attachment added to a tip",
    "tip.linked": "Tip linked to a case",
    "tip.unlinked": "Tip unlinked from a case",
    "tip.marked-duplicate": "Tip marked as a duplicate",
    "tip.kept-separate": "Tip kept separate from a similar one",
    "tips.imported": "Tips imported from CSV",
    "investigator.profile-set": "Investigator profile set",
    "case.published": "Case published to the team store",
    "case.published-from-local": "Case published from a local home",
    "case.checked-out": "Case checked out to a local home",
    "case.checked-out-from-team": "Case checked out from the team store",
    "history.imported": "Earlier history of the case (imported)",
    "team.tips-key-granted": "Tips key shared with members",
}

#: Detail keys -> labels (others: ``note_changed`` -> "Note changed").
FIELD_WORDS = {"sha256": "SHA-256", "url": "URL", "ip": "IP", "key_mode": "Key kept in",
               "os_account": "OS account",
               "occurred_at": "Happened at", "received_at": "Received at",
               "accepted_suggestion": "Suggestion accepted from", "from": "Before",
               "to": "After", "case": "Case", "exhibit": "Exhibit", "item": "Red-flag item"}

CSV_COLUMNS = ("entry", "when_utc", "actor", "event", "case", "record", "summary", "action",
               "details", "hash")


def action_words(action: str) -> str:
    """``checklist.item-set`` -> ``Red-flag item assessed``."""
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    words = action.replace(".", ": ").replace("-", " ").replace("_", " ")
    return words[:1].upper() + words[1:]


def field_words(key: str) -> str:
    """A detail key as a label."""
    words = FIELD_WORDS.get(key) or key.replace("_", " ").replace("-", " ")
    return words[:1].upper() + words[1:]


def _spell(value: str) -> str:
    """Contract spellings read as words (``in-triage`` -> ``in triage``); refs untouched."""
    if value.isascii() and value.replace("-", "").isalpha() and value.islower():
        return value.replace("-", " ")
    return value


def value_words(value: Any) -> str:
    """A detail value as plain text: lists joined, pairs as ``kind: value``, no reprs."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and all(isinstance(v, str) for v in value) and \
                value[0].isascii() and " " not in value[0] and len(value[0]) <= 16:
            return f"{value[0]}: {value[1]}"
        return "; ".join(value_words(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{field_words(str(k))} {value_words(v)}" for k, v in value.items())
    return str(value)


@functools.lru_cache(maxsize=1)
def _item_labels() -> dict[str, str]:
    """Red-flag item id -> label, over every bundled template version."""
    from caseapp.services.redflags.templates import builtin_templates

    labels: dict[str, str] = {}
    for (_tid, _version), (template, _text) in sorted(builtin_templates().templates.items()):
        for category in template.categories:
            for item in category.items:
                labels[item.id] = item.label
    return labels


def item_label(item_id: str) -> str:
    """The label of a red-flag item (its id when no bundled template has it)."""
    return _item_labels().get(item_id, item_id)


@dataclass(frozen=True)
class AuditEvent:
    """One audit entry, for people."""

    id: int
    at: datetime
    actor: str
    action: str
    event: str  # the action in words
    case: str  # case ref, "" when the entry is not about one case
    record: str  # what in the case (or store): E-001, TIP-2026-0001, a subject's name...
    summary: str  # one line: what changed
    detail: dict[str, Any] = field(default_factory=dict)
    entity: str = ""
    entity_id: str = ""
    hash: str = ""

    def detail_lines(self) -> list[str]:
        """Every detail field on its own line, as ``Label: value``."""
        return [f"{field_words(k)}: {value_words(v)}" for k, v in self.detail.items()]

    def full_text(self) -> str:
        """The whole entry as plain text (the Audit page's detail pane)."""
        lines = [self.event, "",
                 f"When: {self.at.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S')} UTC",
                 f"By: {self.actor}"]
        if self.case:
            lines.append(f"Case: {self.case}")
        if self.record:
            lines.append(f"Record: {self.record}")
        if self.summary:
            lines.append(f"What: {self.summary}")
        if self.detail:
            lines += ["", "Details:"] + [f"  {line}" for line in self.detail_lines()]
        lines += ["", f"Audit entry #{self.id} · {self.action} · "
                      f"{self.entity} {self.entity_id}".rstrip(),
                  f"Hash: {self.hash}"]
        return "\n".join(lines)


def _state_change(detail: dict[str, Any]) -> str:
    state = detail.get("state")
    if isinstance(state, list) and len(state) == 2:
        return f"{_spell(str(state[0]))} → {_spell(str(state[1]))}"
    return ""


def _when(iso: str) -> str:
    """``2026-03-02T10:15:00+00:00`` -> ``2026-03-02 10:15 UTC`` (as stored, in UTC)."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _summary(action: str, d: dict[str, Any]) -> str:
    """One line of what changed, from the entry's detail."""
    if "from" in d and "to" in d and action.endswith(".status") or action == "tip.linked":
        change = f"{_spell(str(d.get('from', '')))} → {_spell(str(d.get('to', '')))}"
        return change + (f" (case {d['case']})" if action == "tip.linked" else "")
    if action == "case.created":
        return str(d.get("title", ""))
    if action == "history.imported":  # the original entry, and where it was written
        original, origin = d.get("original") or {}, d.get("imported_from") or {}
        inner = _summary(str(original.get("action", "")), original.get("detail") or {})
        return (f"{action_words(str(original.get('action', '')))} in {origin.get('case', '')}"
                f" (entry {origin.get('entry', '')}, {_when(str(original.get('at', '')))})"
                + (f": {inner}" if inner else ""))
    if action == "note.added":
        return "happened " + _when(str(d.get("occurred_at", "")))
    if action == "checklist.item-set":
        parts = []  # the item's label is the event's record
        change = _state_change(d)
        if change:
            parts.append(change)
        if d.get("note_changed"):
            parts.append("note changed")
        if d.get("exhibits"):
            parts.append("exhibits " + value_words(d["exhibits"]))
        if d.get("accepted_suggestion"):
            parts.append("suggestion from " + value_words(d["accepted_suggestion"])
                         + " accepted")
        return "; ".join(p for p in parts if p)
    if action == "checklist.started" or action == "checklist.upgraded":
        version = d.get("version", d.get("to", ""))
        return f"{d.get('template', '')} version {version}".strip()
    if action == "subject.added":
        aliases = d.get("aliases") or []
        idents = d.get("identifiers") or []
        text = str(d.get("name", ""))
        if aliases:
            text += " (also " + ", ".join(str(a) for a in aliases) + ")"
        return text + (f"; {len(idents)} identifier(s)" if idents else "")
    if action.startswith("identifier."):
        return " ".join(str(d[k]) for k in ("kind", "value", "raw") if d.get(k))
    if action.startswith("evidence.") or action == "tip.attachment-added":
        return " ".join(str(d[k]) for k in ("attachment", "name", "reason") if d.get(k))
    if action == "tip.created":
        bits = [_spell(str(d.get("channel", "")))]
        if d.get("grade"):
            bits.append(f"graded {d['grade']}")
        bits.append("anonymous" if d.get("anonymous") else "named tipster")
        return ", ".join(b for b in bits if b)
    if action.endswith((".updated", ".edited")):
        keys = [k for k in d if k not in ("case",)]
        return ("changed: " + ", ".join(field_words(k).lower() for k in keys)) if keys else ""
    skip = {"case", "sha256", "lazy"}
    return "; ".join(f"{field_words(k)} {value_words(v)}" for k, v in d.items()
                     if k not in skip)[:300]


def _record(entry: AuditEntry, d: dict[str, Any]) -> str:
    entity = entry.entity
    if entity in ("tip", "template"):
        return entry.entity_id
    if entity == "evidence":
        return str(d.get("exhibit", "exhibit"))
    if entity == "subject":
        return str(d.get("name", "subject"))
    if entity == "checklist":
        item = d.get("item")
        return item_label(str(item)) if item else "red-flag checklist"
    if entity == "note":
        at = str(d.get("occurred_at", ""))[:10]
        return f"note of {at}" if at else "note"
    if entity == "identifier":
        return "identifier"
    if entity == "store":
        return "the store"
    return ""


def to_event(entry: AuditEntry) -> AuditEvent:
    """An audit entry read for people."""
    try:
        loaded = json.loads(entry.detail)
    except ValueError:
        loaded = {"unreadable": entry.detail}
    detail = loaded if isinstance(loaded, dict) else {"value": loaded}
    case = entry.entity_id if entry.entity == "case" else str(detail.get("case", "") or "")
    return AuditEvent(
        id=entry.id or 0, at=entry.at, actor=entry.actor, action=entry.action,
        event=action_words(entry.action), case=case, record=_record(entry, detail),
        summary=_summary(entry.action, detail), detail=detail, entity=entry.entity,
        entity_id=entry.entity_id, hash=entry.hash)


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to list; every field optional. Times are aware (any zone)."""

    case: str | None = None  # a case ref
    actions: tuple[str, ...] = ()  # action ids (any of them)
    actor: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive

    def conditions(self) -> list[Any]:
        where: list[Any] = []
        if self.case:
            ref = self.case.strip().upper()
            where.append(or_(
                (col(AuditEntry.entity) == "case") & (col(AuditEntry.entity_id) == ref),
                # the detail is canonical JSON (no spaces): {"case":"CASE-…",…}
                col(AuditEntry.detail).contains(f'"case":{json.dumps(ref)}', autoescape=True)))
        if self.actions:
            where.append(col(AuditEntry.action).in_(self.actions))
        if self.actor:
            where.append(col(AuditEntry.actor) == self.actor)
        for moment, op in ((self.since, "ge"), (self.until, "lt")):
            if moment is not None:
                if moment.tzinfo is None:
                    raise InvalidInput("a time filter needs a time zone")
                utc = moment.astimezone(UTC)
                where.append(col(AuditEntry.at) >= utc if op == "ge"
                             else col(AuditEntry.at) < utc)
        return where


def list_events(ws: Workspace, flt: AuditFilter | None = None, *,
                before_id: int | None = None, limit: int = 500) -> list[AuditEvent]:
    """Up to ``limit`` matching entries, newest first, with ids below ``before_id``."""
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(max(1, limit))
    for condition in (flt or AuditFilter()).conditions():
        query = query.where(condition)
    if before_id is not None:
        query = query.where(col(AuditEntry.id) < before_id)
    with ws.session() as session:
        return [to_event(e) for e in session.exec(query).all()]


def count_events(ws: Workspace, flt: AuditFilter | None = None) -> int:
    """How many entries match."""
    query = select(func.count()).select_from(AuditEntry)
    for condition in (flt or AuditFilter()).conditions():
        query = query.where(condition)
    with ws.session() as session:
        return int(session.exec(query).one())


def distinct_values(ws: Workspace) -> tuple[list[str], list[str]]:
    """The action ids and the actors present in the log (for filter lists), sorted."""
    with ws.session() as session:
        actions = session.exec(select(AuditEntry.action).distinct()).all()
        actors = session.exec(select(AuditEntry.actor).distinct()).all()
    return sorted(actions, key=action_words), sorted(actors)


def iter_events(ws: Workspace, flt: AuditFilter | None = None,
                page: int = 1000) -> Iterator[AuditEvent]:
    """Every matching entry, newest first, read page by page."""
    before: int | None = None
    while True:
        events = list_events(ws, flt, before_id=before, limit=page)
        yield from events
        if len(events) < page:
            return
        before = events[-1].id


def _neutralise(cell: object) -> str:
    from caseapp.services.casefile.production import neutralise

    return neutralise(cell)


def write_csv(ws: Workspace, flt: AuditFilter | None, dest: Path | str) -> int:
    """Write the matching entries (newest first) as CSV to ``dest``; returns the count.

    Columns: :data:`CSV_COLUMNS`. Cells that a spreadsheet would run as a formula get a
    ``'`` prefix. Written to a temp file beside ``dest`` and renamed, so a failed export
    leaves no half file.
    """
    dest = Path(dest)
    tmp = dest.with_name(dest.name + ".part")
    count = 0
    try:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for ev in iter_events(ws, flt):
                writer.writerow([_neutralise(v) for v in (
                    ev.id, ev.at.astimezone(UTC).isoformat(), ev.actor, ev.event, ev.case,
                    ev.record, ev.summary, ev.action, " | ".join(ev.detail_lines()), ev.hash)])
                count += 1
        tmp.replace(dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InvalidInput(f"could not write {dest.name}: {exc.strerror or 'I/O error'}") \
            from None
    return count

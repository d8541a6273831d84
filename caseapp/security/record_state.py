"""Canonical states of the records an audit entry vouches for, and their hashes.

The audit chain proves which actions happened in which order; to prove the *state* they left,
every transaction that changes a record stores, in its last audit entry, a hash of each changed
record's canonical state after the change (:func:`track` and :mod:`caseapp.security.audit`).
``verify`` recomputes every record's hash and compares it with the newest one recorded.

A record is an aggregate that one audit entry is about, with the rows that belong to it:
a case (with its export history), a subject, an identifier, a note (with its revisions), an
exhibit or tip attachment (with its chain of custody), a tip (with its case links), a case's
red-flag checklist (with its answers), an imported template and an imported watchlist (with a
digest of its entries). Tipster identity is not part of
a tip's state: a hash of a name would let anyone who can read the audit log test guesses.
Fields that only say "something else changed" (``updated_at``) are left out.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from caseapp.domain.models import (
    Case,
    Checklist,
    ChecklistAnswer,
    CustodyEvent,
    Evidence,
    ExportRecord,
    Identifier,
    Note,
    NoteRevision,
    Production,
    SignalFinding,
    SignalImport,
    SignalObservation,
    Subject,
    TemplateBlob,
    Tip,
    TipCaseLink,
    Watchlist,
    WatchlistEntry,
)
from caseapp.domain.text import exhibit_label, load_list

#: Bump when what a state holds changes (old entries then no longer match: re-baseline).
STATE_VERSION = 1
KINDS = ("case", "subject", "identifier", "note", "evidence", "tip", "checklist", "template",
         "watchlist")
#: The hash recorded for a record that a transaction deleted.
DELETED = "deleted"

#: ORM row class -> (record kind, how to get the record id from the row).
_OWNERS: dict[type, tuple[str, Callable[[Any], int | None]]] = {
    Case: ("case", lambda r: r.id), ExportRecord: ("case", lambda r: r.case_id),
    Production: ("case", lambda r: r.case_id),
    SignalImport: ("case", lambda r: r.case_id), SignalFinding: ("case", lambda r: r.case_id),
    SignalObservation: ("case", lambda r: r.case_id),
    Subject: ("subject", lambda r: r.id), Identifier: ("identifier", lambda r: r.id),
    Note: ("note", lambda r: r.id), NoteRevision: ("note", lambda r: r.note_id),
    Evidence: ("evidence", lambda r: r.id), CustodyEvent: ("evidence", lambda r: r.evidence_id),
    Tip: ("tip", lambda r: r.id), TipCaseLink: ("tip", lambda r: r.tip_id),
    Checklist: ("checklist", lambda r: r.id),
    ChecklistAnswer: ("checklist", lambda r: r.checklist_id),
    TemplateBlob: ("template", lambda r: r.id),
    Watchlist: ("watchlist", lambda r: r.id),
    WatchlistEntry: ("watchlist", lambda r: r.watchlist_id),
}
_TOUCHED = "caseapp_touched"

StateMap = dict[int, tuple[str, dict[str, Any]]]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="microseconds") if moment else None


def state_hash(kind: str, state: dict[str, Any]) -> str:
    """SHA-256 of a record's canonical state."""
    payload = json.dumps({"v": STATE_VERSION, "kind": kind, "state": state}, sort_keys=True,
                         separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _where(stmt: Any, column: Any, ids: Sequence[int] | None) -> Any:
    return stmt if ids is None else stmt.where(col(column).in_(list(ids)))


def _grouped(session: Session, model: Any, parent: Any, ids: Sequence[int] | None,
             row: Callable[[Any], list[Any]], *, by: str | None = None,
             order: Any = None) -> dict[int, list[list[Any]]]:
    """``row(r)`` of every ``model`` row whose ``parent`` column is in ``ids`` (all rows when
    None), in ``order`` (default: id order), grouped by ``by`` (default: ``parent``)."""
    key = by or parent.key
    grouped: dict[int, list[list[Any]]] = defaultdict(list)
    stmt = _where(select(model), parent, ids).order_by(col(model.id if order is None else order))
    for r in session.exec(stmt).all():
        grouped[getattr(r, key)].append(row(r))
    return grouped


def _case_refs(session: Session) -> dict[int, str]:
    return {cid: ref for cid, ref in session.exec(select(Case.id, Case.ref)).all()
            if cid is not None}


def _tip_refs(session: Session) -> dict[int, str]:
    return {tid: ref for tid, ref in session.exec(select(Tip.id, Tip.ref)).all()
            if tid is not None}


def _cases(session: Session, ids: Sequence[int] | None) -> StateMap:
    exports = _grouped(session, ExportRecord, ExportRecord.case_id, ids, lambda rec: [
        rec.id, rec.sha256, _iso(rec.created_at), rec.pages, rec.bates_first, rec.bates_last,
        rec.recipient])
    productions = _grouped(session, Production, Production.case_id, ids, lambda prod: [
        prod.id, prod.number, prod.prefix, prod.bates_first, prod.bates_last,
        prod.manifest_sha256, _iso(prod.created_at)])
    signals = _signal_states(session, ids)
    out: StateMap = {}
    for c in session.exec(_where(select(Case), Case.id, ids)).all():
        assert c.id is not None
        state = {"ref": c.ref, "title": c.title, "summary": c.summary,
                 "key_facts": c.key_facts, "status": c.status,
                 "priority": c.priority, "tags": load_list(c.tags),
                 "opened_at": _iso(c.opened_at), "closed_at": _iso(c.closed_at),
                 "exports": exports.get(c.id, [])}
        if c.id in productions:  # only when there are some: older state hashes still match
            state["productions"] = productions[c.id]
        if c.id in signals:  # likewise: only cases with signal imports or findings
            state["signals"] = signals[c.id]
        out[c.id] = (c.ref, state)
    return out


def _digest(items: Iterable[Any]) -> str:
    payload = json.dumps(list(items), separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _signal_states(session: Session, ids: Sequence[int] | None) -> dict[int, dict[str, Any]]:
    """Per case: its signal imports (with a digest of their observations) and findings
    (with their decisions), so an edit of a finding's status or cited rows is detected."""
    out: dict[int, dict[str, Any]] = {}
    obs = _grouped(session, SignalObservation, SignalObservation.case_id, ids, lambda o: [
        o.id, o.subject_id, o.account, o.ip, o.device_id, o.first_line, o.last_line,
        _iso(o.first_at), _iso(o.last_at), o.count, o.failures, o.country, o.city, o.network,
        o.egress], by="import_id")
    for imp in session.exec(_where(select(SignalImport), SignalImport.case_id, ids)
                            .order_by(col(SignalImport.id))).all():
        entry = out.setdefault(imp.case_id, {"imports": [], "findings": []})
        entry["imports"].append([imp.id, imp.evidence_id, imp.format, imp.rows, imp.attributed,
                                 imp.errors, _digest([imp.data, imp.summary]),
                                 _digest(obs.get(imp.id or 0, []))])
    for f in session.exec(_where(select(SignalFinding), SignalFinding.case_id, ids)
                          .order_by(col(SignalFinding.id))).all():
        entry = out.setdefault(f.case_id, {"imports": [], "findings": []})
        entry["findings"].append([f.id, f.subject_id, f.import_id, f.evidence_id, f.rule,
                                  f.rule_version, f.key, f.redflag_item, f.status,
                                  f.decided_by, f.decision_note, _iso(f.decided_at),
                                  _digest([f.summary, f.score, f.lines, f.line_count,
                                           f.exhibits, f.detail, f.data])])
    return out


def _subjects(session: Session, ids: Sequence[int] | None) -> StateMap:
    refs = _case_refs(session)
    out: StateMap = {}
    for s in session.exec(_where(select(Subject), Subject.id, ids)).all():
        assert s.id is not None
        case = refs.get(s.case_id, f"case#{s.case_id}")
        out[s.id] = (f"{case}/subject#{s.id}", {
            "case": case, "name": s.name, "aliases": load_list(s.aliases),
            "role_applied": s.role_applied, "hiring_platform": s.hiring_platform,
            "claimed_location": s.claimed_location, "notes": s.notes})
    return out


def _identifiers(session: Session, ids: Sequence[int] | None) -> StateMap:
    cases, tips = _case_refs(session), _tip_refs(session)
    subject_case = {sid: cid for sid, cid in session.exec(select(Subject.id, Subject.case_id))}
    out: StateMap = {}
    for i in session.exec(_where(select(Identifier), Identifier.id, ids)).all():
        assert i.id is not None
        if i.subject_id is not None:
            owner = f"{cases.get(subject_case.get(i.subject_id, -1), 'case?')}" \
                    f"/subject#{i.subject_id}"
        else:
            owner = tips.get(i.tip_id or -1, f"tip#{i.tip_id}")
        out[i.id] = (f"{owner}/identifier#{i.id}", {
            "owner": owner, "kind": i.kind, "raw": i.raw, "normalized": i.normalized,
            "normalized_ok": i.normalized_ok})
    return out


def _notes(session: Session, ids: Sequence[int] | None) -> StateMap:
    refs = _case_refs(session)
    revisions = _grouped(session, NoteRevision, NoteRevision.note_id, ids, lambda r: [
        r.version, r.text, _iso(r.occurred_at), r.occurred_tz, _iso(r.saved_at), r.author])
    out: StateMap = {}
    for n in session.exec(_where(select(Note), Note.id, ids)).all():
        assert n.id is not None
        case = refs.get(n.case_id, f"case#{n.case_id}")
        out[n.id] = (f"{case}/note#{n.id}", {
            "case": case, "text": n.text, "occurred_at": _iso(n.occurred_at),
            "occurred_tz": n.occurred_tz, "recorded_at": _iso(n.recorded_at),
            "author": n.author, "version": n.version, "revisions": revisions.get(n.id, [])})
    return out


def _evidence(session: Session, ids: Sequence[int] | None) -> StateMap:
    cases, tips = _case_refs(session), _tip_refs(session)
    custody = _grouped(session, CustodyEvent, CustodyEvent.evidence_id, ids, lambda e: [
        e.id, _iso(e.at), e.actor, e.action, e.sha256, e.detail])
    out: StateMap = {}
    for ev in session.exec(_where(select(Evidence), Evidence.id, ids)).all():
        assert ev.id is not None
        if ev.case_id is not None and ev.number is not None:
            where = f"{cases.get(ev.case_id, f'case#{ev.case_id}')}/{exhibit_label(ev.number)}"
        else:
            where = f"{tips.get(ev.tip_id or -1, f'tip#{ev.tip_id}')}/attachment#{ev.id}"
        out[ev.id] = (where, {
            "where": where, "title": ev.title, "description": ev.description,
            "original_name": ev.original_name, "size": ev.size, "media_type": ev.media_type,
            "sha256": ev.sha256, "blob_id": ev.blob_id, "acquired_at": _iso(ev.acquired_at),
            "acquired_by": ev.acquired_by, "acquired_from": ev.acquired_from,
            "acquisition_method": ev.acquisition_method, "ingested_at": _iso(ev.ingested_at),
            "ingested_by": ev.ingested_by, "withdrawn_at": _iso(ev.withdrawn_at),
            "withdrawn_by": ev.withdrawn_by, "withdrawn_reason": ev.withdrawn_reason,
            "custody": custody.get(ev.id, [])})
    return out


def _tips(session: Session, ids: Sequence[int] | None) -> StateMap:
    refs, cases = _tip_refs(session), _case_refs(session)
    links = _grouped(session, TipCaseLink, TipCaseLink.tip_id, ids, lambda link: [
        cases.get(link.case_id, link.case_id), link.note])
    out: StateMap = {}
    for t in session.exec(_where(select(Tip), Tip.id, ids)).all():
        assert t.id is not None
        out[t.id] = (t.ref, {
            "ref": t.ref, "received_at": _iso(t.received_at), "channel": t.channel,
            "programme": t.programme, "reference": t.reference, "anonymous": t.anonymous,
            "content": t.content, "reliability": t.reliability, "credibility": t.credibility,
            "status": t.status, "duplicate_of": refs.get(t.duplicate_of_id or -1),
            "kept_separate": load_list(t.kept_separate), "follow_up_due": _iso(t.follow_up_due),
            "assignee_note": t.assignee_note, "reward_status": t.reward_status,
            "cases": links.get(t.id, [])})
    return out


def _checklists(session: Session, ids: Sequence[int] | None) -> StateMap:
    refs = _case_refs(session)
    answers = _grouped(session, ChecklistAnswer, ChecklistAnswer.checklist_id, ids, lambda a: [
        a.item_id, a.state, a.note, load_list(a.exhibits), load_list(a.dismissed)],
        order=ChecklistAnswer.item_id)
    out: StateMap = {}
    for c in session.exec(_where(select(Checklist), Checklist.id, ids)).all():
        assert c.id is not None
        case = refs.get(c.case_id, f"case#{c.case_id}")
        out[c.id] = (f"{case}/checklist", {"case": case, "template": c.template_id,
                                           "version": c.template_version,
                                           "answers": answers.get(c.id, [])})
    return out


def _templates(session: Session, ids: Sequence[int] | None) -> StateMap:
    out: StateMap = {}
    for t in session.exec(_where(select(TemplateBlob), TemplateBlob.id, ids)).all():
        assert t.id is not None
        out[t.id] = (f"template {t.template_id} v{t.version}", {
            "template": t.template_id, "version": t.version,
            "toml_sha256": hashlib.sha256(t.toml.encode("utf-8")).hexdigest()})
    return out


#: The fields of a watchlist entry its list's state covers (in id order).
ENTRY_FIELDS = ("entry_ref", "entry_name", "entry_type", "programmes", "kind", "value",
                "normalized", "remarks")
_VOUCHED = "caseapp_watchlist_entries"


def _entries_digest(rows: Sequence[Any]) -> str:
    """SHA-256 over the entries as canonical JSON, 2,000 at a time (flat memory)."""
    digest = hashlib.sha256()
    for start in range(0, len(rows), 2000):
        digest.update(json.dumps(list(rows[start:start + 2000]), separators=(",", ":"),
                                 ensure_ascii=False, default=str).encode("utf-8") + b"\n")
    return digest.hexdigest()


def vouch_entries(session: Session, watchlist_id: int, rows: list[tuple[Any, ...]]) -> None:
    """The import that just wrote a list's entries (``ENTRY_FIELDS`` in insertion order)
    hands over their digest, so its transaction's state hash does not read 100,000 rows
    back. ``verify`` always reads them from the store."""
    session.info.setdefault(_VOUCHED, {})[watchlist_id] = (_entries_digest(rows) if rows
                                                            else None)


def _watchlists(session: Session, ids: Sequence[int] | None) -> StateMap:
    """An imported watchlist with a digest of its entries (read as plain rows: a list holds
    100,000 of them), so a stored entry edited, added or removed outside caseapp is found."""
    vouched: dict[int, str | None] = session.info.get(_VOUCHED, {}) if ids else {}
    digests: dict[int, str | None] = {w: d for w, d in vouched.items() if ids and w in ids}
    unread = None if ids is None else [i for i in ids if i not in digests]
    if unread is None or unread:
        entries: dict[int, list[Any]] = defaultdict(list)
        columns = (WatchlistEntry.watchlist_id,
                   *(getattr(WatchlistEntry, name) for name in ENTRY_FIELDS))
        stmt = sa_select(*(col(c) for c in columns)).order_by(col(WatchlistEntry.id))
        if unread is not None:
            stmt = stmt.where(col(WatchlistEntry.watchlist_id).in_(unread))
        for row in session.execute(stmt):
            entries[row[0]].append(row[1:])
        digests.update({wid: _entries_digest(rows) for wid, rows in entries.items()})
    out: StateMap = {}
    for w in session.exec(_where(select(Watchlist), Watchlist.id, ids)).all():
        assert w.id is not None
        out[w.id] = (f"watchlist {w.name}", {
            "name": w.name, "format": w.format, "publisher": w.publisher,
            "file_name": w.file_name, "list_date": w.list_date, "sha256": w.sha256,
            "entries": w.entries, "records": w.records, "skipped": w.skipped,
            "problems": w.problems, "imported_at": _iso(w.imported_at),
            "imported_by": w.imported_by,
            "entry_digest": digests.get(w.id)})
    return out


_STATES: dict[str, Callable[[Session, Sequence[int] | None], StateMap]] = {
    "case": _cases, "subject": _subjects, "identifier": _identifiers, "note": _notes,
    "evidence": _evidence, "tip": _tips, "checklist": _checklists, "template": _templates,
    "watchlist": _watchlists,
}


def record_key(kind: str, record_id: int) -> str:
    """The key a record's hash is stored under in an audit entry's ``state``."""
    return f"{kind}:{record_id}"


def current_hashes(session: Session, kind: str,
                   ids: Sequence[int] | None = None) -> dict[str, tuple[str, str]]:
    """``{record key: (where, hash)}`` for the records of ``kind`` (all, or these ids)."""
    return {record_key(kind, rid): (where, state_hash(kind, state))
            for rid, (where, state) in _STATES[kind](session, ids).items()}


def hashes_for(session: Session, touched: Iterable[tuple[str, int]]) -> dict[str, list[str]]:
    """``{record key: [where, hash]}`` for the touched records; deleted ones hash as DELETED."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for kind, rid in touched:
        by_kind[kind].add(rid)
    out: dict[str, list[str]] = {}
    for kind, ids in by_kind.items():
        found = current_hashes(session, kind, sorted(ids))
        for rid in sorted(ids):
            key = record_key(kind, rid)
            where, digest = found.get(key, (f"{kind}#{rid}", DELETED))
            out[key] = [where, digest]
    return out


def touched(session: Session) -> set[tuple[str, int]]:
    """Records changed in the session's transaction so far (and not yet vouched for)."""
    return session.info.setdefault(_TOUCHED, set())


def _after_flush(session: Session, _context: Any) -> None:
    marks = touched(session)
    for obj in (*session.new, *session.dirty, *session.deleted):
        owner = _OWNERS.get(type(obj))
        if owner is None:
            continue
        rid = owner[1](obj)
        if rid is not None:
            marks.add((owner[0], int(rid)))


def _after_end(session: Session, *_args: Any) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_VOUCHED, None)


def track() -> None:
    """Register the listeners that note which records each transaction changes (idempotent)."""
    for name, fn in (("after_flush", _after_flush), ("after_commit", _after_end),
                     ("after_rollback", _after_end)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)

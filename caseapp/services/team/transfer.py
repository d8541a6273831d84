"""Copying one case's records from one store into another (``team publish`` / ``checkout``).

:func:`read_case` takes a snapshot of a case as the source session sees it; :func:`write_case`
writes it into the destination session (the caller's unit of work) under the destination's own
reference, every row id remapped. What carries over: the case, subjects and their identifiers,
notes with their revisions, the red-flag checklist and answers (and its pinned template
version, when the destination lacks it), exhibits (their blobs are the
caller's business: re-encrypted beforehand, mapped here) with every custody event, export
records, signal imports, observations and findings. Not carried over as rows: tip links (tips
live in their own store), productions (Bates numbers are the destination's to issue) and an
exhibit's link to the tip it came from; :class:`NotCarried` names them for the result and
the audit entries, and they remain in the imported history. The source's audit entries about
the case are appended to the destination's chain as ``history.imported`` entries naming their
origin (store, case, entry id and hash), so the destination chain stays one valid chain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import or_
from sqlmodel import Session, SQLModel, col, select

from caseapp.domain.loadfiles import bates_label
from caseapp.domain.models import (
    AuditEntry,
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
)
from caseapp.domain.text import case_ref as make_ref
from caseapp.security import audit
from caseapp.services.cases.cases import get_case_in
from caseapp.store.allocation import next_case_seq

M = TypeVar("M", bound=SQLModel)

#: Audit entities whose ``entity_id`` is a row id of a case-scoped table (as the team
#: store's audit trigger tells an entry's case).
_ID_ENTITIES = ("subject", "evidence", "note", "checklist", "signal_finding", "identifier")


@dataclass(frozen=True)
class NotCarried:
    """What a move leaves behind, by name: the user is told, and both audit entries say."""

    tips: tuple[str, ...] = ()  # refs of the tips linked to the case (links not copied)
    productions: tuple[str, ...] = ()  # "PROD-001 (ACME-000001 to ACME-000040)"
    tip_exhibits: tuple[str, ...] = ()  # exhibits copied without the tip they came from

    def as_json(self) -> dict[str, Any]:
        return {"tip_links": len(self.tips), "productions": len(self.productions),
                "tips": list(self.tips), "production_list": list(self.productions),
                "tip_exhibits": list(self.tip_exhibits)}


def _production(p: Production) -> str:
    issued = (f" ({bates_label(p.prefix, p.bates_first)} to "
              f"{bates_label(p.prefix, p.bates_last)})" if p.bates_last else "")
    return f"PROD-{p.number:03d}{issued}"


@dataclass
class CaseSnapshot:
    """A case's rows as the source store holds them."""

    case: Case
    subjects: list[Subject] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    revisions: list[NoteRevision] = field(default_factory=list)
    checklist: Checklist | None = None
    template: TemplateBlob | None = None  # the checklist's pinned template text, if stored
    answers: list[ChecklistAnswer] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    custody: list[CustodyEvent] = field(default_factory=list)
    exports: list[ExportRecord] = field(default_factory=list)
    imports: list[SignalImport] = field(default_factory=list)
    observations: list[SignalObservation] = field(default_factory=list)
    findings: list[SignalFinding] = field(default_factory=list)
    history: list[AuditEntry] = field(default_factory=list)
    not_carried: NotCarried = NotCarried()


def _ids(rows: list[Any]) -> list[int]:
    return [r.id for r in rows if r.id is not None]


def _all(session: Session, model: type[M], column: Any, ids: list[int]) -> list[M]:
    if not ids:
        return []
    return list(session.exec(select(model).where(col(column).in_(ids))
                             .order_by(col(model.id))).all())  # type: ignore[attr-defined]


def read_case(session: Session, ref: str) -> CaseSnapshot:
    """Everything of case ``ref`` that :func:`write_case` carries over, and its history."""
    case = get_case_in(session, ref)
    cid = [case.id or 0]
    snap = CaseSnapshot(case=case)
    snap.subjects = _all(session, Subject, Subject.case_id, cid)
    snap.identifiers = _all(session, Identifier, Identifier.subject_id, _ids(snap.subjects))
    snap.notes = _all(session, Note, Note.case_id, cid)
    snap.revisions = _all(session, NoteRevision, NoteRevision.note_id, _ids(snap.notes))
    checklists = _all(session, Checklist, Checklist.case_id, cid)
    snap.checklist = checklists[0] if checklists else None
    if snap.checklist is not None:
        snap.template = session.exec(select(TemplateBlob).where(
            TemplateBlob.template_id == snap.checklist.template_id,
            TemplateBlob.version == snap.checklist.template_version)).first()
    snap.answers = _all(session, ChecklistAnswer, ChecklistAnswer.checklist_id,
                        _ids(checklists))
    snap.evidence = _all(session, Evidence, Evidence.case_id, cid)
    snap.custody = _all(session, CustodyEvent, CustodyEvent.evidence_id, _ids(snap.evidence))
    snap.exports = _all(session, ExportRecord, ExportRecord.case_id, cid)
    snap.imports = _all(session, SignalImport, SignalImport.case_id, cid)
    snap.observations = _all(session, SignalObservation, SignalObservation.case_id, cid)
    snap.findings = _all(session, SignalFinding, SignalFinding.case_id, cid)
    tip_ids = [link.tip_id for link in _all(session, TipCaseLink, TipCaseLink.case_id, cid)]
    tips = session.exec(select(Tip.ref).where(col(Tip.id).in_(tip_ids))).all() if tip_ids else []
    snap.not_carried = NotCarried(
        tuple(sorted(tips)),
        tuple(_production(p) for p in _all(session, Production, Production.case_id, cid)),
        tuple(ev.exhibit for ev in snap.evidence if ev.tip_id is not None))
    snap.history = _history(session, snap)
    return snap


def _history(session: Session, snap: CaseSnapshot) -> list[AuditEntry]:
    """The audit entries about the case: named by its ref (as entity or ``case`` detail) or
    about one of its rows (the rule the team store's audit trigger applies)."""
    ref = snap.case.ref
    by_id = {"subject": _ids(snap.subjects), "evidence": _ids(snap.evidence),
             "note": _ids(snap.notes), "identifier": _ids(snap.identifiers),
             "checklist": [snap.checklist.id] if snap.checklist and snap.checklist.id else [],
             "signal_finding": _ids(snap.findings)}
    wanted: list[Any] = [
        (col(AuditEntry.entity) == "case") & (col(AuditEntry.entity_id) == ref),
        col(AuditEntry.detail).contains(json.dumps({"case": ref})[1:-1]),
    ]
    for entity in _ID_ENTITIES:
        if by_id[entity]:
            wanted.append((col(AuditEntry.entity) == entity)
                          & col(AuditEntry.entity_id).in_([str(i) for i in by_id[entity]]))
    rows = session.exec(select(AuditEntry).where(or_(*wanted))
                        .order_by(col(AuditEntry.id))).all()
    return [r for r in rows if _about(r, ref)]


def _about(entry: AuditEntry, ref: str) -> bool:
    """Drop LIKE matches where the ref sits in a longer value or another key's text."""
    if entry.entity == "case" and entry.entity_id == ref:
        return True
    try:
        detail = json.loads(entry.detail or "{}")
    except ValueError:
        return False
    if isinstance(detail, dict) and detail.get("case") == ref:
        return True
    return entry.entity in _ID_ENTITIES and not (isinstance(detail, dict)
                                                 and detail.get("case"))


def _copy(row: M, **changes: Any) -> M:
    """A new row of the same table with ``row``'s values (no id) and ``changes``."""
    values = row.model_dump(exclude={"id"})
    values.update(changes)
    return type(row)(**values)


@dataclass(frozen=True)
class Written:
    """What :func:`write_case` made in the destination."""

    case: Case
    exhibits: dict[int, Evidence]  # source evidence id -> new row
    history_entries: int


def write_case(session: Session, snap: CaseSnapshot, blobs: dict[int, str],
               origin: dict[str, Any]) -> Written:
    """Write ``snap`` as a new case of the destination (the caller's write unit), under the
    destination's next reference for the case's year. ``blobs``: source evidence id -> the
    blob id the destination holds it under. ``origin`` names the source in the history."""
    year = snap.case.year
    seq = next_case_seq(session, year)
    case = _copy(snap.case, ref=make_ref(year, seq), year=year, seq=seq)
    session.add(case)
    session.flush()
    cid, old_ref = case.id or 0, snap.case.ref
    subjects = _add_all(session, snap.subjects, case_id=cid)
    _add_all(session, snap.identifiers, subject_id=lambda r: subjects[r.subject_id],
             tip_id=None)
    notes = _add_all(session, snap.notes, case_id=cid)
    _add_all(session, snap.revisions, note_id=lambda r: notes[r.note_id])
    exhibits: dict[int, Evidence] = {}
    for ev in snap.evidence:
        new = _copy(ev, case_id=cid, tip_id=None, blob_id=blobs[ev.id or 0])
        session.add(new)
        exhibits[ev.id or 0] = new
    session.flush()
    ev_ids = {old: new.id or 0 for old, new in exhibits.items()}
    _add_all(session, snap.custody, evidence_id=lambda r: ev_ids[r.evidence_id])
    if snap.checklist is not None:
        _carry_template(session, snap.template)
        checklist = _add_all(session, [snap.checklist], case_id=cid)
        _add_all(session, snap.answers,
                 checklist_id=lambda r: checklist[r.checklist_id],
                 exhibits=lambda r: json.dumps([ev_ids[i] for i in json.loads(r.exhibits)
                                                if i in ev_ids]))
    _add_all(session, snap.exports, case_id=cid)
    imports = _add_all(session, snap.imports, case_id=cid,
                       evidence_id=lambda r: ev_ids[r.evidence_id])
    _add_all(session, snap.observations, case_id=cid,
             import_id=lambda r: imports[r.import_id],
             subject_id=lambda r: subjects[r.subject_id])
    _add_all(session, snap.findings, case_id=cid,
             subject_id=lambda r: subjects[r.subject_id],
             import_id=lambda r: imports.get(r.import_id) if r.import_id else None,
             evidence_id=lambda r: ev_ids.get(r.evidence_id) if r.evidence_id else None,
             exhibits=lambda r: json.dumps([_reref(x, old_ref, case.ref)
                                            for x in json.loads(r.exhibits)]))
    for entry in snap.history:
        audit.append(session, "history.imported", "case", case.ref, {
            "case": case.ref, "imported_from": {**origin, "case": old_ref,
                                                "entry": entry.id, "hash": entry.hash},
            "original": {"at": entry.at.isoformat(timespec="microseconds"),
                         "actor": entry.actor, "action": entry.action,
                         "entity": entry.entity, "entity_id": entry.entity_id,
                         "detail": json.loads(entry.detail or "{}")}})
    return Written(case, exhibits, len(snap.history))


def _carry_template(session: Session, template: TemplateBlob | None) -> None:
    """The pinned template version goes along unless the destination has it (templates are
    team-wide; a stored version is never replaced)."""
    if template is None:
        return
    if session.exec(select(TemplateBlob.id).where(
            TemplateBlob.template_id == template.template_id,
            TemplateBlob.version == template.version)).first() is None:
        session.add(_copy(template))


def _reref(label: Any, old: str, new: str) -> Any:
    """``OLD-REF/E-001`` of this case as ``NEW-REF/E-001``; other cases' labels unchanged."""
    if isinstance(label, str) and label.startswith(old + "/"):
        return new + label[len(old):]
    return label


def _add_all(session: Session, rows: list[M], **changes: Any) -> dict[int, int]:
    """Copy ``rows`` (callable changes get the source row); returns old id -> new id."""
    made: list[tuple[int, M]] = []
    for row in rows:
        values = {k: (v(row) if callable(v) else v) for k, v in changes.items()}
        new = _copy(row, **values)
        session.add(new)
        made.append((row.id or 0, new))  # type: ignore[attr-defined]
    session.flush()
    return {old: new.id or 0 for old, new in made}  # type: ignore[attr-defined]

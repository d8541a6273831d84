"""Gather everything the PDF case file shows, through the services and the vault.

Read-only except for what revealing a tipster records in the audit log. Exhibits are read
once each from the vault (streamed, flat memory): re-hashed, image bytes kept for the
appendix, text excerpted, and natives written for a production package in the same pass.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, func, select

from caseapp import __version__
from caseapp.domain.models import CustodyEvent, Evidence, ExportRecord, Tip, TipCaseLink
from caseapp.domain.progress import Cancel, Cancelled, Progress
from caseapp.pdf import exhibit_media
from caseapp.pdf.content import (
    APPENDIX_NONE,
    APPENDIX_REFERENCE,
    CaseFileContent,
    ExhibitEntry,
    ExportInfo,
    SubjectEntry,
    TimelineItem,
    TipEntry,
)
from caseapp.pdf.options import ExportOptions
from caseapp.security import audit
from caseapp.security.vault import VaultError
from caseapp.services.cases import notes, subjects
from caseapp.services.cases.cases import get_case_in
from caseapp.services.errors import IntegrityProblem
from caseapp.services.workspace import Workspace

NOT_IN_BUILD = "This feature is not available in this build of caseapp."


def module_available(name: str) -> bool:
    """True when the optional service module exists (an import error inside it still raises)."""
    return importlib.util.find_spec(name) is not None


@dataclass
class Natives:
    """Where the natives of a production package are staged."""

    folder: Path  # staging/natives
    names: dict[str, str]  # exhibit -> file name inside ``folder``


def gather(ws: Workspace, case_ref: str, options: ExportOptions, *, now: datetime,
           tz: Any, natives: Natives | None = None, progress: Progress | None = None,
           cancel: Cancel | None = None) -> CaseFileContent:
    """Everything the case file shows, with exhibits re-hashed from the vault."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        exhibits = list(session.exec(select(Evidence).where(Evidence.case_id == case.id)
                                     .order_by(col(Evidence.number))).all())
        custody: dict[int, list[CustodyEvent]] = {}
        for event in session.exec(select(CustodyEvent).join(
                Evidence, CustodyEvent.evidence_id == Evidence.id)
                .where(Evidence.case_id == case.id)
                .order_by(col(CustodyEvent.at), col(CustodyEvent.id))).all():
            custody.setdefault(event.evidence_id, []).append(event)
        exports = session.exec(select(func.count()).select_from(ExportRecord)
                               .where(ExportRecord.case_id == case.id)).one()
    info = ExportInfo(software=f"caseapp {__version__}", store_id=ws.store_id,
                      audit_head_id=None, audit_head_hash="", generated_at=now,
                      actor=audit.current_actor(), components=_components())
    content = CaseFileContent(case=case, tz=tz, info=info, other_exports=int(exports or 0))
    content.subjects = [SubjectEntry(v.subject, v.aliases, v.identifiers)
                        for v in subjects.list_subjects(ws, case.ref)]
    content.timeline = _timeline(ws, case.ref)
    _checklist(ws, case.ref, content)  # may start the checklist (an audit entry)
    _tips(ws, case.ref, options, content)  # revealing a tipster is audited
    _links(ws, case.ref, content)
    with ws.session() as session:  # the head after anything gathering itself recorded
        head = audit.head(session)
    info.audit_head_id = head.id if head else None
    info.audit_head_hash = head.hash if head else ""
    content.exhibits = [ExhibitEntry(e, custody.get(e.id or 0, [])) for e in exhibits]
    read_exhibits(ws, content.exhibits, natives=natives, progress=progress, cancel=cancel)
    return content


def _components() -> dict[str, str]:
    import platform

    import pypdf
    import reportlab

    return {"reportlab": reportlab.Version, "pypdf": pypdf.__version__,
            "Python": platform.python_version()}


def _timeline(ws: Workspace, case_ref: str) -> list[TimelineItem]:
    by_id = {n.id: n for n in notes.list_notes(ws, case_ref)}
    items = []
    for entry in notes.timeline(ws, case_ref):
        note = by_id.get(entry.note_id) if entry.note_id is not None else None
        items.append(TimelineItem(entry.at, entry.kind, entry.title, entry.text,
                                  author=note.author if note else "", edited=entry.edited,
                                  tz_name=note.occurred_tz if note else ""))
    return items


def _checklist(ws: Workspace, case_ref: str, content: CaseFileContent) -> None:
    name = "caseapp.services.redflags.checklists"
    if not module_available(name):
        content.checklist_note = f"Red-flag checklists: {NOT_IN_BUILD}"
        return
    view = importlib.import_module(name).get_checklist(ws, case_ref)
    content.checklist = view.to_json() if view is not None else None
    if content.checklist is None:
        content.checklist_note = "No red-flag checklist has been started for this case."


def _tips(ws: Workspace, case_ref: str, options: ExportOptions,
          content: CaseFileContent) -> None:
    if not module_available("caseapp.services.tips.views"):
        content.tips_note = f"Tips: {NOT_IN_BUILD}"
        return
    views_mod = importlib.import_module("caseapp.services.tips.views")
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        rows = session.exec(select(TipCaseLink, Tip).join(Tip, TipCaseLink.tip_id == Tip.id)
                            .where(TipCaseLink.case_id == case.id)
                            .order_by(col(Tip.received_at), col(Tip.id))).all()
        views = views_mod.tip_views(session, [tip for _link, tip in rows])
    entries: list[TipEntry] = []
    for (link, tip), view in zip(rows, views, strict=True):
        identity = None
        if not tip.anonymous and (tip.tipster_name or tip.tipster_contact or tip.relationship):
            if options.reveal_tipsters:
                revealed = importlib.import_module("caseapp.services.tips.tips").reveal_tipster(
                    ws, tip.ref)
                identity = {"name": revealed.name, "contact": revealed.contact,
                            "relationship": revealed.relationship}
            else:  # kept only to mask these values wherever they appear in free text
                identity = {"name": tip.tipster_name, "contact": tip.tipster_contact,
                            "relationship": tip.relationship or None}
        entries.append(TipEntry(
            ref=view.ref, received_at=view.received_at, channel=view.channel,
            programme=view.programme, reference=view.reference, anonymous=view.anonymous,
            grade=view.grade, grade_meaning=view.grade_meaning, status=view.status,
            reward_status=view.reward_status, content=view.content, identity=identity,
            identifiers=list(view.identifiers),
            attachments=[a.to_json() | {"label": a.label} for a in view.attachments],
            linked_at=link.created_at, link_note=link.note))
    content.tips = entries


def _links(ws: Workspace, case_ref: str, content: CaseFileContent) -> None:
    name = "caseapp.services.discovery.links"
    if module_available(name):
        groups = importlib.import_module(name).links_for_case(ws, case_ref)
        content.links = [g.to_json() for g in groups]
        return
    # Until correlation lands: exact shared identifiers, in the links contract shape.
    content.links_note = ("Exact matches of normalised identifiers only; near-match "
                          "correlation is not available in this build.")
    groups_out = []
    for (kind, normalized), hits in sorted(subjects.shared_for_case(ws, case_ref).items()):
        groups_out.append({
            "kind": kind, "normalized": normalized, "match": "exact",
            "reason": "same normalised identifier",
            "cases": [{"ref": h.case_ref, "title": h.case_title, "subject": h.subject_name}
                      for h in hits if h.case_ref],
            "tips": [{"ref": h.tip_ref} for h in hits if h.tip_ref]})
    content.links = groups_out


def read_exhibits(ws: Workspace, entries: list[ExhibitEntry], *, natives: Natives | None,
                  progress: Progress | None, cancel: Cancel | None) -> None:
    """Re-hash every exhibit from the vault; keep what the appendix shows; stage natives.

    Raises IntegrityProblem when an exhibit that is not withdrawn cannot be read or does
    not match its recorded SHA-256 (the PDF would certify a wrong hash).
    """
    total = len(entries)
    for index, entry in enumerate(entries):
        if cancel is not None and cancel():
            raise Cancelled("The export was cancelled; no file was written.")
        if progress is not None:
            progress(index, total, "Reading and re-hashing exhibits")
        _read_one(ws, entry, natives, cancel)
    if progress is not None:
        progress(total, total, "Reading and re-hashing exhibits")


def _read_one(ws: Workspace, entry: ExhibitEntry, natives: Natives | None,
              cancel: Cancel | None) -> None:
    ev = entry.evidence
    plan = exhibit_media.plan(ev.media_type, ev.original_name, ev.size)
    keep_limit = plan.keep_bytes
    native_path = None
    if natives is not None and not entry.withdrawn:
        native_path = natives.folder / natives.names[entry.exhibit]
    digest, size, kept = hashlib.sha256(), 0, bytearray()
    handle = open(native_path, "wb") if native_path else None  # noqa: SIM115
    try:
        for chunk in ws.vault.iter_plaintext(ev.blob_id):
            if cancel is not None and cancel():
                raise Cancelled("The export was cancelled; no file was written.")
            digest.update(chunk)
            size += len(chunk)
            if len(kept) < keep_limit:
                kept += chunk[:keep_limit - len(kept)]
            if handle is not None:
                handle.write(chunk)
        if handle is not None:
            handle.flush()
            os.fsync(handle.fileno())
    except VaultError as exc:
        _failed(entry, f"could not be read from the store: {exc}")
        return
    finally:
        if handle is not None:
            handle.close()
    if digest.hexdigest() != ev.sha256 or size != ev.size:
        _failed(entry, "the stored copy does not match its recorded SHA-256")
        return
    entry.verified, entry.verify_detail = True, ""
    if entry.withdrawn:
        entry.appendix = APPENDIX_NONE
        return
    exhibit_media.fill_appendix(entry, plan, bytes(kept))


def _failed(entry: ExhibitEntry, detail: str) -> None:
    entry.verified, entry.verify_detail = False, detail
    entry.appendix = APPENDIX_NONE if entry.withdrawn else APPENDIX_REFERENCE
    if not entry.withdrawn:
        raise IntegrityProblem(f"{entry.exhibit} {detail}; run “caseapp verify”. The case file "
                               "was not written.")

"""Gather everything the PDF case file shows, through the services and the vault.

Read-only except for the audit entries of starting the case's checklist (when it has none
yet) and of revealing a tipster. Exhibits are read once each from the vault (streamed, flat
memory): re-hashed, image bytes kept for the appendix, text excerpted, and natives written
for a production package in the same pass. Everything is handed to the renderer as the
typed, frozen records of :mod:`caseapp.pdf.content`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from sqlmodel import col, func, select

from caseapp import __version__
from caseapp.domain.models import CustodyEvent, Evidence, ExportRecord, Tip, TipCaseLink
from caseapp.domain.progress import Cancel, Cancelled, Progress
from caseapp.domain.redflags import Template
from caseapp.pdf import exhibit_media
from caseapp.pdf.content import (
    APPENDIX_NONE,
    APPENDIX_REFERENCE,
    CaseFileContent,
    ChecklistContent,
    ChecklistItem,
    ExhibitEntry,
    ExportInfo,
    FindingEntry,
    LinkedCaseEntry,
    LinkGroupEntry,
    ScoringRules,
    SubjectEntry,
    TimelineItem,
    TipAttachment,
    TipEntry,
    TipsterEntry,
    WatchlistHitEntry,
)
from caseapp.pdf.options import ExportOptions
from caseapp.security import audit
from caseapp.security.vault import VaultError
from caseapp.services.cases import notes, subjects
from caseapp.services.cases.cases import get_case_in
from caseapp.services.discovery.links import links_for_case
from caseapp.services.errors import IntegrityProblem
from caseapp.services.redflags.checklists import get_checklist
from caseapp.services.tips.tips import reveal_tipster
from caseapp.services.tips.views import tip_views
from caseapp.services.workspace import Workspace


@dataclass
class Natives:
    """Where the natives of a production package are staged."""

    folder: Path  # staging/natives
    names: dict[str, str]  # exhibit -> file name inside ``folder``


def gather(ws: Workspace, case_ref: str, options: ExportOptions, *, now: datetime,
           tz: tzinfo, natives: Natives | None = None, progress: Progress | None = None,
           cancel: Cancel | None = None) -> CaseFileContent:
    """Everything the case file shows, with exhibits re-hashed from the vault."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        exhibits = list(session.exec(select(Evidence).where(Evidence.case_id == case.id)
                                     .order_by(col(Evidence.number))).all())
        custody: dict[int, list[CustodyEvent]] = {}
        for event in session.exec(select(CustodyEvent).join(
                Evidence, col(CustodyEvent.evidence_id) == col(Evidence.id))
                .where(Evidence.case_id == case.id)
                .order_by(col(CustodyEvent.at), col(CustodyEvent.id))).all():
            custody.setdefault(event.evidence_id, []).append(event)
        exports = session.exec(select(func.count()).select_from(ExportRecord)
                               .where(ExportRecord.case_id == case.id)).one()
    subject_entries = tuple(SubjectEntry(v.subject, tuple(v.aliases), tuple(v.identifiers))
                            for v in subjects.list_subjects(ws, case.ref))
    timeline = _timeline(ws, case.ref)
    checklist = _checklist(ws, case.ref)  # may start the checklist (an audit entry)
    tips = _tips(ws, case.ref, options)  # revealing a tipster is audited
    links = _links(ws, case.ref)
    findings = _findings(ws, case.ref)
    with ws.session() as session:  # the head after anything gathering itself recorded
        head = audit.head(session)
    info = ExportInfo(software=f"caseapp {__version__}", store_id=ws.store_id,
                      audit_head_id=head.id if head else None,
                      audit_head_hash=head.hash if head else "", generated_at=now,
                      actor=audit.current_actor(), components=_components())
    entries = tuple(ExhibitEntry(e, custody.get(e.id or 0, [])) for e in exhibits)
    read_exhibits(ws, entries, natives=natives, progress=progress, cancel=cancel)
    return CaseFileContent(case=case, tz=tz, info=info, checklist=checklist,
                           subjects=subject_entries, exhibits=entries, timeline=timeline,
                           tips=tips, links=links, findings=findings,
                           other_exports=int(exports or 0),
                           watchlist_hits=_watchlist_hits(ws, case.ref))


def _watchlist_hits(ws: Workspace, case_ref: str) -> tuple[WatchlistHitEntry, ...]:
    from caseapp.services.exchange.hits import hits_for_case

    return tuple(WatchlistHitEntry(
        strength=h.strength, subject=h.subject, kind=h.kind, case_value=h.case_value,
        entry=h.entry_name or h.listed_value, entry_ref=h.entry_ref, programmes=h.programmes,
        match=h.match, score=h.score, list=h.list, list_date=h.list_date,
        list_sha256=h.list_sha256) for h in hits_for_case(ws, case_ref))


def _findings(ws: Workspace, case_ref: str) -> tuple[FindingEntry, ...]:
    from caseapp.services.signals.findings import list_findings

    out = []
    for f in list_findings(ws, case_ref).findings:
        data = tuple(f"{d['name']} {d['version']}"
                     + (f" (sha256 {d['sha256'][:16]}…)" if d.get("sha256") else "")
                     for d in f["data"])
        out.append(FindingEntry(
            f["rule"], f["version"], f["title"], f["explanation"], f["subject"], f["summary"],
            f["score"], f["status"], f["redflag_item"], f["exhibit"], tuple(f["lines"]),
            f["line_count"], tuple(f["exhibits"]), data, f.get("decision_note", "")))
    return tuple(out)


def _components() -> tuple[tuple[str, str], ...]:
    import platform

    import pypdf
    import reportlab

    return (("reportlab", reportlab.Version), ("pypdf", pypdf.__version__),
            ("Python", platform.python_version()))


def _timeline(ws: Workspace, case_ref: str) -> tuple[TimelineItem, ...]:
    by_id = {n.id: n for n in notes.list_notes(ws, case_ref)}
    items: list[TimelineItem] = []
    for entry in notes.timeline(ws, case_ref):
        note = by_id.get(entry.note_id) if entry.note_id is not None else None
        items.append(TimelineItem(entry.at, entry.kind, entry.title, entry.text,
                                  author=note.author if note else "", edited=entry.edited,
                                  tz_name=note.occurred_tz if note else ""))
    return tuple(items)


def _checklist(ws: Workspace, case_ref: str) -> ChecklistContent:
    """The case's checklist (started on the default template if it has none yet)."""
    view = get_checklist(ws, case_ref)
    items = tuple(ChecklistItem(
        id=i.item.id, label=i.item.label, category=i.item.category_id, weight=i.item.weight,
        state=i.state, note=i.note, exhibits=tuple(i.exhibits),
        suggestion=i.suggestion.reason if i.suggestion else "") for i in view.items)
    return ChecklistContent(template=view.template.id, version=view.template.version,
                            score=view.score.score, band=view.score.band,
                            coverage=view.score.coverage, items=items,
                            scoring=scoring_rules(view.template))


def scoring_rules(template: Template) -> ScoringRules:
    """The template's contribution per weight, suspected factor and band bounds."""
    scoring, bands = template.scoring, template.bands
    return ScoringRules(p=tuple(sorted(scoring.p.items())),
                        suspected_factor=scoring.suspected_factor, elevated=bands.elevated,
                        high=bands.high, critical=bands.critical)


def _tips(ws: Workspace, case_ref: str, options: ExportOptions) -> tuple[TipEntry, ...]:
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        rows = session.exec(select(TipCaseLink, Tip)
                            .join(Tip, col(TipCaseLink.tip_id) == col(Tip.id))
                            .where(TipCaseLink.case_id == case.id)
                            .order_by(col(Tip.received_at), col(Tip.id))).all()
        views = tip_views(session, [tip for _link, tip in rows])
    entries: list[TipEntry] = []
    for (link, tip), view in zip(rows, views, strict=True):
        identity = None
        if not tip.anonymous and (tip.tipster_name or tip.tipster_contact or tip.relationship):
            if options.reveal_tipsters:
                revealed = reveal_tipster(ws, tip.ref)
                identity = TipsterEntry(revealed.name, revealed.contact, revealed.relationship)
            else:  # kept only to mask these values wherever they appear in free text
                identity = TipsterEntry(tip.tipster_name, tip.tipster_contact,
                                        tip.relationship or None)
        entries.append(TipEntry(
            ref=view.ref, received_at=view.received_at, channel=view.channel,
            programme=view.programme, reference=view.reference, anonymous=view.anonymous,
            grade=view.grade, grade_meaning=view.grade_meaning, status=view.status,
            reward_status=view.reward_status, content=view.content, identity=identity,
            identifiers=tuple(view.identifiers),
            attachments=tuple(TipAttachment(a.label, a.original_name, a.media_type, a.size,
                                            a.sha256) for a in view.attachments),
            linked_at=link.created_at, link_note=link.note))
    return tuple(entries)


def _links(ws: Workspace, case_ref: str) -> tuple[LinkGroupEntry, ...]:
    return tuple(LinkGroupEntry(
        kind=g.kind, normalized=g.normalized, match=g.match, reason=g.reason,
        cases=tuple(LinkedCaseEntry(c.ref, c.title, c.subject) for c in g.cases),
        tips=tuple(t.ref for t in g.tips)) for g in links_for_case(ws, case_ref))


def read_exhibits(ws: Workspace, entries: Sequence[ExhibitEntry], *, natives: Natives | None,
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

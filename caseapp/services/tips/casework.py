"""Tips and cases: attachments, linking, creating a case from a tip, related cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from caseapp.domain import tips as rules
from caseapp.domain.enums import CaseStatus, CustodyAction, Priority, TipStatus
from caseapp.domain.models import (
    Case,
    Evidence,
    Identifier,
    Subject,
    Tip,
    TipCaseLink,
    utcnow,
)
from caseapp.domain.text import case_ref, clean_line, clean_text
from caseapp.security import audit
from caseapp.security.vault import IngestResult
from caseapp.services.cases.cases import get_case_in, require_title, touch
from caseapp.services.cases.subjects import shared_identifier_hits
from caseapp.services.deletions import delete_rows
from caseapp.services.errors import Conflict, InvalidInput
from caseapp.services.evidence.evidence import (
    Acquisition,
    Cancel,
    Progress,
    _media_type,
    record_custody,
    vault_ingest,
)
from caseapp.services.tips.tips import get_tip_in
from caseapp.services.tips.views import TipView, claim_tip, tip_views
from caseapp.services.workspace import Workspace
from caseapp.store.allocation import next_case_seq


def add_attachment(ws: Workspace, tip_ref: str, path: Path, *, title: str | None = None,
                   description: str = "", acquisition: Acquisition | None = None,
                   progress: Progress | None = None, cancel: Cancel | None = None) -> Evidence:
    """Hash and encrypt a file into the vault as an attachment of a tip (``case_id`` NULL),
    with custody events; the same content twice on one tip is refused."""
    path = Path(path)
    with ws.session() as session:
        get_tip_in(session, tip_ref)  # fail fast before reading the file
    from caseapp.services.evidence import tip_keys

    key = tip_keys.sealing_key(ws)  # a joined home: the team's tips key (not the home's)
    result = vault_ingest(ws, path, progress, cancel, key)
    try:
        return _record_attachment(ws, tip_ref, path, result, title, description,
                                  acquisition or Acquisition())
    except BaseException:
        ws.vault.discard(result.blob_id)
        raise


def _record_attachment(ws: Workspace, tip_ref: str, path: Path, result: IngestResult,
                       title: str | None, description: str, acq: Acquisition) -> Evidence:
    now = utcnow()
    with ws.transaction() as session:
        tip = get_tip_in(session, tip_ref)
        existing = session.exec(select(Evidence).where(
            Evidence.tip_id == tip.id, col(Evidence.case_id).is_(None),
            Evidence.sha256 == result.sha256)).first()
        if existing is not None:
            raise Conflict(f"Identical content is already attachment {existing.exhibit} of "
                           f"{tip.ref}.")
        ev = Evidence(
            case_id=None, tip_id=tip.id, number=None, title=clean_line(title or path.name)
            or "(untitled)", description=clean_text(description), original_name=path.name,
            original_path=str(path.resolve()) if path.exists() else str(path),
            size=result.size, media_type=_media_type(path.name), sha256=result.sha256,
            blob_id=result.blob_id, acquired_at=acq.acquired_at or now,
            acquired_by=clean_line(acq.acquired_by) or audit.current_actor(),
            acquired_from=clean_line(acq.acquired_from) or f"tip {tip.ref}",
            acquisition_method=clean_line(acq.method), ingested_at=now,
            ingested_by=audit.current_actor())
        session.add(ev)
        session.flush()
        record_custody(session, ev, CustodyAction.ACQUIRED, {
            "by": ev.acquired_by, "from": ev.acquired_from, "method": ev.acquisition_method,
            "original_path": ev.original_path, "tip": tip.ref}, at=ev.acquired_at)
        record_custody(session, ev, CustodyAction.INGESTED,
                       {"size": result.size, "blob": result.blob_id}, sha256=result.sha256,
                       at=now)
        tip.updated_at = now
        session.add(tip)
        audit.append(session, "tip.attachment-added", "tip", tip.ref, {
            "attachment": ev.exhibit, "sha256": result.sha256, "size": result.size,
            "name": path.name})
        return ev


def _link_in(session: Session, tip: Tip, case: Case, note: str) -> bool:
    """Add the link (if new) and move the tip to ``linked`` when its status allows."""
    exists = session.exec(select(TipCaseLink).where(TipCaseLink.tip_id == tip.id,
                                                    TipCaseLink.case_id == case.id)).first()
    if exists is not None:
        return False
    now = utcnow()
    session.add(TipCaseLink(tip_id=tip.id or 0, case_id=case.id or 0, created_at=now,
                            note=clean_text(note)))
    previous = tip.status
    if rules.can_transition(previous, TipStatus.LINKED):
        if previous != TipStatus.LINKED.value:  # a status change: editors open on it see it
            claim_tip(session, tip, None)
        tip.status = TipStatus.LINKED.value
    tip.updated_at = now
    session.add(tip)
    touch(case, now)
    session.add(case)
    session.flush()
    audit.append(session, "tip.linked", "tip", tip.ref,
                 {"case": case.ref, "from": previous, "to": tip.status})
    return True


def link_tip(ws: Workspace, tip_ref: str, case_ref_: str, *, note: str = "") -> TipView:
    """Link a tip to a case (a tip may feed several cases). The tip becomes ``linked``
    unless it is closed or a duplicate, which keep their status."""
    with ws.transaction() as session:
        tip = get_tip_in(session, tip_ref)
        case = get_case_in(session, case_ref_)
        _link_in(session, tip, case, note)
        return tip_views(session, [tip])[0]


def unlink_tip(ws: Workspace, tip_ref: str, case_ref_: str) -> TipView:
    """Remove a link made by mistake; a ``linked`` tip left without cases becomes
    ``actionable``."""
    with ws.transaction() as session:
        tip = get_tip_in(session, tip_ref)
        case = get_case_in(session, case_ref_)
        link = session.exec(select(TipCaseLink).where(TipCaseLink.tip_id == tip.id,
                                                      TipCaseLink.case_id == case.id)).first()
        if link is None:
            raise Conflict(f"{tip.ref} is not linked to {case.ref}.")
        delete_rows(session, link)
        remaining = session.exec(select(TipCaseLink.id).where(
            TipCaseLink.tip_id == tip.id)).first()
        if remaining is None and tip.status == TipStatus.LINKED.value:
            claim_tip(session, tip, None)
            tip.status = TipStatus.ACTIONABLE.value
        tip.updated_at = utcnow()
        session.add(tip)
        audit.append(session, "tip.unlinked", "tip", tip.ref,
                     {"case": case.ref, "status": tip.status})
        return tip_views(session, [tip])[0]


def create_case_from_tip(ws: Workspace, tip_ref: str, title: str, *,
                         subject_name: str | None = None, priority: str = "medium",
                         summary: str | None = None) -> Case:
    """Open a new case from a tip, in one transaction.

    The tip's identifiers become the identifiers of the case's first subject; its attachments
    become exhibits sharing the same vault blob, each with custody events recording that it
    came from the tip. The tip is linked to the new case.
    """
    title = require_title(title)
    try:
        prio = Priority.parse(priority)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    now = utcnow()
    with ws.transaction() as session:
        tip = get_tip_in(session, tip_ref)
        seq = next_case_seq(session, now.year)  # team store: counts cases hidden by RLS
        case = Case(ref=case_ref(now.year, seq), year=now.year, seq=seq, title=title,
                    summary=clean_text(summary if summary is not None else
                                       f"Opened from tip {tip.ref}."),
                    priority=prio.value, status=CaseStatus.OPEN.value, opened_at=now,
                    updated_at=now)
        session.add(case)
        session.flush()
        audit.append(session, "case.created", "case", case.ref,
                     {"title": title, "from_tip": tip.ref})
        name = clean_line(subject_name or "") or f"Unknown subject ({tip.ref})"
        subject = Subject(case_id=case.id or 0, name=name, created_at=now)
        session.add(subject)
        session.flush()
        idents = session.exec(select(Identifier).where(Identifier.tip_id == tip.id)
                              .order_by(col(Identifier.id))).all()
        for ident in idents:
            session.add(Identifier(subject_id=subject.id, kind=ident.kind, raw=ident.raw,
                                   normalized=ident.normalized,
                                   normalized_ok=ident.normalized_ok,
                                   normalize_note=ident.normalize_note, created_at=now))
        audit.append(session, "subject.added", "subject", subject.id, {
            "case": case.ref, "name": name, "from_tip": tip.ref,
            "identifiers": [[i.kind, i.raw] for i in idents]})
        attachments = session.exec(select(Evidence).where(
            Evidence.tip_id == tip.id, col(Evidence.case_id).is_(None),
            col(Evidence.withdrawn_at).is_(None)).order_by(col(Evidence.id))).all()
        for number, src in enumerate(attachments, start=1):
            _copy_attachment(session, src, case, tip, number, now)
        _link_in(session, tip, case, "case opened from this tip")
        return case


def _copy_attachment(session: Session, src: Evidence, case: Case, tip: Tip, number: int,
                     now: datetime) -> Evidence:
    origin = f"{tip.ref}/{src.exhibit}"
    ev = Evidence(case_id=case.id, tip_id=tip.id, number=number, title=src.title,
                  description=src.description, original_name=src.original_name,
                  original_path=src.original_path, size=src.size, media_type=src.media_type,
                  sha256=src.sha256, blob_id=src.blob_id, acquired_at=src.acquired_at,
                  acquired_by=src.acquired_by, acquired_from=src.acquired_from,
                  acquisition_method=src.acquisition_method, file_mtime=src.file_mtime,
                  ingested_at=src.ingested_at, ingested_by=src.ingested_by)
    session.add(ev)
    session.flush()
    record_custody(session, ev, CustodyAction.ACQUIRED, {
        "by": src.acquired_by, "from": src.acquired_from, "method": src.acquisition_method,
        "via_tip": tip.ref, "tip_attachment": src.exhibit}, at=src.acquired_at)
    record_custody(session, ev, CustodyAction.TRANSFERRED, {
        "from": origin, "to": f"{case.ref}/{ev.exhibit}", "blob": src.blob_id,
        "note": "exhibit created from a tip attachment; same vault blob"},
        sha256=src.sha256, at=now)
    record_custody(session, src, CustodyAction.TRANSFERRED, {
        "from": origin, "to": f"{case.ref}/{ev.exhibit}", "blob": src.blob_id},
        sha256=src.sha256, at=now)
    audit.append(session, "evidence.from-tip", "evidence", ev.id, {
        "case": case.ref, "exhibit": ev.exhibit, "tip": tip.ref, "attachment": src.exhibit,
        "sha256": src.sha256})
    return ev


@dataclass(frozen=True)
class RelatedCase:
    """A case whose subjects share a normalised identifier with a tip."""

    ref: str
    title: str
    shared: tuple[tuple[str, str], ...]


def related_cases(ws: Workspace, tip_ref: str) -> list[RelatedCase]:
    """Cases sharing identifiers with a tip (suggestions for linking), most shared first."""
    with ws.session() as session:
        tip = get_tip_in(session, tip_ref)
        idents = session.exec(select(Identifier).where(Identifier.tip_id == tip.id)).all()
        linked = set(session.exec(select(TipCaseLink.case_id)
                                  .where(TipCaseLink.tip_id == tip.id)).all())
        found: dict[str, tuple[str, set[tuple[str, str]]]] = {}
        linked_refs = {r for r in session.exec(select(Case.ref).where(
            col(Case.id).in_(linked))).all()} if linked else set()
        for ident in idents:
            for hit in shared_identifier_hits(session, ident.kind, ident.normalized):
                if hit.case_ref and hit.case_ref not in linked_refs:
                    entry = found.setdefault(hit.case_ref, (hit.case_title or "", set()))
                    entry[1].add((hit.kind, hit.normalized))
    result = [RelatedCase(ref, title, tuple(sorted(shared)))
              for ref, (title, shared) in found.items()]
    result.sort(key=lambda r: (-len(r.shared), r.ref))
    return result


def tips_for_case(ws: Workspace, case_ref_: str) -> list[TipView]:
    """Tips linked to a case (for the case's Tips tab), identity masked, oldest first."""
    with ws.session() as session:
        case = get_case_in(session, case_ref_)
        tips = session.exec(select(Tip).join(TipCaseLink, col(TipCaseLink.tip_id) == col(Tip.id))
                            .where(TipCaseLink.case_id == case.id)
                            .order_by(col(Tip.received_at), col(Tip.id))).all()
        return tip_views(session, list(tips))

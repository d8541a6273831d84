"""Gather a case as a share export may show it, with the case file's redaction rules.

The rules are the PDF's (:mod:`caseapp.pdf.redact`): bank account and government ID numbers
keep their last four characters unless accounts are revealed for this export, and every
known tipster name or contact is masked wherever it appears in free text unless tipsters
are revealed for this export. Tip records themselves leave only as references (``T-…``);
no tipster field is ever part of a share export.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from caseapp import __version__
from caseapp.domain.exchange.content import (
    FINDING_STATES,
    ExhibitSummary,
    Finding,
    LinkedRecord,
    ShareContent,
    SharedIdentifier,
    SharedSubject,
    TimelineEvent,
)
from caseapp.domain.models import Evidence, Tip, TipCaseLink
from caseapp.pdf.redact import ACCOUNT_KINDS, Redactor
from caseapp.security import audit
from caseapp.services.cases import notes, subjects
from caseapp.services.cases.cases import get_case_in
from caseapp.services.discovery.links import LinkGroup, links_for_case
from caseapp.services.redflags.checklists import get_checklist
from caseapp.services.workspace import Workspace


@dataclass(frozen=True)
class ShareOptions:
    """Redaction choices of one share export (both off by default, as for the PDF)."""

    reveal_accounts: bool = False
    reveal_tipsters: bool = False
    findings: tuple[str, ...] | None = None  # checklist item ids to share; None: all
    victim: str = ""  # referral packs: the victim business's name
    contact: str = ""  # referral packs: who the recipient should contact


def gather_share(ws: Workspace, case_ref: str, options: ShareOptions, *,
                 now: datetime) -> ShareContent:
    """The case's share content (may start its checklist, as the PDF export does)."""
    views = subjects.list_subjects(ws, case_ref)
    groups = links_for_case(ws, case_ref)
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        # Tipsters of tips linked to the case or sharing one of its identifiers.
        tips = list(session.exec(select(Tip).join(
            TipCaseLink, col(TipCaseLink.tip_id) == col(Tip.id))
            .where(TipCaseLink.case_id == case.id)).all())
        related = {t.id for g in groups for t in g.tips}
        if related:
            tips += session.exec(select(Tip).where(col(Tip.id).in_(related))).all()
        tipster_values = [v for t in tips if not t.anonymous
                          for v in (t.tipster_name, t.tipster_contact) if v]
        exhibits = session.exec(select(Evidence).where(Evidence.case_id == case.id,
                                                       col(Evidence.withdrawn_at).is_(None))
                                .order_by(col(Evidence.number))).all()
    accounts = [i.raw for v in views for i in v.identifiers if i.kind in ACCOUNT_KINDS]
    accounts += [i.normalized for v in views for i in v.identifiers if i.kind in ACCOUNT_KINDS]
    red = Redactor(reveal_accounts=options.reveal_accounts,
                   reveal_tipsters=options.reveal_tipsters, account_values=accounts,
                   tipster_values=tipster_values)
    masked = 0
    shared_subjects = []
    for view in views:
        idents = []
        for ident in view.identifiers:
            hidden = ident.kind in ACCOUNT_KINDS and not options.reveal_accounts
            masked += hidden
            idents.append(SharedIdentifier(
                kind=ident.kind, value=red.identifier(ident.kind, ident.raw),
                normalized=red.identifier(ident.kind, ident.normalized), redacted=hidden))
        s = view.subject
        shared_subjects.append(SharedSubject(
            key=f"subject-{s.id}", name=red.text(s.name),
            aliases=tuple(red.text(a) for a in view.aliases), role=red.text(s.role_applied),
            platform=red.text(s.hiring_platform), location=red.text(s.claimed_location),
            identifiers=tuple(idents)))
    checklist = get_checklist(ws, case_ref)
    findings = tuple(
        Finding(item_id=i.item.id, label=i.item.label, category=i.item.category_id,
                state=i.state, note=red.text(i.note))
        for i in checklist.items if i.state in FINDING_STATES
        and (options.findings is None or i.item.id in options.findings))
    links = tuple(_links(groups, red))
    timeline = tuple(TimelineEvent(e.at, red.text(e.text)) for e in notes.timeline(ws, case_ref)
                     if e.kind == "note")
    redactions = []
    if masked:
        redactions.append(f"{masked} bank account / government ID number(s) cut to their "
                          "last four characters")
    if tipster_values and not options.reveal_tipsters:
        redactions.append("tipster names and contacts masked wherever they appear in text")
    redactions.append("tip content, tipster fields and exhibit contents are not included")
    return ShareContent(
        case_ref=case.ref, title=red.text(case.title), summary=red.text(case.summary),
        key_facts=red.text(case.key_facts), status=case.status, opened_at=case.opened_at,
        generated_at=now, actor=audit.current_actor(), software=f"caseapp {__version__}",
        store_id=ws.store_id, score=checklist.score.score, band=checklist.score.band,
        subjects=tuple(shared_subjects), findings=findings, links=links,
        exhibits=tuple(ExhibitSummary(e.exhibit, red.text(e.title), e.media_type, e.sha256,
                                      red.text(e.acquired_by), red.text(e.acquired_from))
                       for e in exhibits),
        timeline=timeline, tipsters_revealed=options.reveal_tipsters,
        accounts_revealed=options.reveal_accounts, redactions=tuple(redactions))


def _links(groups: list[LinkGroup], red: Redactor) -> list[LinkedRecord]:
    out: list[LinkedRecord] = []
    for group in groups:
        via = red.identifier(group.kind, group.normalized)
        out += [LinkedRecord("case", c.ref, red.text(c.title), group.kind, via, group.match)
                for c in group.cases]
        out += [LinkedRecord("tip", t.ref, t.ref, group.kind, via, group.match)
                for t in group.tips]
    return out

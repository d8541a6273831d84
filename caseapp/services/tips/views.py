"""Read-only views of tips for lists, editors and JSON, with the tipster identity masked."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from caseapp.domain import tips as rules
from caseapp.domain.enums import CREDIBILITY_GRADES, RELIABILITY_GRADES
from caseapp.domain.models import Case, Evidence, Identifier, Tip, TipCaseLink, utcnow
from caseapp.domain.text import load_list
from caseapp.services.cases.subjects import identifier_json
from caseapp.services.errors import EditConflict, NotFound
from caseapp.services.versioning import as_text, claim_version


@dataclass(frozen=True)
class AttachmentView:
    """A file attached to a tip (stored in the vault like an exhibit)."""

    id: int
    label: str
    title: str
    original_name: str
    size: int
    media_type: str
    sha256: str
    withdrawn: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "title": self.title,
                "name": self.original_name, "size": self.size, "media_type": self.media_type,
                "sha256": self.sha256, "withdrawn": self.withdrawn}


@dataclass(frozen=True)
class TipView:
    """A tip as lists and editors show it.

    The tipster's identity is masked: ``tipster_name``, ``tipster_contact`` and
    ``relationship`` are None and ``identity_masked`` is True whenever the tip carries an
    identity, until the caller merges a revealed identity with :meth:`with_identity`.
    """

    id: int
    ref: str
    received_at: datetime
    channel: str
    programme: str
    reference: str
    anonymous: bool
    has_identity: bool
    identity_masked: bool
    content: str
    reliability: str | None
    credibility: str | None
    status: str
    duplicate_of: str | None
    follow_up_due: datetime | None
    overdue: bool
    assignee_note: str
    reward_status: str
    created_at: datetime
    updated_at: datetime
    identifiers: tuple[Identifier, ...] = ()
    attachments: tuple[AttachmentView, ...] = ()
    cases: tuple[str, ...] = ()
    kept_separate: tuple[str, ...] = ()
    #: The tip's edit version; pass it back as ``expected_version`` (see save_tip_edit).
    version: int = 1
    tipster_name: str | None = field(default=None, repr=False)
    tipster_contact: str | None = field(default=None, repr=False)
    relationship: str | None = field(default=None, repr=False)

    @property
    def grade(self) -> str:
        """``B2`` style grade, ``""`` when ungraded."""
        return rules.grade_label(self.reliability, self.credibility)

    @property
    def grade_meaning(self) -> str:
        """The grade's standard meanings."""
        return rules.grade_meaning(self.reliability, self.credibility)

    def with_identity(self, identity: Any) -> TipView:
        """A copy showing a revealed :class:`~caseapp.services.tips.tips.TipsterIdentity`."""
        return replace(self, identity_masked=False, tipster_name=identity.name,
                       tipster_contact=identity.contact, relationship=identity.relationship)

    def to_json(self) -> dict[str, Any]:
        tipster = None
        if self.has_identity and not self.identity_masked:
            tipster = {"name": self.tipster_name, "contact": self.tipster_contact,
                       "relationship": self.relationship}
        return {
            "id": self.id, "ref": self.ref, "received_at": self.received_at,
            "channel": self.channel, "programme": self.programme,
            "reference": self.reference, "anonymous": self.anonymous,
            "identity_masked": self.identity_masked, "tipster": tipster,
            "content": self.content, "reliability": self.reliability,
            "reliability_meaning": RELIABILITY_GRADES.get(self.reliability or ""),
            "credibility": self.credibility,
            "credibility_meaning": CREDIBILITY_GRADES.get(self.credibility or ""),
            "grade": self.grade, "status": self.status, "duplicate_of": self.duplicate_of,
            "follow_up_due": self.follow_up_due, "overdue": self.overdue,
            "assignee_note": self.assignee_note, "reward_status": self.reward_status,
            "identifiers": [identifier_json(i) for i in self.identifiers],
            "attachments": [a.to_json() for a in self.attachments],
            "cases": list(self.cases), "kept_separate": list(self.kept_separate),
            "created_at": self.created_at, "updated_at": self.updated_at,
            "version": self.version,
        }


def get_tip_in(session: Session, ref: str) -> Tip:
    """The tip with ``ref`` (case-insensitive) inside an open session."""
    tip = session.exec(select(Tip).where(Tip.ref == ref.strip().upper())).first()
    if tip is None:
        raise NotFound(f"No tip {ref.strip()!r}.")
    return tip


def _chunks(values: Sequence[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield list(values[start:start + size])


def tip_views(session: Session, tips: Sequence[Tip], *,
              now: datetime | None = None) -> list[TipView]:
    """Masked views of ``tips`` (same order), loading related rows in a few batched queries."""
    moment = now or utcnow()
    ids = [t.id for t in tips if t.id is not None]
    idents: dict[int, list[Identifier]] = {}
    links: dict[int, list[str]] = {}
    attachments: dict[int, list[AttachmentView]] = {}
    wanted: set[int] = set()
    for t in tips:
        wanted.update(int(i) for i in load_list(t.kept_separate))
        if t.duplicate_of_id is not None:
            wanted.add(t.duplicate_of_id)
    refs: dict[int, str] = {t.id: t.ref for t in tips if t.id is not None}
    for chunk in _chunks(ids):
        for ident in session.exec(select(Identifier).where(col(Identifier.tip_id).in_(chunk))
                                  .order_by(col(Identifier.id))).all():
            idents.setdefault(ident.tip_id or 0, []).append(ident)
        for tip_id, case_ref in session.exec(
                select(TipCaseLink.tip_id, Case.ref).join(Case, col(TipCaseLink.case_id) == col(Case.id))
                .where(col(TipCaseLink.tip_id).in_(chunk)).order_by(col(TipCaseLink.id))).all():
            links.setdefault(tip_id, []).append(case_ref)
        for ev in session.exec(select(Evidence).where(col(Evidence.tip_id).in_(chunk),
                                                      col(Evidence.case_id).is_(None))
                               .order_by(col(Evidence.id))).all():
            attachments.setdefault(ev.tip_id or 0, []).append(AttachmentView(
                ev.id or 0, ev.exhibit, ev.title, ev.original_name, ev.size, ev.media_type,
                ev.sha256, ev.withdrawn_at is not None))
    missing = sorted(wanted - set(refs))
    for chunk in _chunks(missing):
        refs.update({i or 0: r for i, r in session.exec(select(Tip.id, Tip.ref)
                                                          .where(col(Tip.id).in_(chunk))).all()})
    views: list[TipView] = []
    for t in tips:
        tid = t.id or 0
        has_identity = not t.anonymous and bool(t.tipster_name or t.tipster_contact
                                                 or t.relationship)
        views.append(TipView(
            id=tid, ref=t.ref, received_at=t.received_at, channel=t.channel,
            programme=t.programme, reference=t.reference, anonymous=t.anonymous,
            has_identity=has_identity, identity_masked=has_identity, content=t.content,
            reliability=t.reliability, credibility=t.credibility, status=t.status,
            duplicate_of=refs.get(t.duplicate_of_id) if t.duplicate_of_id else None,
            follow_up_due=t.follow_up_due,
            overdue=rules.is_overdue(t.status, t.follow_up_due, moment),
            assignee_note=t.assignee_note, reward_status=t.reward_status,
            created_at=t.created_at, updated_at=t.updated_at,
            identifiers=tuple(idents.get(tid, ())), attachments=tuple(attachments.get(tid, ())),
            cases=tuple(links.get(tid, ())),
            kept_separate=tuple(refs[int(i)] for i in load_list(t.kept_separate)
                                if int(i) in refs), version=t.version))
    return views


#: The tip fields an edit conflict shows, by label (never the tipster's identity).
TIP_FIELDS = {"content": "Content", "channel": "Channel", "programme": "Programme",
              "reference": "Reference", "reliability": "Reliability",
              "credibility": "Credibility", "follow_up_due": "Follow-up due",
              "assignee_note": "Assignee note", "reward_status": "Reward status",
              "status": "Status"}


def claim_tip(session: Session, tip: Tip, expected_version: int | None, *,
              fields: dict[str, Any] | None = None) -> None:
    """Guard an edit of ``tip`` (caseapp.services.versioning); EditConflict if stale.
    ``fields``: the caller's values when they are not set on ``tip`` yet."""
    try:
        claim_version(session, tip, expected_version, what=f"tip {tip.ref}", kind="tip",
                      labels=TIP_FIELDS, audit_key=("tip", tip.ref))
    except EditConflict as exc:
        for name, value in (fields or {}).items():
            if name in TIP_FIELDS:
                exc.mine[TIP_FIELDS[name]] = as_text(value)
        raise

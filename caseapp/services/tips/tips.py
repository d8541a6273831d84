"""Use cases for tips: intake, grading, status, follow-up, triage, de-dup decisions, tipster
protection.

Tipster protection: a tip's identity fields (name, contact, relationship to the subject) are
never part of a :class:`TipView` (every listing and view is masked) and never written into audit
details, log messages or exception texts. :func:`reveal_tipster` is the only way to read them,
and it records a ``tip.tipster-revealed`` audit entry. An anonymous tip has no identity fields.
Field validation and adding a tip in a transaction are in :mod:`caseapp.services.tips.intake`;
linking, attachments and case-from-tip in :mod:`caseapp.services.tips.casework`, the CSV import
in :mod:`caseapp.services.tips.importer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from caseapp.domain import tips as rules
from caseapp.domain.enums import RewardStatus, TipChannel, TipStatus
from caseapp.domain.identifiers import extract_identifiers, normalize
from caseapp.domain.models import Identifier, Tip, TipCaseLink, utcnow
from caseapp.domain.text import clean_text
from caseapp.security import audit
from caseapp.services.cases.subjects import IdentifierInput, make_identifier
from caseapp.services.errors import Conflict, InvalidInput
from caseapp.services.tips.dedup import (
    DuplicateCandidate,
    duplicate_candidates,
    find_candidates,
    keep_separate,
    mark_duplicate,
)
from caseapp.services.tips.intake import (
    MAX_CONTENT,
    aware,
    new_tip_in,
    one_line,
    parse_enum,
    parse_grade,
    require_content,
    tipster_fields,
)
from caseapp.services.tips.views import TipView, claim_tip, get_tip_in, tip_views
from caseapp.services.workspace import Workspace
from caseapp.store.tipsters import NotCustodian, log_reveal, read_identity

__all__ = ["IdentifierSuggestion", "TipSaved", "TipView",
           "TipsterIdentity", "create_tip", "duplicate_candidates", "get_tip", "get_tip_in",
           "keep_separate", "list_tips", "mark_duplicate", "reveal_tipster", "set_tip_status",
           "set_tipster", "suggest_identifiers", "update_tip", "add_tip_identifiers"]


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class TipsterIdentity:
    """A tipster's identity, as returned by :func:`reveal_tipster` (not shown in reprs)."""

    name: str | None = field(default=None, repr=False)
    contact: str | None = field(default=None, repr=False)
    relationship: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class TipSaved:
    """A saved tip with the likely duplicates found on save, for the user to decide on."""

    tip: TipView
    candidates: list[DuplicateCandidate]

    def to_json(self) -> dict[str, Any]:
        return {**self.tip.to_json(), "duplicate_candidates": [c.to_json()
                                                               for c in self.candidates]}


@dataclass(frozen=True)
class IdentifierSuggestion:
    """An identifier found in a tip's text, offered for the user to confirm."""

    kind: str
    value: str
    normalized: str


def create_tip(ws: Workspace, content: str, *, channel: str,
               received_at: datetime | None = None, programme: str = "",
               reference: str = "", anonymous: bool = False, tipster_name: str | None = None,
               tipster_contact: str | None = None, relationship: str = "",
               reliability: str | None = None, credibility: str | None = None,
               follow_up_due: datetime | None = None, assignee_note: str = "",
               reward_status: str | None = None,
               identifiers: list[IdentifierInput] | None = None) -> TipSaved:
    """Log a new tip (``TIP-YYYY-NNNN`` by the year it was received) and find likely
    duplicates of it; the user then marks it a duplicate or keeps it separate."""
    with ws.transaction() as session:
        tip, idents = new_tip_in(
            session, content, channel=channel, received_at=received_at, programme=programme,
            reference=reference, anonymous=anonymous, tipster_name=tipster_name,
            tipster_contact=tipster_contact, relationship=relationship,
            reliability=reliability, credibility=credibility, follow_up_due=follow_up_due,
            assignee_note=assignee_note, reward_status=reward_status, identifiers=identifiers)
        candidates = find_candidates(session, tip, idents)
        return TipSaved(tip_views(session, [tip])[0], candidates)


def update_tip(ws: Workspace, ref: str, *, content: str | None = None,
               channel: str | None = None, received_at: datetime | None = None,
               programme: str | None = None, reference: str | None = None,
               reliability: Any = UNSET, credibility: Any = UNSET,
               follow_up_due: Any = UNSET, assignee_note: str | None = None,
               reward_status: str | None = None,
               expected_version: int | None = None) -> TipSaved:
    """Change a tip's fields; only those given change (``None`` clears grading or the
    follow-up date). The ref never changes. Returns the duplicate candidates afresh.
    ``expected_version``: the version the caller read; a tip saved since raises
    EditConflict and nothing changes (None: the version read here)."""
    with ws.transaction() as session:
        tip = get_tip_in(session, ref)
        changed: dict[str, Any] = {}
        if content is not None and require_content(content) != tip.content:
            tip.content = require_content(content)
            tip.content_key = rules.content_key(tip.content)
            changed["content"] = True
        if channel is not None and parse_enum(TipChannel, channel).value != tip.channel:
            tip.channel = changed["channel"] = parse_enum(TipChannel, channel).value
        if received_at is not None and aware("received time", received_at) != tip.received_at:
            tip.received_at = received_at
            changed["received_at"] = received_at.isoformat()
        for name, label, value in (("programme", "programme", programme),
                                   ("reference", "reference", reference)):
            if value is not None and one_line(label, value) != getattr(tip, name):
                setattr(tip, name, one_line(label, value))
                changed[name] = True
        if reliability is not UNSET:
            value = parse_grade(rules.parse_reliability, reliability)
            if value != tip.reliability:
                tip.reliability = changed["reliability"] = value
        if credibility is not UNSET:
            value = parse_grade(rules.parse_credibility, credibility)
            if value != tip.credibility:
                tip.credibility = changed["credibility"] = value
        if follow_up_due is not UNSET and aware("follow-up date", follow_up_due) != \
                tip.follow_up_due:
            tip.follow_up_due = follow_up_due
            changed["follow_up_due"] = follow_up_due.isoformat() if follow_up_due else None
        if assignee_note is not None and clean_text(assignee_note) != tip.assignee_note:
            tip.assignee_note = clean_text(assignee_note, limit=MAX_CONTENT)
            changed["assignee_note"] = True
        if reward_status is not None and parse_enum(RewardStatus, reward_status).value != \
                tip.reward_status:
            tip.reward_status = changed["reward_status"] = parse_enum(RewardStatus,
                                                                 reward_status).value
        if changed:
            claim_tip(session, tip, expected_version)
            tip.updated_at = utcnow()
            session.add(tip)
            session.flush()
            audit.append(session, "tip.updated", "tip", tip.ref, changed)
        return TipSaved(tip_views(session, [tip])[0], find_candidates(session, tip))


def set_tipster(ws: Workspace, ref: str, *, anonymous: bool, name: str | None = None,
                contact: str | None = None, relationship: str | None = None) -> TipView:
    """Replace a tip's tipster identity (anonymous: no identity at all). Audited without
    the identity itself."""
    name_c, contact_c, rel_c = tipster_fields(anonymous, name, contact, relationship)
    with ws.transaction() as session:
        tip = get_tip_in(session, ref)
        claim_tip(session, tip, None)
        tip.anonymous = bool(anonymous)
        tip.tipster_name, tip.tipster_contact, tip.relationship = name_c, contact_c, rel_c
        tip.updated_at = utcnow()
        session.add(tip)
        audit.append(session, "tip.tipster-updated", "tip", tip.ref,
                     {"anonymous": tip.anonymous})
        return tip_views(session, [tip])[0]


def reveal_tipster(ws: Workspace, ref: str) -> TipsterIdentity:
    """The tipster's identity; records a ``tip.tipster-revealed`` audit entry."""
    with ws.transaction() as session:
        tip = get_tip_in(session, ref)
        if tip.anonymous:
            raise Conflict(f"{tip.ref} is anonymous: there is no tipster identity to reveal.")
        try:  # a team store: only the custodian, and the database logs it before any read
            log_reveal(session, tip)
        except NotCustodian:
            raise Conflict(_NOT_CUSTODIAN) from None
        audit.append(session, "tip.tipster-revealed", "tip", tip.ref, {})
    with ws.session() as session:  # the record above is committed first
        tip = get_tip_in(session, ref)
        try:
            name, contact = read_identity(session, tip)
        except NotCustodian:
            raise Conflict(_NOT_CUSTODIAN) from None
        return TipsterIdentity(name, contact, tip.relationship or None)


_NOT_CUSTODIAN = "Only the tip custodian may see a tipster's identity on this team store."


def get_tip(ws: Workspace, ref: str) -> TipView:
    """One tip, identity masked."""
    with ws.session() as session:
        return tip_views(session, [get_tip_in(session, ref)])[0]


def list_tips(ws: Workspace, *, status: str | None = None, active_only: bool = False,
              text: str | None = None, now: datetime | None = None) -> list[TipView]:
    """Tips in triage order (overdue, then new, then by status and due date), identity masked.

    ``active_only`` leaves out closed, duplicate and not-actionable tips; ``text`` filters on
    ref, content, channel, programme and reference (never on tipster identity).
    """
    moment = now or utcnow()
    query = select(Tip)
    if status:
        query = query.where(Tip.status == parse_enum(TipStatus, status).value)
    if active_only:
        query = query.where(col(Tip.status).in_(
            [s.value for s in rules.FOLLOW_UP_STATUSES]))
    with ws.session() as session:
        tips = list(session.exec(query).all())
        if text and text.strip():
            needle = text.strip().casefold()
            tips = [t for t in tips if any(needle in v.casefold() for v in (
                t.ref, t.content, t.channel, t.programme, t.reference))]
        tips.sort(key=lambda t: rules.triage_key(t.status, t.follow_up_due, t.received_at,
                                                 t.id or 0, moment))
        return tip_views(session, tips, now=moment)


def set_tip_status(ws: Workspace, ref: str, status: str) -> TipView:
    """Move a tip along the allowed transitions (see ``caseapp.domain.tips``)."""
    target = parse_enum(TipStatus, status)
    with ws.transaction() as session:
        tip = get_tip_in(session, ref)
        current = TipStatus.parse(tip.status)
        if target == current:
            return tip_views(session, [tip])[0]
        if target == TipStatus.DUPLICATE:
            raise Conflict("Mark the tip as the duplicate of another tip instead.")
        if not rules.can_transition(current, target):
            raise Conflict(f"A tip that is {current.value} cannot move to {target.value}.")
        if target == TipStatus.LINKED and not _has_links(session, tip):
            raise Conflict(f"{tip.ref} is not linked to any case; link it to a case first.")
        if current == TipStatus.DUPLICATE and target == TipStatus.IN_TRIAGE:
            tip.duplicate_of_id = None  # re-opened: the user no longer holds it a duplicate
        claim_tip(session, tip, None)
        tip.status = target.value
        tip.updated_at = utcnow()
        session.add(tip)
        audit.append(session, "tip.status", "tip", tip.ref,
                     {"from": current.value, "to": target.value})
        return tip_views(session, [tip])[0]


def _has_links(session: Session, tip: Tip) -> bool:
    return session.exec(select(TipCaseLink.id).where(TipCaseLink.tip_id == tip.id)).first() \
        is not None


def add_tip_identifiers(ws: Workspace, ref: str,
                        identifiers: list[IdentifierInput]) -> TipSaved:
    """Record identifiers mentioned in a tip (typed, normalised); re-checks duplicates."""
    pending = [make_identifier(i.kind, i.value) for i in identifiers]
    with ws.transaction() as session:
        tip = get_tip_in(session, ref)
        for ident in pending:
            ident.tip_id = tip.id
            session.add(ident)
        tip.updated_at = utcnow()
        session.add(tip)
        session.flush()
        audit.append(session, "tip.identifiers-added", "tip", tip.ref,
                     {"identifiers": [[i.kind, i.raw] for i in pending]})
        return TipSaved(tip_views(session, [tip])[0], find_candidates(session, tip))


def suggest_identifiers(text: str, *,
                        exclude: list[tuple[str, str]] | None = None
                        ) -> list[IdentifierSuggestion]:
    """Identifiers found in free text (e-mails, phones, URLs, IPs, wallets) for the user to
    confirm; ``exclude`` holds (kind, normalised) pairs already recorded."""
    skip = set(exclude or [])
    result: list[IdentifierSuggestion] = []
    for kind, value in extract_identifiers(text or ""):
        norm = normalize(kind, value)
        normalized = norm.value if norm.ok else value
        if (kind.value, normalized) not in skip:
            result.append(IdentifierSuggestion(kind.value, value, normalized))
    return result


def save_tip_edit(ws: Workspace, ref: str, *, fields: dict[str, Any] | None = None,
                  identity: dict[str, Any] | None = None,
                  remove_identifier_ids: Sequence[int] = (),
                  add_identifiers: Sequence[IdentifierInput] = (),
                  status: str | None = None,
                  expected_version: int | None = None) -> TipSaved:
    """Apply one edit of a tip (fields, tipster, identifiers, status) as ONE transaction:
    if any part is refused, nothing of the edit is stored. ``expected_version``: the
    version the editor loaded; a tip saved since raises EditConflict, nothing stored."""
    from caseapp.services.cases import subjects

    with ws.unit_of_work() as session:
        tip = get_tip_in(session, ref)
        if expected_version is not None:  # the editor's whole form against what it loaded
            claim_tip(session, tip, expected_version, fields=fields)
        saved = update_tip(ws, ref, **(fields or {}))
        if identity is not None:
            set_tipster(ws, ref, **identity)
        for ident_id in remove_identifier_ids:
            ident = session.get(Identifier, ident_id)
            if ident is None or ident.tip_id != tip.id:
                raise InvalidInput(f"Identifier #{ident_id} is not one of {tip.ref}'s.")
            subjects.remove_identifier(ws, ident_id)
        if add_identifiers:
            saved = add_tip_identifiers(ws, ref, list(add_identifiers))
        if status and status != tip.status:
            set_tip_status(ws, ref, status)
    return TipSaved(get_tip(ws, ref), saved.candidates)

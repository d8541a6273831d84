"""Tip intake: field validation and adding a tip in the caller's transaction.

Shared by :func:`caseapp.services.tips.tips.create_tip` and the CSV import
(:mod:`caseapp.services.tips.importer`); :func:`caseapp.services.tips.tips.update_tip` checks
changed fields with the same validators. Refusals never echo a tipster's identity.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, func, select

from caseapp.domain import tips as rules
from caseapp.domain.enums import RewardStatus, TipChannel, TipStatus
from caseapp.domain.models import Identifier, Tip, utcnow
from caseapp.domain.text import clean_line, clean_text, tip_ref
from caseapp.security import audit
from caseapp.services.cases.subjects import IdentifierInput, make_identifier
from caseapp.services.errors import InvalidInput

#: Longest tip content accepted (characters); longer input is refused, never cut silently.
MAX_CONTENT = 100_000
#: Longest one-line field (programme, reference, tipster name/contact, ...).
MAX_FIELD = 1000


def parse_enum(enum_cls: Any, value: Any) -> Any:
    """``enum_cls.parse(value)``; a bad value is refused as InvalidInput."""
    try:
        return enum_cls.parse(value)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def parse_grade(parse: Any, value: Any) -> str | None:
    """A reliability or credibility grade through ``parse``; refused as InvalidInput."""
    try:
        return parse(value)
    except ValueError as exc:
        raise InvalidInput(f"Invalid grading: {exc}.") from None


def require_content(text: str) -> str:
    """Cleaned tip content; refuses empty or oversized text."""
    if len(text) > MAX_CONTENT:
        raise InvalidInput(f"The tip's content is {len(text):,} characters; the limit is "
                           f"{MAX_CONTENT:,}.")
    cleaned = clean_text(text)
    if not cleaned:
        raise InvalidInput("A tip needs its content (what the tipster said).")
    return cleaned


def one_line(label: str, value: str | None) -> str:
    """A cleaned one-line field; refuses oversized values without echoing them."""
    if value is not None and len(value) > MAX_FIELD:
        raise InvalidInput(f"The {label} is longer than {MAX_FIELD} characters.")
    return clean_line(value or "", limit=MAX_FIELD)


def tipster_fields(anonymous: bool, name: str | None, contact: str | None,
                   relationship: str | None) -> tuple[str | None, str | None, str]:
    """Cleaned (name, contact, relationship); an anonymous tip may carry none of them."""
    name_c = one_line("tipster name", name) or None
    contact_c = one_line("tipster contact", contact) or None
    rel_c = one_line("relationship to the subject", relationship)
    if anonymous and (name_c or contact_c or rel_c):
        # Never guess about a tipster's identity; and never echo it.
        raise InvalidInput("An anonymous tip cannot carry a tipster name, contact or "
                           "relationship.")
    return name_c, contact_c, rel_c


def aware(label: str, moment: datetime | None) -> datetime | None:
    """``moment`` unchanged; a naive datetime is refused (the zone must be given)."""
    if moment is not None and moment.tzinfo is None:
        raise InvalidInput(f"Give the {label} with its zone (e.g. 2026-03-02T10:15+00:00).")
    return moment


def next_tip_ref(session: Session, received_at: datetime) -> tuple[int, int, str]:
    """(year, seq, ref) of the next ``TIP-YYYY-NNNN`` for the year of ``received_at`` (UTC)."""
    year = received_at.astimezone(UTC).year
    seq = (session.exec(select(func.max(Tip.seq)).where(Tip.year == year)).one() or 0) + 1
    return year, seq, tip_ref(year, seq)


def new_tip_in(session: Session, content: str, *, channel: str, received_at: datetime | None,
               programme: str = "", reference: str = "", anonymous: bool = False,
               tipster_name: str | None = None, tipster_contact: str | None = None,
               relationship: str = "", reliability: str | None = None,
               credibility: str | None = None, follow_up_due: datetime | None = None,
               assignee_note: str = "", reward_status: str | None = None,
               identifiers: list[IdentifierInput] | None = None,
               source: str = "manual") -> tuple[Tip, list[Identifier]]:
    """Validate and add a tip with its identifiers in the caller's transaction (audited)."""
    text = require_content(content)
    chan = parse_enum(TipChannel, channel).value
    rel = parse_grade(rules.parse_reliability, reliability)
    cred = parse_grade(rules.parse_credibility, credibility)
    reward = parse_enum(RewardStatus, reward_status or RewardStatus.NOT_APPLICABLE).value
    name, contact, relation = tipster_fields(anonymous, tipster_name, tipster_contact,
                                             relationship)
    received = aware("received time", received_at) or utcnow()
    due = aware("follow-up date", follow_up_due)
    pending = [make_identifier(i.kind, i.value) for i in identifiers or []]
    now = utcnow()
    year, seq, ref = next_tip_ref(session, received)
    tip = Tip(ref=ref, year=year, seq=seq, received_at=received, channel=chan,
              programme=one_line("programme", programme),
              reference=one_line("reference", reference), anonymous=bool(anonymous),
              tipster_name=name, tipster_contact=contact, relationship=relation,
              content=text, content_key=rules.content_key(text), reliability=rel,
              credibility=cred, status=TipStatus.NEW.value, follow_up_due=due,
              assignee_note=clean_text(assignee_note, limit=MAX_CONTENT),
              reward_status=reward, created_at=now, updated_at=now)
    session.add(tip)
    session.flush()
    for ident in pending:
        ident.tip_id = tip.id
        session.add(ident)
    session.flush()
    audit.append(session, "tip.created", "tip", tip.ref, {
        "channel": chan, "received_at": received.isoformat(), "anonymous": tip.anonymous,
        "grade": rules.grade_label(rel, cred), "identifiers": len(pending), "source": source})
    return tip, pending



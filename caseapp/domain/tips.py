"""Pure rules for tips: status transitions, Admiralty grading, follow-up, triage order, de-dup keys.

No I/O here; the services in :mod:`caseapp.services.tips.tips` apply these rules.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from caseapp.domain.enums import CREDIBILITY_GRADES, RELIABILITY_GRADES, TipStatus

S = TipStatus

#: Allowed tip status transitions (from -> set of targets). ``duplicate`` is entered only by
#: marking a tip as the duplicate of another, ``linked`` only while the tip is linked to a case
#: (the services enforce both).
TIP_TRANSITIONS: dict[TipStatus, frozenset[TipStatus]] = {
    S.NEW: frozenset({S.IN_TRIAGE, S.ACTIONABLE, S.NOT_ACTIONABLE, S.LINKED, S.DUPLICATE,
                      S.CLOSED}),
    S.IN_TRIAGE: frozenset({S.ACTIONABLE, S.NOT_ACTIONABLE, S.LINKED, S.DUPLICATE, S.CLOSED}),
    S.ACTIONABLE: frozenset({S.IN_TRIAGE, S.NOT_ACTIONABLE, S.LINKED, S.DUPLICATE, S.CLOSED}),
    S.NOT_ACTIONABLE: frozenset({S.IN_TRIAGE, S.ACTIONABLE, S.LINKED, S.CLOSED}),
    S.LINKED: frozenset({S.ACTIONABLE, S.CLOSED}),
    S.DUPLICATE: frozenset({S.IN_TRIAGE, S.CLOSED}),
    S.CLOSED: frozenset({S.IN_TRIAGE}),
}

#: Statuses whose follow-up date still matters (a follow-up past due is "overdue").
FOLLOW_UP_STATUSES: frozenset[TipStatus] = frozenset(
    {S.NEW, S.IN_TRIAGE, S.ACTIONABLE, S.LINKED})

#: Triage order of statuses after overdue tips (lower first).
_STATUS_RANK: dict[TipStatus, int] = {
    S.NEW: 1, S.IN_TRIAGE: 2, S.ACTIONABLE: 3, S.LINKED: 4, S.NOT_ACTIONABLE: 5,
    S.DUPLICATE: 6, S.CLOSED: 7,
}


def can_transition(current: TipStatus | str, target: TipStatus | str) -> bool:
    """True when a tip may move from ``current`` to ``target`` (staying put is allowed)."""
    cur, tgt = S.parse(current), S.parse(target)
    return cur == tgt or tgt in TIP_TRANSITIONS[cur]


def next_statuses(current: TipStatus | str) -> list[TipStatus]:
    """The statuses a tip in ``current`` may move to, in enum order."""
    allowed = TIP_TRANSITIONS[S.parse(current)]
    return [s for s in S if s in allowed]


def parse_reliability(value: str | None) -> str | None:
    """Source reliability ``A``-``F`` (case-insensitive); empty -> None; raises ValueError."""
    text = (value or "").strip().upper()
    if not text:
        return None
    if text not in RELIABILITY_GRADES:
        raise ValueError(f"reliability must be one of A-F (got {value!r})")
    return text


def parse_credibility(value: str | int | None) -> str | None:
    """Information credibility ``1``-``6``; empty -> None; raises ValueError."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if text not in CREDIBILITY_GRADES:
        raise ValueError(f"credibility must be one of 1-6 (got {value!r})")
    return text


def grade_label(reliability: str | None, credibility: str | None) -> str:
    """``B2``; a missing half is shown as ``?`` (``B?``); nothing graded -> ``""``."""
    if not reliability and not credibility:
        return ""
    return f"{reliability or '?'}{credibility or '?'}"


def grade_meaning(reliability: str | None, credibility: str | None) -> str:
    """The standard meanings, e.g. ``Usually reliable / Probably true``."""
    parts = [RELIABILITY_GRADES.get(reliability or "", "Reliability not graded"),
             CREDIBILITY_GRADES.get(credibility or "", "Credibility not graded")]
    return " / ".join(parts)


_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0", ""})


def parse_bool(value: str | None) -> bool:
    """true/false/yes/no/1/0/empty (False), case-insensitive; raises ValueError otherwise."""
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not true/false/yes/no/1/0")


def is_overdue(status: TipStatus | str, follow_up_due: datetime | None, now: datetime) -> bool:
    """A follow-up date in the past on a tip that is still being worked."""
    return (follow_up_due is not None and follow_up_due < now
            and S.parse(status) in FOLLOW_UP_STATUSES)


def triage_key(status: TipStatus | str, follow_up_due: datetime | None, received_at: datetime,
               tip_id: int, now: datetime) -> tuple[int, float, float, int]:
    """Sort key of the triage queue: overdue first (most overdue first), then new tips (oldest
    first), then by status, follow-up date (none last) and age."""
    st = S.parse(status)
    overdue = is_overdue(st, follow_up_due, now)
    rank = 0 if overdue else _STATUS_RANK[st]
    due = follow_up_due.timestamp() if follow_up_due is not None else float("inf")
    return (rank, due, received_at.timestamp(), tip_id)


_NON_WORD = re.compile(r"[\W_]+")


def content_key(text: str) -> str:
    """Normalised content for de-duplication: NFKC, case-folded, punctuation and spacing
    collapsed, so re-sent copies of the same text compare equal."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())

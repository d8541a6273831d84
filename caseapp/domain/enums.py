"""Enumerations with their contract spellings (see docs/cli.md).

Every enum's ``value`` is the CLI/JSON spelling. ``parse`` accepts input case-insensitively,
with spaces or underscores in place of hyphens, plus the documented aliases.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar, Self


def _fold(text: str) -> str:
    return "-".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


class ContractEnum(StrEnum):
    """A StrEnum whose values are the contract spellings.

    A subclass names itself for error messages and may accept other spellings:
    ``class CaseStatus(ContractEnum, label="case status", aliases={"review": "in-review"})``.
    """

    _label_text: ClassVar[str]
    _alias_map: ClassVar[dict[str, str]]

    def __init_subclass__(cls, label: str = "", aliases: dict[str, str] | None = None,
                          **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._label_text = label or cls.__name__
        cls._alias_map = dict(aliases or {})

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return cls._alias_map

    @classmethod
    def parse(cls, text: str | Self) -> Self:
        """Parse user input into a member; raises ValueError naming the allowed values."""
        if isinstance(text, cls):
            return text
        folded = _fold(str(text))
        folded = cls.aliases().get(folded, folded)
        for member in cls:
            if member.value == folded:
                return member
        allowed = ", ".join(m.value for m in cls)
        raise ValueError(f"{text!r} is not a valid {cls.label()}; use one of: {allowed}")

    @classmethod
    def label(cls) -> str:
        return cls._label_text

    @property
    def title(self) -> str:  # type: ignore[override]
        """Human label: 'in-review' -> 'In review'."""
        return self.value.replace("-", " ").capitalize()


class CaseStatus(ContractEnum, label="case status"):
    OPEN = "open"
    IN_REVIEW = "in-review"
    ESCALATED = "escalated"
    CLOSED = "closed"


#: Allowed case status transitions (from -> set of targets).
CASE_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.IN_REVIEW, CaseStatus.ESCALATED, CaseStatus.CLOSED}),
    CaseStatus.IN_REVIEW: frozenset({CaseStatus.OPEN, CaseStatus.ESCALATED, CaseStatus.CLOSED}),
    CaseStatus.ESCALATED: frozenset({CaseStatus.IN_REVIEW, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.OPEN}),
}


class Priority(ContractEnum, label="priority"):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class IdentifierKind(ContractEnum, label="identifier kind",
                     aliases={"e-mail": "email", "mail": "email", "govid": "gov-id",
                              "gov": "gov-id"}):
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    IP = "ip"
    ADDRESS = "address"
    WALLET = "wallet"
    BANK = "bank"
    GOV_ID = "gov-id"
    DEVICE = "device"
    HANDLE = "handle"


class ChecklistState(ContractEnum, label="checklist state"):
    NOT_ASSESSED = "not-assessed"
    NOT_OBSERVED = "not-observed"
    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"
    NOT_APPLICABLE = "not-applicable"


class TipChannel(ContractEnum, label="tip channel",
                 aliases={"e-mail": "email", "mail": "email", "phone": "hotline",
                          "reward-program": "reward-programme"}):
    REWARD_PROGRAMME = "reward-programme"
    HOTLINE = "hotline"
    EMAIL = "email"
    WEB_FORM = "web-form"
    WALK_IN = "walk-in"
    REFERRAL = "referral"
    INTERNAL = "internal"


class TipStatus(ContractEnum, label="tip status"):
    NEW = "new"
    IN_TRIAGE = "in-triage"
    ACTIONABLE = "actionable"
    NOT_ACTIONABLE = "not-actionable"
    LINKED = "linked"
    DUPLICATE = "duplicate"
    CLOSED = "closed"


class RewardStatus(ContractEnum, label="reward status"):
    NOT_APPLICABLE = "not-applicable"
    POTENTIALLY_ELIGIBLE = "potentially-eligible"
    REFERRED = "referred"
    CLOSED = "closed"


class CustodyAction(ContractEnum, label="custody action"):
    ACQUIRED = "acquired"
    INGESTED = "ingested"
    OPENED = "opened"
    EXPORTED = "exported"
    EXPORTED_IN_PDF = "exported-in-pdf"
    VERIFIED = "verified"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"


#: Admiralty/NATO source reliability grades with their standard meanings.
RELIABILITY_GRADES: dict[str, str] = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}

#: Admiralty/NATO information credibility grades with their standard meanings.
CREDIBILITY_GRADES: dict[str, str] = {
    "1": "Confirmed by other sources",
    "2": "Probably true",
    "3": "Possibly true",
    "4": "Doubtful",
    "5": "Improbable",
    "6": "Truth cannot be judged",
}

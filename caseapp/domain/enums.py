"""Enumerations with their contract spellings (see CONTRACTS.md).

Every enum's ``value`` is the CLI/JSON spelling. ``parse`` accepts input case-insensitively,
with spaces or underscores in place of hyphens, plus the documented aliases.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


def _fold(text: str) -> str:
    return "-".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


class ContractEnum(StrEnum):
    """A StrEnum whose values are the contract spellings."""

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {}

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
        return cls.__name__

    @property
    def title(self) -> str:  # type: ignore[override]
        """Human label: 'in-review' -> 'In review'."""
        return self.value.replace("-", " ").capitalize()


class CaseStatus(ContractEnum):
    OPEN = "open"
    IN_REVIEW = "in-review"
    ESCALATED = "escalated"
    CLOSED = "closed"

    @classmethod
    def label(cls) -> str:
        return "case status"


#: Allowed case status transitions (from -> set of targets).
CASE_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.IN_REVIEW, CaseStatus.ESCALATED, CaseStatus.CLOSED}),
    CaseStatus.IN_REVIEW: frozenset({CaseStatus.OPEN, CaseStatus.ESCALATED, CaseStatus.CLOSED}),
    CaseStatus.ESCALATED: frozenset({CaseStatus.IN_REVIEW, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.OPEN}),
}


class Priority(ContractEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @classmethod
    def label(cls) -> str:
        return "priority"


class IdentifierKind(ContractEnum):
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

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {"e-mail": "email", "mail": "email", "govid": "gov-id", "gov": "gov-id"}

    @classmethod
    def label(cls) -> str:
        return "identifier kind"


class ChecklistState(ContractEnum):
    NOT_ASSESSED = "not-assessed"
    NOT_OBSERVED = "not-observed"
    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"
    NOT_APPLICABLE = "not-applicable"

    @classmethod
    def label(cls) -> str:
        return "checklist state"


class TipChannel(ContractEnum):
    REWARD_PROGRAMME = "reward-programme"
    HOTLINE = "hotline"
    EMAIL = "email"
    WEB_FORM = "web-form"
    WALK_IN = "walk-in"
    REFERRAL = "referral"
    INTERNAL = "internal"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {
            "e-mail": "email",
            "mail": "email",
            "phone": "hotline",
            "reward-program": "reward-programme",
        }

    @classmethod
    def label(cls) -> str:
        return "tip channel"


class TipStatus(ContractEnum):
    NEW = "new"
    IN_TRIAGE = "in-triage"
    ACTIONABLE = "actionable"
    NOT_ACTIONABLE = "not-actionable"
    LINKED = "linked"
    DUPLICATE = "duplicate"
    CLOSED = "closed"

    @classmethod
    def label(cls) -> str:
        return "tip status"


class RewardStatus(ContractEnum):
    NOT_APPLICABLE = "not-applicable"
    POTENTIALLY_ELIGIBLE = "potentially-eligible"
    REFERRED = "referred"
    CLOSED = "closed"

    @classmethod
    def label(cls) -> str:
        return "reward status"


class CustodyAction(ContractEnum):
    ACQUIRED = "acquired"
    INGESTED = "ingested"
    OPENED = "opened"
    EXPORTED = "exported"
    EXPORTED_IN_PDF = "exported-in-pdf"
    VERIFIED = "verified"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"

    @classmethod
    def label(cls) -> str:
        return "custody action"


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

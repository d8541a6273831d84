"""What a share export of a case holds, already redacted, with no format in it.

The share service gathers a :class:`ShareContent` from the store and applies the case
file's redaction rules (account numbers to their last four, tipster identities masked in
free text unless revealed for this export); the STIX, MISP, link-chart and referral
builders only lay it out. Tests build these records directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: Checklist states that count as findings worth sharing.
FINDING_STATES = ("confirmed", "suspected")


@dataclass(frozen=True)
class SharedIdentifier:
    """One identifier as this export may show it (``redacted``: masked by the rules)."""

    kind: str
    value: str
    normalized: str
    redacted: bool = False


@dataclass(frozen=True)
class SharedSubject:
    """A subject of the case with its identifiers."""

    key: str  # stable within the store: "subject-<id>"
    name: str
    aliases: tuple[str, ...] = ()
    role: str = ""
    platform: str = ""
    location: str = ""
    identifiers: tuple[SharedIdentifier, ...] = ()


@dataclass(frozen=True)
class Finding:
    """A red-flag checklist item answered suspected or confirmed."""

    item_id: str
    label: str
    category: str
    state: str
    note: str = ""


@dataclass(frozen=True)
class LinkedRecord:
    """Another case or tip sharing one of this case's identifiers."""

    kind: str  # "case" | "tip"
    ref: str
    label: str
    via_kind: str
    via_value: str
    match: str  # "exact" | "near"


@dataclass(frozen=True)
class ExhibitSummary:
    """An exhibit as the referral packs describe it (no content leaves)."""

    exhibit: str
    title: str
    media_type: str
    sha256: str
    acquired_by: str = ""
    acquired_from: str = ""


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    text: str


@dataclass(frozen=True)
class ShareContent:
    """A case as one share export may show it."""

    case_ref: str
    title: str
    summary: str
    key_facts: str
    status: str
    opened_at: datetime
    generated_at: datetime
    actor: str
    software: str
    store_id: str
    score: int = 0
    band: str = ""
    subjects: tuple[SharedSubject, ...] = ()
    findings: tuple[Finding, ...] = ()
    links: tuple[LinkedRecord, ...] = ()
    exhibits: tuple[ExhibitSummary, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    tipsters_revealed: bool = False
    accounts_revealed: bool = False
    #: One line per kind of thing held back ("2 bank account numbers to their last four").
    redactions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def confirmed(self) -> bool:
        """A finding is confirmed: subjects are shared as threat actors, with indicators."""
        return any(f.state == "confirmed" for f in self.findings)

    def identifiers(self) -> list[tuple[SharedSubject, SharedIdentifier]]:
        """Every (subject, identifier) pair, in order."""
        return [(s, i) for s in self.subjects for i in s.identifiers]


def find_kind(content: ShareContent, *kinds: str) -> list[str]:
    """Distinct identifier values of ``kinds``, in first-seen order (for forms)."""
    seen: dict[str, None] = {}
    for _subject, ident in content.identifiers():
        if ident.kind in kinds:
            seen.setdefault(ident.value, None)
    return list(seen)

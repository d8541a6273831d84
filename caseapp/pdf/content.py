"""Everything a case file shows, gathered by :mod:`caseapp.services.casefile.content` and
handed to the PDF builder. Plain, typed data: the builder does no database or vault access
and never looks values up in dictionaries by key.

Only :class:`ExhibitEntry` is filled in after it is made (as its exhibit is re-hashed and
excerpted); everything else is frozen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from caseapp.domain.enums import ChecklistState
from caseapp.domain.models import Case, CustodyEvent, Evidence, Identifier, Subject
from caseapp.pdf.redact import ACCOUNT_KINDS

if TYPE_CHECKING:
    from caseapp.pdf.images import RawImage

#: How an exhibit appears in the appendix.
APPENDIX_IMAGE = "image"
APPENDIX_TEXT = "text"
APPENDIX_REFERENCE = "reference"  # not reproduced; cited by hash
APPENDIX_NONE = "none"  # withdrawn: no appendix entry


@dataclass(frozen=True)
class SubjectEntry:
    """A subject with its aliases and identifiers."""

    subject: Subject
    aliases: tuple[str, ...]
    identifiers: tuple[Identifier, ...]


@dataclass
class ExhibitEntry:
    """An exhibit, its custody log, how it verified at export and what the appendix shows."""

    evidence: Evidence
    custody: list[CustodyEvent]
    verified: bool | None = None  # re-hashed from the vault at export: match / mismatch / not read
    verify_detail: str = ""
    appendix: str = APPENDIX_REFERENCE
    image: bytes | None = field(default=None, repr=False)  # display image (maybe scaled down)
    image_px: tuple[int, int] | None = None  # display image size in pixels
    image_raw: RawImage | None = field(default=None, repr=False)  # embed as is
    image_note: str = ""
    excerpt: str | None = field(default=None, repr=False)
    excerpt_note: str = ""

    @property
    def exhibit(self) -> str:
        return self.evidence.exhibit

    @property
    def withdrawn(self) -> bool:
        return self.evidence.withdrawn_at is not None


@dataclass(frozen=True)
class TimelineItem:
    """A note or recorded event on the case timeline."""

    at: datetime
    kind: str  # "note" | "event"
    title: str
    text: str
    author: str = ""
    edited: bool = False
    tz_name: str = ""  # zone the note's time was given in, when known


@dataclass(frozen=True)
class ScoringRules:
    """How the checklist's template turns answers into its score: its ``[scoring]`` and
    ``[bands]`` tables."""

    p: tuple[tuple[int, float], ...]  # (weight, contribution when confirmed), by weight
    suspected_factor: float  # a suspected item contributes p × this
    elevated: int  # lower bounds (inclusive) of the bands on the 0-100 score
    high: int
    critical: int


@dataclass(frozen=True)
class ChecklistItem:
    """One indicator of the case's checklist with its answer."""

    id: str
    label: str
    category: str  # category id
    weight: int
    state: ChecklistState
    note: str = ""
    exhibits: tuple[str, ...] = ()  # exhibit labels, e.g. "E-001"
    suggestion: str = ""  # why an open suggestion proposes this item ("" when none)

    @property
    def assessed(self) -> bool:
        return self.state is not ChecklistState.NOT_ASSESSED


@dataclass(frozen=True)
class ChecklistContent:
    """The case's red-flag checklist: its pinned template, score, items and scoring rules."""

    template: str  # template id
    version: int
    score: int  # 0-100
    band: str
    coverage: float  # share of items assessed, 0-1
    items: tuple[ChecklistItem, ...]
    scoring: ScoringRules


@dataclass(frozen=True)
class TipsterEntry:
    """A tipster's identity (revealed, or kept only to mask it wherever it appears)."""

    name: str | None
    contact: str | None
    relationship: str | None

    def values(self) -> tuple[str, ...]:
        """The non-empty parts."""
        return tuple(v for v in (self.name, self.contact, self.relationship) if v)


@dataclass(frozen=True)
class TipAttachment:
    """A file attached to a tip."""

    label: str
    name: str  # original file name
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class TipEntry:
    """A tip linked to the case. ``identity`` is None when the tip carries none."""

    ref: str
    received_at: datetime
    channel: str
    programme: str
    reference: str
    anonymous: bool
    grade: str
    grade_meaning: str
    status: str
    reward_status: str
    content: str
    identity: TipsterEntry | None
    identifiers: tuple[Identifier, ...]
    attachments: tuple[TipAttachment, ...]
    linked_at: datetime | None = None
    link_note: str = ""


@dataclass(frozen=True)
class LinkedCaseEntry:
    """A subject of another case holding a shared identifier."""

    ref: str
    title: str
    subject: str


@dataclass(frozen=True)
class LinkGroupEntry:
    """One identifier of the case with the other cases and tips holding it."""

    kind: str
    normalized: str
    match: str  # "exact" | "near"
    reason: str
    cases: tuple[LinkedCaseEntry, ...]
    tips: tuple[str, ...]  # tip refs


@dataclass(frozen=True)
class FindingEntry:
    """A signals finding: the rule behind it, what it found, the rows it cites."""

    rule: str
    version: int
    title: str
    explanation: str
    subject: str
    summary: str
    score: float
    status: str  # open | accepted | dismissed
    redflag_item: str
    exhibit: str | None  # the imported exhibit whose lines are cited
    lines: tuple[int, ...]
    line_count: int
    exhibits: tuple[str, ...]  # other exhibits behind it (photo / text reuse)
    data: tuple[str, ...]  # "name version (sha256 …)" of each data set used
    decision_note: str = ""


@dataclass(frozen=True)
class WatchlistHitEntry:
    """A watchlist hit on a subject: which list (name, date, SHA-256) and which entry."""

    strength: str  # "strong" | "weak"
    subject: str
    kind: str
    case_value: str
    entry: str  # the listed party's name (or the listed value)
    entry_ref: str
    programmes: tuple[str, ...]
    match: str
    score: int
    list: str
    list_date: str
    list_sha256: str


@dataclass(frozen=True)
class ExportInfo:
    """Facts for the export record page."""

    software: str
    store_id: str
    audit_head_id: int | None
    audit_head_hash: str
    generated_at: datetime  # aware
    actor: str
    components: tuple[tuple[str, str], ...] = ()  # (component, version)


@dataclass(frozen=True)
class CaseFileContent:
    """Input of :func:`caseapp.pdf.case_file.build_case_file`."""

    case: Case
    tz: tzinfo
    info: ExportInfo
    checklist: ChecklistContent
    subjects: tuple[SubjectEntry, ...] = ()
    exhibits: tuple[ExhibitEntry, ...] = ()
    timeline: tuple[TimelineItem, ...] = ()
    tips: tuple[TipEntry, ...] = ()
    links: tuple[LinkGroupEntry, ...] = ()
    findings: tuple[FindingEntry, ...] = ()
    other_exports: int = 0  # earlier exports of this case in its history
    watchlist_hits: tuple[WatchlistHitEntry, ...] = ()

    def account_values(self) -> list[str]:
        """Every bank / gov-id value known to this case (for free-text redaction)."""
        values: list[str] = []
        idents = [i for s in self.subjects for i in s.identifiers]
        idents += [i for t in self.tips for i in t.identifiers]
        for ident in idents:
            if ident.kind in ACCOUNT_KINDS:
                values += [ident.raw, ident.normalized]
        values += [g.normalized for g in self.links if g.kind in ACCOUNT_KINDS]
        return values

    def tipster_values(self) -> list[str]:
        """Every tipster name/contact/relationship in the linked tips."""
        return [v for t in self.tips if t.identity for v in t.identity.values()]

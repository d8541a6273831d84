"""Everything a case file shows, gathered by :mod:`caseapp.services.casefile.exports` and handed to
the PDF builder. Plain data: the builder does no database or vault access.

Sections whose feature is missing from a build carry ``None`` plus a note saying so, so the
section is still printed (never silently left out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from caseapp.domain.models import Case, CustodyEvent, Evidence, Identifier, Subject

#: How an exhibit appears in the appendix.
APPENDIX_IMAGE = "image"
APPENDIX_TEXT = "text"
APPENDIX_REFERENCE = "reference"  # not reproduced; cited by hash
APPENDIX_NONE = "none"  # withdrawn: no appendix entry


@dataclass
class SubjectEntry:
    """A subject with its aliases and identifiers."""

    subject: Subject
    aliases: list[str]
    identifiers: list[Identifier]


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
    image_raw: Any = field(default=None, repr=False)  # images.RawImage: embed as is
    image_note: str = ""
    excerpt: str | None = field(default=None, repr=False)
    excerpt_note: str = ""

    @property
    def exhibit(self) -> str:
        return self.evidence.exhibit

    @property
    def withdrawn(self) -> bool:
        return self.evidence.withdrawn_at is not None


@dataclass
class TimelineItem:
    """A note or recorded event on the case timeline."""

    at: datetime
    kind: str  # "note" | "event"
    title: str
    text: str
    author: str = ""
    edited: bool = False
    tz_name: str = ""  # zone the note's time was given in, when known


@dataclass
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
    identity: dict[str, str | None] | None
    identifiers: list[Identifier]
    attachments: list[dict[str, Any]]
    linked_at: datetime | None = None
    link_note: str = ""


@dataclass
class ExportInfo:
    """Facts for the export record page."""

    software: str
    store_id: str
    audit_head_id: int | None
    audit_head_hash: str
    generated_at: datetime  # aware
    actor: str
    components: dict[str, str] = field(default_factory=dict)


@dataclass
class CaseFileContent:
    """Input of :func:`caseapp.pdf.case_file.build_case_file`."""

    case: Case
    tz: tzinfo
    info: ExportInfo
    subjects: list[SubjectEntry] = field(default_factory=list)
    exhibits: list[ExhibitEntry] = field(default_factory=list)
    timeline: list[TimelineItem] = field(default_factory=list)
    checklist: dict[str, Any] | None = None  # ChecklistView.to_json() shape
    checklist_note: str = ""
    tips: list[TipEntry] | None = None
    tips_note: str = ""
    links: list[dict[str, Any]] | None = None  # links contract shape, one dict per group
    links_note: str = ""
    other_exports: int = 0  # earlier exports of this case in its history

    def account_values(self) -> list[str]:
        """Every bank / gov-id value known to this case (for free-text redaction)."""
        values: list[str] = []
        idents = [i for s in self.subjects for i in s.identifiers]
        idents += [i for t in self.tips or [] for i in t.identifiers]
        for ident in idents:
            if ident.kind in ("bank", "gov-id"):
                values += [ident.raw, ident.normalized]
        for group in self.links or []:
            if group.get("kind") in ("bank", "gov-id"):
                values.append(str(group.get("normalized", "")))
        return values

    def tipster_values(self) -> list[str]:
        """Every tipster name/contact/relationship in the linked tips."""
        return [v for t in self.tips or [] if t.identity
                for v in t.identity.values() if v]

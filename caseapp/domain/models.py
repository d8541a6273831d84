"""SQLModel tables for every entity of a case store.

Times are stored as naive UTC in the database and handed out as aware UTC datetimes
(see :class:`UTCDateTime`). Enum columns store the contract spelling as plain text, so the
schema stays dialect-portable and readable. (SQLModel types ``__tablename__`` as a
``declared_attr``, so a plain string there needs a pyright ignore: sqlmodel issue #98.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """DateTime that always round-trips as an aware UTC datetime."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times must carry a zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _dt(nullable: bool = False, index: bool = False) -> Any:
    # No default: services always set times explicitly (from utcnow() or user input).
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _text(nullable: bool = False, default: str | None = "") -> Any:
    if nullable:
        return Field(default=None, sa_type=sa.Text, nullable=True)
    return Field(default=default, sa_type=sa.Text, nullable=False)


def _version() -> Any:
    # Optimistic concurrency: a guarded edit updates the row only at the version its caller
    # read and bumps it (caseapp.services.versioning); rows of older stores start at 1.
    return Field(default=1, sa_column_kwargs={"server_default": "1"})


class StoreMeta(SQLModel, table=True):
    """Key/value facts about the store itself (store id, created at)."""

    __tablename__ = "store_meta"  # pyright: ignore[reportAssignmentType]
    key: str = Field(primary_key=True, max_length=64)
    value: str = _text()


class Case(SQLModel, table=True):
    __tablename__ = "case_file"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (sa.UniqueConstraint("year", "seq", name="uq_case_year_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(index=True, unique=True, max_length=32)
    year: int
    seq: int
    title: str = _text()
    summary: str = _text()
    key_facts: str = _text()
    status: str = Field(default="open", max_length=16, index=True)
    priority: str = Field(default="medium", max_length=16)
    tags: str = Field(default="[]", sa_type=sa.Text)  # JSON list of strings
    opened_at: datetime = _dt()
    closed_at: datetime | None = _dt(nullable=True)
    updated_at: datetime = _dt(index=True)
    version: int = _version()


class Subject(SQLModel, table=True):
    __tablename__ = "subject"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    name: str = _text()
    aliases: str = Field(default="[]", sa_type=sa.Text)  # JSON list of strings
    role_applied: str = _text()
    hiring_platform: str = _text()
    claimed_location: str = _text()
    notes: str = _text()
    created_at: datetime = _dt()
    version: int = _version()


class Tip(SQLModel, table=True):
    __tablename__ = "tip"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (sa.UniqueConstraint("year", "seq", name="uq_tip_year_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(index=True, unique=True, max_length=32)
    year: int
    seq: int
    received_at: datetime = _dt(index=True)
    channel: str = Field(default="email", max_length=32)
    programme: str = _text()
    reference: str = _text()
    anonymous: bool = Field(default=False)
    tipster_name: str | None = _text(nullable=True)
    tipster_contact: str | None = _text(nullable=True)
    relationship: str = _text()
    content: str = _text()
    content_key: str = Field(default="", sa_type=sa.Text, index=True)  # normalised content for de-dup
    reliability: str | None = Field(default=None, max_length=1)
    credibility: str | None = Field(default=None, max_length=1)
    status: str = Field(default="new", max_length=16, index=True)
    duplicate_of_id: int | None = Field(default=None, foreign_key="tip.id")
    #: JSON list of tip ids the user decided are NOT duplicates of this one.
    kept_separate: str = Field(default="[]", sa_type=sa.Text)
    follow_up_due: datetime | None = _dt(nullable=True)
    assignee_note: str = _text()
    reward_status: str = Field(default="not-applicable", max_length=32)
    created_at: datetime = _dt()
    updated_at: datetime = _dt()
    version: int = _version()


class Identifier(SQLModel, table=True):
    __tablename__ = "identifier"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (
        sa.Index("ix_identifier_kind_normalized", "kind", "normalized"),
        sa.CheckConstraint(
            "(subject_id IS NULL) <> (tip_id IS NULL)", name="ck_identifier_one_owner"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_id: int | None = Field(default=None, foreign_key="subject.id", index=True)
    tip_id: int | None = Field(default=None, foreign_key="tip.id", index=True)
    kind: str = Field(max_length=16)
    raw: str = _text()
    normalized: str = _text()
    normalized_ok: bool = Field(default=True)
    normalize_note: str = _text()
    created_at: datetime = _dt()


class Evidence(SQLModel, table=True):
    """An exhibit of a case, or an attachment of a tip (case_id NULL, tip_id set)."""

    __tablename__ = "evidence"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (sa.UniqueConstraint("case_id", "number", name="uq_evidence_case_number"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="case_file.id", index=True)
    tip_id: int | None = Field(default=None, foreign_key="tip.id", index=True)
    number: int | None = None
    title: str = _text()
    description: str = _text()
    original_name: str = _text()
    original_path: str = _text()
    size: int = 0
    media_type: str = Field(default="application/octet-stream", max_length=128)
    sha256: str = Field(max_length=64, index=True)
    blob_id: str = Field(max_length=64)
    acquired_at: datetime | None = _dt(nullable=True)
    acquired_by: str = _text()
    acquired_from: str = _text()
    acquisition_method: str = _text()
    file_mtime: datetime | None = _dt(nullable=True)
    ingested_at: datetime = _dt()
    ingested_by: str = _text()
    withdrawn_at: datetime | None = _dt(nullable=True)
    withdrawn_by: str = _text()
    withdrawn_reason: str = _text()

    @property
    def exhibit(self) -> str:
        """Exhibit label such as ``E-001`` (``E-1000`` past 999); tip attachments: ``A-<id>``."""
        if self.number is None:
            return f"A-{self.id}"
        return f"E-{self.number:03d}"


class CustodyEvent(SQLModel, table=True):
    __tablename__ = "custody_event"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    at: datetime = _dt()
    actor: str = _text()
    action: str = Field(max_length=32)
    sha256: str = Field(default="", max_length=64)
    detail: str = Field(default="{}", sa_type=sa.Text)  # JSON object


class Note(SQLModel, table=True):
    __tablename__ = "note"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    occurred_at: datetime = _dt(index=True)
    occurred_tz: str = Field(default="UTC", max_length=64)  # zone the user gave the time in
    recorded_at: datetime = _dt()
    updated_at: datetime = _dt()
    author: str = _text()
    text: str = _text()
    version: int = 1
    #: Set on a conflicting copy: the caller's text of a save that lost a race with a
    #: colleague's edit of this note (see caseapp.services.cases.notes).
    conflict_of: int | None = None


class NoteRevision(SQLModel, table=True):
    """An earlier version of a note, kept when the note is edited."""

    __tablename__ = "note_revision"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="note.id", index=True)
    version: int
    text: str = _text()
    occurred_at: datetime = _dt()
    occurred_tz: str = Field(default="UTC", max_length=64)
    saved_at: datetime = _dt()
    author: str = _text()


class TipCaseLink(SQLModel, table=True):
    __tablename__ = "tip_case_link"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (sa.UniqueConstraint("tip_id", "case_id", name="uq_tip_case"),)

    id: int | None = Field(default=None, primary_key=True)
    tip_id: int = Field(foreign_key="tip.id", index=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    created_at: datetime = _dt()
    note: str = _text()


class Checklist(SQLModel, table=True):
    __tablename__ = "checklist"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", unique=True)
    template_id: str = Field(max_length=128)
    template_version: int
    created_at: datetime = _dt()
    updated_at: datetime = _dt()


class ChecklistAnswer(SQLModel, table=True):
    __tablename__ = "checklist_answer"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (sa.UniqueConstraint("checklist_id", "item_id", name="uq_answer_item"),)

    id: int | None = Field(default=None, primary_key=True)
    checklist_id: int = Field(foreign_key="checklist.id", index=True)
    item_id: str = Field(max_length=128)
    state: str = Field(default="not-assessed", max_length=32)
    note: str = _text()
    exhibits: str = Field(default="[]", sa_type=sa.Text)  # JSON list of evidence ids
    dismissed: str = Field(default="[]", sa_type=sa.Text)  # JSON list of dismissed suggestion keys
    updated_at: datetime = _dt()
    updated_by: str = _text()
    version: int = _version()


class TemplateBlob(SQLModel, table=True):
    """A custom red-flag template imported by the user (TOML text, validated on import)."""

    __tablename__ = "template_blob"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (sa.UniqueConstraint("template_id", "version", name="uq_template_version"),)

    id: int | None = Field(default=None, primary_key=True)
    template_id: str = Field(max_length=128)
    version: int
    toml: str = _text()
    imported_at: datetime = _dt()


class ExportRecord(SQLModel, table=True):
    __tablename__ = "export_record"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    created_at: datetime = _dt()
    actor: str = _text()
    recipient: str = _text()
    options: str = Field(default="{}", sa_type=sa.Text)  # JSON object
    pages: int = 0
    bates_first: str = _text()
    bates_last: str = _text()
    sha256: str = Field(default="", max_length=64)
    path: str = _text()
    package_dir: str | None = _text(nullable=True)


class Production(SQLModel, table=True):
    """A legal production of a case: a numbered, recorded act that consumed a Bates range.

    Bates numbers continue per prefix across every case of the store; ``bates_last`` of the
    newest production with a prefix is the last number ever issued under it.
    """

    __tablename__ = "production"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (sa.UniqueConstraint("case_id", "number", name="uq_production_case_number"),
                      sa.UniqueConstraint("prefix", "bates_first",
                                          name="uq_production_prefix_first"))

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    number: int = 1  # per case: PROD-001
    created_at: datetime = _dt()
    actor: str = _text()
    prefix: str = Field(max_length=40, index=True)
    volume: str = Field(max_length=40)
    bates_first: int = 0  # first number issued (0 with bates_last 0: nothing produced)
    bates_last: int = 0
    documents: int = 0
    pages: int = 0
    withheld: int = 0
    path: str = _text()
    manifest_sha256: str = Field(default="", max_length=64)
    options: str = Field(default="{}", sa_type=sa.Text)  # JSON object


class AuditEntry(SQLModel, table=True):
    """Append-only, hash-chained record of every change."""

    __tablename__ = "audit_entry"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _dt()
    actor: str = _text()
    action: str = Field(max_length=64)
    entity: str = Field(default="", max_length=32)
    entity_id: str = Field(default="", max_length=64)
    detail: str = Field(default="{}", sa_type=sa.Text)  # canonical JSON object
    #: Canonical JSON ``{record key: [where, state hash]}`` of the records the entry's
    #: transaction changed (in its last entry; see caseapp.security.record_state), or None.
    state: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    #: The case the entry is about, filled by a team store's trigger for its row-level
    #: security (NULL: team-wide, and always on the local store). Not part of the hash.
    case_id: int | None = Field(default=None, index=True)


class SignalImport(SQLModel, table=True):
    """A sign-in log or endpoint inventory imported from an exhibit (``caseapp signals``)."""

    __tablename__ = "signal_import"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    format: str = Field(max_length=16)
    rows: int = 0  # rows read (sign-ins or inventory lines)
    attributed: int = 0  # rows attributed to a subject of the case
    errors: int = 0
    data: str = Field(default="[]", sa_type=sa.Text)  # JSON list of data sets used
    summary: str = Field(default="{}", sa_type=sa.Text)  # JSON: per-subject hours, errors...
    created_at: datetime = _dt()
    actor: str = _text()


class SignalObservation(SQLModel, table=True):
    """Sign-ins of one account from one IP and device in one import (first/last line)."""

    __tablename__ = "signal_observation"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (sa.Index("ix_signal_observation_ip", "ip"),
                      sa.Index("ix_signal_observation_device", "device_id"))

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="signal_import.id", index=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    subject_id: int = Field(foreign_key="subject.id", index=True)
    account: str = _text()
    ip: str = Field(default="", max_length=64)
    device_id: str = Field(default="", max_length=200)
    first_line: int = 0
    last_line: int = 0
    first_at: datetime = _dt()
    last_at: datetime = _dt()
    count: int = 0
    failures: int = 0
    country: str = Field(default="", max_length=64)
    city: str = _text()
    network: str = _text()
    egress: str = Field(default="", max_length=16)


class SignalFinding(SQLModel, table=True):
    """A rule's finding for a subject; ``status`` open, accepted or dismissed."""

    __tablename__ = "signal_finding"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (sa.UniqueConstraint("case_id", "subject_id", "rule", "key",
                                          name="uq_signal_finding_key"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    subject_id: int = Field(foreign_key="subject.id", index=True)
    import_id: int | None = Field(default=None, foreign_key="signal_import.id")
    evidence_id: int | None = Field(default=None, foreign_key="evidence.id")
    rule: str = Field(max_length=64)
    rule_version: int = 1
    key: str = _text()
    redflag_item: str = Field(default="", max_length=128)
    summary: str = _text()
    score: float = 0.0
    lines: str = Field(default="[]", sa_type=sa.Text)  # JSON list of cited line numbers
    line_count: int = 0
    exhibits: str = Field(default="[]", sa_type=sa.Text)  # JSON list of "CASE/E-NNN"
    detail: str = Field(default="{}", sa_type=sa.Text)  # JSON object
    data: str = Field(default="[]", sa_type=sa.Text)  # JSON list of data sets
    status: str = Field(default="open", max_length=16)
    decided_at: datetime | None = _dt(nullable=True)
    decided_by: str = _text()
    decision_note: str = _text()
    created_at: datetime = _dt()
    updated_at: datetime = _dt()


class Watchlist(SQLModel, table=True):
    """An imported sanctions or advisory list (OFAC SDN, a STIX/MISP advisory, a CSV).

    One row per list name; a re-import replaces its entries in one transaction and updates
    the file name, publisher, list date, SHA-256 and counts here.
    """

    __tablename__ = "watchlist"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    format: str = Field(max_length=16)
    publisher: str = _text()
    file_name: str = _text()
    list_date: str = Field(default="", max_length=32)  # as published (ISO date when known)
    sha256: str = Field(default="", max_length=64)
    entries: int = 0  # identifiers and names kept
    records: int = 0  # list entries (SDN entries, indicators, attributes) read
    skipped: int = 0
    problems: str = Field(default="[]", sa_type=sa.Text)  # JSON list of strings (first 50)
    imported_at: datetime = _dt()
    imported_by: str = _text()


class WatchlistEntry(SQLModel, table=True):
    """One identifier or name of a watchlist entry, normalised like case identifiers."""

    __tablename__ = "watchlist_entry"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (sa.Index("ix_watchlist_entry_kind_normalized", "kind", "normalized"),)

    id: int | None = Field(default=None, primary_key=True)
    watchlist_id: int = Field(foreign_key="watchlist.id", index=True)
    entry_ref: str = _text()  # SDN uid / ent_num, STIX id, MISP uuid, CSV reference
    entry_name: str = _text()  # the listed party's primary name
    entry_type: str = Field(default="", max_length=32)  # individual, entity, vessel, indicator
    programmes: str = Field(default="[]", sa_type=sa.Text)  # JSON list: DPRK3, CYBER2, ...
    kind: str = Field(max_length=16)  # an identifier kind, or "name"
    value: str = _text()  # as listed
    normalized: str = _text()  # identifiers: as caseapp normalises; names: folded ASCII
    remarks: str = _text()


# Team mode's key tables live in their own module; importing it here puts them in the metadata.
from caseapp.domain import team_access_models as _team_access_models  # noqa: E402, F401
from caseapp.domain import team_models as _team_models  # noqa: E402, F401

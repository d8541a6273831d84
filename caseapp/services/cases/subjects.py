"""Use cases for subjects and their identifiers, and the shared-identifier query."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from caseapp.domain.enums import IdentifierKind
from caseapp.domain.identifiers import normalize
from caseapp.domain.models import Case, Identifier, Subject, Tip, utcnow
from caseapp.domain.text import clean_line, clean_text, dump_list, load_list
from caseapp.security import audit
from caseapp.services.cases.cases import get_case_in, touch
from caseapp.services.deletions import delete_rows
from caseapp.services.errors import InvalidInput, NotFound
from caseapp.services.versioning import claim_version
from caseapp.services.workspace import Workspace


@dataclass(frozen=True)
class IdentifierInput:
    kind: str
    value: str


def parse_identifier_arg(text: str) -> IdentifierInput:
    """``KIND:VALUE`` from the command line (the value may itself contain colons)."""
    kind, sep, value = text.partition(":")
    if not sep or not value.strip():
        raise InvalidInput(f"{text!r}: identifiers are written KIND:VALUE, e.g. email:a@b.com")
    return IdentifierInput(kind, value)


def _kind(text: str) -> IdentifierKind:
    try:
        return IdentifierKind.parse(text)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def make_identifier(kind: str, value: str, *, subject_id: int | None = None,
                    tip_id: int | None = None) -> Identifier:
    """A normalised, not yet saved Identifier; unparseable values are kept raw and flagged."""
    ident_kind = _kind(kind)
    raw = clean_line(value, limit=2000)
    if not raw:
        raise InvalidInput(f"The {ident_kind.value} identifier is empty.")
    result = normalize(ident_kind, raw)
    return Identifier(subject_id=subject_id, tip_id=tip_id, kind=ident_kind.value, raw=raw,
                      normalized=result.value if result.ok else raw,
                      normalized_ok=result.ok, normalize_note=result.note or "",
                      created_at=utcnow())


def identifier_json(ident: Identifier) -> dict[str, object]:
    """The contract JSON of an identifier."""
    return {"id": ident.id, "kind": ident.kind, "raw": ident.raw,
            "normalized": ident.normalized, "normalized_ok": ident.normalized_ok}


@dataclass
class SubjectView:
    subject: Subject
    case_ref: str
    identifiers: list[Identifier]

    @property
    def aliases(self) -> list[str]:
        return load_list(self.subject.aliases)

    def to_json(self) -> dict[str, object]:
        return {"id": self.subject.id, "case": self.case_ref, "name": self.subject.name,
                "aliases": self.aliases, "role_applied": self.subject.role_applied,
                "hiring_platform": self.subject.hiring_platform,
                "claimed_location": self.subject.claimed_location,
                "identifiers": [identifier_json(i) for i in self.identifiers]}


def add_subject(ws: Workspace, case_ref: str, name: str, *, aliases: list[str] | None = None,
                identifiers: list[IdentifierInput] | None = None, role_applied: str = "",
                hiring_platform: str = "", claimed_location: str = "",
                notes: str = "") -> SubjectView:
    """Record a subject on a case, with aliases and typed identifiers."""
    name = clean_line(name)
    if not name:
        raise InvalidInput("A subject needs a name (use the claimed name).")
    alias_list = [clean_line(a) for a in aliases or [] if clean_line(a)]
    # Validate every identifier before writing anything.
    pending = [make_identifier(i.kind, i.value) for i in identifiers or []]
    with ws.transaction() as session:
        case = get_case_in(session, case_ref)
        subject = Subject(case_id=case.id or 0, name=name, aliases=dump_list(alias_list),
                          role_applied=clean_line(role_applied),
                          hiring_platform=clean_line(hiring_platform),
                          claimed_location=clean_line(claimed_location),
                          notes=clean_text(notes), created_at=utcnow())
        session.add(subject)
        session.flush()
        for ident in pending:
            ident.subject_id = subject.id
            session.add(ident)
        session.flush()
        touch(case)
        session.add(case)
        audit.append(session, "subject.added", "subject", subject.id,
                     {"case": case.ref, "name": name, "aliases": alias_list,
                      "identifiers": [[i.kind, i.raw] for i in pending]})
        return SubjectView(subject, case.ref, pending)


#: The subject fields an edit conflict shows, by label.
SUBJECT_FIELDS = {"name": "Name", "aliases": "Aliases", "role_applied": "Role applied for",
                  "hiring_platform": "Hiring platform", "claimed_location": "Claimed location",
                  "notes": "Notes"}


def update_subject(ws: Workspace, subject_id: int, *, name: str | None = None,
                   aliases: list[str] | None = None, role_applied: str | None = None,
                   hiring_platform: str | None = None, claimed_location: str | None = None,
                   notes: str | None = None, expected_version: int | None = None) -> Subject:
    """Edit a subject's fields; only those given change.

    ``expected_version``: the version the caller read; a subject saved since raises
    EditConflict and nothing changes (None: the version read here)."""
    with ws.transaction() as session:
        subject = _subject(session, subject_id)
        changes: dict[str, object] = {}
        if name is not None:
            if not clean_line(name):
                raise InvalidInput("A subject needs a name.")
            subject.name = changes["name"] = clean_line(name)
        if aliases is not None:
            subject.aliases = dump_list([clean_line(a) for a in aliases if clean_line(a)])
            changes["aliases"] = load_list(subject.aliases)
        for field_name, value in (("role_applied", role_applied),
                                  ("hiring_platform", hiring_platform),
                                  ("claimed_location", claimed_location)):
            if value is not None:
                setattr(subject, field_name, clean_line(value))
                changes[field_name] = clean_line(value)
        if notes is not None:
            subject.notes = clean_text(notes)
            changes["notes"] = True
        if session.is_modified(subject):  # an unchanged save cannot conflict
            claim_version(session, subject, expected_version, what=f"subject #{subject_id}",
                          kind="subject", labels=SUBJECT_FIELDS,
                          audit_key=("subject", str(subject_id)))
        session.add(subject)
        case = session.get(Case, subject.case_id)
        if case is not None:
            touch(case)
            session.add(case)
        audit.append(session, "subject.updated", "subject", subject.id, changes)
        return subject


def _subject(session: Session, subject_id: int) -> Subject:
    subject = session.get(Subject, subject_id)
    if subject is None:
        raise NotFound(f"No subject #{subject_id}.")
    return subject


def add_identifier(ws: Workspace, subject_id: int, kind: str, value: str) -> Identifier:
    """Add one identifier to a subject."""
    ident = make_identifier(kind, value, subject_id=subject_id)
    with ws.transaction() as session:
        subject = _subject(session, subject_id)
        session.add(ident)
        session.flush()
        case = session.get(Case, subject.case_id)
        if case is not None:
            touch(case)
            session.add(case)
        audit.append(session, "identifier.added", "identifier", ident.id,
                     {"subject": subject_id, "kind": ident.kind, "raw": ident.raw})
    return ident


def remove_identifier(ws: Workspace, identifier_id: int) -> None:
    """Delete an identifier recorded by mistake (the audit log keeps what it was)."""
    with ws.transaction() as session:
        ident = session.get(Identifier, identifier_id)
        if ident is None:
            raise NotFound(f"No identifier #{identifier_id}.")
        audit.append(session, "identifier.removed", "identifier", identifier_id,
                     {"kind": ident.kind, "raw": ident.raw, "subject": ident.subject_id,
                      "tip": ident.tip_id})
        delete_rows(session, ident)


def list_subjects(ws: Workspace, case_ref: str) -> list[SubjectView]:
    """Subjects of a case with their identifiers, in the order recorded."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        subjects = session.exec(select(Subject).where(Subject.case_id == case.id)
                                .order_by(col(Subject.id))).all()
        ids = [s.id for s in subjects]
        idents = session.exec(select(Identifier).where(col(Identifier.subject_id).in_(ids))
                              .order_by(col(Identifier.id))).all() if ids else []
    by_subject: dict[int, list[Identifier]] = {}
    for ident in idents:
        by_subject.setdefault(ident.subject_id or 0, []).append(ident)
    return [SubjectView(s, case.ref, by_subject.get(s.id or 0, [])) for s in subjects]


@dataclass(frozen=True)
class SharedHit:
    """Another place where the same normalised identifier was recorded."""

    identifier_id: int
    kind: str
    normalized: str
    raw: str
    case_ref: str | None = None
    case_title: str | None = None
    subject_id: int | None = None
    subject_name: str | None = None
    tip_ref: str | None = None
    tip_id: int | None = None


def shared_identifier_hits(session: Session, kind: str, normalized: str, *,
                           exclude_case_id: int | None = None,
                           exclude_tip_id: int | None = None) -> list[SharedHit]:
    """Every subject (with its case) and tip holding exactly this normalised identifier."""
    hits: list[SharedHit] = []
    subject_rows = session.exec(
        select(Identifier, Subject, Case).join(Subject, col(Identifier.subject_id) == col(Subject.id))
        .join(Case, col(Subject.case_id) == col(Case.id))
        .where(Identifier.kind == kind, Identifier.normalized == normalized)
        .order_by(col(Case.id), col(Identifier.id))).all()
    for ident, subject, case in subject_rows:
        if exclude_case_id is not None and case.id == exclude_case_id:
            continue
        hits.append(SharedHit(ident.id or 0, ident.kind, ident.normalized, ident.raw,
                              case_ref=case.ref, case_title=case.title, subject_id=subject.id,
                              subject_name=subject.name))
    tip_rows = session.exec(
        select(Identifier, Tip).join(Tip, col(Identifier.tip_id) == col(Tip.id))
        .where(Identifier.kind == kind, Identifier.normalized == normalized)
        .order_by(col(Tip.id))).all()
    for ident, tip in tip_rows:
        if exclude_tip_id is not None and tip.id == exclude_tip_id:
            continue
        hits.append(SharedHit(ident.id or 0, ident.kind, ident.normalized, ident.raw,
                              tip_ref=tip.ref, tip_id=tip.id))
    return hits


def shared_identifiers(ws: Workspace, kind: str, value: str, *,
                       exclude_case_ref: str | None = None) -> list[SharedHit]:
    """Which cases and tips share this identifier (normalised exact match)?"""
    probe = make_identifier(kind, value, subject_id=0)
    with ws.session() as session:
        exclude_id = get_case_in(session, exclude_case_ref).id if exclude_case_ref else None
        return shared_identifier_hits(session, probe.kind, probe.normalized,
                                      exclude_case_id=exclude_id)


def shared_for_case(ws: Workspace, case_ref: str) -> dict[tuple[str, str], list[SharedHit]]:
    """For each identifier of the case's subjects, the other cases/tips that share it."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        idents = session.exec(select(Identifier).join(Subject)
                              .where(Subject.case_id == case.id)).all()
        result: dict[tuple[str, str], list[SharedHit]] = {}
        for ident in idents:
            key = (ident.kind, ident.normalized)
            if key in result:
                continue
            hits = shared_identifier_hits(session, ident.kind, ident.normalized,
                                          exclude_case_id=case.id)
            if hits:
                result[key] = hits
        return result

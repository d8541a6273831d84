"""Use cases for notes and the case timeline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from caseapp.domain.models import (
    AuditEntry,
    Case,
    CustodyEvent,
    Evidence,
    Note,
    NoteRevision,
    utcnow,
)
from caseapp.domain.text import clean_text
from caseapp.security import audit
from caseapp.services.cases.cases import get_case_in, touch
from caseapp.services.deletions import delete_rows
from caseapp.services.errors import EditConflict, InvalidInput, NotFound
from caseapp.services.versioning import claim_version
from caseapp.services.workspace import Workspace


def _zone_name(moment: datetime) -> str:
    tz = moment.tzinfo
    key = getattr(tz, "key", None)  # zoneinfo.ZoneInfo carries an IANA name
    return str(key) if key else (moment.tzname() or "UTC")


def _require_text(text: str) -> str:
    cleaned = clean_text(text)
    if not cleaned:
        raise InvalidInput("A note cannot be empty.")
    return cleaned


def _require_aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise InvalidInput("Give the time with its zone (e.g. 2026-03-02T10:15+09:00).")
    return moment


def add_note(ws: Workspace, case_ref: str, text: str, *,
             occurred_at: datetime | None = None) -> Note:
    """Add a note to a case's timeline; ``occurred_at`` (aware) defaults to now."""
    text = _require_text(text)
    occurred = _require_aware(occurred_at)
    now = utcnow()
    with ws.transaction() as session:
        case = get_case_in(session, case_ref)
        note = Note(case_id=case.id or 0, occurred_at=occurred.astimezone(UTC) if occurred else now,
                    occurred_tz=_zone_name(occurred) if occurred else "UTC",
                    recorded_at=now, updated_at=now, author=audit.current_actor(), text=text)
        session.add(note)
        session.flush()
        touch(case, now)
        session.add(case)
        audit.append(session, "note.added", "note", note.id,
                     {"case": case.ref, "occurred_at": note.occurred_at.isoformat()})
        return note


#: The note fields an edit conflict shows, by label.
NOTE_FIELDS = {"text": "Text", "occurred_at": "Happened at"}


def edit_note(ws: Workspace, note_id: int, *, text: str | None = None,
              occurred_at: datetime | None = None,
              expected_version: int | None = None) -> Note:
    """Change a note; the previous version is kept in its history.

    ``expected_version``: the version the caller read. If the note was saved since, nothing
    is written over it: the caller's text is kept as a conflicting copy (a new note of the
    case, ``conflict_of`` = this note) and EditConflict names it (``kept_copy``).
    """
    occurred = _require_aware(occurred_at)
    new_text = _require_text(text) if text is not None else None
    try:
        return _edit_note(ws, note_id, new_text, occurred, expected_version)
    except EditConflict as exc:
        if new_text is not None:
            exc.kept_copy = _keep_copy(ws, note_id, new_text, occurred, exc.expected_version)
        raise


def _edit_note(ws: Workspace, note_id: int, text: str | None, occurred: datetime | None,
               expected_version: int | None) -> Note:
    with ws.transaction() as session:
        note = session.get(Note, note_id)
        if note is None:
            raise NotFound(f"No note #{note_id}.")
        new_text = text if text is not None else note.text
        if new_text == note.text and (occurred is None or occurred == note.occurred_at):
            return note
        session.add(NoteRevision(note_id=note_id, version=note.version, text=note.text,
                                 occurred_at=note.occurred_at, occurred_tz=note.occurred_tz,
                                 saved_at=note.updated_at, author=note.author))
        note.text = new_text
        if occurred is not None:
            note.occurred_at, note.occurred_tz = occurred.astimezone(UTC), _zone_name(occurred)
        claim_version(session, note, expected_version, what=f"note #{note_id}", kind="note",
                      labels=NOTE_FIELDS, audit_key=("note", str(note_id)))
        note.updated_at = utcnow()
        note.author = audit.current_actor()
        session.add(note)
        case = note.case_id
        audit.append(session, "note.edited", "note", note_id,
                     {"case_id": case, "version": note.version})
        return note


def _case_ref(session: Session, case_id: int) -> str:
    case = session.get(Case, case_id)
    return case.ref if case is not None else ""


def _keep_copy(ws: Workspace, note_id: int, text: str, occurred: datetime | None,
               based_on: int) -> int:
    """Store the text of a save that lost to a colleague's as a conflicting copy; its id."""
    now = utcnow()
    with ws.transaction() as session:
        note = session.get(Note, note_id)
        if note is None:
            raise NotFound(f"No note #{note_id}.")
        copy = Note(case_id=note.case_id, conflict_of=note_id,
                    occurred_at=occurred.astimezone(UTC) if occurred else note.occurred_at,
                    occurred_tz=_zone_name(occurred) if occurred else note.occurred_tz,
                    recorded_at=now, updated_at=now, author=audit.current_actor(), text=text)
        session.add(copy)
        session.flush()
        audit.append(session, "note.conflict-copy", "note", copy.id,
                     {"case": _case_ref(session, note.case_id), "case_id": note.case_id,
                      "of": note_id, "based_on": based_on, "theirs": note.version})
        return copy.id or 0


def resolve_copy(ws: Workspace, copy_id: int, keep: str, *,
                 expected_version: int | None = None) -> Note | None:
    """Settle a conflicting copy: ``keep`` "mine" saves its text over the note it copies
    (that note's text goes to its history; ``expected_version``: the note's version the
    user saw) and removes the copy; "theirs" removes the copy (the user's choice: its text
    is dropped); "both" keeps the copy as a note of its own. Returns the note kept current."""
    if keep not in ("mine", "theirs", "both"):
        raise InvalidInput("Keep mine, theirs or both.")
    with ws.unit_of_work() as session:  # the "mine" edit joins it: all of it or nothing
        copy = session.get(Note, copy_id)
        if copy is None or copy.conflict_of is None:
            raise NotFound(f"No conflicting copy #{copy_id}.")
        original = session.get(Note, copy.conflict_of)
        if keep == "mine" and original is None:  # nothing to save it over: keep the copy
            raise NotFound(f"No note #{copy.conflict_of}.")
        if keep == "both":
            claim_version(session, copy, None, what=f"note #{copy_id}", kind="note",
                          labels=NOTE_FIELDS, audit_key=("note", str(copy_id)))
            copy.conflict_of = None
            session.add(copy)
            audit.append(session, "note.conflict-kept", "note", copy_id,
                         {"case": _case_ref(session, copy.case_id), "case_id": copy.case_id,
                          "of": original.id if original else None})
            return copy
        if keep == "mine" and original is not None:  # (checked above; for the type checker)
            _edit_note(ws, original.id or 0, copy.text, None, expected_version)
        detail = {"case": _case_ref(session, copy.case_id), "case_id": copy.case_id,
                  "of": copy.conflict_of, "kept": keep}
        delete_rows(session, copy)  # before the entry: among the states it vouches for
        audit.append(session, "note.conflict-settled", "note", copy_id, detail)
        return original


def note_history(ws: Workspace, note_id: int) -> list[NoteRevision]:
    """Earlier versions of a note, oldest first."""
    with ws.session() as session:
        return list(session.exec(select(NoteRevision).where(NoteRevision.note_id == note_id)
                                 .order_by(col(NoteRevision.version))).all())


def list_notes(ws: Workspace, case_ref: str) -> list[Note]:
    """Notes of a case in the order they happened."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        return list(session.exec(select(Note).where(Note.case_id == case.id)
                                 .order_by(col(Note.occurred_at), col(Note.id))).all())


@dataclass(frozen=True)
class TimelineEntry:
    """A note or a recorded event, placed on the case timeline."""

    at: datetime
    kind: str  # "note" or "event"
    title: str
    text: str
    note_id: int | None = None
    edited: bool = False
    #: A conflicting copy: the note whose save it lost to (see :func:`edit_note`).
    conflict_of: int | None = None
    #: A note's edit version: what an editor passes back as ``expected_version``.
    version: int = 1


_EVENT_TITLES = {
    "case.created": "Case opened",
    "case.status": "Status changed",
    "case.updated": "Case details edited",
}


#: Custody actions on the timeline: acquisition at the time the exhibit was acquired (as
#: recorded), the copy into the store when it happened.
_CUSTODY_TITLES = {"acquired": "acquired", "ingested": "added to the store"}


def timeline(ws: Workspace, case_ref: str) -> list[TimelineEntry]:
    """Notes, status changes and exhibit custody events of a case, in time order."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        notes = session.exec(select(Note).where(Note.case_id == case.id)).all()
        events = session.exec(select(AuditEntry).where(AuditEntry.entity == "case",
                                                       AuditEntry.entity_id == case.ref)).all()
        custody = session.exec(select(CustodyEvent, Evidence)
                               .join(Evidence, col(CustodyEvent.evidence_id) == col(Evidence.id))
                               .where(Evidence.case_id == case.id)).all()
    entries = [TimelineEntry(n.occurred_at, "note",
                             "Note" if n.conflict_of is None
                             else f"Note (conflicting copy of note #{n.conflict_of})",
                             n.text, n.id, n.version > 1, n.conflict_of, n.version)
               for n in notes]
    for event in events:
        detail = json.loads(event.detail)
        text = (f"{detail.get('from')} → {detail.get('to')}" if event.action == "case.status"
                else "")
        # the case opened when its record says (a case logged later, or the demo data, is
        # opened in the past), not when the entry was written
        at = case.opened_at if event.action == "case.created" else event.at
        entries.append(TimelineEntry(at, "event",
                                     _EVENT_TITLES.get(event.action, event.action), text))
    for custody_event, evidence in custody:
        action = _CUSTODY_TITLES.get(custody_event.action, custody_event.action)
        entries.append(TimelineEntry(
            custody_event.at, "event", f"{evidence.exhibit} {action}", evidence.title))
    entries.sort(key=lambda e: e.at)
    return entries

"""Use cases for case files: create, update, status changes, listing."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from caseapp.domain.enums import CASE_TRANSITIONS, CaseStatus, Priority
from caseapp.domain.models import Case, Subject, utcnow
from caseapp.domain.text import case_ref, clean_line, clean_text, dump_list, load_list
from caseapp.security import audit
from caseapp.services.cases.caselist import CaseListRow, case_list
from caseapp.services.errors import Conflict, InvalidInput, NotFound
from caseapp.services.versioning import claim_version
from caseapp.services.workspace import Workspace
from caseapp.store.allocation import next_case_seq


def _enum(enum_cls, value):  # type: ignore[no-untyped-def]
    try:
        return enum_cls.parse(value)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def require_title(title: str) -> str:
    """Validated one-line title; raises InvalidInput."""
    cleaned = clean_line(title)
    if not cleaned:
        raise InvalidInput("A case needs a title.")
    return cleaned


def get_case_in(session: Session, ref: str) -> Case:
    """The case with ``ref`` (case-insensitive) inside an open session."""
    case = session.exec(select(Case).where(Case.ref == ref.strip().upper())).first()
    if case is None:
        raise NotFound(f"No case {ref.strip()!r}.")
    return case


def touch(case: Case, at: datetime | None = None) -> None:
    """Mark activity on a case (for the 'last activity' column)."""
    case.updated_at = at or utcnow()


def create_case(ws: Workspace, title: str, *, summary: str = "", priority: str = "medium",
                tags: list[str] | None = None, subject_name: str | None = None,
                opened_at: datetime | None = None) -> Case:
    """Open a new case with the next ``CASE-YYYY-NNNN`` ref of its year."""
    title = require_title(title)
    prio = _enum(Priority, priority)
    opened = opened_at or utcnow()
    with ws.transaction() as session:
        seq = next_case_seq(session, opened.year)  # team store: counts cases hidden by RLS
        case = Case(ref=case_ref(opened.year, seq), year=opened.year, seq=seq, title=title,
                    summary=clean_text(summary), priority=prio.value,
                    tags=dump_list([clean_line(t) for t in tags or [] if clean_line(t)]),
                    status=CaseStatus.OPEN.value, opened_at=opened, updated_at=opened)
        session.add(case)
        session.flush()
        audit.append(session, "case.created", "case", case.ref, {"title": title})
        if subject_name and clean_line(subject_name):
            subject = Subject(case_id=case.id or 0, name=clean_line(subject_name),
                              created_at=opened)
            session.add(subject)
            session.flush()
            audit.append(session, "subject.added", "subject", subject.id,
                         {"case": case.ref, "name": subject.name})
    return case


def get_case(ws: Workspace, ref: str) -> Case:
    """Load one case by ref."""
    with ws.session() as session:
        return get_case_in(session, ref)


#: The case fields an edit conflict shows, by label.
CASE_FIELDS = {"title": "Title", "summary": "Summary", "key_facts": "Key facts",
               "priority": "Priority", "tags": "Tags", "status": "Status"}


def claim_case(session: Session, case: Case, expected_version: int | None) -> None:
    """Guard an edit of ``case`` (see caseapp.services.versioning); EditConflict if stale."""
    claim_version(session, case, expected_version, what=f"case {case.ref}", kind="case",
                  labels=CASE_FIELDS, audit_key=("case", case.ref))


def update_case(ws: Workspace, ref: str, *, title: str | None = None,
                summary: str | None = None, key_facts: str | None = None,
                priority: str | None = None, tags: list[str] | None = None,
                expected_version: int | None = None) -> Case:
    """Change a case's descriptive fields; only the fields given change.

    ``expected_version``: the version the caller read; a case saved since raises
    EditConflict and nothing changes (None: the version read here)."""
    with ws.transaction() as session:
        case = get_case_in(session, ref)
        changes: dict[str, object] = {}
        if title is not None and require_title(title) != case.title:
            case.title = changes["title"] = require_title(title)
        if summary is not None and clean_text(summary) != case.summary:
            case.summary = clean_text(summary)
            changes["summary"] = True
        if key_facts is not None and clean_text(key_facts) != case.key_facts:
            case.key_facts = clean_text(key_facts)
            changes["key_facts"] = True
        if priority is not None and _enum(Priority, priority).value != case.priority:
            case.priority = changes["priority"] = _enum(Priority, priority).value
        if tags is not None:
            cleaned = [clean_line(t) for t in tags if clean_line(t)]
            if cleaned != load_list(case.tags):
                case.tags = dump_list(cleaned)
                changes["tags"] = cleaned
        if changes:
            claim_case(session, case, expected_version)
            touch(case)
            session.add(case)
            audit.append(session, "case.updated", "case", case.ref, changes)
    return case


def allowed_statuses(case: Case) -> list[CaseStatus]:
    """The statuses this case may move to next."""
    return sorted(CASE_TRANSITIONS[CaseStatus.parse(case.status)], key=list(CaseStatus).index)


def set_status(ws: Workspace, ref: str, status: str, *,
               expected_version: int | None = None) -> Case:
    """Move a case to ``status`` if the transition is allowed (``expected_version``: as
    :func:`update_case`)."""
    target = _enum(CaseStatus, status)
    with ws.transaction() as session:
        case = get_case_in(session, ref)
        current = CaseStatus.parse(case.status)
        if target == current:
            return case
        if target not in CASE_TRANSITIONS[current]:
            raise Conflict(f"A case that is {current.value} cannot move to {target.value}.")
        case.status = target.value
        claim_case(session, case, expected_version)
        now = utcnow()
        case.closed_at = now if target == CaseStatus.CLOSED else None
        touch(case, now)
        session.add(case)
        audit.append(session, "case.status", "case", case.ref,
                     {"from": current.value, "to": target.value})
    return case


def list_cases(ws: Workspace, *, status: str | None = None) -> list[CaseListRow]:
    """All cases (newest activity first) with subject and exhibit counts and the red-flag
    risk score and band (None for a case whose checklist was never started).

    The rows of the app's case list (:func:`caseapp.services.cases.caselist.case_list`, one
    query for all cases), with ``opened_at``/``updated_at`` as aware UTC datetimes.
    """
    wanted = _enum(CaseStatus, status).value if status else None
    return [r._replace(opened_at=_aware(r.opened_at), updated_at=_aware(r.updated_at))
            for r in case_list(ws) if wanted is None or r.status == wanted]


def _aware(raw: object) -> datetime:
    """A case's stored time as aware UTC (its columns are NOT NULL)."""
    from caseapp.services.cases.caselist import as_utc

    moment = as_utc(raw)
    if moment is None:
        raise ValueError("a case without its opened/updated time")
    return moment

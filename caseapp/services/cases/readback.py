"""Reading a case back whole, for ``caseapp case show`` and ``caseapp evidence show``.

Read-only: nothing here writes (a case whose checklist was never opened shows
``"checklist": null`` instead of starting one). The shapes are documented in docs/cli.md.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import func, select

from caseapp.domain.models import Checklist, Note
from caseapp.services.cases.cases import get_case_in
from caseapp.services.cases.subjects import SubjectView, identifier_json, list_subjects
from caseapp.services.errors import NotFound
from caseapp.services.workspace import Workspace


def exhibit_json(ev: Any) -> dict[str, Any]:
    """An exhibit's line in ``case show`` / ``evidence show``."""
    return {"id": ev.id, "exhibit": ev.exhibit, "title": ev.title, "name": ev.original_name,
            "size": ev.size, "media_type": ev.media_type, "sha256": ev.sha256,
            "acquired_at": ev.acquired_at, "acquired_by": ev.acquired_by,
            "acquired_from": ev.acquired_from, "method": ev.acquisition_method,
            "ingested_at": ev.ingested_at, "ingested_by": ev.ingested_by,
            "withdrawn": ev.withdrawn_at is not None, "withdrawn_at": ev.withdrawn_at,
            "withdrawn_reason": ev.withdrawn_reason or None}


def subject_json(view: SubjectView) -> dict[str, Any]:
    """A subject with its identifiers (the ``subject add`` shape, plus the profile fields)."""
    data = view.to_json()
    data["identifiers"] = [identifier_json(i) for i in view.identifiers]
    data["version"] = view.subject.version
    return data


def _checklist_summary(ws: Workspace, case_ref: str, case_id: int) -> dict[str, Any] | None:
    from caseapp.services.redflags import checklists

    with ws.session() as session:
        started = session.exec(select(Checklist.id).where(Checklist.case_id == case_id)).first()
    if started is None:
        return None
    view = checklists.get_checklist(ws, case_ref)  # already started: reads only
    score = view.score
    return {"template": view.template.id, "version": view.template.version,
            "newer_version": view.newer_version, "score": score.score, "band": score.band,
            "coverage": score.coverage, "assessed": score.assessed, "items": score.total,
            "confirmed": score.confirmed, "suspected": score.suspected,
            "open_suggestions": sum(1 for i in view.items if i.suggestion is not None),
            "flagged": [{"id": i.item.id, "label": i.item.label, "state": i.state.value}
                        for i in view.items if i.state.value in ("suspected", "confirmed")]}


def case_summary(ws: Workspace, case_ref: str) -> dict[str, Any]:
    """Everything the Overview shows, with subjects, exhibits, checklist summary and tips."""
    from caseapp.services.evidence import evidence
    from caseapp.services.tips import casework

    with ws.session() as session:
        case = get_case_in(session, case_ref)
        notes = int(session.exec(select(func.count()).select_from(Note)
                                 .where(Note.case_id == case.id)).one())
    try:
        tags = json.loads(case.tags or "[]")
    except ValueError:
        tags = []
    subjects = list_subjects(ws, case.ref)
    exhibits = evidence.list_evidence(ws, case.ref)
    tips = casework.tips_for_case(ws, case.ref)
    return {
        "id": case.id, "ref": case.ref, "title": case.title, "status": case.status,
        "priority": case.priority, "tags": tags, "summary": case.summary,
        "key_facts": case.key_facts, "opened_at": case.opened_at, "closed_at": case.closed_at,
        "updated_at": case.updated_at, "version": case.version, "notes": notes,
        "subjects": [subject_json(s) for s in subjects],
        "exhibits": [exhibit_json(e) for e in exhibits],
        "checklist": _checklist_summary(ws, case.ref, case.id or 0),
        "tips": [{"id": t.id, "ref": t.ref, "status": t.status, "channel": t.channel,
                  "received_at": t.received_at} for t in tips],
    }


def find_subject(ws: Workspace, case_ref: str, subject: str) -> SubjectView:
    """A subject of the case by database id or by name (case-insensitive, unique)."""
    views = list_subjects(ws, case_ref)
    if subject.isdigit():
        for view in views:
            if view.subject.id == int(subject):
                return view
    matches = [v for v in views if v.subject.name.casefold() == subject.strip().casefold()]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise NotFound(f"{case_ref} has {len(matches)} subjects named {subject!r}; "
                       "give the subject's id (subject list).")
    raise NotFound(f"{case_ref} has no subject {subject!r} (subject list shows them).")


def exhibit_detail(ws: Workspace, case_ref: str, exhibit: str) -> dict[str, Any]:
    """One exhibit with its custody chain, oldest event first."""
    from caseapp.services.evidence import evidence

    ev = evidence.get_exhibit(ws, case_ref, exhibit)
    events = evidence.custody_log(ws, ev.id or 0)
    data = exhibit_json(ev)
    data["case"] = case_ref.strip().upper()
    data["custody"] = []
    for e in events:
        try:
            detail = json.loads(e.detail or "{}")
        except ValueError:
            detail = {}
        data["custody"].append({"at": e.at, "action": e.action, "actor": e.actor,
                                "sha256": e.sha256 or None, "detail": detail})
    return data


def note_rows(ws: Workspace, case_ref: str) -> list[dict[str, Any]]:
    """The case's notes, in time order, for ``note list``."""
    from caseapp.services.cases.notes import list_notes

    return [{"id": n.id, "case": case_ref.strip().upper(), "occurred_at": n.occurred_at,
             "recorded_at": n.recorded_at, "version": n.version, "text": n.text,
             "conflict_of": n.conflict_of}
            for n in sorted(list_notes(ws, case_ref), key=lambda n: (n.occurred_at, n.id or 0))]


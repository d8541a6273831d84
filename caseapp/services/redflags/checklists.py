"""Per-case red-flag checklists: pinned template, answers, risk score, suggestions, upgrades.

A case's checklist is pinned to one template version, chosen when it starts (explicitly with
:func:`start_checklist`, or lazily on first access: the newest version of the default
template). Answers are stored only for items someone touched; a missing answer is
``not-assessed``. Suggestions come from identifiers shared with other cases or tips and never
change a state: the user accepts one by choosing ``suspected``/``confirmed`` for the item or
dismisses it; either way it stays hidden until a new link appears.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from caseapp import faults
from caseapp.domain.enums import ChecklistState
from caseapp.domain.models import Case, Checklist, ChecklistAnswer, Evidence, utcnow
from caseapp.domain.redflags import Item, Template, carry_over
from caseapp.domain.text import clean_text, dump_list, load_list, parse_exhibit
from caseapp.security import audit
from caseapp.services.cases.cases import get_case_in, touch
from caseapp.services.deletions import delete_rows
from caseapp.services.errors import Conflict, InvalidInput, NotFound
from caseapp.services.redflags.risk import case_risk, risk_in
from caseapp.services.redflags.suggestions import Suggestion, suggestion_entries
from caseapp.services.redflags.templates import (
    DEFAULT_TEMPLATE_ID,
    import_template,
    list_templates,
    newest_template,
    resolve_template,
    snapshot_builtin,
)
from caseapp.services.redflags.views import ChecklistView, ItemView, build_view
from caseapp.services.versioning import claim_version
from caseapp.services.workspace import Workspace

__all__ = [
    "ACCEPTING_STATES", "ChecklistView", "ItemView", "Suggestion", "UpgradeResult",
    "case_risk", "dismiss_suggestion", "get_checklist", "import_template", "link_exhibit",
    "list_templates", "risk_in", "set_item", "start_checklist", "upgrade_checklist",
]

#: Choosing one of these states for an item accepts its open suggestion.
ACCEPTING_STATES = frozenset({ChecklistState.SUSPECTED, ChecklistState.CONFIRMED})


def _state(value: str | ChecklistState) -> ChecklistState:
    try:
        return ChecklistState.parse(value)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _item(template: Template, item_id: str) -> Item:
    wanted = item_id.strip()
    if template.has_item(wanted):
        return template.item(wanted)
    ids = [i.id for i in template.items]
    close = difflib.get_close_matches(wanted, ids, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise InvalidInput(f"Template {template.id} v{template.version} has no item {wanted!r}."
                       f"{hint} Items: {', '.join(ids)}.")


def _checklist(session: Session, case: Case) -> Checklist | None:
    return session.exec(select(Checklist).where(Checklist.case_id == case.id)).first()


def _start(session: Session, case: Case, template_id: str | None, *, lazy: bool) -> Checklist:
    template = newest_template(session, template_id or DEFAULT_TEMPLATE_ID)
    snapshot_builtin(session, template)
    now = utcnow()
    checklist = Checklist(case_id=case.id or 0, template_id=template.id,
                          template_version=template.version, created_at=now, updated_at=now)
    session.add(checklist)
    session.flush()
    audit.append(session, "checklist.started", "checklist", checklist.id or "",
                 {"case": case.ref, "template": template.id, "version": template.version,
                  "lazy": lazy})
    return checklist


def _answers(session: Session, checklist: Checklist) -> dict[str, ChecklistAnswer]:
    rows = session.exec(select(ChecklistAnswer)
                        .where(ChecklistAnswer.checklist_id == checklist.id)).all()
    return {row.item_id: row for row in rows}


def _open(ws: Workspace, case_ref: str, action: Any, *, template_id: str | None = None) -> Any:
    """Run ``action(session, case, checklist, template)`` in one transaction, starting the
    case's checklist first when it has none (retrying once if another process raced us)."""
    for attempt in (1, 2):
        try:
            with ws.transaction() as session:
                case = get_case_in(session, case_ref)
                checklist = _checklist(session, case)
                if checklist is None:
                    checklist = _start(session, case, template_id, lazy=template_id is None)
                template = resolve_template(session, checklist.template_id,
                                            checklist.template_version)
                return action(session, case, checklist, template)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _view_of(session: Session, case: Case, checklist: Checklist,
             template: Template) -> ChecklistView:
    answers = _answers(session, checklist)
    return build_view(session, case, checklist, template, answers,
                      suggestion_entries(session, case, template))


def get_checklist(ws: Workspace, case_ref: str) -> ChecklistView:
    """The case's checklist with score, coverage and suggestions (started lazily if needed)."""
    return _open(ws, case_ref, _view_of)


def start_checklist(ws: Workspace, case_ref: str,
                    template_id: str | None = None) -> ChecklistView:
    """Start the case's checklist on the newest version of ``template_id`` (default template).

    Idempotent when it already runs on that template; Conflict when it runs on another.
    """
    def action(session: Session, case: Case, checklist: Checklist,
               template: Template) -> ChecklistView:
        if template_id is not None and checklist.template_id != template_id:
            raise Conflict(f"{case.ref}'s checklist already uses {checklist.template_id} "
                           f"v{checklist.template_version}; a case has one checklist.")
        return _view_of(session, case, checklist, template)

    return _open(ws, case_ref, action, template_id=template_id or DEFAULT_TEMPLATE_ID)


def _exhibit_ids(session: Session, case: Case, labels: Iterable[str]) -> list[int]:
    rows = session.exec(select(Evidence).where(Evidence.case_id == case.id)
                        .order_by(col(Evidence.number))).all()
    by_number = {e.number: e for e in rows}
    ids: list[int] = []
    for label in labels:
        try:
            evidence = by_number.get(parse_exhibit(label))
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        if evidence is None:
            known = ", ".join(e.exhibit for e in rows) or "none yet"
            raise InvalidInput(f"{case.ref} has no exhibit {label.strip()} (exhibits: {known}).")
        if evidence.withdrawn_at is not None:
            raise InvalidInput(f"{evidence.exhibit} of {case.ref} was withdrawn; it cannot "
                               "support a red flag.")
        if evidence.id not in ids:
            ids.append(evidence.id or 0)
    return ids


def _labels(session: Session, ids: Sequence[int]) -> list[str]:
    rows = session.exec(select(Evidence).where(col(Evidence.id).in_(list(ids)))).all() if ids \
        else []
    return [e.exhibit for e in sorted(rows, key=lambda e: e.number or 0)]


def _answer_row(session: Session, checklist: Checklist, item_id: str) -> ChecklistAnswer:
    row = session.exec(select(ChecklistAnswer).where(
        ChecklistAnswer.checklist_id == checklist.id,
        ChecklistAnswer.item_id == item_id)).first()
    return row or ChecklistAnswer(checklist_id=checklist.id or 0, item_id=item_id,
                                  state=ChecklistState.NOT_ASSESSED.value)


def _save(session: Session, case: Case, checklist: Checklist, answer: ChecklistAnswer,
          action: str, detail: dict[str, Any]) -> None:
    now = utcnow()
    answer.updated_at, answer.updated_by = now, audit.current_actor()
    checklist.updated_at = now
    session.add(answer)
    session.add(checklist)
    touch(case, now)
    session.add(case)
    session.flush()
    audit.append(session, action, "checklist", checklist.id or "",
                 {"case": case.ref, "item": answer.item_id, **detail},
                 actor=answer.updated_by)


#: The answer fields an edit conflict shows, by label.
ANSWER_FIELDS = {"state": "State", "note": "Note"}


def _claim_answer(session: Session, case: Case, answer: ChecklistAnswer,
                  expected_version: int | None) -> None:
    """Guard an answer's edit (caseapp.services.versioning); a new answer has version 0."""
    what = f"the answer to {answer.item_id} of {case.ref}"
    if answer.id is not None:
        claim_version(session, answer, expected_version, what=what, kind="checklist answer",
                      labels=ANSWER_FIELDS)
    elif expected_version:  # read as answered, but there is no row: cannot happen unless
        raise NotFound(f"{what[0].upper()}{what[1:]} no longer exists.")  # it was removed


def set_item(ws: Workspace, case_ref: str, item_id: str,
             state: str | ChecklistState | None = None, note: str | None = None,
             exhibits: Sequence[str] | None = None,
             expected_version: int | None = None) -> ChecklistView:
    """Answer one item: its state, note and linked exhibits (labels like ``E-001``).

    Only what is given changes (``exhibits`` replaces the list). Choosing suspected or
    confirmed accepts the item's open suggestion. Unknown item, state or exhibit:
    InvalidInput naming what is allowed. ``expected_version``: the answer's version the
    caller read (0: not answered yet); an answer saved since raises EditConflict.
    """
    new_state = _state(state) if state is not None else None
    new_note = clean_text(note) if note is not None else None

    def action(session: Session, case: Case, checklist: Checklist,
               template: Template) -> ChecklistView:
        item = _item(template, item_id)
        answer = _answer_row(session, checklist, item.id)
        # the claim must precede the flush of the answer (a conflict shows theirs)
        with session.no_autoflush:
            detail: dict[str, Any] = {}
            if new_state is not None and new_state.value != answer.state:
                detail["state"] = [answer.state, new_state.value]
                answer.state = new_state.value
            if new_note is not None and new_note != answer.note:
                answer.note = new_note
                detail["note_changed"] = True
            if exhibits is not None:
                ids = _exhibit_ids(session, case, exhibits)
                if sorted(ids) != sorted(load_list(answer.exhibits)):
                    answer.exhibits = dump_list(ids)
                    detail["exhibits"] = _labels(session, ids)
            entries = suggestion_entries(session, case, template)
            if new_state in ACCEPTING_STATES and "state" in detail:
                dismissed = load_list(answer.dismissed)
                accepted = [e for e in entries.get(item.id, []) if e.key not in dismissed]
                if accepted:
                    answer.dismissed = dump_list(dismissed + [e.key for e in accepted])
                    detail["accepted_suggestion"] = sorted({e.ref for e in accepted})
            if detail:
                _claim_answer(session, case, answer, expected_version)
                _save(session, case, checklist, answer, "checklist.item-set", detail)
        return build_view(session, case, checklist, template, _answers(session, checklist),
                          entries)

    return _open(ws, case_ref, action)


def link_exhibit(ws: Workspace, case_ref: str, item_id: str, exhibit: str, *,
                 remove: bool = False) -> ChecklistView:
    """Link one exhibit of the case to an item (or unlink it with ``remove``)."""
    def action(session: Session, case: Case, checklist: Checklist,
               template: Template) -> ChecklistView:
        item = _item(template, item_id)
        answer = _answer_row(session, checklist, item.id)
        current = [int(i) for i in load_list(answer.exhibits)]
        if remove:
            try:
                number = parse_exhibit(exhibit)
            except ValueError as exc:
                raise InvalidInput(str(exc)) from None
            target = session.exec(select(Evidence.id).where(Evidence.case_id == case.id,
                                                            Evidence.number == number)).first()
            if target is None or target not in current:
                raise InvalidInput(f"{exhibit.strip()} is not linked to {item.id}.")
            current.remove(target)
            verb = "unlinked"
        else:
            (target,) = _exhibit_ids(session, case, [exhibit])
            if target in current:
                return _view_of(session, case, checklist, template)
            current.append(target)
            verb = "linked"
        answer.exhibits = dump_list(current)
        _save(session, case, checklist, answer, f"checklist.exhibit-{verb}",
              {"exhibit": _labels(session, [target])[0]})
        return _view_of(session, case, checklist, template)

    return _open(ws, case_ref, action)


def dismiss_suggestion(ws: Workspace, case_ref: str, item_id: str) -> ChecklistView:
    """Dismiss an item's open suggestion; it comes back only when a new link appears."""
    def action(session: Session, case: Case, checklist: Checklist,
               template: Template) -> ChecklistView:
        item = _item(template, item_id)
        answer = _answer_row(session, checklist, item.id)
        dismissed = load_list(answer.dismissed)
        entries = suggestion_entries(session, case, template)
        open_entries = [e for e in entries.get(item.id, []) if e.key not in dismissed]
        if not open_entries:
            raise InvalidInput(f"{item.id} of {case.ref} has no open suggestion to dismiss.")
        answer.dismissed = dump_list(dismissed + [e.key for e in open_entries])
        _save(session, case, checklist, answer, "checklist.suggestion-dismissed",
              {"links": sorted({e.ref for e in open_entries})})
        return build_view(session, case, checklist, template, _answers(session, checklist),
                          entries)

    return _open(ws, case_ref, action)


@dataclass(frozen=True)
class UpgradeResult:
    """What an upgrade did: versions, carried-over, dropped and new items."""

    case_ref: str
    template_id: str
    from_version: int
    to_version: int
    kept: list[str]
    dropped: list[dict[str, Any]]
    added: list[str]
    view: ChecklistView

    @property
    def changed(self) -> bool:
        return self.from_version != self.to_version

    def to_json(self) -> dict[str, Any]:
        return {"case": self.case_ref, "template": self.template_id,
                "from_version": self.from_version, "to_version": self.to_version,
                "changed": self.changed, "kept": self.kept, "dropped": self.dropped,
                "added": self.added, "score": self.view.score.score,
                "band": self.view.score.band, "coverage": self.view.score.coverage}


def upgrade_checklist(ws: Workspace, case_ref: str) -> UpgradeResult:
    """Move the case's checklist to the newest version of its template, carrying answers
    over by item id; answers to items the new version lacks are dropped (and audited)."""
    def action(session: Session, case: Case, checklist: Checklist,
               old: Template) -> UpgradeResult:
        new = newest_template(session, checklist.template_id)
        if new.version <= old.version:
            view = _view_of(session, case, checklist, old)
            return UpgradeResult(case.ref, old.id, old.version, old.version, [], [], [], view)
        answers = _answers(session, checklist)
        kept, dropped_ids = carry_over(old, new, answers)
        dropped = []
        for item_id in dropped_ids:
            row = answers[item_id]
            dropped.append({"id": item_id, "state": row.state, "note": row.note,
                            "exhibits": _labels(session, load_list(row.exhibits))})
        delete_rows(session, *(answers[item_id] for item_id in dropped_ids))
        added = [i.id for i in new.items if not old.has_item(i.id)]
        snapshot_builtin(session, new)
        checklist.template_version = new.version
        checklist.updated_at = utcnow()
        session.add(checklist)
        touch(case, checklist.updated_at)
        session.add(case)
        session.flush()
        audit.append(session, "checklist.upgraded", "checklist", checklist.id or "",
                     {"case": case.ref, "template": new.id, "from": old.version,
                      "to": new.version, "kept": list(kept), "dropped": dropped,
                      "added": added})
        view = _view_of(session, case, checklist, new)
        faults.step("redflags.upgrade.before-commit")
        return UpgradeResult(case.ref, new.id, old.version, new.version, list(kept), dropped,
                             added, view)

    return _open(ws, case_ref, action)



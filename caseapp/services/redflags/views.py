"""What a case's checklist looks like to callers: items with answers, score, suggestions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from caseapp.domain.enums import ChecklistState
from caseapp.domain.models import Case, Checklist, ChecklistAnswer, Evidence
from caseapp.domain.redflags import Item, Score, Template, compute_score
from caseapp.domain.text import load_list
from caseapp.services.redflags.suggestions import Suggestion, SuggestionEntry
from caseapp.services.redflags.templates import versions_of


@dataclass(frozen=True)
class ItemView:
    """One item of a case's checklist with its answer and any open suggestion."""

    item: Item
    category_title: str
    state: ChecklistState
    note: str
    exhibits: list[str]
    withdrawn_exhibits: list[str]
    suggestion: Suggestion | None
    updated_at: datetime | None
    updated_by: str
    #: The answer's edit version (0: never answered); pass it back as ``expected_version``.
    version: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.item.id, "category": self.item.category_id,
                "category_title": self.category_title, "label": self.item.label,
                "weight": self.item.weight, "state": self.state.value, "note": self.note,
                "exhibits": list(self.exhibits),
                "suggestion": self.suggestion.to_json() if self.suggestion else None,
                "description": self.item.description, "evidence_hint": self.item.evidence_hint,
                "sources": list(self.item.sources),
                "withdrawn_exhibits": list(self.withdrawn_exhibits),
                "updated_at": self.updated_at.isoformat() if self.updated_at else None,
                "updated_by": self.updated_by or None, "version": self.version}


@dataclass(frozen=True)
class ChecklistView:
    """A case's checklist as shown and exported (``flags show``)."""

    case_ref: str
    case_id: int
    template: Template
    score: Score
    items: list[ItemView]
    newer_version: int | None
    started_at: datetime
    _index: dict[str, ItemView] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {i.item.id: i for i in self.items})

    def item(self, item_id: str) -> ItemView:
        """The view of one item; KeyError when the template has no such item."""
        return self._index[item_id]

    def to_json(self) -> dict[str, Any]:
        """The ``flags show`` document of CONTRACTS.md (plus extra keys)."""
        t = self.template
        return {
            "case": self.case_ref, "template": t.id, "version": t.version,
            "score": self.score.score, "band": self.score.band,
            "coverage": self.score.coverage, "items": [i.to_json() for i in self.items],
            "template_title": t.title, "newer_version": self.newer_version,
            "assessed": self.score.assessed, "total": self.score.total,
            "confirmed": self.score.confirmed, "suspected": self.score.suspected,
            "bands": {"elevated": t.bands.elevated, "high": t.bands.high,
                      "critical": t.bands.critical},
            "categories": [{"id": c.id, "title": c.title} for c in t.categories],
            "sources": [{"id": s.id, "title": s.title, "publisher": s.publisher,
                         "date": s.date, "url": s.url} for s in t.sources],
            "started_at": self.started_at.isoformat(),
        }


def build_view(session: Session, case: Case, checklist: Checklist, template: Template,
               answers: dict[str, ChecklistAnswer],
               entries: dict[str, list[SuggestionEntry]]) -> ChecklistView:
    """Assemble the view from the answer rows and the suggestion links."""
    exhibits = {e.id: e for e in session.exec(select(Evidence)
                                              .where(Evidence.case_id == case.id)).all()}
    titles = {c.id: c.title for c in template.categories}
    states: dict[str, ChecklistState] = {}
    items: list[ItemView] = []
    for item in template.items:
        answer = answers.get(item.id)
        state = ChecklistState.parse(answer.state) if answer else ChecklistState.NOT_ASSESSED
        states[item.id] = state
        linked = [exhibits[i] for i in load_list(answer.exhibits if answer else "[]")
                  if i in exhibits]
        linked.sort(key=lambda e: e.number or 0)
        dismissed = set(load_list(answer.dismissed)) if answer else set()
        open_entries = [e for e in entries.get(item.id, []) if e.key not in dismissed]
        items.append(ItemView(
            item, titles[item.category_id], state, answer.note if answer else "",
            [e.exhibit for e in linked],
            [e.exhibit for e in linked if e.withdrawn_at is not None],
            Suggestion.from_entries(open_entries) if open_entries else None,
            answer.updated_at if answer else None, answer.updated_by if answer else "",
            answer.version if answer and answer.id is not None else 0))
    newest = max(versions_of(session, template.id), default=template.version)
    return ChecklistView(case.ref, case.id or 0, template, compute_score(template, states),
                         items, newest if newest > template.version else None,
                         checklist.created_at)

"""Checklist suggestions from identifiers a case shares with other cases and tips.

For each identifier of the case's subjects that another case's subject or a tip also holds
(exact normalised match, :func:`caseapp.services.cases.subjects.shared_identifier_hits`), every item
whose ``suggest_on`` lists that identifier kind gets one entry per other case or tip. Each
entry has a stable key (kind, normalised value, other ref) so a dismissed suggestion stays
dismissed until a new link appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from caseapp.domain.enums import IdentifierKind
from caseapp.domain.models import Case, Evidence, Identifier, SignalFinding, Subject
from caseapp.domain.redflags import Template, suggested_items
from caseapp.services.cases.subjects import shared_identifier_hits


@dataclass(frozen=True)
class SuggestionEntry:
    """One link behind a suggestion: this case's identifier also held by ``ref``."""

    kind: str
    normalized: str
    ref: str
    subjects: tuple[str, ...]  # subject names in the other case (empty for a tip)

    @property
    def key(self) -> str:
        """Stable key stored when the suggestion is dismissed or accepted."""
        return f"{self.kind}:{self.normalized}>{self.ref}"

    @property
    def place(self) -> str:
        if not self.subjects:
            return self.ref
        noun = "subject" if len(self.subjects) == 1 else "subjects"
        return f"{self.ref} ({noun} {', '.join(self.subjects)})"


def _part(kind: str, value: str, group: list[SuggestionEntry]) -> str:
    if kind == "signal":
        return "; ".join(f"accepted finding {value} ({e.ref}): {e.subjects[0]}"
                         for e in group)
    if kind == "watchlist":
        return "; ".join(f"watchlist hit: {e.subjects[0]}" for e in group)
    return f"{kind} {value} also in {', '.join(e.place for e in group)}"


@dataclass(frozen=True)
class Suggestion:
    """An open suggestion on an item: why, and the cases/tips it links to."""

    reason: str
    links: tuple[str, ...]
    entries: tuple[SuggestionEntry, ...]

    @classmethod
    def from_entries(cls, entries: list[SuggestionEntry]) -> Suggestion:
        """Group entries by identifier: 'phone +1512… also in CASE-… (subject …), TIP-…'."""
        by_ident: dict[tuple[str, str], list[SuggestionEntry]] = {}
        for entry in entries:
            by_ident.setdefault((entry.kind, entry.normalized), []).append(entry)
        parts = [_part(kind, value, group) for (kind, value), group in by_ident.items()]
        links = tuple(dict.fromkeys(e.ref for e in entries))
        return cls("; ".join(parts), links, tuple(entries))

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "links": list(self.links),
                "matches": [{"kind": e.kind, "normalized": e.normalized, "ref": e.ref,
                             "subjects": list(e.subjects)} for e in self.entries]}


def suggestion_entries(session: Session, case: Case,
                       template: Template) -> dict[str, list[SuggestionEntry]]:
    """Item id -> every link that suggests it (dismissed ones included), in a stable order."""
    idents = session.exec(select(Identifier).join(Subject, col(Identifier.subject_id) == col(Subject.id))
                          .where(Subject.case_id == case.id)
                          .order_by(col(Identifier.id))).all()
    result: dict[str, list[SuggestionEntry]] = {}
    seen: set[tuple[str, str]] = set()
    for ident in idents:
        pair = (ident.kind, ident.normalized)
        if pair in seen or not ident.normalized:
            continue
        seen.add(pair)
        try:
            items = suggested_items(template, IdentifierKind.parse(ident.kind))
        except ValueError:
            continue
        if not items:
            continue
        hits = shared_identifier_hits(session, ident.kind, ident.normalized,
                                      exclude_case_id=case.id)
        places: dict[str, list[str]] = {}
        for hit in hits:
            ref = hit.case_ref or hit.tip_ref
            if not ref:
                continue
            names = places.setdefault(ref, [])
            if hit.subject_name and hit.subject_name not in names:
                names.append(hit.subject_name)
        entries = [SuggestionEntry(ident.kind, ident.normalized, ref, tuple(names))
                   for ref, names in places.items()]
        for item in items:
            result.setdefault(item.id, []).extend(entries)
    _signal_entries(session, case, template, result)
    _watchlist_entries(session, case, template, result)
    return result


def _watchlist_entries(session: Session, case: Case, template: Template,
                       result: dict[str, list[SuggestionEntry]]) -> None:
    """Strong watchlist hits (a subject's identifier on an imported sanctions list or
    advisory) suggest the items whose ``suggest_on`` lists that identifier kind, as a link to
    another case does (kind ``watchlist``; the ref is the list and its entry; the reason names
    the list's date and SHA-256). Weak name-only hits suggest nothing; they are shown on the
    Watchlist and Links tabs. A suggestion, never a state change."""
    from caseapp.services.exchange.hits import identifier_hits  # rapidfuzz: only when used

    for hit in identifier_hits(session, case.id or 0):
        try:
            items = suggested_items(template, IdentifierKind.parse(hit.kind))
        except ValueError:
            continue
        entry = SuggestionEntry("watchlist", f"{hit.kind}:{hit.listed_value}",
                                f"{hit.list}/{hit.entry_ref}",
                                (f"{hit.subject}: {hit.reason}",))
        for item in items:
            if entry not in result.get(item.id, []):
                result.setdefault(item.id, []).append(entry)


def _signal_entries(session: Session, case: Case, template: Template,
                    result: dict[str, list[SuggestionEntry]]) -> None:
    """Accepted signal findings suggest their red-flag item (kind ``signal``; the exhibit
    behind the finding is the ref). A suggestion, never a state change."""
    known = {item.id for item in template.items}
    rows = session.exec(select(SignalFinding, Evidence).outerjoin(
        Evidence, col(SignalFinding.evidence_id) == col(Evidence.id)).where(
        SignalFinding.case_id == case.id, SignalFinding.status == "accepted")
        .order_by(col(SignalFinding.id))).all()
    for finding, evidence in rows:
        if finding.redflag_item in known:
            ref = evidence.exhibit if evidence is not None else case.ref
            result.setdefault(finding.redflag_item, []).append(SuggestionEntry(
                "signal", f"{finding.rule} #{finding.id}", ref, (finding.summary,)))

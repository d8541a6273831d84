"""Watchlist hits on cases: computed on request from the stored entries, never stored.

See :mod:`caseapp.services.exchange.watchlists` for what counts as a hit. Hits never change
a state; the investigator decides. One pass serves any number of cases: the cases'
identifiers are keyed in memory and every listed identifier is looked up once; names are
scored only against listed names that share a word (or the spaceless form) with them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from caseapp.domain.exchange.listed import NAME, fold_name
from caseapp.domain.exchange.matching import NAME_THRESHOLD, match_key, name_score, site_of
from caseapp.domain.models import Case, Identifier, Subject, Watchlist, WatchlistEntry
from caseapp.domain.progress import Cancel, Progress, check_cancel
from caseapp.domain.text import load_list
from caseapp.services.cases.cases import get_case_in
from caseapp.services.exchange.watchlists import WatchlistHit
from caseapp.services.workspace import Workspace

#: A word shared by more listed names than this says nothing (TRADING, CO, KIM).
_COMMON = 1000
_ENTRY_COLUMNS = tuple(col(c) for c in (
    WatchlistEntry.id, WatchlistEntry.watchlist_id, WatchlistEntry.entry_ref,
    WatchlistEntry.entry_name, WatchlistEntry.entry_type, WatchlistEntry.programmes,
    WatchlistEntry.kind, WatchlistEntry.value, WatchlistEntry.normalized))


@dataclass(frozen=True)
class _Subject:
    id: int
    case_ref: str
    name: str
    aliases: tuple[str, ...]


def _variants(names: Sequence[str]) -> list[tuple[str, str]]:
    """(name as recorded, folded key) for each name and for the parts of ``A (B)``."""
    out: dict[str, str] = {}
    for shown in names:
        parts = [shown, *re.split(r"\s*[()]\s*", shown)] if "(" in shown else [shown]
        for part in parts:
            key = fold_name(part)
            if len(key) >= 4:
                out.setdefault(key, shown)
    return [(shown, key) for key, shown in out.items()]


def _words(key: str) -> set[str]:
    return {w for w in {*key.split(), key.replace(" ", "")} if len(w) >= 3}


def _hit(subject: _Subject, lists: dict[int, Watchlist], entry: Any, kind: str, value: str,
         match: str, score: int = 100) -> WatchlistHit:
    wl = lists[entry.watchlist_id]
    return WatchlistHit(
        case=subject.case_ref, subject=subject.name, subject_id=subject.id, list=wl.name,
        list_date=wl.list_date, list_sha256=wl.sha256, publisher=wl.publisher,
        entry_ref=entry.entry_ref, entry_name=entry.entry_name, entry_type=entry.entry_type,
        programmes=tuple(load_list(entry.programmes)), kind=kind, case_value=value,
        listed_value=entry.value, match=match,
        strength="weak" if match == "name" else "strong", score=score)


_Wanted = dict[tuple[str, str], list[tuple[int, str, str, str]]]


def _subjects(session: Session, case_filter: Any) -> dict[int, _Subject]:
    return {row.id: _Subject(row.id, row.ref, row.name, tuple(load_list(row.aliases)))
            for row in session.execute(
                sa_select(col(Subject.id), col(Case.ref), col(Subject.name),
                          col(Subject.aliases))
                .join(Case, col(Case.id) == col(Subject.case_id)).where(case_filter))}


def _wanted(session: Session, case_filter: Any) -> _Wanted:
    """(kind, match key) -> (subject id, kind, value as recorded, exact|site)."""
    wanted: _Wanted = defaultdict(list)
    for row in session.execute(
            sa_select(col(Identifier.subject_id), col(Identifier.kind), col(Identifier.raw),
                      col(Identifier.normalized))
            .join(Subject, col(Subject.id) == col(Identifier.subject_id))
            .join(Case, col(Case.id) == col(Subject.case_id)).where(case_filter)):
        key = match_key(row.kind, row.normalized)
        wanted[(row.kind, key)].append((row.subject_id, row.kind, row.raw, "exact"))
        site = site_of(row.kind, key)
        if site and site != key:
            wanted[("url", site)].append((row.subject_id, row.kind, row.raw, "site"))
    return wanted


def identifier_hits(session: Session, case_id: int) -> list[WatchlistHit]:
    """The strong (identifier) hits on one case, looked up through the (kind, normalized)
    index: cheap enough for every checklist view (red-flag suggestions)."""
    lists = {w.id or 0: w for w in session.exec(select(Watchlist)).all()}
    if not lists:
        return []
    case_filter = col(Case.id) == case_id
    subjects = _subjects(session, case_filter)
    wanted = _wanted(session, case_filter)
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, key in wanted:
        by_kind[kind].append(key)
    out: list[WatchlistHit] = []
    for kind, keys in sorted(by_kind.items()):
        for start in range(0, len(keys), 400):
            for entry in session.execute(sa_select(*_ENTRY_COLUMNS).where(
                    col(WatchlistEntry.kind) == kind,
                    col(WatchlistEntry.normalized).in_(keys[start:start + 400]))):
                for subject_id, ident_kind, raw, match in wanted.get((kind, entry.normalized),
                                                                     ()):
                    out.append(_hit(subjects[subject_id], lists, entry, ident_kind, raw,
                                    match))
    out.sort(key=lambda h: (h.list, h.entry_ref, h.subject, h.kind, h.case_value))
    return out


def _hits(session: Session, case_filter: Any, progress: Progress | None,
          cancel: Cancel | None) -> dict[str, list[WatchlistHit]]:
    lists = {w.id or 0: w for w in session.exec(select(Watchlist)).all()}
    if not lists:
        return {}
    subjects = _subjects(session, case_filter)
    wanted = _wanted(session, case_filter)
    out: dict[str, list[WatchlistHit]] = defaultdict(list)
    check_cancel(cancel, "The watchlist check was cancelled.")
    if progress is not None:
        progress(0, 2, "Matching identifiers")
    names: list[Any] = []
    for entry in session.execute(sa_select(*_ENTRY_COLUMNS)):
        if entry.kind == NAME:
            names.append(entry)
            continue
        for subject_id, kind, raw, match in wanted.get((entry.kind, entry.normalized), ()):
            subject = subjects[subject_id]
            out[subject.case_ref].append(_hit(subject, lists, entry, kind, raw, match))
    check_cancel(cancel, "The watchlist check was cancelled.")
    if progress is not None:
        progress(1, 2, "Comparing names")
    _name_hits(subjects, lists, names, out)
    for hits in out.values():
        hits.sort(key=lambda h: (h.strength != "strong", -h.score, h.list, h.subject))
    if progress is not None:
        progress(2, 2, "Done")
    return dict(out)


def _name_hits(subjects: dict[int, _Subject], lists: dict[int, Watchlist], names: list[Any],
               out: dict[str, list[WatchlistHit]]) -> None:
    index: dict[str, list[int]] = defaultdict(list)
    for i, entry in enumerate(names):
        for word in _words(entry.normalized):
            index[word].append(i)
    for subject in subjects.values():
        seen: set[tuple[int, str]] = set()  # one name hit per listed party
        for shown, key in _variants([subject.name, *subject.aliases]):
            candidates: set[int] = set()
            for word in _words(key):
                posting = index.get(word, ())
                if len(posting) <= _COMMON:
                    candidates.update(posting)
            scored = sorted(((name_score(key, names[i].normalized), i) for i in candidates),
                            reverse=True)
            for score, i in scored[:20]:
                party = (names[i].watchlist_id, names[i].entry_ref)
                if score < NAME_THRESHOLD or party in seen:
                    continue
                seen.add(party)
                out[subject.case_ref].append(_hit(subject, lists, names[i], "name", shown,
                                                  "name", int(round(score))))


def hits_for_case(ws: Workspace, case_ref: str) -> list[WatchlistHit]:
    """Every watchlist hit on a case's subjects, strong ones first."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        return _hits(session, col(Case.id) == case.id, None, None).get(case.ref, [])


def hits_for_open_cases(ws: Workspace, *, progress: Progress | None = None,
                        cancel: Cancel | None = None) -> dict[str, list[WatchlistHit]]:
    """Hits on every case that is not closed (only cases with hits are in the result)."""
    with ws.session() as session:
        found = _hits(session, col(Case.status) != "closed", progress, cancel)
    return dict(sorted(found.items()))


def case_refs_with_hits(ws: Workspace, names: set[str]) -> set[str]:
    """Refs of cases (closed too) with a hit on a list whose name starts with one of
    ``names`` (``ofac`` finds ``ofac-sdn``)."""
    with ws.session() as session:
        found = _hits(session, col(Case.id).is_not(None), None, None)
    return {ref for ref, hits in found.items()
            if any(h.list.startswith(n) for h in hits for n in names)}

"""Watchlist hits on cases: computed on request from the stored entries, never stored.

See :mod:`caseapp.services.exchange.watchlists` for what counts as a hit. Hits never change
a state; the checklist shows them as suggestions and the investigator decides.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from caseapp.domain.exchange.listed import NAME, fold_name
from caseapp.domain.exchange.matching import NAME_THRESHOLD, match_key, site_of
from caseapp.domain.models import Case, Identifier, Subject, Watchlist, WatchlistEntry
from caseapp.domain.progress import Cancel, Progress, check_cancel
from caseapp.domain.text import load_list
from caseapp.services.cases.cases import get_case_in
from caseapp.services.exchange.watchlists import WatchlistHit
from caseapp.services.workspace import Workspace


@dataclass(frozen=True)
class _Names:
    """Every listed name, loaded once for a batch of cases."""

    keys: list[str]
    squashed: list[str]  # without spaces (anyascii joins Hangul syllables)
    rows: list[WatchlistEntry]


def _lists(session: Session) -> dict[int, Watchlist]:
    return {w.id or 0: w for w in session.exec(select(Watchlist)).all()}


def _names(session: Session) -> _Names:
    rows = list(session.exec(select(WatchlistEntry).where(WatchlistEntry.kind == NAME)).all())
    keys = [r.normalized for r in rows]
    return _Names(keys, [k.replace(" ", "") for k in keys], rows)


def _hit(case: Case, subject: Subject, lists: dict[int, Watchlist], entry: WatchlistEntry,
         kind: str, value: str, match: str, score: int = 100) -> WatchlistHit:
    wl = lists[entry.watchlist_id]
    return WatchlistHit(
        case=case.ref, subject=subject.name, subject_id=subject.id or 0, list=wl.name,
        list_date=wl.list_date, list_sha256=wl.sha256, publisher=wl.publisher,
        entry_ref=entry.entry_ref, entry_name=entry.entry_name, entry_type=entry.entry_type,
        programmes=tuple(load_list(entry.programmes)), kind=kind, case_value=value,
        listed_value=entry.value, match=match,
        strength="weak" if match == "name" else "strong", score=score)


def _case_hits(session: Session, case: Case, lists: dict[int, Watchlist],
               names: _Names | None) -> list[WatchlistHit]:
    subjects = {s.id: s for s in session.exec(select(Subject).where(
        Subject.case_id == case.id)).all()}
    if not subjects or not lists:
        return []
    idents = session.exec(select(Identifier).where(
        col(Identifier.subject_id).in_(list(subjects)))).all()
    wanted: dict[tuple[str, str], list[tuple[Identifier, str]]] = defaultdict(list)
    for ident in idents:
        key = match_key(ident.kind, ident.normalized)
        wanted[(ident.kind, key)].append((ident, "exact"))
        site = site_of(ident.kind, key)
        if site and site != key:
            wanted[("url", site)].append((ident, "site"))
    hits: list[WatchlistHit] = []
    by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, key in wanted:
        by_kind[kind].add(key)
    for kind, keys in by_kind.items():
        ordered = sorted(keys)
        for start in range(0, len(ordered), 500):
            for entry in session.exec(select(WatchlistEntry).where(
                    WatchlistEntry.kind == kind,
                    col(WatchlistEntry.normalized).in_(ordered[start:start + 500]))).all():
                for ident, match in wanted[(kind, entry.normalized)]:
                    subject = subjects[ident.subject_id]
                    hits.append(_hit(case, subject, lists, entry, ident.kind, ident.raw,
                                     match))
    if names is not None and names.keys:
        hits += _name_hits(case, subjects, lists, names)
    hits.sort(key=lambda h: (h.strength != "strong", -h.score, h.list, h.subject))
    return hits


def _name_hits(case: Case, subjects: dict[int | None, Subject], lists: dict[int, Watchlist],
               names: _Names) -> list[WatchlistHit]:
    from rapidfuzz import fuzz, process

    hits: list[WatchlistHit] = []
    seen: set[tuple[int, int]] = set()
    for subject in subjects.values():
        for shown, key in _variants([subject.name, *load_list(subject.aliases)]):
            best: dict[int, float] = {}
            for choices, query, scorer in ((names.keys, key, fuzz.token_sort_ratio),
                                           (names.squashed, key.replace(" ", ""), fuzz.ratio)):
                for _choice, score, index in process.extract(
                        query, choices, scorer=scorer, score_cutoff=NAME_THRESHOLD, limit=20):
                    best[index] = max(best.get(index, 0.0), score)
            for index, score in sorted(best.items(), key=lambda kv: -kv[1]):
                entry = names.rows[index]
                mark = (subject.id or 0, entry.id or 0)
                if mark in seen:
                    continue
                seen.add(mark)
                hits.append(_hit(case, subject, lists, entry, "name", shown, "name",
                                 int(round(score))))
    return hits


def _variants(names: list[str]) -> list[tuple[str, str]]:
    """(name as recorded, folded key) for each name and for the parts of ``A (B)``."""
    out: dict[str, str] = {}
    for shown in names:
        parts = [shown, *re.split(r"\s*[()]\s*", shown)] if "(" in shown else [shown]
        for part in parts:
            key = fold_name(part)
            if len(key) >= 4:
                out.setdefault(key, shown)
    return [(shown, key) for key, shown in out.items()]


def hits_for_case(ws: Workspace, case_ref: str) -> list[WatchlistHit]:
    """Every watchlist hit on a case's subjects, strong ones first."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        return _case_hits(session, case, _lists(session), _names(session))


def hits_for_open_cases(ws: Workspace, *, progress: Progress | None = None,
                        cancel: Cancel | None = None) -> dict[str, list[WatchlistHit]]:
    """Hits on every case that is not closed (only cases with hits are in the result)."""
    out: dict[str, list[WatchlistHit]] = {}
    with ws.session() as session:
        lists = _lists(session)
        names = _names(session)
        cases = session.exec(select(Case).where(Case.status != "closed")
                             .order_by(col(Case.ref))).all()
        for index, case in enumerate(cases):
            check_cancel(cancel, "The watchlist check was cancelled.")
            if progress is not None and index % 20 == 0:
                progress(index, len(cases), "Checking cases against the watchlists")
            found = _case_hits(session, case, lists, names)
            if found:
                out[case.ref] = found
    if progress is not None:
        progress(1, 1, "Done")
    return out

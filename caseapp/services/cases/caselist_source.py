"""The case list a page at a time, for the app's table at 100,000+ cases.

:class:`CaseListSource` answers what a lazy table model asks: the ids in the order shown (sorted
and status-filtered by the store, mostly from an index), a case-folded filter text per case
(built once per data version: on a worker thread right after the list loads, see
:meth:`CaseListSource.prepare_haystack`, or on the first keystroke), and full rows only for the
ids that are fetched for display. No record object is built per case.

The store's own reader (:class:`caseapp.store.interface.CaseListReader`, one read-only
connection with its own page cache) is used when the store has one; otherwise
:class:`RowsReader` answers the same from :meth:`Store.case_rows`.

This module imports no database library, so the start-up preview can use it before SQLAlchemy
is loaded (:func:`preview_source`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from caseapp.services.cases.caselist import CaseListRow
from caseapp.store.case_list import no_cyclic_gc

if TYPE_CHECKING:
    from caseapp.services.workspace import Workspace
    from caseapp.store.interface import CaseListReader

#: Store sort key of each table column (column 4, risk, is sorted here: the store has no risk).
SORT_KEYS = ("ref", "title", "status", "priority", None, "subjects", "exhibits", "updated")
_RANK = {"ref": lambda r: (r[1].rpartition("-")[0], int(r[1].rpartition("-")[2] or 0)),
         "title": lambda r: r[2].casefold(), "status": lambda r: _STATUS.get(r[3], 9),
         "priority": lambda r: _PRIORITY.get(r[4], 9), "subjects": lambda r: r[7],
         "exhibits": lambda r: r[8], "updated": lambda r: r[6]}
_STATUS = {"open": 0, "in-review": 1, "escalated": 2, "closed": 3}
_PRIORITY = {"low": 0, "medium": 1, "high": 2, "critical": 3}


class Scored(Protocol):
    """A risk score as the list shows it (:class:`caseapp.domain.redflags.Score` is one)."""

    @property
    def score(self) -> int: ...
    @property
    def band(self) -> str: ...


class RowsReader:
    """A :class:`~caseapp.store.interface.CaseListReader` over fully read rows, for a store
    without a reader of its own (and for rows handed over as a list)."""

    def __init__(self, fetch: Callable[[], Sequence[tuple[Any, ...]]]) -> None:
        self._fetch = fetch
        self._by_id: dict[int, tuple[Any, ...]] = {}
        self._version = 0

    def data_version(self) -> int:
        """Reads the rows again; every call is a new version."""
        self._by_id = {row[0]: tuple(row[:9]) for row in self._fetch()}
        self._version += 1
        return self._version

    def order(self, key: str, descending: bool, status: str | None = None) -> list[int]:
        rows = [r for r in self._by_id.values() if not status or r[3] == status]
        rank = _RANK[key]
        rows.sort(key=lambda r: (rank(r), r[0]), reverse=descending)
        return [r[0] for r in rows]

    def texts(self, after: int = 0, limit: int = -1) -> dict[int, str]:
        ids = sorted(i for i in self._by_id if i > after)
        return {i: "{1} {2} {3} {4}".format(*self._by_id[i])
                for i in (ids[:limit] if limit > 0 else ids)}

    def rows(self, ids: list[int]) -> list[tuple[Any, ...]]:
        return [self._by_id[i] for i in ids if i in self._by_id]

    def id_of(self, ref: str) -> int | None:
        return next((r[0] for r in self._by_id.values() if r[1] == ref), None)

    def close(self) -> None:
        self._by_id = {}


class CaseListSource:
    """What the case table asks for, over a store's case-list reader plus risk scores.

    Used from the UI thread, except that :meth:`prepare_haystack` reads the filter texts on a
    worker thread meanwhile: every use of the reader (one connection) takes ``_lock``, and
    the worker holds it for one part of :data:`HAY_PART` cases at a time.
    """

    #: Cases read and case-folded per step of the worker (the UI thread waits one step at most).
    HAY_PART = 5_000

    def __init__(self, reader: CaseListReader,
                 risks: Callable[[list[int] | None], Mapping[int, Scored]] | None = None,
                 ) -> None:
        """``risks(ids)``: risk scores of these case ids (None: of every case with one)."""
        self._reader = reader
        self._risks_of = risks
        self._risks: dict[int, tuple[int, str]] = {}
        self._version: int | None = None
        self._hay: dict[int, str] | None = None
        self._stale: set[str] = set()  # refs whose filter text is to be read again
        self._stale_ids: set[int] = set()
        self._version_of_risks: int | None = None
        self._lock = threading.Lock()
        self._generation = 0  # of the filter texts; a build for an older one is dropped
        self._building: threading.Thread | None = None
        self._building_for = -1  # the generation it builds
        self._closed = False
        self.refresh()

    def refresh(self, changed: set[str] | None = None) -> bool:
        """Take in changes since the last call (risk scores again); True when data changed.

        ``changed``: the refs of every case that changed, when known (then only their filter
        texts are read again); None: any case may have changed.
        """
        with self._lock:
            version = self._reader.data_version()
        moved = version != self._version
        self._version = version
        if self._risks_of is not None and (moved or self._version_of_risks is None):
            risks = self._read_risks(changed if self._version_of_risks is not None else None)
            self._version_of_risks = version
            if risks != self._risks:
                moved = True
                self._stale_ids |= {i for i in risks.keys() | self._risks.keys()
                                    if risks.get(i) != self._risks.get(i)}
            self._risks = risks
        if moved:
            if changed is None:
                with self._lock:  # a build under way then drops what it read
                    self._hay = None
                    self._generation += 1
            else:
                self._stale |= changed
        return moved

    def _read_risks(self, changed: set[str] | None) -> dict[int, tuple[int, str]]:
        """Every case's risk (``changed`` None), else the known ones with the changed cases'
        read again: with a checklist on every case, reading them all is the slow part."""
        assert self._risks_of is not None
        if changed is None:
            return {i: (s.score, s.band) for i, s in self._risks_of(None).items()}
        ids = [i for i in map(self.id_of, sorted(changed)) if i is not None]
        risks = {i: r for i, r in self._risks.items() if i not in ids}
        if ids:
            risks.update((i, (s.score, s.band)) for i, s in self._risks_of(ids).items())
        return risks

    def order(self, column: int, descending: bool, status: str | None = None) -> list[int]:
        """Ids in the order of table ``column`` (ties by id), only ``status`` if given."""
        key = SORT_KEYS[column]
        if key is not None:
            with self._lock:
                return self._reader.order(key, descending, status)
        with self._lock:
            ids = self._reader.order("updated", False, status)
        risks = self._risks
        with no_cyclic_gc():
            ids.sort(key=lambda i: (risks[i][0] if i in risks else -1, i), reverse=descending)
        return ids

    def prepare_haystack(self, ready: Callable[[dict[int, str]], object] | None = None) -> bool:
        """Build the filter texts on a worker thread unless they are built or being built;
        True if a build started. ``ready(texts)`` runs on that worker once they are in (not
        if the data changed meanwhile: that build is dropped, and is to be prepared again)."""
        if self._hay is not None or self._closed or (
                self._building is not None and self._building_for == self._generation):
            return False
        self._stale.clear()
        self._stale_ids.clear()
        generation, risks = self._generation, self._risks
        worker = threading.Thread(target=self._build, args=(generation, risks, ready),
                                  name="case-list-texts", daemon=True)
        self._building, self._building_for = worker, generation
        worker.start()
        return True

    def _build(self, generation: int, risks: Mapping[int, tuple[int, str]],
               ready: Callable[[dict[int, str]], object] | None) -> None:
        try:
            hay = self._read_haystack(generation, risks)
        finally:
            if self._building is threading.current_thread():
                self._building = None
        if hay is not None and ready is not None:
            ready(hay)

    def _read_haystack(self, generation: int,
                       risks: Mapping[int, tuple[int, str]]) -> dict[int, str] | None:
        """Every filter text, a part at a time; None when the source closed or the data
        changed meanwhile. Each step is a few short C calls, so the UI thread gets the GIL
        (and the reader) between them."""
        hay: dict[int, str] = {}
        after = 0
        while True:
            texts = self._read_part(generation, after)
            if texts is None:
                return None
            if not texts:
                break
            after = max(texts)
            hay.update(zip(texts.keys(), map(str.casefold, texts.values()), strict=True))
        for i, (_score, band) in risks.items():
            if i in hay:
                hay[i] = f"{hay[i]} {band.casefold()}"
        with self._lock:
            if generation != self._generation or self._closed:
                return None
            self._hay = hay  # one assignment: the UI thread sees none or all of it
        return hay

    def _read_part(self, generation: int, after: int) -> dict[int, str] | None:
        """The next part of the filter texts (ids above ``after``); None: stop building."""
        with self._lock:
            if self._closed or generation != self._generation:
                return None
            return self._reader.texts(after, self.HAY_PART)

    def haystack(self) -> dict[int, str]:
        """id -> case-folded "ref title status priority risk-band" (built once per version;
        waits for a build under way, or builds here)."""
        building = self._building
        if self._hay is None and building is not None and self._building_for == self._generation:
            building.join()  # a build for older data stops by itself: not waited for
        if self._hay is None:
            self._stale.clear()
            self._stale_ids.clear()
            with self._lock:
                texts = self._reader.texts()
            with no_cyclic_gc():
                hay = dict(zip(texts.keys(), map(str.casefold, texts.values()), strict=True))
                for i, (_score, band) in self._risks.items():
                    if i in hay:
                        hay[i] = f"{hay[i]} {band.casefold()}"
            self._hay = hay
        elif self._stale or self._stale_ids:
            ids = {i for i in map(self.id_of, self._stale) if i is not None}
            with self._lock:
                rows = self._reader.rows(sorted(ids | self._stale_ids))
            for row in rows:
                band = self._risks.get(row[0], (0, ""))[1]
                self._hay[row[0]] = f"{row[1]} {row[2]} {row[3]} {row[4]} {band}".casefold()
            self._stale.clear()
            self._stale_ids.clear()
        return self._hay

    def has_haystack(self) -> bool:
        """Whether :meth:`haystack` is built (asking for it then costs no full read)."""
        return self._hay is not None

    def building_haystack(self) -> bool:
        """Whether a worker is building the filter texts of the current data."""
        return (self._hay is None and self._building is not None
                and self._building_for == self._generation)

    def has_stale_texts(self) -> bool:
        """Whether some filter texts are to be read again (:meth:`haystack` does it)."""
        return bool(self._stale or self._stale_ids)

    def rows(self, ids: list[int]) -> dict[int, CaseListRow]:
        """Full rows of these ids (with risk), by id."""
        risks, none = self._risks, (None, None)
        make, cls = tuple.__new__, CaseListRow
        with self._lock:
            rows = self._reader.rows(ids)
        return {row[0]: make(cls, (*row, *risks.get(row[0], none))) for row in rows}

    def id_of(self, ref: str) -> int | None:
        with self._lock:
            return self._reader.id_of(ref)

    def unless_closed(self, deliver: Callable[[], object]) -> bool:
        """Run ``deliver`` (a worker's hand-over to the UI thread) unless the source is closed;
        False if it is. Under the lock: once :meth:`close` has returned, no worker hands over
        anything more (so none emits on a model deleted after it)."""
        with self._lock:
            if self._closed:
                return False
            deliver()
            return True

    def close(self) -> None:
        """Release the reader's connection (a build under way stops at its next step)."""
        with self._lock:
            self._closed = True
            self._reader.close()


def open_case_list(ws: Workspace) -> CaseListSource:
    """The open workspace's case list: the store's reader if it has one, risk from checklists."""
    from caseapp.services.redflags.risk import case_risk

    make = getattr(ws.store, "case_list_reader", None)
    reader: CaseListReader = make() if make is not None else RowsReader(ws.store.case_rows)
    return CaseListSource(reader, lambda ids: case_risk(ws, ids))


def rows_source(rows: Sequence[Any]) -> CaseListSource:
    """A source over rows already read (risk taken from the rows' own columns)."""
    listed = list(rows)
    risks = {r[0]: _Risk(r[9], r[10] or "") for r in listed if len(r) > 10 and r[9] is not None}
    return CaseListSource(RowsReader(lambda: listed),
                          lambda ids: risks if ids is None else {i: risks[i] for i in ids
                                                                 if i in risks})


def preview_source(home: Path, key: bytes) -> CaseListSource | None:
    """The start-up preview's source: a read-only reader opened without the database layer
    (no risk scores), or None when the list cannot be read that way."""
    from caseapp.store.case_list import open_reader

    reader = open_reader(home, key)
    return None if reader is None else CaseListSource(reader)


class _Risk(NamedTuple):
    """A score as :class:`CaseListSource` needs it (score and band only)."""

    score: int
    band: str

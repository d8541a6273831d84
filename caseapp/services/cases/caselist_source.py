"""The case list a page at a time, for the app's table at 100,000+ cases.

:class:`CaseListSource` answers what a lazy table model asks: the ids in the order shown (sorted
and status-filtered by the store, mostly from an index), a case-folded filter text per case
(built once per data version, on the first keystroke), and full rows only for the ids that
are fetched for display. No record object is built per case.

The store's own reader (:class:`caseapp.store.interface.CaseListReader`, one read-only
connection with its own page cache) is used when the store has one; otherwise
:class:`RowsReader` answers the same from :meth:`Store.case_rows`.

This module imports no database library, so the start-up preview can use it before SQLAlchemy
is loaded (:func:`preview_source`).
"""

from __future__ import annotations

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

    def texts(self) -> dict[int, str]:
        return {r[0]: f"{r[1]} {r[2]} {r[3]} {r[4]}" for r in self._by_id.values()}

    def rows(self, ids: list[int]) -> list[tuple[Any, ...]]:
        return [self._by_id[i] for i in ids if i in self._by_id]

    def id_of(self, ref: str) -> int | None:
        return next((r[0] for r in self._by_id.values() if r[1] == ref), None)

    def close(self) -> None:
        self._by_id = {}


class CaseListSource:
    """What the case table asks for, over a store's case-list reader plus risk scores."""

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
        self.refresh()

    def refresh(self, changed: set[str] | None = None) -> bool:
        """Take in changes since the last call (risk scores again); True when data changed.

        ``changed``: the refs of every case that changed, when known (then only their filter
        texts are read again); None: any case may have changed.
        """
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
                self._hay = None
            else:
                self._stale |= changed
        return moved

    def _read_risks(self, changed: set[str] | None) -> dict[int, tuple[int, str]]:
        """Every case's risk (``changed`` None), else the known ones with the changed cases'
        read again: with a checklist on every case, reading them all is the slow part."""
        assert self._risks_of is not None
        if changed is None:
            return {i: (s.score, s.band) for i, s in self._risks_of(None).items()}
        ids = [i for i in map(self._reader.id_of, sorted(changed)) if i is not None]
        risks = {i: r for i, r in self._risks.items() if i not in ids}
        if ids:
            risks.update((i, (s.score, s.band)) for i, s in self._risks_of(ids).items())
        return risks

    def order(self, column: int, descending: bool, status: str | None = None) -> list[int]:
        """Ids in the order of table ``column`` (ties by id), only ``status`` if given."""
        key = SORT_KEYS[column]
        if key is not None:
            return self._reader.order(key, descending, status)
        ids = self._reader.order("updated", False, status)
        risks = self._risks
        with no_cyclic_gc():
            ids.sort(key=lambda i: (risks[i][0] if i in risks else -1, i), reverse=descending)
        return ids

    def haystack(self) -> dict[int, str]:
        """id -> case-folded "ref title status priority risk-band" (built once per version)."""
        if self._hay is None:
            self._stale.clear()
            self._stale_ids.clear()
            texts = self._reader.texts()
            with no_cyclic_gc():
                hay = dict(zip(texts.keys(), map(str.casefold, texts.values()), strict=True))
                for i, (_score, band) in self._risks.items():
                    if i in hay:
                        hay[i] = f"{hay[i]} {band.casefold()}"
            self._hay = hay
        elif self._stale or self._stale_ids:
            ids = {i for i in map(self._reader.id_of, self._stale) if i is not None}
            for row in self._reader.rows(sorted(ids | self._stale_ids)):
                band = self._risks.get(row[0], (0, ""))[1]
                self._hay[row[0]] = f"{row[1]} {row[2]} {row[3]} {row[4]} {band}".casefold()
            self._stale.clear()
            self._stale_ids.clear()
        return self._hay

    def has_haystack(self) -> bool:
        """Whether :meth:`haystack` is built (so asking for it costs no store read)."""
        return self._hay is not None

    def rows(self, ids: list[int]) -> dict[int, CaseListRow]:
        """Full rows of these ids (with risk), by id."""
        risks, none = self._risks, (None, None)
        make, cls = tuple.__new__, CaseListRow
        return {row[0]: make(cls, (*row, *risks.get(row[0], none)))
                for row in self._reader.rows(ids)}

    def id_of(self, ref: str) -> int | None:
        return self._reader.id_of(ref)

    def close(self) -> None:
        """Release the reader's connection."""
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

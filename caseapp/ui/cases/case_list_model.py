"""The case list's table model, built for 100,000+ cases.

No record object per case: the model holds the ids in the order shown (sorted and
status-filtered by the store, see :class:`caseapp.services.cases.caselist_source.CaseListSource`),
filters them with the source's case-folded text per id, and fetches full rows only for the
rows it exposes. Rows are exposed a batch at a time (``canFetchMore``/``fetchMore``: the view
asks for more as it scrolls), so a reset, a sort or a keystroke costs the id list, not the
table. The text filter of a keystroke that extends the previous text only looks at the rows
the previous text kept.

A list of :attr:`CaseListModel.BACKGROUND_FROM` (5,000) cases or more has its filter texts read
and case-folded on a worker thread once it has loaded and painted (and again after a change
made elsewhere), or at the first keystroke if that comes earlier.
A keystroke that comes before they are in does not wait for them: the list stays as it was,
the filter is applied the moment they arrive (:attr:`CaseListModel.filter_applied`).
"""

from __future__ import annotations

import contextlib
import time
from functools import partial
from itertools import compress, repeat
from operator import contains
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from caseapp.domain.text import visible
from caseapp.services.cases.caselist import CaseListRow, as_utc
from caseapp.services.cases.caselist_source import CaseListSource
from caseapp.ui import theme
from caseapp.ui.formatting import label, local_time
from caseapp.ui.widgets.records import ROW_ROLE, plain_tooltip

__all__ = ["COLUMNS", "ROW_ROLE", "CaseListModel"]
COLUMNS = ("Ref", "Title", "Status", "Priority", "Risk", "Subjects", "Exhibits", "Last activity")
_Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_DESC = Qt.SortOrder.DescendingOrder


def _matching(texts: list[str], words: list[str], within: list[int] | None) -> list[int]:
    """Positions in ``texts`` whose text holds every word (only among ``within`` if given);
    the loops run in C (compress/map), not one Python step per case."""
    positions = within
    for word in words:
        if positions is None:
            positions = list(compress(range(len(texts)), map(contains, texts, repeat(word))))
        else:
            positions = list(compress(positions, map(contains, map(texts.__getitem__, positions),
                                                     repeat(word))))
    return list(range(len(texts))) if positions is None else positions


class CaseListModel(QAbstractTableModel):
    """The case list over a :class:`CaseListSource`; sorts and filters itself."""

    #: Rows exposed per ``fetchMore`` (and fetched from the store in one statement).
    BATCH: int = 200
    #: From this many cases on, filter texts are built on a worker after a load (below it,
    #: building them on the first keystroke costs less than a keystroke's budget).
    BACKGROUND_FROM: int = 5_000
    #: Cases aligned per step on the worker (each step one short C call: the GIL is shared).
    ALIGN_PART: int = 5_000

    #: A filter typed before the filter texts were in has been applied (the rows changed).
    filter_applied = Signal()
    #: From the worker: (the id order the texts were aligned to, the texts), queued to the UI.
    _texts_ready = Signal(object, object)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.source: CaseListSource | None = None
        self._sort: tuple[int, Qt.SortOrder] = (7, _DESC)
        self._words: list[str] = []
        self._status: str | None = None
        self._ordered: list[int] = []  # every id with the status, in the sort order
        self._texts_in_order: list[str] | None = None  # filter texts aligned with _ordered
        self._positions: list[int] | None = None  # in _ordered of the rows matching the words
        self._visible: list[int] = []  # ... their ids
        self._fetched = 0
        self._rows: dict[int, CaseListRow] = {}
        self._texts: dict[int, tuple[str, ...]] = {}
        self._total = 0
        #: Milliseconds of the last reload / filter change (model work, no painting).
        self.last_ms = 0.0
        self._align_timer = QTimer(self, singleShot=True, interval=0)
        self._align_timer.timeout.connect(self._align_texts)
        self._pending = False  # words typed before the filter texts were in
        #: :attr:`BACKGROUND_FROM` for this model (the start-up preview turns it off).
        self.background_from = self.BACKGROUND_FROM
        self._texts_ready.connect(self._take_texts)
        self._prepare_timer = QTimer(self, singleShot=True, interval=0)
        self._prepare_timer.timeout.connect(self._prepare_texts)

    # -- what the page calls -----------------------------------------------------------------
    def set_source(self, source: CaseListSource | None) -> None:
        """Show ``source`` (None: empty), keeping the sort and filter; closes no source."""
        self.source = source
        self._refill(reread=False)

    def reload(self, changed: set[str] | None = None) -> None:
        """Take in changes from the store (order, rows, filter texts when data changed);
        ``changed``: the refs of the cases that changed, when known."""
        if self.source is not None:
            self.source.refresh(changed)
        self._refill(reread=True)

    def set_filter(self, text: str | None = None, status: str | None = "") -> None:
        """Change the text (every word must occur) and/or the status (None = any)."""
        words = self._words if text is None else text.casefold().split()
        status = self._status if status == "" else status
        if words == self._words and status == self._status:
            return
        started = time.perf_counter()
        narrower = (status == self._status and len(words) >= len(self._words) > 0
                    and all(o in n for o, n in zip(self._words, words, strict=False)))
        self.beginResetModel()
        if status != self._status:
            self._status = status
            self._set_ordered(self._order())
        within = self._positions if narrower else None
        self._words = words
        self._match(within)
        self._fetched = min(len(self._visible), self.BATCH)
        self.endResetModel()
        self.last_ms = (time.perf_counter() - started) * 1000

    def total(self) -> int:
        """Every case, whatever the filter."""
        return self._total

    def matching(self) -> int:
        """Cases that match the filter (fetched for display or not)."""
        return len(self._visible)

    def row_at(self, row: int) -> CaseListRow:
        """The case shown on ``row``."""
        return self._record(row)

    def row_of(self, ref: str) -> int:
        """Row of the case ``ref`` (fetching up to it), or -1 if it is not shown."""
        case_id = self.source.id_of(ref) if self.source is not None else None
        if case_id is None:
            return -1
        try:
            row = self._visible.index(case_id)
        except ValueError:
            return -1
        self._fetch_to(row + 1)
        return row

    # -- the model ---------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._fetched

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: _Index) -> bool:  # noqa: N802
        return not parent.isValid() and self._fetched < len(self._visible)

    def fetchMore(self, parent: _Index) -> None:  # noqa: N802
        if not parent.isValid():
            self._fetch_to(self._fetched + self.BATCH)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._fetched:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(index.row())[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            return theme.accent(self._record(index.row()).status)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (4, 5, 6):
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:  # escaped: shown literally
            return plain_tooltip(self._record(index.row()).title)
        if role == ROW_ROLE:
            return self._record(index.row())
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (in the store, or by risk here), keeping selected rows selected."""
        if not 0 <= column < len(COLUMNS) or (column, order) == self._sort:
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        kept = [self._visible[i.row()] if i.isValid() else None for i in persistent]
        self._set_ordered(self._order())
        self._match(None)
        where = {case_id: self._visible.index(case_id) for case_id in kept if case_id is not None}
        self._fetched = max(self._fetched, *(r + 1 for r in where.values()), 0)
        for old, case_id in zip(persistent, kept, strict=True):
            if case_id is not None:
                self.changePersistentIndex(old, self.index(where[case_id], old.column()))
        self.layoutChanged.emit()

    # -- inside ------------------------------------------------------------------------------
    def _refill(self, *, reread: bool) -> None:
        started = time.perf_counter()
        self.beginResetModel()
        fetched = self._fetched
        self._rows, self._texts = {}, {}
        self._set_ordered(self._order())
        if self.source is None:
            self._total = 0
        else:
            self._total = (len(self._ordered) if self._status is None else
                           len(self.source.order(7, True)))
            self._prepare_timer.start()  # once the list has painted (a keystroke: at once)
        self._match(None)
        # a reload keeps what was fetched (the scroll position); a new source starts a batch
        self._fetched = min(len(self._visible), max(self.BATCH, fetched if reread else 0))
        self.endResetModel()
        self.last_ms = (time.perf_counter() - started) * 1000
        if self.source is not None and self.source.has_haystack() and not self._words:
            self._align_timer.start()  # when idle: the next keystroke then only filters

    def pending(self) -> bool:
        """Whether a typed filter waits for the filter texts (the rows are not filtered yet)."""
        return self._pending

    def _prepare_texts(self) -> None:
        """Start the worker's build of the filter texts if this list is large enough."""
        source = self.source
        if source is not None and not source.has_haystack() and \
                self._total >= self.background_from:
            source.prepare_haystack(partial(self._align_on_worker, source))

    def _align_on_worker(self, source: CaseListSource, hay: dict[int, str]) -> None:
        """On the source's worker: the texts in the order shown now, a part at a time, handed
        to the UI thread unless ``source`` was closed meanwhile."""
        ordered = self._ordered
        aligned: list[str] = []
        for start in range(0, len(ordered), self.ALIGN_PART):
            aligned += map(hay.get, ordered[start:start + self.ALIGN_PART], repeat(""))
        with contextlib.suppress(RuntimeError):  # the model was deleted meanwhile
            source.unless_closed(lambda: self._texts_ready.emit(ordered, aligned))

    def _take_texts(self, ordered: list[int], aligned: list[str]) -> None:
        source = self.source
        if source is None or not source.has_haystack():
            return  # closed, or the data changed meanwhile (a new build is under way)
        if (ordered is self._ordered and self._texts_in_order is None
                and not source.has_stale_texts()):
            self._texts_in_order = aligned
        if self._pending:
            self.beginResetModel()
            self._match(None)
            self._fetched = min(len(self._visible), self.BATCH)
            self.endResetModel()
            self.filter_applied.emit()

    def _align_texts(self) -> None:
        if self._texts_in_order is None and self.source is not None:
            hay = self.source.haystack()
            self._texts_in_order = list(map(hay.get, self._ordered, repeat("")))

    def _order(self) -> list[int]:
        if self.source is None:
            return []
        column, order = self._sort
        return self.source.order(column, order == _DESC, self._status)

    def _set_ordered(self, ids: list[int]) -> None:
        self._ordered, self._texts_in_order = ids, None

    def _match(self, within: list[int] | None) -> None:
        """Set the visible rows: the ordered ids whose text holds every word (all of them
        while the filter texts are being built on the worker: :meth:`pending`)."""
        self._pending = False
        if not self._words or self.source is None:
            self._positions, self._visible = None, self._ordered
            return
        if self._texts_in_order is None:
            self._prepare_texts()
        if self._texts_in_order is None and self.source.building_haystack():
            self._pending = True
            self._positions, self._visible = None, self._ordered
            return
        self._align_texts()
        assert self._texts_in_order is not None
        self._positions = _matching(self._texts_in_order, self._words, within)
        self._visible = list(map(self._ordered.__getitem__, self._positions))

    def _fetch_to(self, count: int) -> None:
        count = min(count, len(self._visible))
        if count <= self._fetched:
            return
        self.beginInsertRows(QModelIndex(), self._fetched, count - 1)
        self._fetched = count
        self.endInsertRows()

    def _record(self, row: int) -> CaseListRow:
        case_id = self._visible[row]
        rec = self._rows.get(case_id)
        if rec is None and self.source is not None:
            start = row - row % self.BATCH
            batch = [i for i in self._visible[start:start + self.BATCH] if i not in self._rows]
            self._rows.update(self.source.rows(batch))
            rec = self._rows.get(case_id)
        if rec is None:  # deleted since the ids were read: shown as an empty row
            rec = CaseListRow(case_id, "", "", "", "", None, None, 0, 0)
            self._rows[case_id] = rec
        return rec

    def _display(self, row: int) -> tuple[str, ...]:
        rec = self._record(row)
        texts = self._texts.get(rec.id)
        if texts is None:
            risk = "not assessed" if rec.risk is None or rec.risk_band == "unassessed" else \
                f"{rec.risk}" + (f" {rec.risk_band}" if rec.risk_band else "")
            texts = (rec.ref, visible(rec.title), label(rec.status), label(rec.priority), risk,
                     str(rec.subjects), str(rec.exhibits), local_time(as_utc(rec.updated_at)))
            self._texts[rec.id] = texts
        return texts

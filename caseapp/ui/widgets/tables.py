"""The case list's item models (the shared table base is :mod:`caseapp.ui.widgets.records`).

The case list is built for 10,000+ rows: the source model keeps precomputed sort keys and a
case-folded search text per row and sorts itself in Python (``list.sort``), and the
:class:`CaseFilterProxy` filters with one cheap check per row. Letting
``QSortFilterProxyModel`` sort or match through ``data()`` would call back into Python
hundreds of thousands of times per keystroke.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from caseapp.domain.text import visible
from caseapp.ui import theme
from caseapp.ui.formatting import label, local_time
from caseapp.ui.widgets.records import ROW_ROLE

_Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


# -- case list --------------------------------------------------------------------------------

CASE_COLUMNS = ("Ref", "Title", "Status", "Priority", "Risk", "Subjects", "Exhibits",
                "Last activity")
_PRIORITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
_STATUS_RANK = {"open": 0, "in-review": 1, "escalated": 2, "closed": 3}


def _ref_key(ref: str) -> tuple[str, int]:
    year, _, seq = ref.rpartition("-")
    return (year, int(seq) if seq.isdigit() else 0)


_SORT_KEYS: tuple[Callable[[Any], Any], ...] = (
    lambda r: _ref_key(r.ref),
    lambda r: r.title.casefold(),
    lambda r: _STATUS_RANK.get(r.status, 9),
    lambda r: _PRIORITY_RANK.get(r.priority, 9),
    lambda r: -1 if r.risk is None else r.risk,
    lambda r: r.subjects,
    lambda r: r.exhibits,
    lambda r: r.updated_at,
)


class CaseTableModel(QAbstractTableModel):
    """The case list (rows from ``services.caselist.case_list``); sorts itself.

    Display texts are built only for rows that are painted; the search text of every row is
    built on the first filter keystroke.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._hay: list[str] | None = None
        self._texts: dict[int, tuple[str, ...]] = {}
        self._sort: tuple[int, Qt.SortOrder] = (7, Qt.SortOrder.DescendingOrder)
        self._in_query_order = False

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Replace the list, keeping the current sort."""
        self.beginResetModel()
        self._rows = list(rows)
        self._hay = None
        self._texts = {}
        self._in_query_order = True
        self._sort_rows()
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        """The row record on ``row``."""
        return self._rows[row]

    def row_of(self, ref: str) -> int:
        """Row of the case ``ref``, or -1."""
        for i, rec in enumerate(self._rows):
            if rec.ref == ref:
                return i
        return -1

    def matches(self, row: int, words: Sequence[str], status: str | None) -> bool:
        """Every word occurs in the row's text and the status matches (if given)."""
        if status and self._rows[row].status != status:
            return False
        if not words:
            return True
        if self._hay is None:
            self._hay = [f"{r.ref} {r.title} {r.status} {r.priority} {r.risk_band or ''}"
                         .casefold() for r in self._rows]
        hay = self._hay[row]
        return all(w in hay for w in words)

    def _display(self, rec: Any) -> tuple[str, ...]:
        texts = self._texts.get(rec.id)
        if texts is None:
            from caseapp.services.cases.caselist import as_utc

            risk = "not assessed" if rec.risk is None or rec.risk_band == "unassessed" else \
                f"{rec.risk}" + (f" {rec.risk_band}" if rec.risk_band else "")
            texts = (rec.ref, visible(rec.title), label(rec.status), label(rec.priority), risk,
                     str(rec.subjects), str(rec.exhibits), local_time(as_utc(rec.updated_at)))
            self._texts[rec.id] = texts
        return texts

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(CASE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return CASE_COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        rec = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(rec)[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            return theme.accent(rec.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (4, 5, 6):
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return visible(rec.title)
        if role == ROW_ROLE:
            return rec
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` with Python's sort, keeping selections (persistent indexes)."""
        if not 0 <= column < len(CASE_COLUMNS):
            return
        self._sort = (column, order)
        self._in_query_order = False
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [self._rows[i.row()].id if i.isValid() else None for i in persistent]
        self._sort_rows()
        self._hay = None
        where = {rec.id: r for r, rec in enumerate(self._rows)}
        for old, rec_id in zip(persistent, ids, strict=True):
            if rec_id is not None:
                self.changePersistentIndex(old, self.index(where[rec_id], old.column()))
        self.layoutChanged.emit()

    def _sort_rows(self) -> None:
        column, order = self._sort
        if (column, order) == (7, Qt.SortOrder.DescendingOrder) and self._in_query_order:
            return  # case_list already returns newest activity first (ties: higher id first)
        key = _SORT_KEYS[column]
        self._rows.sort(key=lambda r: (key(r), r.id),
                        reverse=order == Qt.SortOrder.DescendingOrder)


class CaseFilterProxy(QSortFilterProxyModel):
    """Filter-as-you-type over the case list; sorting is delegated to the source model."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._status: str | None = None
        self.setDynamicSortFilter(False)

    def set_filter(self, text: str | None = None, status: str | None = "") -> None:
        """Change the text (all words must match) and/or the status (None = any)."""
        words = self._words if text is None else text.casefold().split()
        new_status = self._status if status == "" else status
        if words == self._words and new_status == self._status:
            return
        self._begin()
        self._words, self._status = words, new_status
        self._end()

    def _begin(self) -> None:
        begin = getattr(self, "beginFilterChange", None)
        if begin is not None:
            begin()

    def _end(self) -> None:
        end = getattr(self, "endFilterChange", None)
        if end is not None:
            end(QSortFilterProxyModel.Direction.Rows)
        else:  # Qt < 6.9
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        if not self._words and not self._status:
            return True
        return cast(CaseTableModel, self.sourceModel()).matches(source_row, self._words,
                                                                 self._status)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)

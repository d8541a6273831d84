"""Qt item models over what the services return.

The case list is built for 10,000+ rows: the source model keeps precomputed sort keys and a
case-folded search text per row and sorts itself in Python (``list.sort``), and the
:class:`CaseFilterProxy` filters with one cheap check per row. Letting
``QSortFilterProxyModel`` sort or match through ``data()`` would call back into Python
hundreds of thousands of times per keystroke.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont

from caseapp.ui import theme
from caseapp.ui.formatting import label, local_time

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@dataclass(frozen=True)
class Column:
    """A column of a :class:`RecordTableModel`: title, text getter, optional extras."""

    title: str
    text: Callable[[Any], str]
    tooltip: Callable[[Any], str] | None = None
    right: bool = False
    colour: Callable[[Any], str | None] | None = None


class RecordTableModel(QAbstractTableModel):
    """A read-only table over a list of records, one column spec per column."""

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.records: list[Any] = []
        self.dim: Callable[[Any], bool] = lambda _r: False

    def set_records(self, records: Sequence[Any]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self.records = list(records)
        self.endResetModel()

    def record(self, row: int) -> Any:
        """The record shown on ``row``."""
        return self.records[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        rec = self.records[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(rec)
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tooltip(rec) if col.tooltip else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col.right:
            return _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole:
            name = col.colour(rec) if col.colour else None
            return theme.accent(name) if name else None
        if role == Qt.ItemDataRole.FontRole and self.dim(rec):
            font = QFont()
            font.setItalic(True)
            font.setStrikeOut(index.column() == 1)
            return font
        if role == ROW_ROLE:
            return rec
        return None


# -- case list --------------------------------------------------------------------------------

CASE_COLUMNS = ("Ref", "Title", "Status", "Priority", "Risk", "Subjects", "Exhibits",
                "Last activity")
_PRIORITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
_STATUS_RANK = {"open": 0, "in-review": 1, "escalated": 2, "closed": 3}


class _CaseItem:
    """A CaseRow plus everything precomputed for display, sorting and filtering."""

    __slots__ = ("row", "texts", "keys", "haystack")

    def __init__(self, row: Any) -> None:
        self.row = row
        risk = "" if row.risk is None else f"{row.risk}" + (f" {row.risk_band}"
                                                            if row.risk_band else "")
        self.texts = (row.ref, row.title, label(row.status), label(row.priority), risk,
                      str(row.subjects), str(row.exhibits), local_time(row.updated_at))
        year, _, seq = row.ref.rpartition("-")
        ref_key = (year, int(seq) if seq.isdigit() else 0)
        self.keys = (ref_key, row.title.casefold(), _STATUS_RANK.get(row.status, 9),
                     _PRIORITY_RANK.get(row.priority, 9), -1 if row.risk is None else row.risk,
                     row.subjects, row.exhibits, row.updated_at)
        self.haystack = " ".join((row.ref, row.title, row.status, row.priority,
                                  row.risk_band or "")).casefold()


class CaseTableModel(QAbstractTableModel):
    """The case list (rows from ``services.cases.list_cases``); sorts itself."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[_CaseItem] = []
        self._sort: tuple[int, Qt.SortOrder] = (7, Qt.SortOrder.DescendingOrder)

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Replace the list, keeping the current sort."""
        self.beginResetModel()
        self._items = [_CaseItem(r) for r in rows]
        self._sort_items()
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        """The CaseRow on ``row``."""
        return self._items[row].row

    def row_of(self, ref: str) -> int:
        """Row of the case ``ref``, or -1."""
        for i, item in enumerate(self._items):
            if item.row.ref == ref:
                return i
        return -1

    def matches(self, row: int, words: Sequence[str], status: str | None) -> bool:
        """Every word occurs in the row's text and the status matches (if given)."""
        item = self._items[row]
        if status and item.row.status != status:
            return False
        hay = item.haystack
        return all(w in hay for w in words)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._items)

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
        item = self._items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return item.texts[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            return theme.accent(item.row.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (4, 5, 6):
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return item.row.title
        if role == ROW_ROLE:
            return item.row
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` with precomputed keys, keeping selections (persistent indexes)."""
        if not 0 <= column < len(CASE_COLUMNS):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        refs = [self._items[i.row()].row.ref if i.isValid() else None for i in persistent]
        self._sort_items()
        where = {item.row.ref: r for r, item in enumerate(self._items)}
        for old, ref in zip(persistent, refs, strict=True):
            if ref is not None:
                self.changePersistentIndex(old, self.index(where[ref], old.column()))
        self.layoutChanged.emit()

    def _sort_items(self) -> None:
        column, order = self._sort
        self._items.sort(key=lambda it: (it.keys[column], it.keys[0]),
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
        return self.sourceModel().matches(source_row, self._words, self._status)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)


class AuditTableModel(RecordTableModel):
    """The audit chain, newest first, fetched in pages as the view scrolls."""

    PAGE = 500

    def __init__(self, fetch: Callable[[int | None, int], list[Any]], parent: Any = None) -> None:
        columns = [
            Column("#", lambda r: str(r.id), right=True),
            Column("When", lambda r: local_time(r.at, seconds=True)),
            Column("Actor", lambda r: r.actor),
            Column("Action", lambda r: r.action),
            Column("Entity", lambda r: f"{r.entity} {r.entity_id}".strip()),
            Column("Detail", lambda r: _detail_text(r.detail), tooltip=lambda r: r.hash),
        ]
        super().__init__(columns, parent)
        self._fetch = fetch
        self._exhausted = False

    def reload(self) -> None:
        """Start again from the newest entry."""
        self._exhausted = False
        self.set_records(self._fetch(None, self.PAGE))
        self._exhausted = len(self.records) < self.PAGE

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self._exhausted and bool(self.records)

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or self._exhausted or not self.records:
            return
        more = self._fetch(self.records[-1].id, self.PAGE)
        self._exhausted = len(more) < self.PAGE
        if more:
            first = len(self.records)
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self.records.extend(more)
            self.endInsertRows()


def _detail_text(detail: dict[str, Any]) -> str:
    parts = []
    for key, value in detail.items():
        text = value if isinstance(value, str) else str(value)
        parts.append(f"{key}={text}")
    joined = ", ".join(parts)
    return joined if len(joined) <= 200 else joined[:199] + "…"

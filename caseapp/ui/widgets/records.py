"""The table-model base every list uses: rows of one record type, one column spec each.

User text is shown literally: display text is plain in item views anyway, and tooltips (which
Qt renders as rich text when they look like markup) go through :func:`plain_tooltip`, the one
escape for user text in tooltips. Column tooltip getters return plain text, never markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from caseapp.domain.text import visible
from caseapp.ui import theme

R = TypeVar("R")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEADING_SPACES = re.compile(r"^ +", re.MULTILINE)


def plain_tooltip(text: str | None) -> str | None:
    """Tooltip markup that shows ``text`` literally, line breaks and indents kept.

    Qt guesses rich text for a tooltip that looks like markup (``<img src=x><b>big</b>``
    would render), so the text is escaped once and wrapped in ``<qt>``. ``None`` or ``""``
    gives ``None`` (no tooltip). Pass plain text only: markup passed in is shown as typed.
    """
    if not text:
        return None
    escaped = html.escape(visible(text), quote=False)
    escaped = _LEADING_SPACES.sub(lambda m: "&nbsp;" * len(m.group()), escaped)
    return "<qt>" + escaped.replace("\n", "<br>") + "</qt>"


@dataclass(frozen=True)
class Column(Generic[R]):
    """A column of a :class:`RecordTableModel`: title, text getter, optional extras.

    ``tooltip`` returns plain text (the model escapes it); ``colour`` an accent name."""

    title: str
    text: Callable[[R], str]
    tooltip: Callable[[R], str | None] | None = None
    right: bool = False
    colour: Callable[[R], str | None] | None = None


class RecordTableModel(QAbstractTableModel, Generic[R]):
    """A read-only table over a list of records of type ``R``, one column spec per column."""

    def __init__(self, columns: Sequence[Column[R]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns: list[Column[R]] = list(columns)
        self.records: list[R] = []
        self.dim: Callable[[R], bool] = lambda _r: False

    def set_records(self, records: Sequence[R]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self.records = list(records)
        self.endResetModel()

    def record(self, row: int) -> R:
        """The record shown on ``row``."""
        return self.records[row]

    def record_at(self, index: Index) -> R | None:
        """The record on ``index``'s row (an index of this model), None for no index."""
        return self.records[index.row()] if index.isValid() else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def tooltip_text(self, rec: R, column: int) -> str | None:
        """The plain text of a cell's tooltip (subclasses may add to it); escaped by
        :meth:`data`."""
        col = self.columns[column]
        return col.tooltip(rec) if col.tooltip else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        rec = self.records[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return visible(col.text(rec))
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(self.tooltip_text(rec, index.column()))
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


def _read_only_rows(table: QTableView, name: str) -> None:
    """Whole rows, one at a time, never edited; alternating colours, no row numbers."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    if name:
        table.setAccessibleName(name)


def read_only_table(model: QAbstractItemModel, name: str) -> QTableView:
    """A row-selecting, read-only, alternating-colour table view over ``model``."""
    table = QTableView()
    table.setModel(model)
    _read_only_rows(table, name)
    return table


class OpenableTable(QTableView):
    """A read-only row table (as :func:`read_only_table`) whose Enter/Return or double-click
    on the current row emits ``open_requested`` with its index."""

    open_requested = Signal(QModelIndex)

    def __init__(self, name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _read_only_rows(self, name)
        self.doubleClicked.connect(self.open_requested.emit)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        super().keyPressEvent(event)

"""Column sizing for tables whose cells must stay readable: each column as wide as its
content (within limits), one column taking the rest, refs elided in the middle.

Used after a table's rows change (``fit_columns(table, stretch=...)``); it measures the
header and the first rows with the view's font metrics, never the whole model (a queue of
10,000 tips stays cheap).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

_Index = QModelIndex | QPersistentModelIndex
#: Rows measured per column.
SAMPLE_ROWS = 200


class MiddleElideDelegate(QStyledItemDelegate):
    """Elides in the middle: ``CASE-2026-0001, CASE-2026-0002`` keeps both ends readable."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


def elide_middle(table: QAbstractItemView, columns: Iterable[int]) -> None:
    """Give ``columns`` of ``table`` a middle-eliding delegate (for refs and hashes)."""
    delegate = MiddleElideDelegate(table)
    for column in columns:
        table.setItemDelegateForColumn(column, delegate)


def content_width(table: QTableView, column: int, rows: int = SAMPLE_ROWS) -> int:
    """Width the header and the first ``rows`` cells of ``column`` need, in pixels."""
    model = table.model()
    metrics = table.fontMetrics()
    header = table.horizontalHeader()
    widest = header.sectionSizeFromContents(column).width()
    padding = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1) + 8
    for row in range(min(rows, model.rowCount())):
        index = model.index(row, column)
        text = index.data()
        if text:
            line = str(text).split("\n", 1)[0]
            font = index.data(Qt.ItemDataRole.FontRole)
            fm = QFontMetrics(font) if isinstance(font, QFont) else metrics
            widest = max(widest, fm.horizontalAdvance(line) + padding)
    return widest


def fit_columns(table: QTableView, *, stretch: int, max_ems: float = 24,
                min_ems: float = 3, stretch_share: float = 0.25,
                stretch_room: float = 0.5, keep: Iterable[int] = ()) -> None:
    """Size every column but ``stretch`` to its content (``min_ems``..``max_ems``); the
    ``stretch`` column takes what is left, and at least ``stretch_share`` of the width: when
    the others would leave it less, the wide ones give way together (their text is then
    elided, the full value is in the cell's tooltip) except the ``keep`` columns (refs,
    dates), which always get their full width. The stretch column also gets what its own
    content needs, up to ``stretch_room`` of the width."""
    header = table.horizontalHeader()
    em = table.fontMetrics().horizontalAdvance("m")
    widths: dict[int, int] = {}
    for column in range(table.model().columnCount()):
        if column == stretch or header.isSectionHidden(column):
            continue
        widths[column] = max(round(min_ems * em),
                             min(content_width(table, column), round(max_ems * em)))
    available = table.viewport().width()
    floor = max(round(12 * em), round(available * stretch_share),
                min(content_width(table, stretch), round(available * stretch_room)))
    excess = sum(widths.values()) + floor - available
    kept = set(keep)
    wide = {c: w for c, w in widths.items() if w > 8 * em and c not in kept}
    if excess > 0 and wide:
        give = sum(w - 8 * em for w in wide.values())
        factor = min(1.0, excess / give) if give > 0 else 0.0
        for column, width in wide.items():
            widths[column] = round(width - (width - 8 * em) * factor)
    for column, width in widths.items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    header.setStretchLastSection(False)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def set_widths(table: QTableView, widths: Iterable[int], stretch: int) -> None:
    """Start-up widths of the first columns (pixels); column ``stretch`` takes the rest."""
    header = table.horizontalHeader()
    for column, width in enumerate(widths):
        header.resizeSection(column, width)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

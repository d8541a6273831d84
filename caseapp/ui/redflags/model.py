"""Item models of the Red flags tab: the checklist tree, its filter, the state editor.

The tree has one top-level row per template category and one child row per item. It is
refreshed in place (``dataChanged``) while the template stays the same, so the selection,
the expanded categories and the scroll position survive every change; a new template (an
upgrade) resets it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from caseapp.domain.enums import ChecklistState
from caseapp.ui import theme
from caseapp.ui.formatting import first_line, label
from caseapp.ui.widgets.common import html_escape
from caseapp.ui.widgets.records import plain_tooltip
from caseapp.ui.widgets.tree import GroupTreeModel

if TYPE_CHECKING:
    from caseapp.domain.redflags import Category
    from caseapp.services.redflags.views import ChecklistView, ItemView

ITEM_ROLE = Qt.ItemDataRole.UserRole + 10
_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole

#: States in key order: key 0 is "not assessed", ... key 4 is "not applicable".
STATES: tuple[ChecklistState, ...] = (
    ChecklistState.NOT_ASSESSED, ChecklistState.NOT_OBSERVED, ChecklistState.SUSPECTED,
    ChecklistState.CONFIRMED, ChecklistState.NOT_APPLICABLE)
#: Accent colour (theme.accent name) of each state; not assessed uses the plain text colour.
STATE_ACCENTS = {ChecklistState.CONFIRMED: "error", ChecklistState.SUSPECTED: "warn",
                 ChecklistState.NOT_OBSERVED: "ok", ChecklistState.NOT_APPLICABLE: "closed"}
WEIGHT_NAMES = {1: "low", 2: "medium", 3: "high"}
FLAGGED = frozenset({ChecklistState.SUSPECTED, ChecklistState.CONFIRMED})
COLUMNS = ("Red flag", "State", "Weight", "Exhibits", "Note", "Suggestion")
STATE_COLUMN = 1
FILTERS = {"all": "All items", "flagged": "Suspected or confirmed only",
           "not-assessed": "Not assessed only", "suggested": "With open suggestions"}


def state_text(state: ChecklistState) -> str:
    """``Not assessed``, ``Suspected``, ..."""
    return label(state.value)


def item_tooltip(view: ChecklistView, item_view: ItemView) -> str:
    """Rich-text tooltip of an item: description, evidence hint and its sources (escaped)."""
    item = item_view.item
    parts = [f"<b>{html_escape(item.label)}</b>"]
    if item.description:
        parts.append(html_escape(item.description))
    if item.evidence_hint:
        parts.append(f"<i>What supports it:</i> {html_escape(item.evidence_hint)}")
    sources = {s.id: s for s in view.template.sources}
    lines = []
    for sid in item.sources:
        src = sources.get(sid)
        if src is None:
            lines.append(html_escape(sid))
            continue
        bits = [src.title, src.publisher, src.date or "", src.url or ""]
        lines.append(f"[{html_escape(src.id)}] " + " — ".join(html_escape(b) for b in bits if b))
    if lines:
        parts.append("<i>Sources:</i><br>" + "<br>".join(lines))
    parts.append(f"<small>{html_escape(item.id)}</small>")
    return "<p>" + "</p><p>".join(parts) + "</p>"


def weight_tooltip(view: ChecklistView, weight: int) -> str:
    """How much an item of this weight adds when confirmed or suspected."""
    p = view.template.scoring.p.get(weight, 0.0)
    factor = view.template.scoring.suspected_factor
    return (f"Weight {weight} ({WEIGHT_NAMES.get(weight, '?')}): contributes {p:.0%} when "
            f"confirmed, {p * factor:.1%} when suspected.")


class ChecklistModel(GroupTreeModel):
    """Categories (top level) and their items, over a ``ChecklistView``."""

    #: The State column was edited: (item id, state value).
    state_edited = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view: ChecklistView | None = None
        self._groups: list[tuple[Category, list[ItemView]]] = []  # (category, [ItemView])

    # -- data in -----------------------------------------------------------------------------
    def set_view(self, view: ChecklistView) -> bool:
        """Show ``view``; returns True when the rows were rebuilt (a different template)."""
        same = (self.view is not None and view.template.id == self.view.template.id
                and view.template.version == self.view.template.version)
        if not same:
            self.beginResetModel()
        self.view = view
        by_id = {i.item.id: i for i in view.items}
        self._groups = [(cat, [by_id[i.id] for i in cat.items]) for cat in view.template.categories]
        if same:
            last = self.columnCount() - 1
            for row, (_cat, items) in enumerate(self._groups):
                parent = self.index(row, 0)
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))
                if items:
                    self.dataChanged.emit(self.index(0, 0, parent),
                                          self.index(len(items) - 1, last, parent))
        else:
            self.endResetModel()
        return not same

    def item_at(self, index: _Index) -> ItemView | None:
        """The ItemView of an item row (None for a category row or an invalid index)."""
        group = self.group_of(index)
        return None if group is None else self._groups[group][1][index.row()]

    def category_at(self, index: _Index) -> Category | None:
        """The Category of a category row (None otherwise)."""
        if not index.isValid() or index.internalId() != 0:
            return None
        return self._groups[index.row()][0]

    def index_of(self, item_id: str, column: int = 0) -> QModelIndex:
        """Index of the item ``item_id`` (invalid if the template has none)."""
        for row, (_cat, items) in enumerate(self._groups):
            for child, iv in enumerate(items):
                if iv.item.id == item_id:
                    return self.index(child, column, self.index(row, 0))
        return QModelIndex()

    # -- structure ---------------------------------------------------------------------------
    def group_count(self) -> int:
        return len(self._groups)

    def child_count(self, group: int) -> int:
        return len(self._groups[group][1])

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = _DISPLAY) -> object:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return COLUMNS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.internalId() != 0 and index.column() == STATE_COLUMN:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    # -- data out ----------------------------------------------------------------------------
    def data(self, index: _Index, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        iv = self.item_at(index)
        if iv is None:
            return self._category_data(index, role)
        column = index.column()
        if role == ITEM_ROLE:
            return iv
        if role in (_DISPLAY, Qt.ItemDataRole.AccessibleTextRole):
            return self._item_text(iv, column)
        if role == Qt.ItemDataRole.EditRole and column == STATE_COLUMN:
            return iv.state.value
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._item_tooltip(iv, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == STATE_COLUMN and iv.state in STATE_ACCENTS:
                return theme.accent(STATE_ACCENTS[iv.state])
            if column == 3 and iv.withdrawn_exhibits:
                return theme.accent("warn")
            if column == 5 and iv.suggestion is not None:
                return QGuiApplication.palette().color(QPalette.ColorRole.Link)
        if role == Qt.ItemDataRole.FontRole and column == STATE_COLUMN:
            font = QFont()
            font.setItalic(iv.state == ChecklistState.NOT_ASSESSED)
            font.setBold(iv.state in FLAGGED)
            return font
        return None

    def _item_text(self, iv: ItemView, column: int) -> str:
        if column == 0:
            return iv.item.label
        if column == STATE_COLUMN:
            return state_text(iv.state)
        if column == 2:
            return f"{iv.item.weight} · {WEIGHT_NAMES.get(iv.item.weight, '?')}"
        if column == 3:
            return ", ".join(e + (" (withdrawn)" if e in iv.withdrawn_exhibits else "")
                             for e in iv.exhibits)
        if column == 4:
            return first_line(iv.note, 80)
        if column == 5 and iv.suggestion is not None:
            links = iv.suggestion.links
            return f"◆ {links[0]}" + (f" +{len(links) - 1}" if len(links) > 1 else "")
        return ""

    def _item_tooltip(self, iv: ItemView, column: int) -> str | None:
        assert self.view is not None  # items exist only once a view is set
        if column == 0:
            return item_tooltip(self.view, iv)
        if column == STATE_COLUMN:
            by = f" (last changed by {iv.updated_by})" if iv.updated_by else ""
            return plain_tooltip(f"{state_text(iv.state)}{by}. Keys 0-4 change it; F2 opens "
                                 "the list.")
        if column == 2:
            return weight_tooltip(self.view, iv.item.weight)
        if column == 3 and iv.exhibits:
            gone = ", ".join(iv.withdrawn_exhibits)
            return "Linked exhibits" + (f"; withdrawn since: {gone}" if gone else "")
        if column == 4 and iv.note:
            return plain_tooltip(iv.note)
        if column == 5 and iv.suggestion is not None:
            return "<p>" + html_escape(iv.suggestion.reason) + "</p>"
        return None

    def _category_data(self, index: _Index, role: int) -> object:
        cat, items = self._groups[index.row()]
        column = index.column()
        if role in (_DISPLAY, Qt.ItemDataRole.AccessibleTextRole):
            if column == 0:
                return cat.title
            if column == STATE_COLUMN:
                done = sum(1 for i in items if i.state != ChecklistState.NOT_ASSESSED)
                return f"{done} of {len(items)} assessed"
            if column == 5:
                open_ = sum(1 for i in items if i.suggestion is not None)
                return f"{open_} suggested" if open_ else ""
            if column == 4:
                flagged = sum(1 for i in items if i.state in FLAGGED)
                return f"{flagged} flagged" if flagged else ""
            return ""
        if role == Qt.ItemDataRole.FontRole and column == 0:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return f"{cat.title} ({cat.id}): {len(items)} items"
        return None

    def setData(self, index: _Index, value: object,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        """An edit of the State column is handed to the tab (which saves it)."""
        iv = self.item_at(index)
        if iv is None or index.column() != STATE_COLUMN or role != Qt.ItemDataRole.EditRole:
            return False
        try:
            state = ChecklistState.parse(str(value))
        except ValueError:
            return False
        if state != iv.state:
            self.state_edited.emit(iv.item.id, state.value)
        return True


class ChecklistFilter(QSortFilterProxyModel):
    """Shows every item, or only flagged / not assessed / suggested ones (with their category)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mode = "all"
        self.setRecursiveFilteringEnabled(True)
        self.setDynamicSortFilter(True)

    def set_mode(self, mode: str) -> None:
        """One of :data:`FILTERS`."""
        if mode not in FILTERS:
            raise ValueError(f"unknown filter {mode!r}")
        if mode == self.mode:
            return
        begin = getattr(self, "beginFilterChange", None)
        if begin is not None:
            begin()
        self.mode = mode
        end = getattr(self, "endFilterChange", None)
        if end is not None:
            end(QSortFilterProxyModel.Direction.Rows)
        else:  # Qt < 6.9
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        if self.mode == "all":
            return True
        if not source_parent.isValid():
            return False  # a category shows when one of its items does (recursive filtering)
        model = cast(ChecklistModel, self.sourceModel())
        iv = model.item_at(model.index(source_row, 0, source_parent))
        if iv is None:
            return False
        if self.mode == "flagged":
            return iv.state in FLAGGED
        if self.mode == "not-assessed":
            return iv.state == ChecklistState.NOT_ASSESSED
        return iv.suggestion is not None


class StateDelegate(QStyledItemDelegate):
    """A drop-down of the five states as the State column's editor."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: _Index) -> QWidget:
        combo = QComboBox(parent)
        combo.setAccessibleName("Item state")
        for key, state in enumerate(STATES):
            combo.addItem(f"{key}  {state_text(state)}", state.value)
        return combo

    def setEditorData(self, editor: QWidget, index: _Index) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,  # noqa: N802
                     index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class WrapDelegate(QStyledItemDelegate):
    """Word-wrapped item names: the row is as tall as the name needs at the column's width.

    (QTreeView asks a delegate for a row height without telling it the column width, so the
    default delegate sizes wrapped text as one line.)
    """

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        hint = super().sizeHint(option, index)
        text = index.data(_DISPLAY)
        if not text:
            return hint
        depth = 0
        parent = index.parent()
        while parent.isValid():
            depth += 1
            parent = parent.parent()
        if self.view.rootIsDecorated():
            depth += 1
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.rect = QRect(0, 0, self.view.header().sectionSize(index.column())
                         - depth * self.view.indentation(), 100_000)
        style = self.view.style()
        width = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, self.view).width()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.view) + 1
        rect = QFontMetrics(opt.font).boundingRect(
            QRect(0, 0, max(width - 2 * margin, 20), 100_000),
            int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft), str(text))
        return QSize(hint.width(), max(hint.height(), rect.height() + 4))

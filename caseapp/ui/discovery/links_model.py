"""The Links tab's table: one row per shared identifier (``services.links.LinkGroup``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import Qt as GuiQt

from caseapp.ui import theme
from caseapp.ui.formatting import kind_label, local_time

_Index = QModelIndex | QPersistentModelIndex
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Kind", "Identifier", "Match", "Cases", "Tips", "Linked to", "First seen",
           "Last seen")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_MAX_LISTED = 4


def match_text(group: Any) -> str:
    """``Exact: same bank account`` / ``Near: same mailbox: Gmail ignores dots…``."""
    return f"{'Near' if group.match == 'near' else 'Exact'}: {group.reason}"


def case_refs(group: Any) -> list[str]:
    """Other cases of a group, each once, in the group's order."""
    return list(dict.fromkeys(c.ref for c in group.cases))


def linked_text(group: Any) -> str:
    """``CASE-2026-0002 (Alex Morgan), TIP-2026-0001`` shortened after a few entries."""
    names: dict[str, list[str]] = {}
    for case in group.cases:
        names.setdefault(case.ref, []).append(case.subject)
    items = [f"{ref} ({', '.join(subjects)})" for ref, subjects in names.items()]
    items += [tip.ref for tip in group.tips]
    shown = ", ".join(items[:_MAX_LISTED])
    return shown + (f", +{len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")


def group_details(group: Any) -> str:
    """Plain-text details of a group (for tooltips): every case, subject, tip and reason."""
    lines = [f"{kind_label(group.kind)} {group.normalized}", match_text(group)]
    for case in group.cases:
        extra = f" — {case.reason}" if case.reason else ""
        lines.append(f"{case.ref} · {case.subject} · recorded as {case.value}{extra}\n"
                     f"    {case.title}")
    for tip in group.tips:
        extra = f" — {tip.reason}" if tip.reason else ""
        lines.append(f"{tip.ref} · recorded as {tip.value}{extra}")
    return "\n".join(lines)


def plain_tooltip(text: str) -> str:
    """A tooltip that shows user text literally (Qt would guess rich text from tags)."""
    return GuiQt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpacePre)


class LinksTableModel(QAbstractTableModel):
    """Shared identifiers of a case: kind, value, match and reason, links, counts, dates."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.groups: list[Any] = []

    def set_groups(self, groups: Sequence[Any]) -> None:
        self.beginResetModel()
        self.groups = list(groups)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.groups)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def _text(self, group: Any, column: int) -> str:
        if column == 0:
            return kind_label(group.kind)
        if column == 1:
            return group.normalized
        if column == 2:
            return match_text(group)
        if column == 3:
            return str(len(case_refs(group)))
        if column == 4:
            return str(len(group.tips))
        if column == 5:
            return linked_text(group)
        return local_time(group.first_seen if column == 6 else group.last_seen)

    def _sort_key(self, group: Any, column: int, row: int) -> Any:
        if column == 3:
            return len(case_refs(group))
        if column == 4:
            return len(group.tips)
        if column in (6, 7):
            moment = group.first_seen if column == 6 else group.last_seen
            return moment.timestamp() if moment else 0.0
        if column == 2:
            return f"{group.match != 'exact'}{row:06d}"
        return self._text(group, column).casefold()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        group = self.groups[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(group, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(group_details(group))
        if role == Qt.ItemDataRole.ForegroundRole and column == 2 and group.match == "near":
            return theme.accent("warn")
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (3, 4):
            return _RIGHT
        if role == SORT_ROLE:
            return self._sort_key(group, column, index.row())
        if role == GROUP_ROLE:
            return group
        return None


class LinksFilterProxy(QSortFilterProxyModel):
    """Sorts on :data:`SORT_ROLE`; the filter matches any column's text (case ignored)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def group_row(self, group_index: int) -> QModelIndex:
        """The proxy index of the source row ``group_index`` (column 0), if shown."""
        return self.mapFromSource(self.sourceModel().index(group_index, 0))

"""The Links tab's table: one row per shared identifier (``services.links.LinkGroup``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QSortFilterProxyModel, Qt

from caseapp.ui.formatting import kind_label, local_time
from caseapp.ui.widgets.records import ROW_ROLE, Column, Index, RecordTableModel

if TYPE_CHECKING:
    from datetime import datetime

    from caseapp.services.discovery.links import LinkGroup

GROUP_ROLE = ROW_ROLE
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
_MAX_LISTED = 4


def match_text(group: LinkGroup) -> str:
    """``Exact: same bank account`` / ``Near: same mailbox: Gmail ignores dots…``."""
    return f"{'Near' if group.match == 'near' else 'Exact'}: {group.reason}"


def case_refs(group: LinkGroup) -> list[str]:
    """Other cases of a group, each once, in the group's order."""
    return list(dict.fromkeys(c.ref for c in group.cases))


def linked_text(group: LinkGroup) -> str:
    """``CASE-2026-0002 (Alex Morgan), TIP-2026-0001`` shortened after a few entries."""
    names: dict[str, list[str]] = {}
    for case in group.cases:
        names.setdefault(case.ref, []).append(case.subject)
    items = [f"{ref} ({', '.join(subjects)})" for ref, subjects in names.items()]
    items += [tip.ref for tip in group.tips]
    shown = ", ".join(items[:_MAX_LISTED])
    return shown + (f", +{len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")


def group_details(group: LinkGroup) -> str:
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


def _seen(moment: datetime | None) -> str:
    return local_time(moment)


COLUMNS: tuple[Column[LinkGroup], ...] = (
    Column("Kind", lambda g: kind_label(g.kind), tooltip=group_details),
    Column("Identifier", lambda g: g.normalized, tooltip=group_details),
    Column("Match", match_text, tooltip=group_details,
           colour=lambda g: "warn" if g.match == "near" else None),
    Column("Cases", lambda g: str(len(case_refs(g))), tooltip=group_details, right=True),
    Column("Tips", lambda g: str(len(g.tips)), tooltip=group_details, right=True),
    Column("Linked to", linked_text, tooltip=group_details),
    Column("First seen", lambda g: _seen(g.first_seen), tooltip=group_details),
    Column("Last seen", lambda g: _seen(g.last_seen), tooltip=group_details),
)


def _stamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment else 0.0


_SORT_KEYS: tuple[Callable[[LinkGroup, int], object], ...] = (
    lambda g, _row: kind_label(g.kind).casefold(),
    lambda g, _row: g.normalized.casefold(),
    lambda g, row: f"{g.match != 'exact'}{row:06d}",  # exact first, then service order
    lambda g, _row: len(case_refs(g)),
    lambda g, _row: len(g.tips),
    lambda g, _row: linked_text(g).casefold(),
    lambda g, _row: _stamp(g.first_seen),
    lambda g, _row: _stamp(g.last_seen),
)


class LinksTableModel(RecordTableModel["LinkGroup"]):
    """Shared identifiers of a case: kind, value, match and reason, links, counts, dates."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)

    @property
    def groups(self) -> list[LinkGroup]:
        """The groups, in the service's order (row = index)."""
        return self.records

    def set_groups(self, groups: Sequence[LinkGroup]) -> None:
        self.set_records(groups)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            role = Qt.ItemDataRole.DisplayRole
        if role == SORT_ROLE:
            return _SORT_KEYS[index.column()](self.records[index.row()], index.row())
        return super().data(index, role)


class LinksFilterProxy(QSortFilterProxyModel):
    """Sorts on :data:`SORT_ROLE`; the filter matches any column's text (case ignored)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def group_row(self, group_index: int) -> QModelIndex:
        """The proxy index of the source row ``group_index`` (column 0), if shown."""
        return self.mapFromSource(self.sourceModel().index(group_index, 0))

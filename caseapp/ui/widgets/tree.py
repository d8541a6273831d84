"""The structure of a two-level item model: groups at the top, their rows under them.

A group row's index has internal id 0; a child's carries its group's row + 1, so
``parent()`` needs no lookup. Subclasses say how many groups and children there are and
supply ``columnCount`` and ``data``.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex

Index = QModelIndex | QPersistentModelIndex


class GroupTreeModel(QAbstractItemModel):
    """Groups (top level) and their children; one level deep."""

    def group_count(self) -> int:
        """How many groups there are."""
        raise NotImplementedError(f"{type(self).__name__}.group_count")

    def child_count(self, group: int) -> int:
        """How many children group ``group`` has."""
        raise NotImplementedError(f"{type(self).__name__}.child_count")

    @staticmethod
    def group_of(index: Index) -> int | None:
        """The group row of a child's ``index``; None for a group row or no index."""
        if not index.isValid() or index.internalId() == 0:
            return None
        return index.internalId() - 1

    def index(self, row: int, column: int,
              parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not 0 <= column < self.columnCount() or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if row < self.group_count() \
                else QModelIndex()
        if parent.internalId() != 0 or row >= self.child_count(parent.row()):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        group = self.group_of(index)
        return QModelIndex() if group is None else self.createIndex(group, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if not parent.isValid():
            return self.group_count()
        if parent.internalId() == 0 and parent.column() == 0:
            return self.child_count(parent.row())
        return 0

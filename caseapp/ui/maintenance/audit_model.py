"""The Audit page's table: audit events in words, fetched page by page as the view scrolls."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex

from caseapp.ui.formatting import local_time
from caseapp.ui.widgets.records import Column, RecordTableModel

if TYPE_CHECKING:
    from caseapp.services.maintenance.audit_events import AuditEvent

_Index = QModelIndex | QPersistentModelIndex

AUDIT_COLUMNS = ("#", "When", "By", "Event", "Case", "Record", "What")


class AuditEventModel(RecordTableModel["AuditEvent"]):
    """:class:`~caseapp.services.maintenance.audit_events.AuditEvent` rows, newest first."""

    PAGE = 500

    def __init__(self, fetch: Callable[[int | None, int], list[AuditEvent]],
                 parent: QObject | None = None) -> None:
        columns: list[Column[AuditEvent]] = [
            Column("#", lambda e: str(e.id), right=True),
            Column("When", lambda e: local_time(e.at, seconds=True)),
            Column("By", lambda e: e.actor, tooltip=lambda e: e.actor),
            Column("Event", lambda e: e.event, tooltip=lambda e: e.action),
            Column("Case", lambda e: e.case),
            Column("Record", lambda e: e.record, tooltip=lambda e: e.record),
            Column("What", lambda e: e.summary, tooltip=lambda e: e.summary),
        ]
        super().__init__(columns, parent)
        self._fetch = fetch
        self._exhausted = False

    def reload(self) -> None:
        """Start again from the newest matching entry."""
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

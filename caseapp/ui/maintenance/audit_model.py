"""The Audit page's table: audit events in words, fetched page by page as the view scrolls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex

from caseapp.ui.formatting import local_time
from caseapp.ui.widgets.tables import Column, RecordTableModel

_Index = QModelIndex | QPersistentModelIndex

AUDIT_COLUMNS = ("#", "When", "By", "Event", "Case", "Record", "What")


def _plain_tip(text: str) -> str:
    """A tooltip Qt shows as plain text (it would render text that looks like HTML)."""
    from caseapp.ui.widgets.common import html_escape

    return f"<p>{html_escape(text)}</p>" if text else ""


class AuditEventModel(RecordTableModel):
    """:class:`~caseapp.services.maintenance.audit_events.AuditEvent` rows, newest first."""

    PAGE = 500

    def __init__(self, fetch: Callable[[int | None, int], list[Any]], parent: Any = None) -> None:
        columns = [
            Column("#", lambda e: str(e.id), right=True),
            Column("When", lambda e: local_time(e.at, seconds=True)),
            Column("By", lambda e: e.actor, tooltip=lambda e: _plain_tip(e.actor)),
            Column("Event", lambda e: e.event, tooltip=lambda e: _plain_tip(e.action)),
            Column("Case", lambda e: e.case),
            Column("Record", lambda e: e.record, tooltip=lambda e: _plain_tip(e.record)),
            Column("What", lambda e: e.summary, tooltip=lambda e: _plain_tip(e.summary)),
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

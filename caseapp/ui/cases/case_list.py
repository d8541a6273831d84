"""The case list panel: filter box, status filter, New case button and the case table.

Kept apart from the Cases page (case views, their tabs and dialogs) so the start-up preview
imports only this.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain.enums import CaseStatus
from caseapp.ui.cases.case_list_model import ROW_ROLE, CaseListModel
from caseapp.ui.context import AppContext
from caseapp.ui.widgets.records import OpenableTable

_WIDTHS = (130, 420, 90, 80, 100, 70, 70, 170)


class CaseTable(OpenableTable):
    """The case table; Enter/Return or a double-click asks to open the current case."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setHighlightSections(False)


class CaseListPanel(QWidget):
    """Filter box, status filter, New case button and the case table."""

    open_case = Signal(str)
    loaded = Signal(int)

    def __init__(self, ctx: AppContext | None, parent: QWidget | None = None) -> None:
        """``ctx`` None makes a start-up preview: rows come from :meth:`set_source` only."""
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.filter = QLineEdit(placeholderText="Filter by ref, title, status, priority (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Filter cases")
        self.status = QComboBox()
        self.status.setAccessibleName("Status filter")
        self.status.addItem("Any status", None)
        for status in CaseStatus:
            self.status.addItem(status.title, status.value)
        self.new_button = QPushButton("&New case…")
        self.count = QLabel()
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.status)
        bar.addWidget(self.new_button)
        layout.addLayout(bar)
        self.model = CaseListModel(self)
        self.table = CaseTable()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(7, Qt.SortOrder.DescendingOrder)
        header = self.table.horizontalHeader()
        for column, width in enumerate(_WIDTHS):
            header.resizeSection(column, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.filter.textChanged.connect(self._filter_changed)
        self.filter.returnPressed.connect(self._open_from_filter)
        self.status.currentIndexChanged.connect(self._filter_changed)
        self.table.open_requested.connect(self._open_index)
        self.model.filter_applied.connect(self._filter_applied)
        self._open_when_filtered = False  # Enter pressed while the typed filter was pending
        self.last_load_ms = 0.0
        self.last_filter_ms = 0.0

    def reload(self, changed: set[str] | None = None) -> None:
        """Fetch the list again, keeping the selected case selected; ``changed``: the refs of
        the cases that changed, when known (only their filter texts are read again)."""
        if self.ctx is None:
            if self.model.source is not None:
                self._keep_selection(self.model.reload)
            return
        started = time.perf_counter()
        if self.model.source is None:
            from caseapp.services.cases.caselist_source import open_case_list

            self.set_source(open_case_list(self.ctx.ws))
        else:
            self._keep_selection(lambda: self.model.reload(changed))
            self._update_count()
            self.loaded.emit(self.model.total())
        self.last_load_ms = (time.perf_counter() - started) * 1000

    def set_source(self, source: Any) -> None:
        """Show the case list of ``source`` (a CaseListSource), keeping the selected case
        selected; the panel closes it when another replaces it or on :meth:`release`."""
        old = self.model.source
        self._keep_selection(lambda: self.model.set_source(source))
        if old is not None and old is not source:
            old.close()
        self._update_count()
        self.loaded.emit(self.model.total())

    def release(self) -> None:
        """Close the source's connection (the panel is going away)."""
        source, self.model.source = self.model.source, None
        if source is not None:
            source.close()

    def _keep_selection(self, change: Any) -> None:
        current = self.selected_ref()
        change()
        if current:
            self.select_ref(current)

    def view_state(self) -> dict[str, Any]:
        """Filter, status, sort and selection (to carry them from the preview to the page)."""
        header = self.table.horizontalHeader()
        return {"text": self.filter.text(), "status": self.status.currentIndex(),
                "sort": (header.sortIndicatorSection(), header.sortIndicatorOrder()),
                "selected": self.selected_ref(), "focus": self.filter.hasFocus()}

    def restore_view_state(self, state: dict[str, Any]) -> None:
        self.table.sortByColumn(*state["sort"])
        self.status.setCurrentIndex(state["status"])
        self.filter.setText(state["text"])
        if state["selected"]:
            self.select_ref(state["selected"])
        if state["focus"]:
            self.filter.setFocus()

    def _filter_changed(self) -> None:
        started = time.perf_counter()
        self._keep_selection(lambda: self.model.set_filter(self.filter.text(),
                                                           self.status.currentData()))
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))
        self._update_count()
        self.last_filter_ms = (time.perf_counter() - started) * 1000

    def _filter_applied(self) -> None:
        """A filter typed before the filter texts were in now shows (the model reset)."""
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))
        self._update_count()
        if self._open_when_filtered:
            self._open_when_filtered = False
            self._open_from_filter()

    def _update_count(self) -> None:
        shown, total = self.model.matching(), self.model.total()
        self.count.setText(f"{total:,} cases" if shown == total else
                           f"{shown:,} of {total:,} cases")

    def selected_ref(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(ROW_ROLE).ref if index.isValid() else None

    def select_ref(self, ref: str) -> bool:
        """Make ``ref`` the current row if it is visible (fetching rows up to it)."""
        row = self.model.row_of(ref)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        return True

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_case.emit(index.data(ROW_ROLE).ref)

    def _open_from_filter(self) -> None:
        if self.model.pending():  # the rows are not filtered yet: open from them once they are
            self._open_when_filtered = True
            return
        index = self.table.currentIndex()
        if not index.isValid() and self.model.rowCount():
            index = self.model.index(0, 0)
        self._open_index(index)

    def focus_find(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

"""The Audit page: the hash-chained audit log in words, filters, CSV export and Verify.

Events are read through :mod:`caseapp.services.maintenance.audit_events` (the action in
words, the case and record refs, one line of what changed); the pane under the table shows
the selected entry whole, as plain text. Filters by case, event, person and date apply to the
table, the count and the CSV export alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.maintenance.audit_model import AuditEventModel
from caseapp.ui.widgets.common import Banner, action_button
from caseapp.ui.widgets.panes import Page
from caseapp.ui.widgets.records import read_only_table
from caseapp.ui.workers import TaskControl, TaskHandle

if TYPE_CHECKING:
    from caseapp.services.maintenance.audit_events import AuditEvent, AuditFilter
    from caseapp.services.maintenance.verify import VerifyReport


_ANY_DATE = QDate(2000, 1, 1)


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(_ANY_DATE)
    edit.setSpecialValueText("any date")  # shown at the minimum date
    edit.setDate(_ANY_DATE)
    edit.setAccessibleName(name)
    return edit


#: Cases offered in the case filter (the newest; a choice list of 100,000 is of no use).
CASE_CHOICES = 1000


class AuditPage(Page):
    """Newest entries first, loaded page by page; Verify re-hashes every blob and the chain."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.verify_handle: TaskHandle | None = None
        self.export_handle: TaskHandle | None = None
        self.last_report: VerifyReport | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.verify_button = action_button(
            "&Verify store", self.verify,
            "Re-hash every exhibit and check the audit chain, in the background")
        self.cancel_button = action_button("&Cancel", self.cancel_verify)
        self.cancel_button.hide()
        self.refresh_button = action_button("&Refresh", self.refresh)
        self.export_button = action_button("E&xport CSV…", self.export_csv,
                                           "Save the entries the filters show as a CSV file")
        self.progress = QProgressBar()
        self.progress.hide()
        self.count = QLabel()
        bar.addWidget(self.verify_button)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.progress, 1)
        bar.addStretch(1)
        bar.addWidget(self.count)
        bar.addWidget(self.export_button)
        bar.addWidget(self.refresh_button)
        layout.addLayout(bar)

        filters = QHBoxLayout()
        self.case_filter = QComboBox()
        self.case_filter.setAccessibleName("Filter by case")
        self.action_filter = QComboBox()
        self.action_filter.setAccessibleName("Filter by event")
        self.actor_filter = QComboBox()
        self.actor_filter.setAccessibleName("Filter by person")
        self.since_edit = _date_edit("Entries from (date)")
        self.until_edit = _date_edit("Entries up to (date)")
        self.clear_button = action_button("C&lear filters", self.clear_filters)
        for text, widget in (("C&ase:", self.case_filter), ("&Event:", self.action_filter),
                             ("&By:", self.actor_filter), ("&From:", self.since_edit),
                             ("&To:", self.until_edit)):
            caption = QLabel(text)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget, 1 if isinstance(widget, QComboBox) else 0)
        filters.addWidget(self.clear_button)
        layout.addLayout(filters)
        self.banner = Banner()
        layout.addWidget(self.banner)

        self.model = AuditEventModel(self._fetch, self)
        self.table = read_only_table(self.model, "Audit log")
        header = self.table.horizontalHeader()
        em = self.fontMetrics().horizontalAdvance("m")
        for column, width in enumerate((4, 13.5, 8, 14, 9.5, 12)):
            header.resizeSection(column, round(width * em))
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName("The selected audit entry in full")
        self.detail.setPlaceholderText("Select an entry to read it in full.")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([460, 180])
        layout.addWidget(splitter, 1)

        for combo in (self.case_filter, self.action_filter, self.actor_filter):
            combo.activated.connect(lambda _i: self.apply_filters())
        for edit in (self.since_edit, self.until_edit):
            edit.dateChanged.connect(lambda _d: self.apply_filters())
        self.table.selectionModel().currentRowChanged.connect(self._show_current)
        self.model.modelReset.connect(lambda: self._show_current(QModelIndex()))
        self.refresh()

    # -- data --------------------------------------------------------------------------------
    def current_filter(self) -> AuditFilter:
        """The :class:`AuditFilter` the filter widgets describe."""
        from caseapp.services.maintenance.audit_events import AuditFilter

        def day(edit: QDateEdit, extra: int) -> datetime | None:
            date = edit.date()
            if date == _ANY_DATE:
                return None
            local = datetime(date.year(), date.month(), date.day()) + timedelta(days=extra)
            return local.astimezone()  # local midnight, aware

        action = self.action_filter.currentData()
        return AuditFilter(case=self.case_filter.currentData() or None,
                           actions=(action,) if action else (),
                           actor=self.actor_filter.currentData() or None,
                           since=day(self.since_edit, 0), until=day(self.until_edit, 1))

    def _fetch(self, before_id: int | None, limit: int) -> list[AuditEvent]:
        from caseapp.services.maintenance import audit_events

        return audit_events.list_events(self.ctx.ws, self.current_filter(),
                                        before_id=before_id, limit=limit)

    def _fill_choices(self) -> None:
        from caseapp.services.cases.caselist import case_refs
        from caseapp.services.maintenance import audit_events

        actions, actors = audit_events.distinct_values(self.ctx.ws)
        refs = case_refs(self.ctx.ws, CASE_CHOICES)
        for combo, everything, values in (
                (self.case_filter, "All cases", [(r, r) for r in refs]),
                (self.action_filter, "All events",
                 [(audit_events.action_words(a), a) for a in actions]),
                (self.actor_filter, "Everyone", [(a, a) for a in actors])):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, "")
            for text, value in values:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(keep)))
            combo.blockSignals(False)

    def refresh(self) -> None:
        """Reload the filter choices and the entries, from the newest."""
        self._fill_choices()
        self.apply_filters()

    def apply_filters(self) -> None:
        """Show the entries the filters select."""
        from caseapp.services.maintenance import audit_events

        flt = self.current_filter()
        self.model.reload()
        shown = audit_events.count_events(self.ctx.ws, flt)
        total = audit_events.count_events(self.ctx.ws)
        self.count.setText(f"{total:,} entries" if shown == total
                           else f"{shown:,} of {total:,} entries")
        if self.model.rowCount():
            self.table.selectRow(0)

    def clear_filters(self) -> None:
        for combo in (self.case_filter, self.action_filter, self.actor_filter):
            combo.setCurrentIndex(0)
        for edit in (self.since_edit, self.until_edit):
            edit.blockSignals(True)
            edit.setDate(_ANY_DATE)
            edit.blockSignals(False)
        self.apply_filters()

    def _show_current(self, current: QModelIndex, _previous: object = None) -> None:
        if not current.isValid() or current.row() >= self.model.rowCount():
            self.detail.clear()
            return
        self.detail.setPlainText(self.model.record(current.row()).full_text())

    def focus_find(self) -> None:
        """Ctrl+F: the case filter."""
        self.case_filter.setFocus()

    def export_csv(self) -> TaskHandle | None:
        """Ask where, then write the filtered log as CSV in the background."""
        from caseapp.services.maintenance import audit_events

        if self.export_handle is not None:
            return self.export_handle
        path, _kind = QFileDialog.getSaveFileName(self, "Export the audit log",
                                                  "audit-log.csv", "CSV files (*.csv)")
        if not path:
            return None
        flt = self.current_filter()

        def work(control: TaskControl) -> int:
            return audit_events.write_csv(self.ctx.ws, flt, path)

        self.export_button.setEnabled(False)
        handle = self.ctx.runner.submit(work, name="audit-csv")
        self.export_handle = handle
        handle.succeeded.connect(lambda n: self.banner.show_text(
            f"Exported {n:,} audit entries to {path}.", "ok"))
        handle.failed.connect(lambda exc: self.banner.show_text(
            self.ctx.report_error(exc, "Exporting the audit log"), "error"))
        handle.finished.connect(self._export_finished)
        log_event("audit.exported")
        return handle

    def _export_finished(self) -> None:
        self.export_handle = None
        self.export_button.setEnabled(True)

    def verify(self) -> TaskHandle | None:
        """Start verifying the whole store in the background."""
        from caseapp.services.maintenance import verify

        if self.verify_handle is not None:
            return self.verify_handle

        def work(control: TaskControl) -> VerifyReport:
            return verify.verify_store(self.ctx.ws, progress=control.progress,
                                          cancel=control.cancelled)

        self.banner.hide()
        self.verify_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.progress.setRange(0, 0)
        self.progress.show()
        log_event("store.verify-started")
        handle = self.ctx.runner.submit(work, name="verify")
        self.verify_handle = handle
        handle.progressed.connect(self._progressed)
        handle.succeeded.connect(self._verified)
        handle.failed.connect(lambda exc: self.banner.show_text(
            self.ctx.report_error(exc, "Verify"), "error"))
        handle.finished.connect(self._verify_finished)
        return handle

    def cancel_verify(self) -> None:
        if self.verify_handle is not None:
            self.verify_handle.cancel()
            self.cancel_button.setEnabled(False)

    def _progressed(self, done: int, total: int, _text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done:,} of {total:,} exhibits")

    def _verified(self, report: VerifyReport) -> None:
        self.last_report = report
        cancelled = self.verify_handle is not None and self.verify_handle.cancel_requested
        log_event("store.verify-finished", ok=int(report.ok), problems=len(report.problems))
        if report.ok and not cancelled:
            self.banner.show_text(f"Verified: {report.blobs_checked} exhibit file(s) and "
                                  f"{report.audit_entries} audit entries are intact.", "ok")
        elif report.ok:
            self.banner.show_text(f"Verify cancelled after {report.blobs_checked} exhibit "
                                  "file(s); no problem found so far.", "warn")
        else:
            lines = [f"{p['kind']} at {p['where']}: {p['detail']}" for p in report.problems]
            shown = "\n".join(lines[:20]) + (f"\n… and {len(lines) - 20} more"
                                              if len(lines) > 20 else "")
            self.banner.show_text(f"Verify found {len(lines)} problem(s):\n{shown}", "error")
        self.ctx.show_message("Verify finished: " + ("no problems." if report.ok else
                                                     f"{len(report.problems)} problem(s)."),
                              error=not report.ok)
        self.refresh()

    def _verify_finished(self) -> None:
        self.verify_handle = None
        self.verify_button.setEnabled(True)
        self.cancel_button.hide()
        self.progress.hide()

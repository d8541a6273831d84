"""The Audit page: the hash-chained audit log (read-only) and a background Verify."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.widgets.common import Banner
from caseapp.ui.widgets.panes import Page
from caseapp.ui.widgets.tables import AuditTableModel
from caseapp.ui.workers import TaskControl, TaskHandle


class AuditPage(Page):
    """Newest entries first, loaded page by page; Verify re-hashes every blob and the chain."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.verify_handle: TaskHandle | None = None
        self.last_report: Any = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.verify_button = QPushButton("&Verify store")
        self.verify_button.setToolTip("Re-hash every exhibit and check the audit chain, in the "
                                      "background")
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.hide()
        self.refresh_button = QPushButton("&Refresh")
        self.progress = QProgressBar()
        self.progress.hide()
        self.count = QLabel()
        bar.addWidget(self.verify_button)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.progress, 1)
        bar.addStretch(1)
        bar.addWidget(self.count)
        bar.addWidget(self.refresh_button)
        layout.addLayout(bar)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.model = AuditTableModel(self._fetch, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setAccessibleName("Audit log")
        header = self.table.horizontalHeader()
        for column, width in enumerate((60, 170, 110, 150, 180)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.verify_button.clicked.connect(self.verify)
        self.cancel_button.clicked.connect(self.cancel_verify)
        self.refresh_button.clicked.connect(self.refresh)
        self.refresh()

    def _fetch(self, before_id: int | None, limit: int) -> list[Any]:
        from caseapp.services.maintenance import auditlog

        return auditlog.list_audit(self.ctx.ws, before_id=before_id, limit=limit)

    def refresh(self) -> None:
        """Reload from the newest entry."""
        from caseapp.services.maintenance import auditlog

        self.model.reload()
        self.count.setText(f"{auditlog.audit_count(self.ctx.ws):,} entries")

    def focus_find(self) -> None:
        """Ctrl+F: the log itself (it has no filter box yet)."""
        self.table.setFocus()

    def verify(self) -> TaskHandle | None:
        """Start verifying the whole store in the background."""
        from caseapp.services.maintenance import verify

        if self.verify_handle is not None:
            return self.verify_handle

        def work(control: TaskControl) -> Any:
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

    def _verified(self, report: Any) -> None:
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

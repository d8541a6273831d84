"""Evidence tab: exhibits, drag-and-drop ingest in the background, custody, open/export/verify."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QLabel,
    QProgressDialog,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain.text import visible
from caseapp.ui.cases.dialogs import WithdrawDialog
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.evidence.acquisition import AcquisitionFields
from caseapp.ui.formatting import human_size, local_time
from caseapp.ui.widgets.columns import set_widths
from caseapp.ui.widgets.common import (
    Banner,
    action_button,
    button_row,
    open_dialog,
    run_with_progress,
)
from caseapp.ui.widgets.hash_field import HashField
from caseapp.ui.widgets.panes import CaseTab
from caseapp.ui.widgets.records import Column, RecordTableModel, read_only_table
from caseapp.ui.workers import TaskControl, TaskHandle

T = TypeVar("T")

if TYPE_CHECKING:
    from caseapp.domain.models import CustodyEvent, Evidence
    from caseapp.services.evidence.evidence import ExhibitCheck, IngestOutcome


EXHIBIT_COLUMNS: list[Column[Evidence]] = [
    Column("Exhibit", lambda e: e.exhibit),
    Column("Title", lambda e: e.title, tooltip=lambda e: e.original_name),
    Column("Size", lambda e: human_size(e.size), right=True),
    Column("SHA-256", lambda e: e.sha256, tooltip=lambda e: e.sha256),
    Column("Acquired", lambda e: local_time(e.acquired_at)),
    Column("Acquired by", lambda e: e.acquired_by),
    Column("State", lambda e: f"Withdrawn {local_time(e.withdrawn_at)}" if e.withdrawn_at
           else "In evidence", colour=lambda e: "warn" if e.withdrawn_at else None),
]


def _custody_detail(event: CustodyEvent) -> str:
    try:
        detail = json.loads(event.detail)
    except ValueError:
        return event.detail
    return ", ".join(f"{k}: {v}" for k, v in detail.items() if v not in (None, ""))


CUSTODY_COLUMNS: list[Column[CustodyEvent]] = [
    Column("When", lambda c: local_time(c.at, seconds=True)),
    Column("Action", lambda c: c.action),
    Column("By", lambda c: c.actor),
    Column("Detail", _custody_detail, tooltip=_custody_detail),
    Column("SHA-256", lambda c: c.sha256[:16] + "…" if c.sha256 else "",
           tooltip=lambda c: c.sha256),
]




class EvidenceTab(CaseTab):
    """Exhibits of a case; files dropped on the tab (or chosen with Add) are ingested."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_ref, parent)
        self.setAcceptDrops(True)
        self.ingest_handle: TaskHandle | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.dialog: WithdrawDialog | None = None
        layout = QVBoxLayout(self)
        self.add_button = action_button(
            "&Add files…", self.choose_files,
            "Add evidence files (Ctrl+I), or drop files on this tab")
        self.open_button = action_button("&Open", self.open_selected)
        self.export_button = action_button("E&xport original…", self.export_selected)
        self.verify_button = action_button("&Verify", self.verify_selected)
        self.withdraw_button = action_button("&Withdraw…", self.withdraw_selected)
        hint = QLabel("Drop files here to add them as exhibits")
        hint.setEnabled(False)
        button_row(layout, self.add_button, self.open_button, self.export_button,
                   self.verify_button, self.withdraw_button).addWidget(hint)
        from caseapp.services.evidence.evidence import current_user

        self.acquisition = AcquisitionFields(current_user(), self)
        layout.addWidget(self.acquisition)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.model = RecordTableModel(EXHIBIT_COLUMNS, self)
        self.model.dim = lambda e: e.withdrawn_at is not None
        self.table = read_only_table(self.model, "Exhibits")
        set_widths(self.table, (70, 260, 80, 200, 150, 120, 160), 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.hash_field = HashField(ctx, "exhibit", self)
        self.sha = self.hash_field.edit
        self.copy_sha = self.hash_field.copy
        self.info = QLabel(wordWrap=True)
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("SHA-256:", self.hash_field)
        form.addRow("Details:", self.info)
        lower_layout.addLayout(form)
        lower_layout.addWidget(QLabel("Chain of custody of the selected exhibit:"))
        self.custody_model = RecordTableModel(CUSTODY_COLUMNS, self)
        self.custody = read_only_table(self.custody_model, "Chain of custody")
        set_widths(self.custody, (180, 90, 110), 3)
        lower_layout.addWidget(self.custody, 1)
        splitter.addWidget(lower)
        splitter.setSizes([320, 260])
        layout.addWidget(splitter, 1)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self._show_selected()

    # -- data --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the exhibit list, keeping the selected exhibit."""
        from caseapp.services.evidence import evidence

        keep = self.selected()
        keep_id = keep.id if keep else None
        self.model.set_records(evidence.list_evidence(self.ctx.ws, self.case_ref))
        rows = [i for i, e in enumerate(self.model.records) if e.id == keep_id]
        if rows or self.model.rowCount():
            self.table.selectRow(rows[0] if rows else 0)
        self._show_selected()

    def selected(self) -> Evidence | None:
        return self.model.record_at(self.table.currentIndex())

    def select_exhibit(self, exhibit: str) -> bool:
        for row, record in enumerate(self.model.records):
            if record.exhibit == exhibit:
                self.table.selectRow(row)
                return True
        return False

    def select_record(self, record_type: str, record_id: int | None,
                      exhibit: str | None) -> bool:
        if record_type != "exhibit" or not exhibit or not self.select_exhibit(exhibit):
            return False
        self.table.setFocus()
        return True

    def _show_selected(self) -> None:
        from caseapp.services.evidence import evidence

        ev = self.selected()
        for button in (self.open_button, self.export_button, self.verify_button):
            button.setEnabled(ev is not None)
        self.withdraw_button.setEnabled(ev is not None and ev.withdrawn_at is None)
        if ev is None:
            self.hash_field.show_hash(None)
            self.info.clear()
            self.custody_model.set_records([])
            return
        self.hash_field.show_hash(ev.sha256)
        lines = [f"{ev.original_name} · {ev.media_type} · {ev.size:,} bytes"]
        hidden = evidence.hidden_name_characters(ev)
        if hidden:
            lines.append(f"⚠ The name or title holds hidden characters ({', '.join(hidden)}) "
                         "that change how it reads; they are shown as ⟨U+…⟩.")
        if ev.acquired_from or ev.acquisition_method:
            method = ev.acquisition_method or "method not stated"
            lines.append(f"From {ev.acquired_from or '?'} ({method})")
        if ev.description:
            lines.append(ev.description)
        if ev.withdrawn_at:
            lines.append(f"Withdrawn {local_time(ev.withdrawn_at)} by {ev.withdrawn_by}: "
                         f"{ev.withdrawn_reason}")
        self.info.setText(visible("\n".join(lines)))
        assert ev.id is not None  # a listed exhibit is stored
        self.custody_model.set_records(evidence.custody_log(self.ctx.ws, ev.id))

    # -- drag and drop -----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if _local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if _local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = _local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_files(paths)

    # -- ingest ------------------------------------------------------------------------------
    def choose_files(self) -> None:
        """Ask for files to add."""
        names, _ = QFileDialog.getOpenFileNames(self, f"Add evidence to {self.case_ref}")
        if names:
            self.add_files([Path(n) for n in names])

    def add_files(self, paths: list[Path]) -> None:
        """Ingest ``paths`` in the background behind a progress dialog with Cancel."""
        from caseapp.services.evidence import evidence

        if self.ingest_handle is not None:
            self.banner.show_text("An ingest is already running; wait for it to finish.", "warn")
            return
        total = len(paths)
        ref = self.case_ref
        acquisition = self.acquisition.acquisition()

        def work(control: TaskControl) -> list[IngestOutcome]:
            return evidence.ingest_files(self.ctx.ws, ref, paths, acquisition=acquisition,
                                         progress=control.progress, cancel=control.cancelled)

        log_event("evidence.ingest-started", case=ref, files=total)
        self.ingest_handle, self.progress_dialog = run_with_progress(
            self.ctx, self, f"Adding {total} file(s) to {ref}", work, name="ingest",
            on_done=self._ingested, on_error=self._ingest_failed)
        self.ingest_handle.finished.connect(self._ingest_finished)

    def _ingest_finished(self) -> None:
        self.ingest_handle = None
        self.progress_dialog = None

    def _ingested(self, outcomes: list[IngestOutcome]) -> None:
        added = [o.evidence.exhibit for o in outcomes if o.evidence is not None]
        dups = [f"{Path(o.path).name} (same as {o.duplicate_of})" for o in outcomes
                if o.duplicate_of]
        cancelled = any(o.error == "cancelled" for o in outcomes)
        errors = [f"{Path(o.path).name}: {o.error}" for o in outcomes
                  if o.error and o.error != "cancelled"]
        parts = []
        if added:
            parts.append(f"Added {', '.join(added)}.")
        if dups:
            parts.append("Already in evidence: " + "; ".join(dups) + ".")
        if errors:
            parts.append("Not added: " + "; ".join(errors))
        if cancelled:
            parts.append("Cancelled; the file being added was not stored.")
        kind = "error" if errors else "warn" if (dups or cancelled) else "ok"
        self.banner.show_text(" ".join(parts) or "Nothing was added.", kind)
        log_event("evidence.ingest-finished", case=self.case_ref, added=len(added),
                  duplicates=len(dups), errors=len(errors), cancelled=int(cancelled))
        if added:
            self.refresh()
            self.select_exhibit(added[-1])
            self.ctx.notify_changed(self.case_ref)

    def _ingest_failed(self, exc: BaseException) -> None:
        self.banner.show_text(self.ctx.report_error(exc, "Adding evidence"), "error")

    # -- exhibit actions ---------------------------------------------------------------------
    def _run(self, title: str, fn: Callable[[Evidence, TaskControl], T],
             on_done: Callable[[T], None]) -> None:
        ev = self.selected()
        if ev is None:
            self.ctx.show_message("Select an exhibit first.", error=True)
            return
        run_with_progress(self.ctx, self, title.format(ev=ev.exhibit), lambda c: fn(ev, c),
                          name=title, on_done=on_done,
                          on_error=lambda e: self.banner.show_text(
                              self.ctx.report_error(e, title.format(ev=ev.exhibit)), "error"))

    def open_selected(self) -> None:
        """Decrypt the exhibit to the private folder and open it in the system viewer."""
        from caseapp.services.evidence import evidence

        def opened(path: Path) -> None:
            ok = QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
            if not ok:
                self.banner.show_text("No application could open this file type.", "warn")
            self._show_selected()

        self._run("Opening {ev}", lambda ev, _c: evidence.open_exhibit(
            self.ctx.ws, self.case_ref, ev.exhibit), opened)

    def export_selected(self) -> None:
        """Write the exhibit's original bytes where the user chooses."""
        from caseapp.services.evidence import evidence

        ev = self.selected()
        if ev is None:
            return
        target, _ = QFileDialog.getSaveFileName(self, f"Export original of {ev.exhibit}",
                                                ev.original_name)
        if not target:
            return

        def done(path: Path) -> None:
            self.banner.show_text(f"Exported {ev.exhibit} to {path}.", "ok")
            self._show_selected()

        self._run("Exporting {ev}", lambda e, c: evidence.export_original(
            self.ctx.ws, self.case_ref, e.exhibit, Path(target), progress=c.progress,
            cancel=c.cancelled), done)

    def verify_selected(self) -> None:
        """Re-hash the exhibit from the vault; the result goes to its custody log."""
        from caseapp.services.evidence import evidence

        def done(check: ExhibitCheck) -> None:
            self.banner.show_text(f"{check.exhibit}: {check.detail}.",
                                  "ok" if check.ok else "error")
            self._show_selected()

        self._run("Verifying {ev}", lambda ev, _c: evidence.verify_exhibit(
            self.ctx.ws, self.case_ref, ev.exhibit), done)

    def withdraw_selected(self) -> WithdrawDialog | None:
        """Ask for a reason, then withdraw the exhibit."""
        ev = self.selected()
        if ev is None or ev.withdrawn_at is not None:
            return None
        dialog = WithdrawDialog(ev.exhibit, ev.title, self)
        self.dialog = open_dialog(dialog, lambda d: self._withdraw(d, ev.exhibit))
        return dialog

    def _withdraw(self, dialog: WithdrawDialog, exhibit: str) -> None:
        from caseapp.services.evidence import evidence

        try:
            evidence.withdraw(self.ctx.ws, self.case_ref, exhibit, dialog.text())
        except Exception as exc:  # noqa: BLE001 - back to the dialog with the reason kept
            dialog.error.show_error(self.ctx.report_error(exc, f"Withdraw {exhibit}"))
            dialog.open()
            return
        log_event("evidence.withdrawn", case=self.case_ref, exhibit=exhibit)
        self.banner.show_text(f"{exhibit} withdrawn; the reason is in its custody log.", "ok")
        self.refresh()
        self.ctx.notify_changed(self.case_ref)


def _local_paths(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def add_evidence(_ctx: AppContext, _case_ref: str, view: QWidget) -> None:
    """Case action: choose files to add as exhibits of the case in front."""
    from caseapp.ui.cases.case_view import CaseView

    if isinstance(view, CaseView):
        view.show_tab_of(EvidenceTab).choose_files()

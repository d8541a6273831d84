"""Attachments of a tip: files hashed and encrypted into the vault in the background."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.tips.identifiers import record_table
from caseapp.ui.tips.models import ATTACHMENT_COLUMNS
from caseapp.ui.tips.panel import TipPanel
from caseapp.ui.widgets.columns import set_widths
from caseapp.ui.widgets.common import Banner, action_button, run_with_progress
from caseapp.ui.widgets.records import RecordTableModel
from caseapp.ui.workers import TaskControl, TaskHandle

if TYPE_CHECKING:
    from caseapp.services.tips.views import TipView



class AttachmentsPanel(TipPanel):
    """Files attached to the tip, stored encrypted in the vault with their SHA-256."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.handle: TaskHandle | None = None
        self.progress_dialog: QProgressDialog | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.add_button = action_button("Attach f&iles…", self.choose_files)
        bar.addWidget(self.add_button)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        bar.addWidget(self.hint, 1)
        layout.addLayout(bar)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.model = RecordTableModel(ATTACHMENT_COLUMNS, self)
        self.model.dim = lambda a: a.withdrawn
        self.table = record_table(self.model, "Attachments")
        set_widths(self.table, (90, 220, 110, 130, 200), 1)
        layout.addWidget(self.table, 1)
        self.set_tip(None)

    def set_tip(self, tip: TipView | None) -> None:
        self.tip = tip
        self.model.set_records(list(tip.attachments) if tip is not None else [])
        self.add_button.setEnabled(tip is not None and self.handle is None)
        self.hint.setText("Files are hashed and encrypted into the vault." if tip is not None
                          else "Save the new tip first, then attach files to it.")

    def choose_files(self) -> None:
        """Ask for files to attach."""
        if self.tip is None:
            return
        names, _ = QFileDialog.getOpenFileNames(self, f"Attach files to {self.tip.ref}")
        if names:
            self.add_files([Path(n) for n in names])

    def add_files(self, paths: list[Path]) -> None:
        """Attach ``paths`` in the background, behind a progress dialog with Cancel."""
        from caseapp.services.tips import casework

        if self.tip is None or self.handle is not None:
            return
        ref, total = self.tip.ref, len(paths)

        def work(control: TaskControl) -> list[tuple[str, str]]:
            outcomes: list[tuple[str, str]] = []
            for index, path in enumerate(paths):
                if control.cancelled():
                    outcomes.append((path.name, "cancelled"))
                    continue

                def progress(done: int, size: int, _stage: str = "", i: int = index,
                             p: Path = path) -> None:
                    control.progress(done, size, f"Hashing and encrypting file {i + 1} of "
                                     f"{total}: {p.name}")
                try:
                    ev = casework.add_attachment(self.ctx.ws, ref, path, progress=progress,
                                                   cancel=control.cancelled)
                except Exception as exc:  # noqa: BLE001 - reported per file
                    from caseapp.ui.errors import user_message

                    outcomes.append((path.name, "cancelled" if control.cancelled()
                                     else f"error: {user_message(exc)}"))
                else:
                    outcomes.append((path.name, ev.exhibit))
            return outcomes

        self.add_button.setEnabled(False)
        self.handle, self.progress_dialog = run_with_progress(
            self.ctx, self, f"Attaching {total} file(s) to {ref}", work, name="tip-attach",
            on_done=lambda out: self._done(ref, out),
            on_error=lambda e: self.banner.show_text(self.ctx.report_error(e, "Attach"),
                                                     "error"))
        self.handle.finished.connect(self._finished)

    def _finished(self) -> None:
        self.handle = self.progress_dialog = None
        self.add_button.setEnabled(self.tip is not None)

    def _done(self, ref: str, outcomes: list[tuple[str, str]]) -> None:
        added = [f"{name} as {what}" for name, what in outcomes
                 if not what.startswith("error") and what != "cancelled"]
        failed = [f"{name}: {what[7:]}" for name, what in outcomes if what.startswith("error")]
        cancelled = [name for name, what in outcomes if what == "cancelled"]
        parts = []
        if added:
            parts.append("Attached " + ", ".join(added) + ".")
        if failed:
            parts.append("Not attached: " + "; ".join(failed) + ".")
        if cancelled:
            parts.append(f"Cancelled: {', '.join(cancelled)} (nothing stored for them).")
        kind = "error" if failed else "warn" if cancelled else "ok"
        self.banner.show_text(" ".join(parts) or "Nothing was attached.", kind)
        log_event("tip.attachments-added", tip=ref, added=len(added), failed=len(failed))
        if added:
            self.changed.emit(ref)

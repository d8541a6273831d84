"""The Export PDF dialog: options, then the export in a worker with progress and Cancel.

The dialog stays open while the export runs (behind a window-modal progress dialog); a
problem the user can fix (a non-empty package folder, a missing folder, an exhibit that does
not verify) comes back inline under the field or at the foot of the dialog. On success the
dialog closes and the in-app preview opens.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.casefile.form import ExportForm, ExportRequest
from caseapp.ui.casefile.preview import ExportPreview, PreviewTarget
from caseapp.ui.casefile.widgets import InlineLabel
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.widgets.common import run_with_progress
from caseapp.ui.workers import TaskControl, TaskHandle


class ExportDialog(QDialog):
    """Options of one PDF export of ``case_ref``; Export runs it in the background."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_ref = case_ref
        self.handle: TaskHandle | None = None
        self.progress: QProgressDialog | None = None
        self.preview: ExportPreview | None = None
        self.setWindowTitle(f"Export PDF case file — {case_ref}")
        layout = QVBoxLayout(self)
        # The dialog grows when an inline message appears instead of squashing the fields.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        intro = QLabel("The case file leaves the app in clear unless you set a password. Each "
                       "export is recorded in the case's export history, the audit log and "
                       "every exhibit's chain of custody.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.form = ExportForm(case_ref)
        from caseapp.ui.investigator import prepared_by_default

        name = prepared_by_default(ctx)  # the investigator profile, not the OS account
        if name:
            self.form.prepared_by.setText(name)
        layout.addWidget(self.form)
        self.error = InlineLabel()
        layout.addWidget(self.error)
        box = QDialogButtonBox()
        self.export_button: QPushButton = box.addButton(
            "&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.cancel_button = box.addButton(QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.start_export)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.form.messages_changed.connect(self.fit_height)
        self.form.recipient.setFocus()
        self.resize(max(920, self.sizeHint().width()), self.sizeHint().height())
        self._before_messages: int | None = None
        self._auto_height: int | None = None
        self.fit_height()

    def fit_height(self) -> None:
        """Grow to fit wrapped inline messages (minimum sizes ignore height-for-width), and
        go back to the earlier height once every message is gone, unless the user resized
        the dialog meanwhile (a cleared error used to leave a blank gap)."""
        from caseapp.ui.widgets.common import ErrorLabel

        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        need = layout.totalHeightForWidth(self.width())
        if need > self.height():
            if self._before_messages is None:
                self._before_messages = self.height()
            self.resize(self.width(), need)
            self._auto_height = self.height()
            return
        shown = any(label.isVisibleTo(self) for label in self.findChildren(ErrorLabel))
        if not shown and self._before_messages is not None:
            if self.height() == self._auto_height:
                self.resize(self.width(), self._before_messages)
            self._before_messages = None

    def start_export(self) -> TaskHandle | None:
        """Validate, then run the export behind a progress dialog; returns the task."""
        if self.handle is not None:
            return self.handle
        self.error.clear_error()
        self.fit_height()
        request = self.form.collect()
        if request is None:
            return None
        try:
            request.options.validated(self.case_ref)
        except ValueError as exc:  # OptionsError: a value the form did not catch itself
            self.error.show_error(str(exc))
            self.fit_height()
            return None
        self.export_button.setEnabled(False)
        log_event("export.started", case=self.case_ref)
        self.handle, self.progress = run_with_progress(
            self.ctx, self, f"Exporting {self.case_ref}", self._work(request),
            name="export-pdf", on_done=lambda result: self._done(request, result),
            on_error=self._failed)
        self.progress.setLabelText("Preparing the export…")
        self.handle.finished.connect(self._finished)
        return self.handle

    def _work(self, request: ExportRequest) -> Any:
        from caseapp.services.casefile import exports

        ws, ref = self.ctx.ws, self.case_ref

        def work(control: TaskControl) -> Any:

            return exports.export_case_file(ws, ref, request.out, request.options,
                                            progress=control.progress, cancel=control.cancelled)
        return work

    def _finished(self) -> None:
        self.handle = None
        self.progress = None
        self.export_button.setEnabled(True)

    def _done(self, request: ExportRequest, result: Any) -> None:
        log_event("export.done", case=self.case_ref, pages=result.pages,
                  package=int(result.package is not None))
        self.ctx.notify_changed(self.case_ref)
        self.ctx.show_message(f"Exported {self.case_ref}: {result.pages} pages, "
                              f"{result.bates_first} to {result.bates_last}.")
        self.accept()
        self.preview = ExportPreview(self.ctx, PreviewTarget.from_result(result),
                                     password=request.options.password,
                                     parent=self.parentWidget())
        self.preview.show()

    def _failed(self, exc: BaseException) -> None:
        from caseapp.services.errors import Cancelled, Conflict

        if isinstance(exc, Cancelled):
            log_event("export.cancelled", case=self.case_ref)
            self.error.show_hint("Export cancelled; no file was written and nothing was "
                                 "recorded.")
            self.ctx.show_message("Export cancelled.")
            self.fit_height()
            return
        log_event("export.failed", case=self.case_ref, error=type(exc).__name__)
        text = self.ctx.report_error(exc, "Export PDF")
        if isinstance(exc, Conflict) and self.form.use_package.isChecked():
            self.form.package_error.show_error(text)
            self.form.package_path.setFocus()
        else:
            self.error.show_error(text)
        self.fit_height()

    def reject(self) -> None:
        """Esc/Cancel: while an export runs, cancel it instead of closing under it."""
        if self.handle is not None:
            self.handle.cancel()
            return
        super().reject()


def open_export_dialog(ctx: AppContext, case_ref: str, parent: QWidget) -> ExportDialog:
    """Show the export dialog of ``case_ref`` (the one already open, if any)."""
    for existing in parent.findChildren(ExportDialog):
        if existing.case_ref == case_ref and existing.isVisible():
            existing.raise_()
            existing.activateWindow()
            return existing
        if not existing.isVisible() and existing.handle is None:
            existing.deleteLater()  # an earlier, finished dialog
    dialog = ExportDialog(ctx, case_ref, parent)
    dialog.open()
    return dialog

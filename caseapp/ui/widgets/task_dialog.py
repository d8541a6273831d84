"""The base of the dialogs whose main button writes something of a case in the background
(Produce, Share): the inline message at the foot, the button box, the task behind a progress
dialog with Cancel, Esc cancelling a running task instead of closing under it.

A subclass builds its form, calls :meth:`TaskDialog.add_buttons`, and in ``begin()``
validates (:meth:`TaskDialog.refuse` names a field's problem) and hands its work to
:meth:`TaskDialog.run_task`; it says what success means in ``finish(result)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QWidget,
)

from caseapp.ui.casefile.widgets import InlineLabel
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.widgets.common import ok_cancel, run_with_progress
from caseapp.ui.workers import TaskControl, TaskHandle

T = TypeVar("T")


def browse_row(form: QFormLayout, text: str, edit: QLineEdit,
               browse: Callable[[], None]) -> None:
    """A form row ``text`` (its mnemonic focuses ``edit``): the field and a Browse… button."""
    button = QPushButton("&Browse…")
    button.clicked.connect(browse)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    label = QLabel(text)
    label.setBuddy(edit)
    form.addRow(label, row)


class TaskDialog(QDialog, Generic[T]):
    """A case dialog running one background task (result type ``T``) from its main button.

    ``task_name`` names the task and its log events (``<task_name>.failed``); ``what`` names
    the action in error reports; ``cancelled_text`` is shown when the user cancelled. The
    task's result is kept in ``outcome`` (``result()`` is QDialog's).
    """

    task_name = "task"
    what = "Task"
    cancelled_text = "Cancelled; nothing was written."

    def __init__(self, ctx: AppContext, case_ref: str, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.case_ref = ctx, case_ref
        self.handle: TaskHandle | None = None
        self.progress: QProgressDialog | None = None
        self.outcome: T | None = None
        self.setWindowTitle(f"{title} — {case_ref}")
        self.error = InlineLabel()
        self.run_button = QPushButton()

    def add_buttons(self, layout: QBoxLayout, text: str) -> QPushButton:
        """The inline message, then the main button ``text`` (default) and Cancel."""
        layout.addWidget(self.error)
        box, self.run_button = ok_cancel(self, text, self.start)
        layout.addWidget(box)
        return self.run_button

    def start(self) -> TaskHandle | None:
        """The main button: the running task when there is one, else :meth:`begin` afresh."""
        if self.handle is not None:
            return self.handle
        self.error.clear_error()
        return self.begin()

    def begin(self) -> TaskHandle | None:
        """Validate the form, then :meth:`run_task`; None when the form is refused."""
        raise NotImplementedError

    def refuse(self, field: QWidget, message: str) -> None:
        """Say what is wrong with ``field`` inline and put the focus there (returns None for
        :meth:`begin` to return)."""
        self.error.show_error(message)
        field.setFocus()

    def run_task(self, title: str, work: Callable[[TaskControl], T]) -> TaskHandle:
        """Run ``work`` behind a progress dialog ``title``; the main button waits for it."""
        self.run_button.setEnabled(False)
        self.handle, self.progress = run_with_progress(
            self.ctx, self, title, work, name=self.task_name, on_done=self._succeeded,
            on_error=self._failed)
        self.handle.finished.connect(self._finished)
        return self.handle

    def finish(self, result: T) -> None:
        """The task succeeded (``self.outcome`` is set): log, tell, close."""
        self.accept()

    def on_cancelled(self) -> None:
        """The user cancelled the task."""
        self.error.show_hint(self.cancelled_text)

    def _succeeded(self, result: T) -> None:
        self.outcome = result
        self.finish(result)

    def _finished(self) -> None:
        self.handle = self.progress = None
        self.run_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        from caseapp.services.errors import Cancelled

        if isinstance(exc, Cancelled):
            self.on_cancelled()
            return
        log_event(f"{self.task_name}.failed", case=self.case_ref, error=type(exc).__name__)
        self.error.show_error(self.ctx.report_error(exc, self.what))

    def reject(self) -> None:
        """Esc/Cancel: while the task runs, cancel it instead of closing under it."""
        if self.handle is not None:
            self.handle.cancel()
            return
        super().reject()

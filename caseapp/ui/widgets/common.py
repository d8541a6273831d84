"""Small shared widgets: buttons and button rows, inline error label, result banner, progress
for background tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui import theme
from caseapp.ui.context import AppContext
from caseapp.ui.widgets.records import plain_tooltip
from caseapp.ui.workers import TaskControl, TaskHandle

T = TypeVar("T")
D = TypeVar("D", bound=QDialog)


def html_escape(text: str) -> str:
    """Escape user text for a rich-text QLabel."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def plain_label(text: str = "", *, wrap: bool = False, bold: bool = False,
                selectable: bool = False) -> QLabel:
    """A label that shows ``text`` literally (user text is never read as markup)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


def dismiss_button(target: QWidget, tip: str) -> QToolButton:
    """A flat ✕ button that hides ``target``."""
    close = QToolButton()
    close.setText("✕")
    close.setAutoRaise(True)
    close.setToolTip(plain_tooltip(tip) or "")
    close.clicked.connect(target.hide)
    return close


def framed_panel(panel: QFrame, name: str, title: QLabel, dismiss_tip: str) -> QVBoxLayout:
    """Frame ``panel`` (object name ``name``, for its style sheet) and head it with ``title``
    across and a ✕ that hides it (``dismiss_tip``); returns the panel's layout."""
    panel.setObjectName(name)
    panel.setFrameShape(QFrame.Shape.StyledPanel)
    layout = QVBoxLayout(panel)
    head = QHBoxLayout()
    head.addWidget(title, 1)
    head.addWidget(dismiss_button(panel, dismiss_tip))
    layout.addLayout(head)
    return layout


def to_qdatetime(moment: datetime) -> QDateTime:
    """A naive local-time ``datetime`` as a local QDateTime (to the millisecond)."""
    return QDateTime(QDate(moment.year, moment.month, moment.day),
                     QTime(moment.hour, moment.minute, moment.second,
                           moment.microsecond // 1000))


def open_dialog(dialog: D, on_accept: Callable[[D], object] | None = None, *,
                delete_on_close: bool = False) -> D:
    """Open ``dialog`` window-modal without blocking and return it; ``on_accept(dialog)`` runs
    when it is accepted; ``delete_on_close`` lets Qt delete it once closed."""
    if on_accept is not None:
        dialog.accepted.connect(lambda: on_accept(dialog))
    if delete_on_close:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def ok_cancel(dialog: QDialog, ok_text: str, on_ok: Callable[[], object], *,
              cancel: str | bool = True) -> tuple[QDialogButtonBox, QPushButton]:
    """A dialog's buttons: ``ok_text`` (the default, calls ``on_ok``) and Cancel (rejects);
    ``cancel`` names the rejecting button instead ("&Quit"), or False leaves it out."""
    # parented at once: a default set outside the dialog is lost once the button has had the
    # focus, and Return in a field then did nothing
    box = QDialogButtonBox(dialog)
    ok = box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    ok.setDefault(True)
    if isinstance(cancel, str):
        box.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
    elif cancel:
        box.addButton(QDialogButtonBox.StandardButton.Cancel)
    box.accepted.connect(on_ok)
    box.rejected.connect(dialog.reject)
    return box, ok


class ErrorLabel(QLabel):
    """An inline validation message: hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName("Error")
        self.hide()

    def show_error(self, text: str) -> None:
        theme.style_with(self, lambda: f"color: {theme.accent('error').name()}; "
                         "font-weight: 600;")
        self.setText(text)
        self.show()

    def clear_error(self) -> None:
        self.setText("")
        self.hide()


def dialog_foot(dialog: QDialog, layout: QBoxLayout, ok_text: str,
                on_ok: Callable[[], object], *,
                cancel: str | bool = True) -> tuple[ErrorLabel, QPushButton]:
    """The foot of an entry dialog: its inline error line, then :func:`ok_cancel`."""
    error = ErrorLabel()
    layout.addWidget(error)
    box, ok = ok_cancel(dialog, ok_text, on_ok, cancel=cancel)
    layout.addWidget(box)
    return error, ok


def accept_if_given(dialog: QDialog, text: str, error: ErrorLabel, message: str,
                    field: QWidget | None = None) -> None:
    """Accept ``dialog`` when ``text`` is not blank; else show ``message`` on its error line
    and put the focus back on ``field`` (when given), the dialog staying open."""
    if text.strip():
        dialog.accept()
        return
    error.show_error(message)
    if field is not None:
        field.setFocus()


def action_button(text: str, on_click: Callable[[], object], tip: str = "") -> QPushButton:
    """A push button ``text`` (its ``&`` mnemonic reaches it from the keyboard) that calls
    ``on_click``; ``tip``, when given, is its tooltip."""
    button = QPushButton(text)
    if tip:
        button.setToolTip(plain_tooltip(tip) or "")  # shown as typed, never as markup
    button.clicked.connect(lambda _checked=False: on_click())
    return button


def button_row(layout: QBoxLayout, *widgets: QWidget) -> QHBoxLayout:
    """``widgets`` side by side at the left of a new row of ``layout`` (the row's rest is
    empty); the row is returned for anything added at its right."""
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    layout.addLayout(row)
    return row


class Banner(QFrame):
    """A dismissable result line inside a tab or page (success, warning or error)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(wordWrap=True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        layout.addWidget(dismiss_button(self, "Dismiss"))
        self.kind = ""
        self.hide()

    def show_text(self, text: str, kind: str = "ok") -> None:
        """``kind`` is 'ok', 'warn' or 'error'."""
        self.kind = kind

        def sheet() -> str:
            colour = theme.accent(kind).name()
            return (f"Banner {{ border: 1px solid {colour}; border-radius: 4px; }}"
                    f" QLabel {{ color: {colour}; }}")

        theme.style_with(self, sheet)
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


def head_with_banner(layout: QBoxLayout, *widgets: QWidget) -> Banner:
    """The head of a tab or panel: :func:`button_row` of ``widgets``, its result
    :class:`Banner` under it."""
    button_row(layout, *widgets)
    banner = Banner()
    layout.addWidget(banner)
    return banner


def run_with_progress(ctx: AppContext, parent: QWidget, title: str,
                      fn: Callable[[TaskControl], T], *, name: str,
                      on_done: Callable[[T], None],
                      on_error: Callable[[BaseException], None] | None = None,
                      cancellable: bool = True) -> tuple[TaskHandle, QProgressDialog]:
    """Run ``fn`` in the background behind a window-modal progress dialog with Cancel."""
    dialog = QProgressDialog(title, "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    cancel_button = QPushButton("&Cancel")
    dialog.setCancelButton(cancel_button if cancellable else None)
    dialog.cancel_button = cancel_button  # type: ignore[attr-defined]
    handle = ctx.runner.submit(fn, name=name)

    def progressed(done: int, total: int, text: str) -> None:
        if total > 0:
            scale = max(1, total // 1_000_000)  # keep values inside a C int
            dialog.setMaximum(total // scale)
            dialog.setValue(done // scale)
        if text:
            dialog.setLabelText(text)

    def cancel() -> None:
        handle.cancel()
        dialog.setLabelText("Cancelling…")
        cancel_button.setEnabled(False)

    def finished() -> None:
        dialog.canceled.disconnect(cancel)
        dialog.reset()
        dialog.hide()  # not close(): QProgressDialog.closeEvent emits canceled
        dialog.deleteLater()

    def failed(exc: BaseException) -> None:
        if on_error is not None:
            on_error(exc)
        else:
            ctx.report_error(exc, title)

    handle.progressed.connect(progressed)
    handle.succeeded.connect(on_done)
    handle.failed.connect(failed)
    handle.finished.connect(finished)
    dialog.canceled.connect(cancel)
    dialog.show()
    return handle, dialog

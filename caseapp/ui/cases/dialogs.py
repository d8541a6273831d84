"""Entry dialogs with inline validation: new case, note, withdraw exhibit, error report."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain.enums import Priority
from caseapp.ui.widgets.common import (
    ErrorLabel,
    accept_if_given,
    dialog_foot,
    html_escape,
    to_qdatetime,
)


def split_tags(text: str) -> list[str]:
    """``"remote, laptop farm"`` -> ``["remote", "laptop farm"]``."""
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


class NewCaseDialog(QDialog):
    """Title (required), priority, tags, first subject and summary of a new case."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New case")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.title_edit = QLineEdit(placeholderText="e.g. Contractor laptop shipped abroad")
        self.title_edit.setMaxLength(500)
        self.title_error = ErrorLabel()
        self.priority = QComboBox()
        for prio in Priority:
            self.priority.addItem(prio.title, prio.value)
        self.priority.setCurrentIndex(self.priority.findData(Priority.MEDIUM.value))
        self.tags = QLineEdit(placeholderText="comma-separated, optional")
        self.subject = QLineEdit(placeholderText="claimed name, optional")
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText("What happened, who reported it (optional)")
        form.addRow("&Title:", self.title_edit)
        form.addRow("", self.title_error)
        form.addRow("&Priority:", self.priority)
        form.addRow("T&ags:", self.tags)
        form.addRow("First &subject:", self.subject)
        form.addRow("S&ummary:", self.summary)
        layout.addLayout(form)
        self.error, self.ok_button = dialog_foot(self, layout, "&Create case", self._try_accept)
        self.title_edit.textEdited.connect(lambda _t: self.title_error.clear_error())

    def values(self) -> dict[str, object]:
        """Keyword arguments for ``services.cases.create_case``."""
        return {"title": self.title_edit.text(), "priority": self.priority.currentData(),
                "tags": split_tags(self.tags.text()), "summary": self.summary.toPlainText(),
                "subject_name": self.subject.text() or None}

    def _try_accept(self) -> None:
        accept_if_given(self, self.title_edit.text(), self.title_error, "A case needs a title.",
                        self.title_edit)


class NoteDialog(QDialog):
    """Add or edit a note: text and when it happened (local time)."""

    def __init__(self, parent: QWidget | None = None, *, text: str = "",
                 occurred_at: datetime | None = None, editing: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit note" if editing else "Add note")
        self.setMinimumSize(520, 360)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.when = QDateTimeEdit(calendarPopup=True)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        moment = occurred_at.astimezone() if occurred_at else datetime.now().astimezone()
        self.when.setDateTime(to_qdatetime(moment.replace(tzinfo=None)))
        self._initial = self.when.dateTime()
        form.addRow("&When (local time):", self.when)
        layout.addLayout(form)
        self.text = QPlainTextEdit(text)
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName("Note text")
        layout.addWidget(self.text, 1)
        self.error, self.ok_button = dialog_foot(self, layout, "&Save note", self._try_accept)
        self.text.setFocus()

    def occurred_at(self) -> datetime:
        """The chosen time, aware, in the machine's zone."""
        naive = self.when.dateTime().toPython()
        assert isinstance(naive, datetime)
        return naive.astimezone()

    def occurred_if_changed(self) -> datetime | None:
        """The chosen time, or None when the user left it as shown (keeps full precision)."""
        return None if self.when.dateTime() == self._initial else self.occurred_at()

    def _try_accept(self) -> None:
        accept_if_given(self, self.text.toPlainText(), self.error, "A note cannot be empty.",
                        self.text)


class WithdrawDialog(QDialog):
    """Withdraw an exhibit: a reason is required and recorded in its custody log."""

    def __init__(self, exhibit: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Withdraw {exhibit}")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            f"Withdraw <b>{html_escape(exhibit)}</b> — {html_escape(title)}?<br>The file stays "
            "in the vault and in the record; its custody log says who withdrew it, when and "
            "why.", wordWrap=True))
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText("Reason (required)")
        self.reason.setAccessibleName("Reason")
        layout.addWidget(self.reason)
        self.error, self.ok_button = dialog_foot(self, layout, "&Withdraw exhibit", self._try_accept)
        self.reason.setFocus()

    def text(self) -> str:
        return self.reason.toPlainText()

    def _try_accept(self) -> None:
        accept_if_given(self, self.reason.toPlainText(), self.error,
                        "Say why the exhibit is withdrawn.", self.reason)


class ErrorReportDialog(QDialog):
    """An unexpected error: what happened, where the log is, and a copyable report."""

    def __init__(self, summary: str, report: str, log_path: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("caseapp: unexpected error")
        self.setMinimumSize(640, 420)
        layout = QVBoxLayout(self)
        where = (f" A short record (no case content) was written to {log_path}."
                 if log_path else "")
        intro = QLabel("Something went wrong; your data is safe and the app keeps running. "
                       f"{summary}{where} You can copy the report below to send it to "
                       "whoever supports you — check it for case details first.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(intro)
        self.report = QPlainTextEdit(report)
        self.report.setReadOnly(True)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.report.setFont(font)
        layout.addWidget(self.report, 1)
        box = QDialogButtonBox()
        self.copy_button = box.addButton("&Copy report", QDialogButtonBox.ButtonRole.ActionRole)
        box.addButton(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy)
        layout.addWidget(box)

    def copy(self) -> None:
        """Put the report on the clipboard."""
        QGuiApplication.clipboard().setText(self.report.toPlainText())
        self.copy_button.setText("Copied")

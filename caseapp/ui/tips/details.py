"""The Details tab of the tip editor: when and how the tip came in, grading, follow-up,
reward status, the tip's text and the assignee note."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain import tips as rules
from caseapp.domain.enums import CREDIBILITY_GRADES, RELIABILITY_GRADES, TipChannel
from caseapp.ui.tips.fields import DueEdit, GradeCombo, ZonedDateTimeEdit
from caseapp.ui.tips.models import REWARD_LABELS, channel_label, grade_tooltip


def labelled(text: str, buddy: QWidget) -> QLabel:
    """A label whose mnemonic focuses ``buddy``."""
    widget = QLabel(text)
    widget.setBuddy(buddy)
    return widget


class TipDetails(QWidget):
    """Form fields on the left, the tip's text and the assignee note on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        columns = QHBoxLayout(self)
        form = QFormLayout()
        columns.addLayout(form, 2)
        text_column = QVBoxLayout()
        columns.addLayout(text_column, 3)
        self.received = ZonedDateTimeEdit()
        self.channel = QComboBox()
        self.channel.setAccessibleName("Channel")
        for chan in TipChannel:
            self.channel.addItem(channel_label(chan.value), chan.value)
        self.programme = QLineEdit(placeholderText="e.g. the reward programme's name")
        self.programme.setAccessibleName("Programme")
        self.reference = QLineEdit(placeholderText="the programme's or sender's reference no.")
        self.reference.setAccessibleName("External reference")
        self.reliability = GradeCombo(RELIABILITY_GRADES, "Source reliability")
        self.credibility = GradeCombo(CREDIBILITY_GRADES, "Information credibility")
        self.grade = QLabel()
        self.grade.setTextFormat(Qt.TextFormat.PlainText)
        self.due = DueEdit()
        self.reward = QComboBox()
        self.reward.setAccessibleName("Reward status")
        for value, text in REWARD_LABELS.items():
            self.reward.addItem(text, value)
        self.assignee_note = QPlainTextEdit()
        self.assignee_note.setTabChangesFocus(True)
        self.assignee_note.setPlaceholderText("who works this lead, what is next")
        self.assignee_note.setAccessibleName("Assignee note")
        self.assignee_note.setFixedHeight(58)
        self.content = QPlainTextEdit()
        self.content.setTabChangesFocus(True)
        self.content.setPlaceholderText("What the tipster said, as received (required)")
        self.content.setAccessibleName("Tip content")
        self.content.setMinimumHeight(110)
        form.addRow(labelled("&When received:", self.received.edit), self.received)
        form.addRow("Channel:", self.channel)
        form.addRow("Programme:", self.programme)
        form.addRow("Reference:", self.reference)
        form.addRow(labelled("Reliabilit&y:", self.reliability), self.reliability)
        form.addRow(labelled("Credi&bility:", self.credibility), self.credibility)
        form.addRow("Grade:", self.grade)
        form.addRow("Follow-up:", self.due)
        form.addRow("Reward status:", self.reward)
        text_column.addWidget(labelled("Tip te&xt (as received):", self.content))
        text_column.addWidget(self.content, 1)
        text_column.addWidget(labelled("Assi&gnee note:", self.assignee_note))
        text_column.addWidget(self.assignee_note)
        self.reliability.currentIndexChanged.connect(self.show_grade)
        self.credibility.currentIndexChanged.connect(self.show_grade)
        self.show_grade()

    def show_grade(self) -> None:
        """The combined grade (``B2``) with both standard meanings."""
        rel, cred = self.reliability.value(), self.credibility.value()
        grade = rules.grade_label(rel, cred)
        self.grade.setText(f"{grade} — {rules.grade_meaning(rel, cred)}" if grade
                           else "Not graded")
        self.grade.setToolTip(grade_tooltip(rel, cred))

"""Small widgets of the export UI: inline messages in three tones, hints, field rows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from caseapp.ui import theme
from caseapp.ui.widgets.common import ErrorLabel


class InlineLabel(ErrorLabel):
    """An inline message: an error (red), a caution (amber) or a success (green)."""

    def show_hint(self, text: str) -> None:
        """Show ``text`` as a caution rather than an error."""
        theme.style_with(self, lambda: f"color: {theme.accent('warn').name()};")
        self.setText(text)
        self.show()

    def show_ok(self, text: str) -> None:
        """Show ``text`` as a success."""
        theme.style_with(self, lambda: f"color: {theme.accent('ok').name()};")
        self.setText(text)
        self.show()


def hint(text: str) -> QLabel:
    """A dimmed explanatory line."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setEnabled(False)
    return label


def side_by_side(*widgets: QWidget) -> QHBoxLayout:
    """Widgets side by side; line edits share the width, buttons keep theirs."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
        if isinstance(widget, QPushButton):
            widget.setAutoDefault(False)  # Enter in a field means Export, not Browse
    return row

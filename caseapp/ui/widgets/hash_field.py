"""The selected record's SHA-256 in a tab: read-only, with Copy and Ctrl+Shift+C."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QToolButton, QWidget

if TYPE_CHECKING:
    from caseapp.ui.context import AppContext


class HashField(QWidget):
    """A read-only SHA-256 beside a Copy button; Ctrl+Shift+C anywhere in ``owner`` copies it
    too. ``what`` names the record in the field's accessible name."""

    def __init__(self, ctx: AppContext, what: str, owner: QWidget) -> None:
        super().__init__(owner)
        self.ctx = ctx
        self.edit = QLineEdit(readOnly=True)
        self.edit.setAccessibleName(f"SHA-256 of the selected {what}")
        copy = QToolButton()
        copy.setText("Copy")
        copy.setToolTip("Copy the SHA-256 (Ctrl+Shift+C)")
        copy.clicked.connect(self.copy)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(copy)
        QShortcut(QKeySequence("Ctrl+Shift+C"), owner, self.copy,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def show_hash(self, sha256: str | None) -> None:
        """Show ``sha256`` from its start; None clears the field."""
        if sha256 is None:
            self.edit.clear()
            return
        self.edit.setText(sha256)
        self.edit.setCursorPosition(0)

    def copy(self) -> None:
        """Copy the shown SHA-256 to the clipboard (nothing while the field is empty)."""
        if self.edit.text():
            QGuiApplication.clipboard().setText(self.edit.text())
            self.ctx.show_message("SHA-256 copied.")

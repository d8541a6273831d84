"""Tips and Search pages until their features land (replaced by real registrations)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from caseapp.ui.context import AppContext
from caseapp.ui.registry import register_page


class PlaceholderPage(QWidget):
    """Says which feature fills this page."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        label = QLabel(text)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(label)
        self.text = text


def tips_placeholder(_ctx: AppContext, parent: QWidget | None = None) -> QWidget:
    return PlaceholderPage(
        "Tips arrive with the Tips feature (issue 5): intake from reward programmes, hotlines "
        "and CSV imports, Admiralty grading, triage, de-duplication and links to cases.",
        parent)


def search_placeholder(_ctx: AppContext, parent: QWidget | None = None) -> QWidget:
    return PlaceholderPage(
        "Search arrives with the cross-case links and full-text search feature (issue 7): "
        "find a name, e-mail, phone, wallet or any text across every case, note and tip.",
        parent)


register_page("tips", "Tips", tips_placeholder, order=20, placeholder=True)
register_page("search", "Search", search_placeholder, order=30, placeholder=True)

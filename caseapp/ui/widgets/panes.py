"""Base classes of what the main window hosts: navigation pages and case-view tabs.

The window calls these methods directly (never by name): a page or tab that lacks one fails
loudly the first time it is called, and a test checks every listed class overrides them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from caseapp.ui.context import AppContext


class Page(QWidget):
    """A page of the navigation list."""

    def refresh(self) -> None:
        """Reload what the page shows (data changed, or the page was brought forward)."""
        raise NotImplementedError(f"{type(self).__name__}.refresh")

    def focus_find(self) -> None:
        """Ctrl+F: put the keyboard focus in the page's find or filter box."""
        raise NotImplementedError(f"{type(self).__name__}.focus_find")


class CaseTab(QWidget):
    """A tab of every case view, built for one case: ``cls(ctx, case_ref)``."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_ref = case_ref

    def refresh(self) -> None:
        """Reload the tab from the store (the case changed, or the tab was brought forward)."""
        raise NotImplementedError(f"{type(self).__name__}.refresh")

    def select_record(self, record_type: str, record_id: int | None,
                      exhibit: str | None) -> bool:
        """Select the record a search hit or a link points at; False when this tab does not
        list that kind of record (the case still opens on the tab)."""
        del record_type, record_id, exhibit
        return False


def _failed_label(pane: QWidget, text: str) -> QLabel:
    """The one line a failed page or tab shows, as plain text."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    QVBoxLayout(pane).addWidget(label)
    return label


class FailedTab(CaseTab):
    """Stands in for a tab whose construction failed (the error was reported)."""

    def __init__(self, ctx: AppContext, case_ref: str, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_ref, parent)
        self.label = _failed_label(
            self, f"The {title} tab could not be loaded; see the error report.")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def refresh(self) -> None:
        return None


class FailedPage(Page):
    """Stands in for a page whose construction failed (the error was reported)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = _failed_label(self, f"The {title} page could not be loaded.")

    def refresh(self) -> None:
        return None

    def focus_find(self) -> None:
        self.setFocus()

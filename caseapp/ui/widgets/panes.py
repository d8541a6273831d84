"""Base classes of what the main window hosts: navigation pages and case-view tabs.

The window calls these methods directly (never by name): a page or tab that lacks one fails
loudly the first time it is called, and a test checks every listed class overrides them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class Page(QWidget):
    """A page of the navigation list."""

    def refresh(self) -> None:
        """Reload what the page shows (data changed, or the page was brought forward)."""
        raise NotImplementedError(f"{type(self).__name__}.refresh")

    def focus_find(self) -> None:
        """Ctrl+F: put the keyboard focus in the page's find or filter box."""
        raise NotImplementedError(f"{type(self).__name__}.focus_find")


class CaseTab(QWidget):
    """A tab of every case view, built for one case."""

    def refresh(self) -> None:
        """Reload the tab from the store (the case changed, or the tab was brought forward)."""
        raise NotImplementedError(f"{type(self).__name__}.refresh")

    def select_record(self, record_type: str, record_id: int | None,
                      exhibit: str | None) -> bool:
        """Select the record a search hit or a link points at; False when this tab does not
        list that kind of record (the case still opens on the tab)."""
        del record_type, record_id, exhibit
        return False


class FailedTab(CaseTab):
    """Stands in for a tab whose construction failed (the error was reported)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtCore import Qt

        layout = QVBoxLayout(self)
        self.label = QLabel(f"The {title} tab could not be loaded; see the error report.")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.label)

    def refresh(self) -> None:
        return None


class FailedPage(Page):
    """Stands in for a page whose construction failed (the error was reported)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtCore import Qt

        layout = QVBoxLayout(self)
        self.label = QLabel(f"The {title} page could not be loaded.")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label)

    def refresh(self) -> None:
        return None

    def focus_find(self) -> None:
        self.setFocus()

"""What every page, tab and action of the app gets: the open store and the app's services."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal

from caseapp.ui.features import Features
from caseapp.ui.workers import TaskRunner

if TYPE_CHECKING:
    from caseapp.services.workspace import Workspace
    from caseapp.ui.cases.case_view import CaseView
    from caseapp.ui.widgets.panes import Page

P = TypeVar("P", bound="Page")


class AppContext(QObject):
    """The unlocked workspace plus the app-level services the UI shares."""

    #: A case's data changed (its ref), or "" for store-wide changes. Views refresh on it.
    data_changed = Signal(str)
    #: A message for the status area: (text, is_error).
    message = Signal(str, bool)

    def __init__(self, ws: Workspace, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        #: What the window shows (set by the window when it attaches the store).
        self.features = Features()
        self._open_case: Callable[[str], CaseView] | None = None
        self._show_page: Callable[[type[Page]], Page] | None = None
        self._unexpected: Callable[[BaseException], None] | None = None

    @property
    def home(self) -> Path:
        """The data home of the open store."""
        return self.ws.home

    def set_handlers(self, open_case: Callable[[str], CaseView],
                     show_page: Callable[[type[Page]], Page],
                     unexpected: Callable[[BaseException], None]) -> None:
        """Installed by the main window."""
        self._open_case = open_case
        self._show_page = show_page
        self._unexpected = unexpected

    def open_case(self, ref: str) -> CaseView:
        """Open (or bring to front) the case view of ``ref``."""
        if self._open_case is None:
            raise RuntimeError("no window to open a case in")
        return self._open_case(ref)

    def page(self, cls: type[P]) -> P:
        """Bring the page of class ``cls`` forward and return it."""
        if self._show_page is None:
            raise RuntimeError("no window to show a page in")
        page = self._show_page(cls)
        if not isinstance(page, cls):
            raise TypeError(f"the window has no {cls.__name__}")
        return page

    def notify_changed(self, case_ref: str = "") -> None:
        """Tell every view that a case (or, with "", the whole store) changed."""
        self.data_changed.emit(case_ref)

    def show_message(self, text: str, error: bool = False) -> None:
        """Write to the status area."""
        self.message.emit(text, error)

    def report_error(self, exc: BaseException, action: str = "") -> str:
        """Expected errors go to the status area; unexpected ones to the error dialog.

        Returns the user message shown, so callers can also show it inline.
        """
        from caseapp.ui.errors import is_expected, user_message

        text = user_message(exc)
        if action:
            text = f"{action}: {text}"
        if is_expected(exc):
            self.show_message(text, error=True)
        elif self._unexpected is not None:
            self._unexpected(exc)
        else:
            self.show_message(text, error=True)
        return text

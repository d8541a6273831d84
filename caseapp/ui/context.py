"""What every page, tab and action of the app gets: the open store and the app's services."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from caseapp.ui.workers import TaskRunner

if TYPE_CHECKING:
    from caseapp.services.workspace import Workspace


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
        self._open_case: Callable[[str], Any] | None = None
        self._unexpected: Callable[[BaseException], None] | None = None

    @property
    def home(self) -> Path:
        """The data home of the open store."""
        return self.ws.home

    def set_handlers(self, open_case: Callable[[str], Any],
                     unexpected: Callable[[BaseException], None]) -> None:
        """Installed by the main window."""
        self._open_case = open_case
        self._unexpected = unexpected

    def open_case(self, ref: str) -> Any:
        """Open (or bring to front) the case view of ``ref``."""
        if self._open_case is None:
            raise RuntimeError("no window to open a case in")
        return self._open_case(ref)

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

"""Re-opening the app on another store, live: a fresh main window replaces the current one.

The pages, actions and open case views all hang off one workspace, so rather than unhook each
of them the app builds a new :class:`~caseapp.ui.main_window.MainWindow` with the same settings
and features, moves the error-report bridge to it, shows it, and closes the old one - whose
close hooks stop the change watcher and close the workspace, releasing the data home's lock -
before the new window's start-up (after its first paint) opens the data home again on the
chosen store. The choice is remembered in the app's settings (URL only, no password).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from caseapp.ui.context import AppContext
from caseapp.ui.errors import ReportBridge, log_event
from caseapp.ui.main_window import MainWindow
from caseapp.ui.team.store_choice import remember_store


def reopen(old: QWidget, ctx: AppContext, store_url: str) -> MainWindow | None:
    """Open ``ctx``'s data home on ``store_url`` ("" for its own database) in a new window
    that replaces ``old``; returns the new window (None if ``old`` is no main window)."""
    from caseapp.ui.startup import StartupController

    if not isinstance(old, MainWindow):
        return None
    remember_store(old.settings, store_url)
    log_event("team.reopen", team=int(bool(store_url)))
    home = ctx.home
    new = MainWindow(old.settings, old.features)
    new.setGeometry(old.geometry())
    for bridge in old.findChildren(ReportBridge):
        bridge.setParent(new)
        bridge.report.disconnect()
        bridge.report.connect(new.show_error_report)
    controller = StartupController(new, home, store_url=store_url)
    new.controller = controller  # type: ignore[attr-defined]
    starter = QTimer(new)
    starter.setSingleShot(True)
    starter.setInterval(0)
    starter.timeout.connect(controller.start)
    new.first_painted.connect(starter.start)
    new.show()  # first: closing the last visible window would quit the app
    old.close()
    old.deleteLater()
    return new

"""Help > About: version, build date, Qt and SQLCipher versions; keyboard only."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication

from caseapp import __version__
from caseapp.ui.about import AboutDialog


def test_about_dialog_shows_the_versions(qtbot: Any) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    text = dialog.text()
    assert text.splitlines()[0] == f"caseapp {__version__}"
    assert "Build date: none (source install)" in text
    assert f"Qt {qVersion()}" in text
    assert "SQLCipher 4." in text and "(SQLite 3." in text
    assert dialog.facts.textFormat() == Qt.TextFormat.PlainText
    dialog.copy_details()
    assert QGuiApplication.clipboard().text() == text


def test_help_about_opens_from_the_keyboard_and_escape_closes(qtbot: Any, window: Any) -> None:
    help_menu = window.actions_.menus["Help"]
    about = next(a for a in help_menu.actions() if a.text() == "&About caseapp")
    about.trigger()
    dialog = window.about_dialog
    qtbot.waitExposed(dialog)
    assert dialog.isVisible() and dialog.close_button.isDefault()
    assert dialog.focusWidget() is dialog.close_button
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())

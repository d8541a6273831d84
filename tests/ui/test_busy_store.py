"""When another caseapp holds the write lock, a save in the app says the store is busy, inline,
keeps what the user typed, and works once the other writer is done."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlmodel import text
from uihelpers import type_text

from caseapp.services.cases import cases, notes
from caseapp.services.workspace import open_workspace


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Listed before ``window`` so the app's store is opened with it."""
    monkeypatch.setenv("CASEAPP_BUSY_TIMEOUT_MS", "200")


def test_saving_a_note_while_another_writer_holds_the_store(short_busy_timeout, qtbot,
                                                            window: Any) -> None:
    ref = cases.create_case(window.ctx.ws, "Busy case").ref
    window.show_page("cases").list.reload()
    view = window.open_case(ref)
    tab = view.show_tab("timeline")
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    type_text(dialog.text, "Interview notes that must not be lost")
    other = open_workspace(window.ctx.ws.home)  # a second caseapp on the same home
    try:
        with other.transaction() as session:
            session.exec(text("SELECT 1"))  # the write lock is taken and held
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
            assert dialog.isVisible() and dialog.error.isVisible()
            shown = dialog.error.text()
            assert "the store is busy" in shown and "try again" in shown
            assert "SELECT" not in shown and "locked" not in shown
            assert dialog.text.toPlainText() == "Interview notes that must not be lost"
            assert "the store is busy" in window.message_label.text()  # and in the status bar
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # the other one is done
    finally:
        other.close()
    assert [n.text for n in notes.list_notes(window.ctx.ws, ref)] == [
        "Interview notes that must not be lost"]

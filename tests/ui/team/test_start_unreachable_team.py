"""The start screen when the remembered team store cannot be reached: "Use local store" (Alt+L,
and in the Tab order) forgets it and opens the data home's own records."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence

from caseapp.services.cases import cases
from caseapp.services.workspace import open_workspace
from caseapp.ui.main_window import MainWindow
from caseapp.ui.startup import StartupController
from caseapp.ui.team.store_choice import SETTINGS_STORE_URL, remember_store


def _closed_port() -> int:
    """A loopback port nothing listens on (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def window(qtbot: Any) -> Iterator[tuple[MainWindow, list[StartupController]]]:
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    controllers: list[StartupController] = []
    yield win, controllers
    for controller in controllers:
        controller.runner.wait_all(30_000)
        if controller.ctx is not None:
            controller.ctx.ws.close()
    from caseapp.ui.errors import close_log

    close_log()


def test_an_unreachable_team_store_offers_the_local_one(
        qtbot: Any, window: Any, home: Path, memory_keyring: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from caseapp.store.postgresql.engine import KEYRING_SERVICE, keyring_user, parse_url

    monkeypatch.delenv("CASEAPP_STORE", raising=False)
    with open_workspace(home) as ws:  # the home's own records (key in the keyring)
        cases.create_case(ws, "Kept locally")
    url = f"postgresql://alice@127.0.0.1:{_closed_port()}/caseteam?sslmode=prefer"
    keyring.set_password(KEYRING_SERVICE, keyring_user(parse_url(url)), "a password")
    win, controllers = window
    remember_store(win.settings, url)
    controller = StartupController(win, home)
    controllers.append(controller)
    assert controller.store_url == url
    controller.start()
    panel = win.start_panel
    qtbot.waitUntil(lambda: panel.other_button.isVisibleTo(win), timeout=30_000)
    assert panel.button.isVisibleTo(win) and panel.button.text() == "Try again"
    assert panel.other_button.text() == "Use &local store"
    assert QKeySequence.mnemonic(panel.other_button.text()) == QKeySequence("Alt+L")
    assert panel.other_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert controller.ctx is None and "Kept locally" not in panel.label.text()
    assert "could not be reached" in panel.label.text()
    panel.other_button.setFocus()
    qtbot.keyClick(panel.other_button, Qt.Key.Key_Space)  # the keyboard's press of it
    qtbot.waitUntil(lambda: controller.ctx is not None, timeout=30_000)
    assert controller.ctx is not None
    ws = controller.ctx.ws
    assert ws.store_status().kind == "sqlcipher"
    assert [c.title for c in cases.list_cases(ws)] == ["Kept locally"]
    assert QSettings().value(SETTINGS_STORE_URL) is None  # forgotten: the next start is local
    assert not panel.other_button.isVisibleTo(win)


def test_a_local_store_that_fails_offers_no_switch(qtbot: Any, window: Any, home: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEAPP_STORE", raising=False)
    other = open_workspace(home, exclusive=True)  # the home is open in another window
    try:
        win, controllers = window
        controller = StartupController(win, home)
        controllers.append(controller)
        controller.start()
        qtbot.waitUntil(lambda: "already open" in win.start_panel.label.text(),
                        timeout=30_000)
        assert win.start_panel.button.isVisibleTo(win)
        assert not win.start_panel.other_button.isVisibleTo(win)
    finally:
        other.close()

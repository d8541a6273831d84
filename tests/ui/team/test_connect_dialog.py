"""File > Connect to team store…, against the real test cluster with the in-memory keyring:
test off the UI thread, clear errors, the password only in the keyring, a live re-open on the
team store remembered for the next start, and back to the local store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
import shiboken6
from keyring.backends import fail
from pg_cluster import ADMIN, ADMIN_PASSWORD
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from caseapp.services.workspace import open_workspace
from caseapp.store.postgresql.engine import KEYRING_SERVICE
from caseapp.ui import theme
from caseapp.ui.errors import ReportBridge
from caseapp.ui.main_window import MainWindow
from caseapp.ui.startup import StartupController
from caseapp.ui.team.connect_dialog import ConnectDialog
from caseapp.ui.team.store_choice import SETTINGS_STORE_URL, chosen_store

_BOUND_MS = 60_000


def _start(qtbot: Any, home: Path, store_url: str | None = None) -> MainWindow:
    win = MainWindow()  # not qtbot.addWidget: a re-open deletes the window it replaces
    win.show()
    controller = StartupController(win, home, store_url=store_url)
    win.controller = controller  # type: ignore[attr-defined]
    controller.start()
    qtbot.waitUntil(lambda: controller.ctx is not None, timeout=_BOUND_MS)
    return win


def _ctx(win: MainWindow) -> Any:
    return win.controller.ctx  # type: ignore[attr-defined]


@pytest.fixture
def local_app(qtbot: Any, home: Path) -> Iterator[MainWindow]:
    open_workspace(home, store_url="").close()
    win = _start(qtbot, home, "")
    yield win
    for top in QApplication.topLevelWidgets():
        if isinstance(top, MainWindow) and top.isVisible():
            top.close()
            top.controller.runner.wait_all(30_000)  # type: ignore[attr-defined]
    from caseapp.ui.errors import close_log

    close_log()


def _dialog(qtbot: Any, win: MainWindow) -> ConnectDialog:
    action = win.actions_.action("connect-team-store")
    assert action in win.actions_.menus["File"].actions() and "&" in action.text()
    action.trigger()
    dialog = win.findChild(ConnectDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def _fill(dialog: ConnectDialog, pg_url: str, password: str) -> None:
    port = int(pg_url.split(":")[2].split("/")[0])
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(port)
    dialog.database.setText(pg_url.rsplit("/", 1)[1])
    dialog.role.setText(ADMIN)
    dialog.password.setText(password)


def _new_window(old: MainWindow) -> MainWindow | None:
    found = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, MainWindow) and w is not old and w.isVisible()
             and getattr(w, "controller", None) is not None]
    return found[0] if found else None


def _no_file_holds(folder: Path, secret: str) -> bool:
    return not any(secret.encode() in p.read_bytes() for p in folder.rglob("*") if p.is_file())


def test_connect_to_a_team_store_and_back(qtbot: Any, local_app: MainWindow, pg_url: str,
                                          home: Path, memory_keyring: Any,
                                          qsettings_tmp: Path) -> None:
    user = f"{ADMIN}@127.0.0.1:{pg_url.split(':')[2].split('/')[0]}"
    memory_keyring.delete_password(KEYRING_SERVICE, user)  # a new machine: nothing saved yet
    dialog = _dialog(qtbot, local_app)
    assert not dialog.local_button.isEnabled()  # already on the local store
    _fill(dialog, pg_url, "not-the-password")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert not dialog.test_button.isEnabled()  # the try runs off the UI thread
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=_BOUND_MS)
    assert "refused" in dialog.error.text() and "password" in dialog.error.text()
    assert "SELECT" not in dialog.error.text() and "FATAL" not in dialog.error.text()
    dialog.password.setText(ADMIN_PASSWORD)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Connected" in dialog.outcome.text(), timeout=_BOUND_MS)
    assert "WITHOUT encryption" in dialog.outcome.text()  # the test cluster offers no TLS
    assert theme.accent("error").name() in dialog.outcome.styleSheet()  # said as a warning
    assert memory_keyring.get_password(KEYRING_SERVICE, user) is None  # a test saves nothing
    bridge = ReportBridge(local_app)  # as app.run makes it: error reports from any thread
    bridge.report.connect(local_app.show_error_report)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _new_window(local_app) is not None, timeout=_BOUND_MS)
    team = _new_window(local_app)
    assert team is not None
    assert bridge.parent() is team  # moved along, so reports reach the window that shows
    qtbot.waitUntil(lambda: _ctx(team) is not None, timeout=_BOUND_MS)
    assert _ctx(team).ws.store.kind == "postgresql"
    assert _ctx(team).ws.home == home and not shiboken6.isValid(local_app)  # replaced
    assert team.controller.watcher is not None  # type: ignore[attr-defined]
    assert memory_keyring.get_password(KEYRING_SERVICE, user) == ADMIN_PASSWORD
    remembered = QSettings().value(SETTINGS_STORE_URL)
    assert isinstance(remembered, str) and remembered.startswith(f"postgresql://{ADMIN}@")
    assert ADMIN_PASSWORD not in remembered and chosen_store(QSettings()) == remembered
    assert _no_file_holds(qsettings_tmp, ADMIN_PASSWORD) and _no_file_holds(home, ADMIN_PASSWORD)
    again = _dialog(qtbot, team)
    assert again.host.text() == "127.0.0.1" and again.role.text() == ADMIN  # filled in
    assert "saved" in again.password.placeholderText() and again.local_button.isEnabled()
    qtbot.mouseClick(again.local_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _new_window(team) is not None, timeout=_BOUND_MS)
    local = _new_window(team)
    assert local is not None
    qtbot.waitUntil(lambda: _ctx(local) is not None, timeout=_BOUND_MS)
    assert _ctx(local).ws.store.kind == "sqlcipher"
    assert QSettings().value(SETTINGS_STORE_URL) is None


def test_without_a_usable_keyring_the_password_is_kept_nowhere(
        qtbot: Any, local_app: MainWindow, pg_url: str, memory_keyring: Any) -> None:
    dialog = _dialog(qtbot, local_app)
    _fill(dialog, pg_url, ADMIN_PASSWORD)
    keyring.set_keyring(fail.Keyring())
    try:
        qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=_BOUND_MS)
    finally:
        keyring.set_keyring(memory_keyring)
    assert "No usable OS keyring" in dialog.error.text() and dialog.isVisible()
    assert QSettings().value(SETTINGS_STORE_URL) is None and _new_window(local_app) is None


def test_missing_fields_and_an_unreachable_server_are_said_plainly(
        qtbot: Any, local_app: MainWindow) -> None:
    from pg_cluster import free_port

    dialog = _dialog(qtbot, local_app)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert "Fill in the host, database, role name" in dialog.error.text()
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(free_port())
    dialog.database.setText("team")
    dialog.role.setText("alice")
    dialog.cert.setText("/nowhere/cert.pem")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert "needs its key file" in dialog.error.text()
    dialog.cert.setText("")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Could not reach" in dialog.error.text(), timeout=_BOUND_MS)


def test_the_saved_password_hint_asks_the_keyring_once_typing_pauses(
        qtbot: Any, local_app: MainWindow, memory_keyring: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from caseapp.services.team import connection

    memory_keyring.set_password(KEYRING_SERVICE, "someone@db.example.org:5432", "kept")
    dialog = _dialog(qtbot, local_app)
    dialog.database.setText("caseteam")  # asks nothing: not part of the keyring's user
    real = connection.has_saved_password
    asked: list[str] = []

    def counted(address: Any) -> bool:
        asked.append(address.host)
        return real(address)

    monkeypatch.setattr(connection, "has_saved_password", counted)
    assert "saved" not in dialog.password.placeholderText()
    dialog.role.setText("someone")
    for n in range(1, len("db.example.org") + 1):  # as typed, one character at a time
        dialog.host.setText("db.example.org"[:n])
    assert asked == []  # not at each keystroke
    qtbot.waitUntil(lambda: "saved" in dialog.password.placeholderText(), timeout=_BOUND_MS)
    assert asked == ["db.example.org"]  # once, for what was typed
    dialog.reject()

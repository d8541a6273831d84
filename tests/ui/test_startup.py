"""First run (keyring present / absent), unlock with a wrong then right passphrase, demo offer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from uihelpers import type_text

from caseapp.services.cases import cases
from caseapp.services.workspace import open_workspace
from caseapp.ui.main_window import MainWindow
from caseapp.ui.maintenance.key_dialogs import passphrase_strength
from caseapp.ui.startup import StartupController


@pytest.fixture
def started(qtbot: Any, home: Path) -> Iterator[tuple[MainWindow, StartupController]]:
    """A window and its start-up controller, not started yet; closes the store afterwards."""
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    controller = StartupController(win, home)
    yield win, controller
    controller.runner.wait_all(30_000)
    if controller.ctx is not None:
        controller.ctx.ws.close()
    from caseapp.ui.errors import close_log

    close_log()


def _wait_for(qtbot: Any, predicate: Any) -> None:
    qtbot.waitUntil(predicate, timeout=30_000)


def test_first_run_with_keyring(qtbot, started, home, dialogs, memory_keyring) -> None:
    win, controller = started
    controller.start()
    _wait_for(qtbot, lambda: controller.setup_dialog is not None)
    dialog = controller.setup_dialog
    assert dialog.keyring_usable and dialog.use_keyring.isChecked()
    assert not dialog.fields.isEnabled(), "no passphrase is needed with a keyring"
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    _wait_for(qtbot, lambda: controller.recovery_dialog is not None)
    recovery = controller.recovery_dialog
    code = recovery.code.text()
    assert len(code.split("-")) == 6
    assert not recovery.continue_button.isEnabled()
    recovery.reject()  # Escape does not skip the code
    assert recovery.isVisible() and recovery.error.isVisible()
    qtbot.mouseClick(recovery.confirm, Qt.MouseButton.LeftButton)
    assert recovery.continue_button.isEnabled()
    qtbot.mouseClick(recovery.continue_button, Qt.MouseButton.LeftButton)
    _wait_for(qtbot, lambda: controller.ctx is not None)
    # first run asks who investigates; the demo offer comes after
    profile = controller.profile_dialog
    assert profile is not None and profile.isVisible() and "question" not in dialogs.names()
    qtbot.mouseClick(profile.save_button, Qt.MouseButton.LeftButton)
    assert profile.isVisible() and profile.error.isVisible()  # a name is required
    type_text(profile.name, "Jane Doe")
    profile.organisation.setText("Acme Investigations")
    qtbot.mouseClick(profile.save_button, Qt.MouseButton.LeftButton)
    assert controller.profile_dialog is None
    from caseapp.services import investigator

    assert investigator.get_profile(controller.ctx.ws).actor == "Jane Doe (Acme Investigations)"
    assert controller.ctx.ws.key_mode == "keyring"
    assert json.loads((home / "store.json").read_text())["key_mode"] == "keyring"
    assert not (home / "keyfile.json").exists()
    assert list(memory_keyring.secrets)  # the key went to the keyring
    assert "question" in dialogs.names()  # the demo offer (answered No)
    assert cases.list_cases(controller.ctx.ws) == []
    assert set(win.pages) >= {"cases", "tips", "search", "audit"}
    assert "keyring" in win.lock_label.text() and str(home) in win.location_label.text()
    assert win.actions_.action("load-demo").isEnabled(), "File > Load demo data is offered while empty"
    assert code not in (home / "logs" / "caseapp-ui.log").read_text(encoding="utf-8")


def test_first_run_without_keyring_and_demo(qtbot, started, home, dialogs, no_keyring) -> None:
    win, controller = started
    dialogs.queue("question", QMessageBox.StandardButton.Yes)
    controller.start()
    _wait_for(qtbot, lambda: controller.setup_dialog is not None)
    dialog = controller.setup_dialog
    assert not dialog.keyring_usable and dialog.mode == "passphrase"
    assert dialog.fields.isEnabled() and not dialog.use_keyring.isVisible()
    qtbot.keyClicks(dialog.fields.first, "short")
    assert dialog.fields.meter.value() == 0 and "Too short" in dialog.fields.hint.text()
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Too short" in dialog.error.text()
    dialog.fields.first.clear()
    type_text(dialog.fields.first, "오래된 등대 violet kettle 42")
    qtbot.keyClicks(dialog.fields.second, "different")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.error.text() == "The two passphrases differ."
    dialog.fields.second.clear()
    type_text(dialog.fields.second, "오래된 등대 violet kettle 42")
    assert dialog.fields.meter.value() >= 3
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    _wait_for(qtbot, lambda: controller.recovery_dialog is not None)
    controller.recovery_dialog.confirm.setChecked(True)
    qtbot.mouseClick(controller.recovery_dialog.continue_button, Qt.MouseButton.LeftButton)
    _wait_for(qtbot, lambda: controller.ctx is not None)
    qtbot.mouseClick(controller.profile_dialog.later_button, Qt.MouseButton.LeftButton)
    assert controller.ctx.ws.key_mode == "passphrase" and (home / "keyfile.json").exists()
    _wait_for(qtbot, lambda: len(cases.list_cases(controller.ctx.ws)) == 3)
    controller.runner.wait_all(30_000)
    _wait_for(qtbot, lambda: win.pages["cases"].list.model.rowCount() == 3)
    controller.ctx.ws.close()
    reopened = open_workspace(home, lambda _p: "오래된 등대 violet kettle 42")
    assert len(cases.list_cases(reopened)) == 3
    reopened.close()


def test_wrong_passphrase_then_right(qtbot, started, home, no_keyring) -> None:
    open_workspace(home, lambda _p: "the right passphrase", key_mode="passphrase").close()
    win, controller = started
    controller.start()
    _wait_for(qtbot, lambda: controller.unlock_dialog is not None)
    dialog = controller.unlock_dialog
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Type the passphrase."
    qtbot.keyClicks(dialog.passphrase, "the wrong passphrase")
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    _wait_for(qtbot, lambda: dialog.error.isVisible() and dialog.unlock_button.isEnabled())
    assert "Wrong passphrase" in dialog.error.text()
    assert dialog.isVisible() and controller.ctx is None
    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, "the right passphrase")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    _wait_for(qtbot, lambda: controller.ctx is not None)
    assert not dialog.isVisible() and controller.recovery_dialog is None
    assert win.nav.isEnabled() and win.current_page_key() == "cases"


def test_quit_at_unlock_leaves_a_retry(qtbot, started, home, no_keyring) -> None:
    open_workspace(home, lambda _p: "the right passphrase", key_mode="passphrase").close()
    win, controller = started
    controller.start()
    _wait_for(qtbot, lambda: controller.unlock_dialog is not None)
    with qtbot.waitSignal(controller.abandoned):
        controller.unlock_dialog.reject()
    assert win.start_panel.button.isVisibleTo(win) and "not opened" in win.start_panel.label.text()


def test_store_locked_by_another_window(qtbot, started, home) -> None:
    other = open_workspace(home, exclusive=True)
    try:
        win, controller = started
        controller.start()
        _wait_for(qtbot, lambda: "already open" in win.start_panel.label.text())
        assert win.start_panel.button.text() == "Try again" and controller.ctx is None
    finally:
        other.close()


def test_passphrase_strength_scores() -> None:
    assert passphrase_strength("abc")[0] == 0
    assert passphrase_strength("password123")[0] == 1
    assert passphrase_strength("aaaaaaaaaaaaaaaa")[0] == 1
    assert passphrase_strength("correct horse battery staple")[0] >= 3
    assert passphrase_strength("Tr0ub4dor&3xK9!q")[0] >= 3


def test_preview_list_then_full_app_keeps_filter_and_opens_pending_case(
        qtbot, started, home) -> None:
    ws = open_workspace(home)
    refs = [cases.create_case(ws, title).ref for title in ("Alpha laptop", "Beta payroll")]
    ws.close()
    win, controller = started
    previews: list[Any] = []
    win.cases_painted.connect(lambda rows: previews.append((rows, win.preview)))
    gate = []  # hold the full open until the preview has been used

    original = controller._full_open
    controller._full_open = lambda: gate.append(original)  # type: ignore[method-assign]
    controller.start()
    _wait_for(qtbot, lambda: bool(gate))
    rows, preview = previews[0]
    assert rows == 2 and preview is not None and controller.ctx is None
    assert not preview.new_button.isEnabled()
    qtbot.keyClicks(preview.filter, "payroll")
    assert preview.model.rowCount() == 1
    qtbot.keyClick(preview.filter, Qt.Key.Key_Return)  # open: remembered until ready
    assert win.pending_case == refs[1] and "opens as soon" in win.message_label.text()
    gate[0]()
    _wait_for(qtbot, lambda: controller.ctx is not None)
    page = win.pages["cases"]
    assert win.preview is None and page.list.filter.text() == "payroll"
    assert page.list.model.rowCount() == 1
    assert page.current_case_view() is not None
    assert page.current_case_view().case_ref == refs[1]

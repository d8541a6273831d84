"""The status bar names the store and says plainly when a team store's connection is in clear."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from caseapp.services.workspace import StoreStatus
from caseapp.ui.store_label import store_label


def test_local_store_keeps_its_words() -> None:
    label = store_label(StoreStatus("sqlcipher", "/h", "local-file", True), "keyring")
    assert label.text == "Encrypted store · key: OS keyring" and not label.warning


@pytest.mark.parametrize(("transport", "words"), [("tls", "TLS"), ("local-socket", "local socket")])
def test_team_store_over_an_encrypted_or_local_channel(transport: str, words: str) -> None:
    status = StoreStatus("postgresql", "alice@db:5432/team", transport, True)
    label = store_label(status, "passphrase")
    assert label.text == f"Team store (PostgreSQL, {words}) · key: passphrase"
    assert not label.warning and "alice@db:5432/team" in label.tooltip


def test_team_store_in_clear_is_a_warning() -> None:
    label = store_label(StoreStatus("postgresql", "alice@db:5432/team", "plain", False), "keyring")
    assert label.warning and "NOT encrypted" in label.text and "sslmode=require" in label.tooltip


def test_window_on_a_team_store_without_tls_says_so(qtbot: Any, home: Path, pg_url: str) -> None:
    """The test cluster offers no TLS unless a test turns it on: the bar must warn."""
    from caseapp.services.workspace import open_workspace
    from caseapp.ui.context import AppContext
    from caseapp.ui.main_window import MainWindow
    from caseapp.ui.workers import TaskRunner

    ws = open_workspace(home, store_url=pg_url)
    try:
        win = MainWindow()
        qtbot.addWidget(win)
        win.attach(AppContext(ws, TaskRunner(win), win))
        assert "NOT encrypted" in win.lock_label.text()
        assert "font-weight: 600" in win.lock_label.styleSheet()
        location = win.location_label.text()
        assert location and "//" not in location and str(home) not in location
        assert str(home) in win.location_label.toolTip()
        win.close()
    finally:
        ws.close()

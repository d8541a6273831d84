"""Fixtures for driving the real widgets offscreen: a window over a fresh store, patched
message boxes / file dialogs / desktop services, and QSettings in a temp folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

sys.path.insert(0, str(Path(__file__).parent))


@dataclass
class DialogStub:
    """Records every static QMessageBox/QFileDialog call and answers from queues."""

    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    answers: dict[str, list[Any]] = field(default_factory=dict)
    opened_urls: list[str] = field(default_factory=list)

    def queue(self, name: str, *values: Any) -> None:
        self.answers.setdefault(name, []).extend(values)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def _answer(self, name: str, default: Any) -> Any:
        queued = self.answers.get(name)
        return queued.pop(0) if queued else default


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> DialogStub:
    """No real modal dialog is ever shown: static helpers are replaced by a recorder."""
    stub = DialogStub()
    no = QMessageBox.StandardButton.No
    ok = QMessageBox.StandardButton.Ok

    def box(name: str, default: Any) -> Any:
        def fake(*args: Any, **kwargs: Any) -> Any:
            stub.calls.append((name, args))
            return stub._answer(name, default)
        return staticmethod(fake)

    monkeypatch.setattr(QMessageBox, "question", box("question", no))
    monkeypatch.setattr(QMessageBox, "information", box("information", ok))
    monkeypatch.setattr(QMessageBox, "warning", box("warning", ok))
    monkeypatch.setattr(QMessageBox, "critical", box("critical", ok))
    monkeypatch.setattr(QMessageBox, "about", box("about", None))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", box("getOpenFileNames", ([], "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", box("getSaveFileName", ("", "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", box("getExistingDirectory", ""))

    def open_url(url: Any) -> bool:
        stub.opened_urls.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    return stub


@pytest.fixture(autouse=True)
def qsettings_tmp(tmp_path: Path, qapp: QApplication) -> Iterator[Path]:
    """QSettings write to an INI file under the test's temp folder."""
    folder = tmp_path / "qsettings"
    QCoreApplication.setOrganizationName("caseapp-tests")
    QCoreApplication.setApplicationName("caseapp-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def light_theme(qapp: QApplication) -> None:
    from caseapp.ui import theme

    theme.apply_theme(qapp, "light")


@pytest.fixture
def ui_ws(home: Path) -> Iterator[Any]:
    """A fresh keyring-mode store opened the way the app opens it (with the GUI lock)."""
    from caseapp.services.workspace import open_workspace

    ws = open_workspace(home, exclusive=True)
    yield ws
    ws.close()


@pytest.fixture
def window(qtbot: Any, ui_ws: Any) -> Iterator[Any]:
    """The main window attached to ``ui_ws``, shown offscreen."""
    from caseapp.ui.context import AppContext
    from caseapp.ui.errors import close_log, setup_log
    from caseapp.ui.main_window import MainWindow
    from caseapp.ui.workers import TaskRunner

    setup_log(ui_ws.home)
    win = MainWindow()
    qtbot.addWidget(win)
    ctx = AppContext(ui_ws, TaskRunner(win), win)
    win.attach(ctx)
    win.show()
    qtbot.waitExposed(win)
    yield win
    ctx.runner.cancel_all()
    ctx.runner.wait_all(30_000)
    close_log()

"""Helpers for the UI tests (imported by name; tests/ui is put on sys.path by conftest)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def type_text(widget: QWidget, text: str) -> None:
    """Type any text (Hangul, Cyrillic, accents) as an input method commits it."""
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def wait_task(qtbot: Any, handle: Any, timeout: int = 30_000) -> None:
    """Wait until a background task has delivered its result to the UI thread."""
    if handle is not None and not handle.is_finished:
        with qtbot.waitSignal(handle.finished, timeout=timeout):
            pass


def wait_idle(qtbot: Any, window: Any, timeout: int = 30_000) -> None:
    """Wait until no background task is running."""
    qtbot.waitUntil(lambda: not window.ctx.runner.active, timeout=timeout)

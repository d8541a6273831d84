"""What the screenshot scripts share: a throw-away demo store behind the real window.

    from shots import demo_window, out_dir, pump

    with demo_window() as shot:          # passphrase-mode store in a temp folder, demo loaded
        view = shot.window.open_case(shot.ref)
        pump()
        view.grab().save(str(out_dir() / "x.png"))

Scripts run as ``python docs/screenshots/make_*.py``, so this folder is on ``sys.path``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication


def pump(ms: int = 300) -> None:
    """Let Qt run for ``ms`` (layouts, paints, queued signals)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def out_dir() -> Path:
    """``--out DIR`` (default: this folder)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    return parser.parse_args().out


@dataclass
class Shot:
    """The open window over the demo store, its context, and the first demo case."""

    root: Path
    window: Any
    ctx: Any
    ws: Any
    ref: str

    def wait(self, handle: Any) -> None:
        """Pump until a background task has finished."""
        while handle is not None and not handle.is_finished:
            pump(100)


@contextmanager
def demo_window(size: tuple[int, int] = (1360, 820), theme_mode: str = "light") -> Iterator[Shot]:
    """The real main window over a throw-away passphrase-mode store with the demo cases."""
    os.environ.setdefault("CASEAPP_SCRYPT_LOG2N", "10")  # throw-away store: cheap unlock
    QCoreApplication.setOrganizationName("caseapp-screenshots")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from caseapp.services.maintenance import demo
    from caseapp.services.workspace import open_workspace
    from caseapp.ui import theme
    from caseapp.ui.context import AppContext
    from caseapp.ui.main_window import MainWindow
    from caseapp.ui.workers import TaskRunner

    theme.apply_theme(app, theme_mode)
    with tempfile.TemporaryDirectory(prefix="caseapp-shots-") as tmp:
        root = Path(tmp)
        ws = open_workspace(root / "home", lambda *_a: "screenshots only", exclusive=True,
                            key_mode="passphrase")
        ref = demo.load_demo(ws)["cases"][0]
        window = MainWindow(QSettings())
        ctx = AppContext(ws, TaskRunner(window), window)
        window.attach(ctx)
        window.resize(*size)
        window.show()
        try:
            yield Shot(root, window, ctx, ws, ref)
        finally:
            ctx.runner.wait_all()
            window.close()
            ws.close()

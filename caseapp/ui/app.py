"""Desktop app bootstrap: ``caseapp`` with no command ends up in :func:`run`.

Start-up order keeps the first frame cheap: QApplication, theme and the main window (Qt only)
are created and painted first; only then does :class:`~caseapp.ui.unlock.StartupController`
open the store on a worker thread, importing the database layer there.

``CASEAPP_BENCH_READY=1`` (benchmarks only) prints ``first-paint <t>`` and ``list-ready <t>``
(``time.monotonic()``) on stdout, then quits.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BENCH_ENV = "CASEAPP_BENCH_READY"


def _bench_print(label: str) -> None:
    print(f"{label} {time.monotonic():.6f}", flush=True)


def run(home: str | Path | None = None, qt_args: Sequence[str] = (), debug: bool = False) -> int:
    """Run the desktop app until its window closes; returns the exit code."""
    from PySide6.QtCore import QCoreApplication, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("caseapp")
    QCoreApplication.setApplicationName("caseapp")
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    assert isinstance(app, QApplication)
    from caseapp.ui import theme
    from caseapp.ui.errors import ExceptionHook
    from caseapp.ui.main_window import SETTINGS_THEME, MainWindow

    settings = QSettings()
    theme.apply_theme(app, str(settings.value(SETTINGS_THEME, "system")))
    window = MainWindow(settings)
    hook = ExceptionHook(lambda summary, report: window.show_error_report(summary, report))
    hook.install()
    bench = os.environ.get(BENCH_ENV) == "1"

    def start() -> None:
        from caseapp.ui.unlock import StartupController

        controller = StartupController(window, home)
        window.controller = controller  # type: ignore[attr-defined]
        if bench:
            controller.ready.connect(lambda ctx: _bench_ready(window, app))
            controller.abandoned.connect(app.quit)
        controller.start()

    def painted() -> None:
        if bench:
            _bench_print("first-paint")
            heavy = [m for m in ("sqlalchemy", "sqlmodel", "alembic", "reportlab")
                     if m in sys.modules]
            print(f"heavy-modules-at-first-paint {','.join(heavy) or '-'}", flush=True)
        QTimer.singleShot(0, start)

    window.first_painted.connect(painted)
    window.show()
    try:
        return int(app.exec())
    finally:
        hook.uninstall()
        if debug:
            print("caseapp: window closed", file=sys.stderr)


def _bench_ready(window: object, app: object) -> None:
    """Benchmark hook: print once the case table has painted its rows, then quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    page = window.pages.get("cases")  # type: ignore[attr-defined]
    table = page.list.table if page is not None else None

    def report() -> None:
        rows = table.model().rowCount() if table is not None else -1
        print(f"rows {rows}", flush=True)
        window.close()  # type: ignore[attr-defined]
        app.quit()  # type: ignore[attr-defined]

    class _Painted(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                obj.removeEventFilter(self)
                result = obj.event(event)
                _bench_print("list-ready")
                QTimer.singleShot(0, report)
                return result
            return False

    if table is None:
        _bench_print("list-ready")
        QTimer.singleShot(0, report)
        return
    watcher = _Painted(table)
    table.viewport().installEventFilter(watcher)
    table.viewport().update()

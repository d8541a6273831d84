"""Desktop app bootstrap: ``caseapp`` with no command ends up in :func:`run`.

Start-up order keeps the first frame cheap: QApplication, theme and the main window (Qt only)
are created and painted first; only then does :class:`~caseapp.ui.startup.StartupController`
open the store on a worker thread, importing the database layer there.

``CASEAPP_BENCH_READY=1`` (benchmarks only) prints ``first-paint <t>`` (main window painted),
``list-ready <t>`` (the case table has painted its rows: filter, sort and select work) and
``app-ready <t>`` (the store is fully open, every action enabled), ``time.monotonic()``, on
stdout, then quits; ``CASEAPP_BENCH_READY=stay`` prints the same and keeps running (the
stress tests use it as "a GUI holding the store while the CLI writes").
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH_ENV = "CASEAPP_BENCH_READY"


def _bench_print(label: str) -> None:
    print(f"{label} {time.monotonic():.6f}", flush=True)


def skip_pyside_source_scan() -> bool:
    """Stop PySide6 reading the source of every module imported after it; True if done.

    PySide6 defaults each new module's opt-in ``from __feature__ import ...`` switches (snake
    case, true properties) by running ``inspect.getsource`` on it and looking for "PySide6":
    at start-up that reads ~600 files (SQLAlchemy, pydantic, the app), ~15 % of the CPU of a
    full open. caseapp selects no feature anywhere, and while no module selects one, a module
    marked as not using PySide (-1) gets exactly what one that does (0) gets: the default set.
    """
    feature = sys.modules.get("PySide6.support.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False  # another PySide6 layout: leave it as it is
    feature._mod_uses_pyside = _uses_no_feature  # type: ignore[attr-defined]
    return True


def _uses_no_feature(_module: object) -> bool:
    return False


def run(home: str | Path | None = None, qt_args: Sequence[str] = (), debug: bool = False) -> int:
    """Run the desktop app until its window closes; returns the exit code."""
    from caseapp.ui.xcb_check import check_xcb, platform_option

    hint = check_xcb(requested=platform_option(qt_args))
    if hint:  # instead of Qt's abort text: the one line that says what to install
        print(hint, file=sys.stderr)
        return 1
    from PySide6.QtCore import QCoreApplication, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    skip_pyside_source_scan()
    QCoreApplication.setOrganizationName("caseapp")
    QCoreApplication.setApplicationName("caseapp")
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    assert isinstance(app, QApplication)
    from caseapp.ui import theme
    from caseapp.ui.errors import ExceptionHook, ReportBridge
    from caseapp.ui.main_window import SETTINGS_THEME, MainWindow

    settings = QSettings()
    theme.apply_theme(app, str(settings.value(SETTINGS_THEME, "system")))
    window = MainWindow(settings)
    bridge = ReportBridge(window)  # hooks may run on any thread; dialogs only on this one
    bridge.report.connect(window.show_error_report)
    hook = ExceptionHook(bridge.report.emit)
    hook.install()
    bench = os.environ.get(BENCH_ENV) in ("1", "stay")
    stay = os.environ.get(BENCH_ENV) == "stay"

    def start() -> None:
        from caseapp.ui.fonts import register_fallbacks
        from caseapp.ui.startup import StartupController

        register_fallbacks(app)  # Hangul/Chinese names render without an OS CJK font

        controller = StartupController(window, home)
        window.controller = controller  # type: ignore[attr-defined]
        if bench:
            _bench_watch(window, controller, app, stay=stay)
        controller.start()

    starter = QTimer(window)  # a timer object: QTimer.singleShot would build the Qt enums now
    starter.setSingleShot(True)
    starter.setInterval(0)
    starter.timeout.connect(start)

    def painted() -> None:
        if bench:
            _bench_print("first-paint")
            heavy = [m for m in ("sqlalchemy", "sqlmodel", "alembic", "reportlab")
                     if m in sys.modules]
            print(f"heavy-modules-at-first-paint {','.join(heavy) or '-'}", flush=True)
        starter.start()

    window.first_painted.connect(painted)
    window.show()
    try:
        return int(app.exec())
    finally:
        hook.uninstall()
        if debug:
            print("caseapp: window closed", file=sys.stderr)


def _bench_watch(window: Any, controller: Any, app: Any, *, stay: bool = False) -> None:
    """Benchmark hook: print when the case list first paints and when the app is fully open,
    then quit (unless ``stay``)."""
    seen: set[str] = set()

    def mark(name: str, rows: int | None = None) -> None:
        _bench_print(name)
        if rows is not None:
            print(f"rows {rows}", flush=True)
        seen.add(name)
        if seen == {"list-ready", "app-ready"} and not stay:
            window.close()
            app.quit()

    window.cases_painted.connect(lambda rows: mark("list-ready", rows))
    def ready(_ctx: Any) -> None:
        print(f"cpu-at-app-ready {time.process_time():.6f}", flush=True)  # every thread's
        mark("app-ready")

    controller.ready.connect(ready)
    controller.abandoned.connect(app.quit)

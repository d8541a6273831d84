"""Screenshots for issue 20 (a day at the investigator's desk), at 1280x800, both themes.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_desk_shots.py [SHOT...] [--out DIR]

Loads the demo data into a throw-away data home (the tests' in-memory keyring), builds the
real main window and grabs it with QWidget.grab(). SHOT names: see ``SHOTS``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["CASEAPP_SCRYPT_LOG2N"] = "10"
sys.path.insert(0, str(HERE.parents[1] / "tests"))


def _checklist(win: Any) -> Any:
    tab = win.open_case("CASE-2026-0001").show_tab("redflags")
    tab.select_item("identity.shared-contact")
    return win


def _audit(win: Any) -> Any:
    page = win.show_page("audit")
    page.refresh()
    if hasattr(page, "table"):
        page.table.selectRow(0)
    return win


def _timeline(win: Any) -> Any:
    win.open_case("CASE-2026-0001").show_tab("timeline").refresh()
    return win


def _overview(win: Any) -> Any:
    win.open_case("CASE-2026-0001").show_tab("overview").refresh()
    return win


def _tips(win: Any) -> Any:
    win.show_page("tips").refresh()
    return win


def _search(win: Any) -> Any:
    page = win.show_page("search")
    page.box.setText("laptop*")
    page.run_search()
    page.ctx.runner.wait_all(10_000)
    for _ in range(20):
        page.ctx.runner.wait_all(1_000)
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
    page._enter()
    return win


def _tab(name: str) -> Callable[[Any], Any]:
    def show(win: Any) -> Any:
        win.open_case("CASE-2026-0001").show_tab(name).refresh()
        return win
    return show


SHOTS: dict[str, Callable[[Any], Any]] = {
    "checklist": _checklist, "audit": _audit, "timeline": _timeline, "overview": _overview,
    "tips": _tips, "search": _search, "cases": lambda w: w,
    "subjects": _tab("subjects"), "evidence": _tab("evidence"), "links": _tab("links"),
    "exports": _tab("exports"), "case-tips": _tab("tips"),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("shots", nargs="*", default=list(SHOTS))
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--themes", default="light,dark")
    parser.add_argument("--switch", action="store_true",
                        help="switch the theme live on one window (as the View menu does)")
    args = parser.parse_args()
    import keyring
    from memkeyring import MemoryKeyring
    from PySide6.QtWidgets import QApplication

    from caseapp.services.maintenance import demo
    from caseapp.services.workspace import open_workspace
    from caseapp.ui import theme
    from caseapp.ui.context import AppContext
    from caseapp.ui.main_window import MainWindow
    from caseapp.ui.workers import TaskRunner

    keyring.set_keyring(MemoryKeyring())
    app = QApplication([])
    from caseapp.ui.fonts import register_fallbacks

    register_fallbacks(app)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ws = open_workspace(Path(tmp) / "home", exclusive=True)
        demo.load_demo(ws)
        win: Any = None
        for mode in args.themes.split(","):
            if win is None or not args.switch:
                theme.apply_theme(app, mode)
                win = MainWindow()
                win.attach(AppContext(ws, TaskRunner(win), win))
                win.resize(1280, 800)
                win.show()
            else:
                win.set_theme(mode)
            for name in args.shots:
                SHOTS[name](win)
                for _ in range(10):
                    app.processEvents()
                suffix = "" if mode == "light" else f"-{mode}"
                path = args.out / f"desk-{name}{suffix}.png"
                win.grab().save(str(path))
                print("wrote", path)
            if not args.switch:
                win.ctx.runner.wait_all(10_000)
                win.close()
        ws.close()


if __name__ == "__main__":
    main()

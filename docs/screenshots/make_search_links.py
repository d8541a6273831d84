"""Regenerate search.png and links.png: the Search page and a case's Links tab on the demo data.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_search_links.py

Uses a throw-away data home and the tests' in-memory keyring; nothing else is touched. For the
Links picture one extra (fictional) subject is added to CASE-2026-0003 with CASE-2026-0001's
forwarding address under another flat number, so that a near link (dashed) shows too.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["CASEAPP_SCRYPT_LOG2N"] = "10"
sys.path.insert(0, str(HERE.parents[1] / "tests"))


def _wait(app: object, done: object, limit: int = 500) -> None:
    from PySide6.QtTest import QTest

    for _ in range(limit):
        if done():  # type: ignore[operator]
            break
        QTest.qWait(20)
    for _ in range(5):
        app.processEvents()  # type: ignore[attr-defined]


def main() -> None:
    import keyring
    from memkeyring import MemoryKeyring
    from PySide6.QtWidgets import QApplication

    from caseapp.services.maintenance import demo
    from caseapp.services.cases import subjects
    from caseapp.services.cases.subjects import IdentifierInput
    from caseapp.services.workspace import open_workspace
    from caseapp.ui import theme
    from caseapp.ui.context import AppContext
    from caseapp.ui.main_window import MainWindow
    from caseapp.ui.workers import TaskRunner

    keyring.set_keyring(MemoryKeyring())
    app = QApplication([])
    theme.apply_theme(app, "light")
    with tempfile.TemporaryDirectory() as tmp:
        ws = open_workspace(Path(tmp) / "home", exclusive=True)
        demo.load_demo(ws)
        subjects.add_subject(ws, "CASE-2026-0003", "Jordan Reyes", identifiers=[
            IdentifierInput("address", "1208 Larkspur Ct, Apt 7C, Millbrook, NJ 07999, USA")])
        win = MainWindow()
        win.attach(AppContext(ws, TaskRunner(win), win))
        win.resize(1440, 900)
        win.show()
        page = win.show_page("search")
        page.focus_find()
        page.box.setText("Millbrook")
        page.run_search()
        _wait(app, lambda: page.handle is None and page.query == "Millbrook")
        page.view.setFocus()
        win.grab().save(str(HERE / "search.png"))
        print("wrote", HERE / "search.png", "-", page.status.text())
        view = win.open_case("CASE-2026-0001")
        tab = view.show_tab("links")
        _wait(app, lambda: tab.handle is None)
        bank = next(r for r in range(tab.proxy.rowCount())
                    if tab.proxy.index(r, 0).data().startswith("Bank"))
        tab.table.setCurrentIndex(tab.proxy.index(bank, 0))
        tab.table.setFocus()
        _wait(app, lambda: True, 5)
        win.grab().save(str(HERE / "links.png"))
        print("wrote", HERE / "links.png", "-", tab.summary.text())
        win.close()
        ws.close()


if __name__ == "__main__":
    main()

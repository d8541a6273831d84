"""Regenerate red-flags.png / red-flags-dark.png: the Red flags tab on the demo data.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_red_flags.py

Uses a throw-away data home and the tests' in-memory keyring; nothing else is touched.
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


def main() -> None:
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
    with tempfile.TemporaryDirectory() as tmp:
        ws = open_workspace(Path(tmp) / "home", exclusive=True)
        demo.load_demo(ws)
        for mode, name in (("light", "red-flags.png"), ("dark", "red-flags-dark.png")):
            theme.apply_theme(app, mode)
            win = MainWindow()
            win.attach(AppContext(ws, TaskRunner(win), win))
            win.resize(1440, 1020)
            win.show()
            tab = win.open_case("CASE-2026-0001").show_tab("redflags")
            tab.select_item("logistics.laptop-farm")
            tab.tree.setFocus()
            for _ in range(5):
                app.processEvents()
            win.grab().save(str(HERE / name))
            win.close()
            print("wrote", HERE / name)
        ws.close()


if __name__ == "__main__":
    main()

"""Screenshots of the case list and a case's Evidence tab over the demo data.

    caseapp --home /tmp/uidemo demo        # CASEAPP_PASSPHRASE=... where no keyring is usable
    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/screenshots/make_app_shots.py \
        --home /tmp/uidemo [--theme light|dark] [--suffix ""] [--out docs/screenshots]

Drives the real start-up (StartupController, with CASEAPP_PASSPHRASE when the store has a
passphrase) and grabs the main window with QWidget.grab().
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", required=True)
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--suffix", default="")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--case", default="CASE-2026-0001")
    args = parser.parse_args()
    QCoreApplication.setOrganizationName("caseapp-screenshots")
    app = QApplication(sys.argv[:1])
    from caseapp.ui import theme
    from caseapp.ui.main_window import MainWindow
    from caseapp.ui.startup import StartupController

    theme.apply_theme(app, args.theme)
    window = MainWindow(QSettings())
    window.resize(1360, 820)
    window.show()
    controller = StartupController(window, args.home)

    def shoot(name: str) -> None:
        app.processEvents()
        path = args.out / f"{name}{args.suffix}.png"
        window.grab().save(str(path))
        print(f"saved {path}")

    def evidence() -> None:
        shoot("case-evidence")
        window.close()
        app.quit()

    def case_list() -> None:
        window.show_page("cases")
        shoot("case-list")
        tab = window.open_case(args.case).show_tab("evidence")
        tab.refresh()
        tab.table.selectRow(0)
        QTimer.singleShot(300, evidence)

    controller.ready.connect(lambda _ctx: QTimer.singleShot(400, case_list))
    controller.abandoned.connect(app.quit)
    QTimer.singleShot(0, controller.start)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())

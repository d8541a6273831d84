"""Screenshots of the Produce dialog and of produced pages over the demo data.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_produce_shots.py [--out DIR]

Builds a throw-away store (passphrase mode) in a temp folder, loads the demo cases, opens the
real window and the Produce dialog, withholds one exhibit, grabs the dialog, runs the
production through the worker and renders the first page of two produced PDFs with
``pdftoppm`` (poppler-utils).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication


def _pump(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = parser.parse_args()
    os.environ.setdefault("CASEAPP_SCRYPT_LOG2N", "10")
    QCoreApplication.setOrganizationName("caseapp-screenshots")
    app = QApplication(sys.argv[:1])
    from caseapp.services.maintenance import demo
    from caseapp.services.workspace import open_workspace
    from caseapp.ui import theme
    from caseapp.ui.casefile.produce_dialog import ProduceDialog
    from caseapp.ui.context import AppContext
    from caseapp.ui.main_window import MainWindow
    from caseapp.ui.workers import TaskRunner

    theme.apply_theme(app, "light")
    with tempfile.TemporaryDirectory(prefix="caseapp-shots-") as tmp:
        root = Path(tmp)
        ws = open_workspace(root / "home", lambda *_a: "screenshots only", exclusive=True,
                            key_mode="passphrase")
        ref = demo.load_demo(ws)["cases"][0]
        window = MainWindow(QSettings())
        ctx = AppContext(ws, TaskRunner(window), window)
        window.attach(ctx)
        window.resize(1360, 820)
        window.show()
        view = window.open_case(ref)
        _pump()
        next(a for a in window.actions_.case_actions
             if "Produce" in a.text().replace("&", "")).trigger()
        _pump()
        dialog = next(d for d in view.findChildren(ProduceDialog) if d.isVisible())
        out = root / "Documents" / "ACME-production-001"
        out.parent.mkdir()
        dialog.folder.setText(str(out))
        dialog.prefix.setText("ACME")
        dialog.endorse.setText("CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER")
        dialog.refresh_preview()
        dialog.table.selectRow(1)
        dialog.treatment.setCurrentIndex(dialog.treatment.findData("work-product"))
        dialog.apply_treatment()
        dialog.table.selectRow(0)
        _pump()
        dialog.grab().save(str(args.out / "produce-dialog.png"))
        handle = dialog.start()
        while handle is not None and not handle.is_finished:
            _pump(100)
        if dialog.outcome is None:
            print(f"production failed: {dialog.error.text()}", file=sys.stderr)
            return 1
        for doc, name in zip(dialog.outcome.documents[:1], ("produce-text-page",),
                             strict=False):
            pdf = out / "VOL001" / Path(*doc["image"].split("\\"))
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", "1", "-l",
                            "1", str(pdf), str(args.out / name)], check=True)
        ctx.runner.wait_all()
        window.close()
        ws.close()
    print(f"saved {args.out / 'produce-dialog.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

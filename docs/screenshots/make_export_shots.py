"""Screenshots of the Export PDF dialog and the in-app preview over the demo data.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_export_shots.py [--out DIR]

Builds a throw-away store (passphrase mode, so no keyring is touched) in a temp folder, loads
the demo cases, opens the real window, fills the dialog as an investigator would, runs the
export through the worker and grabs the dialog and the preview with ``QWidget.grab()``.
"""

from __future__ import annotations

import argparse
import os
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
    os.environ.setdefault("CASEAPP_SCRYPT_LOG2N", "10")  # throw-away store: cheap unlock
    QCoreApplication.setOrganizationName("caseapp-screenshots")
    app = QApplication(sys.argv[:1])
    from caseapp.services.maintenance import demo
    from caseapp.services.workspace import open_workspace
    from caseapp.ui import theme
    from caseapp.ui.context import AppContext
    from caseapp.ui.casefile.dialog import ExportDialog
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
        action = next(a for a in window.actions_.registered_case_actions
                      if "PDF" in a.text())
        action.trigger()
        _pump()
        dialog = next(d for d in view.findChildren(ExportDialog) if d.isVisible())
        docs = root / "Documents"
        docs.mkdir()
        form = dialog.form
        form.prepared_by.setText("J. Rivera, Trust & Safety")
        form.recipient.setText("Outside counsel — Smith & Partners LLP")
        form.use_standard_legend()
        form.out_path.setText(str(docs / f"{ref}-case-file.pdf"))
        form.use_package.setChecked(True)
        form.package_path.setText(str(docs / f"{ref}-production"))
        form.recipient.setFocus()
        _pump()
        dialog.grab().save(str(args.out / "export-dialog.png"))
        handle = dialog.start_export()
        while handle is not None and not handle.is_finished:
            _pump(100)
        if dialog.preview is None:
            print(f"export failed: {dialog.error.text()}", file=sys.stderr)
            return 1
        _pump(1500)  # QPdfView renders pages asynchronously
        dialog.preview.grab().save(str(args.out / "export-preview.png"))
        dialog.preview.close()
        ctx.runner.wait_all()
        window.close()
        ws.close()
    print(f"saved {args.out / 'export-dialog.png'} and {args.out / 'export-preview.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Screenshots of the Produce dialog and of produced pages over the demo data.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_produce_shots.py [--out DIR]

Builds a throw-away store (passphrase mode) in a temp folder, loads the demo cases, opens the
real window and the Produce dialog, withholds one exhibit, grabs the dialog, runs the
production through the worker and renders the first page of two produced PDFs with
``pdftoppm`` (poppler-utils).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from shots import demo_window, out_dir, pump


def main() -> int:
    out_to = out_dir()
    from caseapp.ui.casefile.produce_dialog import ProduceDialog

    with demo_window() as shot:
        window = shot.window
        view = window.open_case(shot.ref)
        pump()
        next(a for a in window.actions_.case_actions
             if "Produce" in a.text().replace("&", "")).trigger()
        pump()
        dialog = next(d for d in view.findChildren(ProduceDialog) if d.isVisible())
        out = shot.root / "Documents" / "ACME-production-001"
        out.parent.mkdir()
        dialog.folder.setText(str(out))
        dialog.prefix.setText("ACME")
        dialog.endorse.setText("CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER")
        dialog.refresh_preview()
        dialog.table.selectRow(1)
        dialog.treatment.setCurrentIndex(dialog.treatment.findData("work-product"))
        dialog.apply_treatment()
        dialog.table.selectRow(0)
        pump()
        dialog.grab().save(str(out_to / "produce-dialog.png"))
        shot.wait(dialog.start())
        if dialog.outcome is None:
            print(f"production failed: {dialog.error.text()}", file=sys.stderr)
            return 1
        for doc, name in zip(dialog.outcome.documents[:1], ("produce-text-page",),
                             strict=False):
            pdf = out / "VOL001" / Path(*doc["image"].split("\\"))
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", "1", "-l",
                            "1", str(pdf), str(out_to / name)], check=True)
    print(f"saved {out_to / 'produce-dialog.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

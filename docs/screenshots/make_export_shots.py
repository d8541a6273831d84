"""Screenshots of the Export PDF dialog and the in-app preview over the demo data.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_export_shots.py [--out DIR]

Builds a throw-away store (passphrase mode, so no keyring is touched) in a temp folder, loads
the demo cases, opens the real window, fills the dialog as an investigator would, runs the
export through the worker and grabs the dialog and the preview with ``QWidget.grab()``.
"""

from __future__ import annotations

import sys

from shots import demo_window, out_dir, pump


def main() -> int:
    out = out_dir()
    from caseapp.ui.casefile.dialog import ExportDialog

    with demo_window() as shot:
        window, ref = shot.window, shot.ref
        view = window.open_case(ref)
        pump()
        action = next(a for a in window.actions_.case_actions if "PDF" in a.text())
        action.trigger()
        pump()
        dialog = next(d for d in view.findChildren(ExportDialog) if d.isVisible())
        docs = shot.root / "Documents"
        docs.mkdir()
        form = dialog.form
        form.prepared_by.setText("J. Rivera, Trust & Safety")
        form.recipient.setText("Outside counsel — Smith & Partners LLP")
        form.use_standard_legend()
        form.out_path.setText(str(docs / f"{ref}-case-file.pdf"))
        form.use_package.setChecked(True)
        form.package_path.setText(str(docs / f"{ref}-production"))
        form.recipient.setFocus()
        pump()
        dialog.grab().save(str(out / "export-dialog.png"))
        shot.wait(dialog.start_export())
        if dialog.preview is None:
            print(f"export failed: {dialog.error.text()}", file=sys.stderr)
            return 1
        pump(1500)  # QPdfView renders pages asynchronously
        dialog.preview.grab().save(str(out / "export-preview.png"))
        dialog.preview.close()
    print(f"saved {out / 'export-dialog.png'} and {out / 'export-preview.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Window actions of the store as a whole: demo data, backup, verify."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QWidget

from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.widgets.common import run_with_progress
from caseapp.ui.workers import TaskControl


def load_demo(ctx: AppContext, parent: QWidget) -> None:
    """Load the fictional demo cases into an empty store, in the background."""

    def work(_control: TaskControl) -> dict[str, Any]:
        from caseapp.services.maintenance import demo

        return demo.load_demo(ctx.ws, signals=True)

    def done(result: dict[str, Any]) -> None:
        log_event("demo.loaded", cases=len(result["cases"]))
        ctx.show_message(f"Loaded {len(result['cases'])} demo cases.")
        ctx.notify_changed("")

    run_with_progress(ctx, parent, "Loading demo data", work, name="demo", on_done=done,
                      cancellable=False)


def backup_store(ctx: AppContext, parent: QWidget) -> None:
    """Back up the (still encrypted) store into a new folder chosen by the user."""
    folder = QFileDialog.getExistingDirectory(parent, "Back up into which folder?")
    if not folder:
        return
    dest = Path(folder) / f"caseapp-backup-{datetime.now():%Y%m%d-%H%M%S}"

    def work(_control: TaskControl) -> dict[str, Any]:
        from caseapp.services.maintenance import backup

        return backup.backup(ctx.ws, dest)

    def done(result: dict[str, Any]) -> None:
        log_event("store.backup", blobs=result["blobs"])
        ctx.show_message(f"Backed up to {result['path']} ({result['blobs']} exhibit files).")

    run_with_progress(ctx, parent, "Backing up the store", work, name="backup", on_done=done,
                      cancellable=False)


def verify_store(ctx: AppContext, _parent: QWidget) -> None:
    """Show the Audit page and verify the store there, in the background."""
    from caseapp.ui.maintenance.audit_page import AuditPage

    ctx.page(AuditPage).verify()

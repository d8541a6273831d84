"""The Export PDF case action (Ctrl+E)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from caseapp.ui.casefile.dialog import open_export_dialog
from caseapp.ui.context import AppContext


def export_pdf(ctx: AppContext, case_ref: str, parent: QWidget) -> None:
    """Case action: open the Export PDF dialog of ``case_ref``."""
    open_export_dialog(ctx, case_ref, parent)

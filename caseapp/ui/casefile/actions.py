"""The Export PDF case action (Ctrl+E).

The dialog module (and through it reportlab, ~0.3 s of imports) is imported when the action
is first used, not when the app's features are listed at start-up.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from caseapp.ui.context import AppContext


def export_pdf(ctx: AppContext, case_ref: str, parent: QWidget) -> None:
    """Case action: open the Export PDF dialog of ``case_ref``."""
    from caseapp.ui.casefile.dialog import open_export_dialog

    open_export_dialog(ctx, case_ref, parent)

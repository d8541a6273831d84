"""Registers Export PDF: the "Export PDF…" case action (Ctrl+E) and the "Exports" case tab."""

from __future__ import annotations

from typing import Any

from caseapp.ui.casefile.dialog import open_export_dialog
from caseapp.ui.casefile.history import ExportsTab
from caseapp.ui.context import AppContext
from caseapp.ui.registry import register_case_action, register_case_tab


def export_pdf(ctx: AppContext, case_ref: str, parent: Any) -> None:
    """Case action: open the Export PDF dialog of ``case_ref``."""
    open_export_dialog(ctx, case_ref, parent)


register_case_action("export-pdf", "Export &PDF…", export_pdf, order=10, shortcut="Ctrl+E",
                     toolbar=True, tip="Export the case as a Bates-numbered PDF case file "
                     "(Ctrl+E)")
register_case_tab("exports", "Exports", ExportsTab, order=80)

"""The Export PDF case action (Ctrl+E) and Finish interrupted productions.

The dialog module (and through it reportlab, ~0.3 s of imports) is imported when the action
is first used, not when the app's features are listed at start-up.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from caseapp.ui.context import AppContext


def export_pdf(ctx: AppContext, case_ref: str, parent: QWidget) -> None:
    """Case action: open the Export PDF dialog of ``case_ref``."""
    from caseapp.ui.casefile.dialog import open_export_dialog

    open_export_dialog(ctx, case_ref, parent)


def finish_productions(ctx: AppContext, case_ref: str, parent: QWidget) -> None:
    """Case action: finish productions of ``case_ref`` that were killed after being recorded
    (check every file, move the volume into place) and remove stale staging folders; the
    outcome is shown in the status bar, problems in a message box."""
    from PySide6.QtWidgets import QMessageBox

    from caseapp.ui.errors import log_event
    from caseapp.ui.widgets.common import run_with_progress

    ws = ctx.ws

    def work(_control: object) -> object:
        from caseapp.services.casefile.finish import finish_productions as finish

        return finish(ws, case_ref)

    def done(report: object) -> None:
        data = report.to_json()  # type: ignore[attr-defined]
        log_event("productions.finished", case=case_ref, finished=len(data["finished"]),
                  problems=len(data["problems"]), removed=len(data["removed"]))
        parts = [f"production {f['production']} moved into place" for f in data["finished"]]
        if data["removed"]:
            parts.append(f"{len(data['removed'])} stale staging folder(s) removed")
        ctx.show_message(f"{case_ref}: " + ("; ".join(parts) if parts else
                                            "no interrupted production to finish") + ".")
        if data["finished"]:
            ctx.notify_changed(case_ref)
        if data["problems"]:
            box = QMessageBox(QMessageBox.Icon.Warning, "Productions not finished",
                              "\n".join(f"Production {p['production']}: {p['problem']}. "
                                        f"Its volume was left in {p['staged']}."
                                        for p in data["problems"]), parent=parent)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.open()  # a child of ``parent``: kept alive by it

    def failed(exc: BaseException) -> None:
        ctx.report_error(exc, "Finish productions")

    run_with_progress(ctx, parent, f"Finishing productions of {case_ref}", work,
                      name="finish-productions", on_done=done, on_error=failed,
                      cancellable=False)

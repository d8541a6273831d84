"""The Tips tab of a case: the tips linked to it (tipster identity masked), open or unlink."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.tips.identifiers import bind_keys, record_table
from caseapp.ui.tips.models import QUEUE_COLUMNS, TipQueueModel
from caseapp.ui.widgets.columns import set_widths
from caseapp.ui.widgets.common import Banner, action_button, button_row
from caseapp.ui.widgets.panes import CaseTab

#: The queue's columns without "Cases" (this case is every row's case).
CASE_TIP_COLUMNS = [c for c in QUEUE_COLUMNS if c.title != "Cases"]


class CaseTipsTab(CaseTab):
    """Tips linked to one case, oldest first."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_ref, parent)
        layout = QVBoxLayout(self)
        self.open_button = action_button("Open &tip", self.open_selected,
                                         "Show the selected tip on the Tips page (Enter)")
        self.unlink_button = action_button(
            "&Unlink tip", self.unlink_selected,
            "Remove the link between the selected tip and this case (Delete)")
        hint = QLabel("Link tips from the Tips page (Link to case…). Tipster identities stay "
                      "hidden here.")
        hint.setEnabled(False)
        button_row(layout, self.open_button, self.unlink_button).addWidget(hint)
        self.banner = Banner()
        layout.addWidget(self.banner)
        sort_keys = [lambda t, c=c: c.text(t) for c in CASE_TIP_COLUMNS]
        self.model = TipQueueModel(self, CASE_TIP_COLUMNS, sort_keys)
        self.table = record_table(self.model, "Tips linked to this case")
        set_widths(self.table, (120, 110, 60, 150, 150, 190, 110), len(CASE_TIP_COLUMNS) - 1)
        layout.addWidget(self.table, 1)
        self.empty = QLabel("No tips are linked to this case.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        bind_keys(self.table, self.open_selected, "Return", "Enter")
        bind_keys(self.table, self.unlink_selected, "Delete")
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._sync())
        self._sync()

    def refresh(self) -> None:
        """Reload the linked tips, keeping the selected one."""
        from caseapp.services.tips import casework

        keep = self.selected_ref()
        self.model.set_records(casework.tips_for_case(self.ctx.ws, self.case_ref))
        row = self.model.row_of(keep) if keep else -1
        if self.model.rowCount():
            self.table.selectRow(max(row, 0))
        self._sync()

    def selected_ref(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.record(index.row()).ref if index.isValid() else None

    def _sync(self) -> None:
        has = self.selected_ref() is not None
        self.open_button.setEnabled(has)
        self.unlink_button.setEnabled(has)
        self.empty.setVisible(self.model.rowCount() == 0)

    def open_selected(self) -> bool | None:
        """Show the selected tip in the Tips page's editor."""
        from caseapp.ui.tips.page import TipsPage

        ref = self.selected_ref()
        if ref is None:
            return None
        return self.ctx.page(TipsPage).open_tip(ref)

    def unlink_selected(self) -> None:
        """Unlink the selected tip from this case (it can be linked again)."""
        from caseapp.services.tips import casework

        ref = self.selected_ref()
        if ref is None:
            return
        try:
            view = casework.unlink_tip(self.ctx.ws, ref, self.case_ref)
        except Exception as exc:  # noqa: BLE001
            self.banner.show_text(self.ctx.report_error(exc, "Unlink tip"), "error")
            return
        log_event("tip.unlinked", tip=ref, case=self.case_ref)
        self.banner.show_text(f"{ref} is no longer linked to {self.case_ref} (now "
                              f"{view.status.replace('-', ' ')}).", "ok")
        self.refresh()
        self.ctx.notify_changed(self.case_ref)

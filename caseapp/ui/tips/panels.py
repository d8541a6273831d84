"""Parts of the tip editor that act at once on a saved tip: duplicate decisions and linked
cases (attachments: :mod:`caseapp.ui.tips.attachments`). Each calls the services itself and
emits ``changed`` afterwards."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHeaderView,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui import theme
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.tips.dialogs import CaseFromTipDialog, LinkCaseDialog
from caseapp.ui.tips.identifiers import bind_keys, record_table
from caseapp.ui.tips.models import CANDIDATE_COLUMNS
from caseapp.ui.tips.panel import TipPanel
from caseapp.ui.widgets.columns import set_widths
from caseapp.ui.widgets.common import (
    action_button,
    framed_panel,
    head_with_banner,
    open_dialog,
    plain_label,
)
from caseapp.ui.widgets.records import Column, RecordTableModel

if TYPE_CHECKING:
    from caseapp.services.tips.dedup import DuplicateCandidate
    from caseapp.services.tips.views import TipView



class DuplicatesPanel(QFrame):
    """Likely duplicates found on save, with reasons and scores, for the user to decide."""

    changed = Signal(str)
    open_tip = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tip_ref = ""
        self.title = plain_label(wrap=True, bold=True)
        layout = framed_panel(self, "duplicates", self.title,
                              "Hide (decide later with Find duplicates)")
        self.model = RecordTableModel(CANDIDATE_COLUMNS, self)
        self.table = record_table(self.model, "Possible duplicates")
        set_widths(self.table, (120, 110, 60), 3)
        layout.addWidget(self.table)
        self.mark_button = action_button("Mark as duplicate of selected", self.mark_duplicate)
        self.keep_button = action_button("Keep separate", self.keep_separate)
        self.open_button = action_button("Open candidate", self._open)
        self.result = head_with_banner(layout, self.mark_button, self.keep_button,
                                       self.open_button)
        self.table.doubleClicked.connect(lambda _i: self._open())
        bind_keys(self.table, self._open, "Return", "Enter")
        self.hide()

    def show_candidates(self, tip_ref: str, candidates: list[DuplicateCandidate]) -> None:
        """Show the candidates of ``tip_ref`` (hidden when there are none)."""
        self.tip_ref = tip_ref
        self.model.set_records(candidates)
        self.result.hide()
        theme.style_with(self, lambda: "QFrame#duplicates { border: 2px solid "
                         f"{theme.accent('warn').name()}; border-radius: 4px; }}")
        self._update_title()
        if candidates:
            self.table.selectRow(0)
            self.show()
        else:
            self.hide()

    def _update_title(self) -> None:
        n = self.model.rowCount()
        rows = min(max(n, 1), 5)
        row_height = self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height()
                                  + rows * row_height + 2 * self.table.frameWidth() + 2)
        self.title.setText(f"{self.tip_ref} may duplicate {n} other tip{'s' * (n != 1)}: mark "
                           "it a duplicate of one, or keep it separate from each.")
        for button in (self.mark_button, self.keep_button, self.open_button):
            button.setEnabled(n > 0)

    def selected(self) -> DuplicateCandidate | None:
        return self.model.record_at(self.table.currentIndex())

    def mark_duplicate(self) -> None:
        """Mark the tip a duplicate of the selected candidate."""
        from caseapp.services.tips import tips

        cand = self.selected()
        if cand is None:
            return
        try:
            view = tips.mark_duplicate(self.ctx.ws, self.tip_ref, cand.ref)
        except Exception as exc:  # noqa: BLE001 - shown inline
            self.result.show_text(self.ctx.report_error(exc, "Mark duplicate"), "error")
            return
        log_event("tip.marked-duplicate", tip=self.tip_ref, of=view.duplicate_of)
        self.model.set_records([])
        self._update_title()
        self.title.setText(f"{self.tip_ref} is marked a duplicate of {view.duplicate_of}.")
        self.changed.emit(self.tip_ref)

    def keep_separate(self) -> None:
        """Record that the tip and the selected candidate are different leads."""
        from caseapp.services.tips import tips

        cand = self.selected()
        if cand is None:
            return
        try:
            tips.keep_separate(self.ctx.ws, self.tip_ref, cand.ref)
        except Exception as exc:  # noqa: BLE001 - shown inline
            self.result.show_text(self.ctx.report_error(exc, "Keep separate"), "error")
            return
        log_event("tip.kept-separate", tip=self.tip_ref, other=cand.ref)
        self.model.set_records([c for c in self.model.records if c.ref != cand.ref])
        self._update_title()
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self.title.setText(f"{self.tip_ref} is kept separate from the tips found.")
        self.changed.emit(self.tip_ref)

    def _open(self) -> None:
        cand = self.selected()
        if cand is not None:
            self.open_tip.emit(cand.ref)


class CasesPanel(TipPanel):
    """Cases the tip is linked to; link, unlink, open, create a case from the tip."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.dialog: QDialog | None = None
        layout = QVBoxLayout(self)
        self.link_button = action_button("L&ink to case…", self.link_case,
                                         "Link this tip to a case (Ctrl+L)")
        self.unlink_button = action_button("Unlink", self.unlink_selected)
        self.open_button = action_button("Open case", self.open_selected)
        self.create_button = action_button("Ne&w case from tip…", self.create_case)
        self.banner = head_with_banner(layout, self.link_button, self.unlink_button,
                                       self.open_button, self.create_button)
        self.model: RecordTableModel[tuple[str, str, str]] = RecordTableModel([
            Column("Case", lambda c: c[0]), Column("Title", lambda c: c[1],
                                                   tooltip=lambda c: c[1]),
            Column("Status", lambda c: c[2])], self)
        self.table = record_table(self.model, "Linked cases")
        self.table.horizontalHeader().resizeSection(0, 130)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        bind_keys(self.table, self.open_selected, "Return", "Enter")
        bind_keys(self.table, self.unlink_selected, "Delete")
        self.unlink_button.setToolTip("Remove the selected link (Delete)")
        self.open_button.setToolTip("Open the selected case (Enter)")
        self.set_tip(None)

    def set_tip(self, tip: TipView | None) -> None:
        """Show the links of ``tip`` (None: a new tip, nothing to link yet)."""
        from caseapp.services.cases import cases

        self.tip = tip
        rows: list[tuple[str, str, str]] = []
        for ref in (tip.cases if tip is not None else ()):
            try:
                case = cases.get_case(self.ctx.ws, ref)
                rows.append((ref, case.title, case.status.replace("-", " ").capitalize()))
            except Exception:  # noqa: BLE001 - deleted meanwhile: still show the ref
                rows.append((ref, "", ""))
        self.model.set_records(rows)
        if rows:
            self.table.selectRow(0)
        for button in (self.link_button, self.create_button):
            button.setEnabled(tip is not None)
        for button in (self.unlink_button, self.open_button):
            button.setEnabled(bool(rows))

    def selected_ref(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.record(index.row())[0] if index.isValid() else None

    def link_case(self) -> LinkCaseDialog | None:
        """Choose a case (suggestions first) and link the tip to it."""
        from caseapp.services.cases.caselist_source import open_case_list
        from caseapp.services.tips import casework

        if self.tip is None:
            return None
        related = casework.related_cases(self.ctx.ws, self.tip.ref)
        dialog = LinkCaseDialog(self.tip.ref, related, open_case_list(self.ctx.ws),
                                self.tip.cases, self)
        self.dialog = open_dialog(dialog, self._link)
        return dialog

    def _link(self, dialog: LinkCaseDialog) -> None:
        from caseapp.services.tips import casework

        assert self.tip is not None  # the dialog is offered only for a loaded tip
        ref = self.tip.ref
        try:
            casework.link_tip(self.ctx.ws, ref, dialog.choice or "", note=dialog.note.text())
        except Exception as exc:  # noqa: BLE001 - back to the dialog with the reason
            dialog.error.show_error(self.ctx.report_error(exc, "Link"))
            dialog.open()
            return
        dialog.release()
        log_event("tip.linked", tip=ref, case=dialog.choice)
        self.banner.show_text(f"{ref} is linked to {dialog.choice}.", "ok")
        self.ctx.notify_changed(dialog.choice or "")
        self.changed.emit(ref)

    def unlink_selected(self) -> None:
        """Remove the selected link (a link made by mistake)."""
        from caseapp.services.tips import casework

        case = self.selected_ref()
        if self.tip is None or case is None:
            return
        try:
            casework.unlink_tip(self.ctx.ws, self.tip.ref, case)
        except Exception as exc:  # noqa: BLE001
            self.banner.show_text(self.ctx.report_error(exc, "Unlink"), "error")
            return
        log_event("tip.unlinked", tip=self.tip.ref, case=case)
        self.banner.show_text(f"{self.tip.ref} is no longer linked to {case}.", "ok")
        self.ctx.notify_changed(case)
        self.changed.emit(self.tip.ref)

    def open_selected(self) -> None:
        """Open the selected case in the Cases page."""
        case = self.selected_ref()
        if case is not None:
            self.ctx.open_case(case)

    def create_case(self) -> CaseFromTipDialog | None:
        """Ask for a title, then open a new case from the tip."""
        if self.tip is None:
            return None
        self.dialog = dialog = open_dialog(CaseFromTipDialog(self.tip, self), self._create)
        return dialog

    def _create(self, dialog: CaseFromTipDialog) -> None:
        from caseapp.services.tips import casework

        assert self.tip is not None  # the dialog is offered only for a loaded tip
        ref = self.tip.ref
        try:
            case = casework.create_case_from_tip(self.ctx.ws, ref, **dialog.values())
        except Exception as exc:  # noqa: BLE001
            dialog.error.show_error(self.ctx.report_error(exc, "Create case"))
            dialog.open()
            return
        log_event("case.created-from-tip", tip=ref, case=case.ref)
        self.ctx.show_message(f"Created {case.ref} from {ref}.")
        self.ctx.notify_changed(case.ref)
        self.changed.emit(ref)
        self.ctx.open_case(case.ref)

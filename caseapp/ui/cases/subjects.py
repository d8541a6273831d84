"""Subjects tab: the case's subjects, their details and a table of typed identifiers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.cases.subject_dialog import IdentifierDialog, SubjectDialog
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.formatting import kind_label
from caseapp.ui.widgets.common import action_button, head_with_banner, open_dialog
from caseapp.ui.widgets.panes import CaseTab
from caseapp.ui.widgets.records import Column, RecordTableModel, plain_tooltip

if TYPE_CHECKING:
    from caseapp.domain.models import Identifier
    from caseapp.services.cases.subjects import SubjectView
    from caseapp.ui.widgets.conflict_dialog import ConflictDialog



def _status(ident: Identifier) -> str:
    if ident.normalized_ok:
        return "normalised"
    return "not normalised" + (f": {ident.normalize_note}" if ident.normalize_note else "")


IDENTIFIER_COLUMNS: list[Column[Identifier]] = [
    Column("Kind", lambda i: kind_label(i.kind), tooltip=lambda i: i.kind),
    Column("Raw value", lambda i: i.raw, tooltip=lambda i: i.raw),
    Column("Normalised", lambda i: i.normalized, tooltip=lambda i: i.normalized),
    Column("Status", _status, colour=lambda i: None if i.normalized_ok else "warn"),
]


class SubjectsTab(CaseTab):
    """List of subjects on the left; details and identifiers of the selected one."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_ref, parent)
        self.views: list[SubjectView] = []
        self.dialog: QDialog | None = None
        self.conflict: ConflictDialog | None = None
        layout = QVBoxLayout(self)
        self.add_button = action_button("&Add subject…", self.add_subject)
        self.edit_button = action_button("&Edit subject…", self.edit_subject)
        self.add_ident_button = action_button("Add &identifier…", self.add_identifier)
        self.remove_ident_button = action_button("&Remove identifier", self.remove_identifier)
        self.banner = head_with_banner(layout, self.add_button, self.edit_button,
                                       self.add_ident_button, self.remove_ident_button)
        splitter = QSplitter()
        self.list = QListWidget()
        self.list.setAccessibleName("Subjects")
        splitter.addWidget(self.list)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.details = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for name in ("Name", "Aliases", "Role applied for", "Hiring platform",
                     "Claimed location"):
            value = QLabel(wordWrap=True)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[name] = value
            self.details.addRow(f"{name}:", value)
        right_layout.addLayout(self.details)
        self.model = RecordTableModel(IDENTIFIER_COLUMNS, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Identifiers")
        right_layout.addWidget(self.table, 1)
        splitter.addWidget(right)
        splitter.setSizes([220, 700])
        layout.addWidget(splitter, 1)
        self.list.currentRowChanged.connect(self._show_subject)
        self._sync_buttons()

    def refresh(self) -> None:
        """Reload the subjects, keeping the selected one."""
        from caseapp.services.cases import subjects

        current = self.current_view()
        keep = current.subject.id if current else None
        self.views = subjects.list_subjects(self.ctx.ws, self.case_ref)
        self.list.blockSignals(True)
        self.list.clear()
        for view in self.views:
            text = view.subject.name + (f"  ({', '.join(view.aliases)})" if view.aliases else "")
            item = QListWidgetItem(text)
            item.setToolTip(plain_tooltip(text) or "")
            self.list.addItem(item)
        self.list.blockSignals(False)
        row = next((i for i, v in enumerate(self.views) if v.subject.id == keep), 0)
        self.list.setCurrentRow(row if self.views else -1)
        self._show_subject(self.list.currentRow())

    def select_record(self, record_type: str, record_id: int | None,
                      exhibit: str | None) -> bool:
        if record_id is None:
            return False
        for row, view in enumerate(self.views):
            if record_type == "subject" and view.subject.id == record_id:
                self.list.setCurrentRow(row)
                self.list.setFocus()
                return True
            if record_type == "identifier":
                for ident_row, ident in enumerate(view.identifiers):
                    if ident.id == record_id:
                        self.list.setCurrentRow(row)
                        self.table.selectRow(ident_row)
                        self.table.setFocus()
                        return True
        return False

    def current_view(self) -> SubjectView | None:
        row = self.list.currentRow()
        return self.views[row] if 0 <= row < len(self.views) else None

    def _show_subject(self, row: int) -> None:
        view = self.views[row] if 0 <= row < len(self.views) else None
        subject = view.subject if view else None
        self.fields["Name"].setText(subject.name if subject else "")
        self.fields["Aliases"].setText("; ".join(view.aliases) if view else "")
        self.fields["Role applied for"].setText(subject.role_applied if subject else "")
        self.fields["Hiring platform"].setText(subject.hiring_platform if subject else "")
        self.fields["Claimed location"].setText(subject.claimed_location if subject else "")
        self.model.set_records(view.identifiers if view else [])
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        has = self.current_view() is not None
        self.edit_button.setEnabled(has)
        self.add_ident_button.setEnabled(has)
        self.remove_ident_button.setEnabled(has and self.model.rowCount() > 0)

    # -- actions -----------------------------------------------------------------------------
    def add_subject(self) -> SubjectDialog:
        """Open the Add subject dialog (saved when accepted)."""
        self.dialog = dialog = open_dialog(SubjectDialog(self), self._save_new)
        return dialog

    def _save_new(self, dialog: SubjectDialog) -> None:
        from caseapp.services.cases import subjects
        from caseapp.services.cases.subjects import IdentifierInput

        try:
            view = subjects.add_subject(
                self.ctx.ws, self.case_ref, dialog.name.text(), aliases=dialog.alias_list(),
                identifiers=[IdentifierInput(k, v) for k, v in dialog.identifiers()],
                role_applied=dialog.role.text(), hiring_platform=dialog.platform.text(),
                claimed_location=dialog.location.text())
        except Exception as exc:  # noqa: BLE001 - back to the dialog, nothing is lost
            dialog.error.show_error(self.ctx.report_error(exc, "Add subject"))
            dialog.open()
            return
        log_event("subject.added", case=self.case_ref, subject=view.subject.id)
        unnormalised = sum(1 for i in view.identifiers if not i.normalized_ok)
        self.banner.show_text(
            f"Added {view.subject.name} with {len(view.identifiers)} identifier(s)"
            + (f"; {unnormalised} could not be normalised and are kept as typed."
               if unnormalised else "."), "warn" if unnormalised else "ok")
        self.refresh()
        self.list.setCurrentRow(len(self.views) - 1)
        self.ctx.notify_changed(self.case_ref)

    def edit_subject(self) -> SubjectDialog | None:
        """Edit the selected subject's fields."""
        view = self.current_view()
        if view is None:
            return None
        s = view.subject
        subject_id = s.id
        assert subject_id is not None  # a listed subject is stored
        dialog = SubjectDialog(self, editing=True, name=s.name, aliases=view.aliases,
                               role=s.role_applied, platform=s.hiring_platform,
                               location=s.claimed_location)
        version = s.version
        self.dialog = open_dialog(dialog, lambda d: self._save_edit(d, subject_id, version))
        return dialog

    def _save_edit(self, dialog: SubjectDialog, subject_id: int, version: int) -> None:
        from caseapp.services.cases import subjects
        from caseapp.services.errors import EditConflict
        from caseapp.ui.widgets.conflict_dialog import settle_conflict

        def save(expected: int) -> None:
            subjects.update_subject(self.ctx.ws, subject_id, name=dialog.name.text(),
                                    aliases=dialog.alias_list(), role_applied=dialog.role.text(),
                                    hiring_platform=dialog.platform.text(),
                                    claimed_location=dialog.location.text(),
                                    expected_version=expected)

        try:
            save(version)
        except EditConflict as exc:  # saved by someone else since: show both, then reload
            def done(choice: str | None) -> None:
                self._edited(subject_id)
                if choice is None:  # back to editing: the form still holds my values
                    dialog.open()

            self.conflict = settle_conflict(self.ctx, self, exc, save_mine=save, done=done)
            return
        except Exception as exc:  # noqa: BLE001
            dialog.error.show_error(self.ctx.report_error(exc, "Edit subject"))
            dialog.open()
            return
        self._edited(subject_id)

    def _edited(self, subject_id: int) -> None:
        log_event("subject.updated", case=self.case_ref, subject=subject_id)
        self.refresh()
        self.ctx.notify_changed(self.case_ref)

    def add_identifier(self) -> IdentifierDialog | None:
        """Add one identifier to the selected subject."""
        view = self.current_view()
        if view is None:
            return None
        subject_id = view.subject.id
        assert subject_id is not None  # a listed subject is stored
        dialog = IdentifierDialog(view.subject.name, self)
        self.dialog = open_dialog(dialog, lambda d: self._save_identifier(d, subject_id))
        return dialog

    def _save_identifier(self, dialog: IdentifierDialog, subject_id: int) -> None:
        from caseapp.services.cases import subjects

        kind, value = dialog.value()
        try:
            ident = subjects.add_identifier(self.ctx.ws, subject_id, kind, value)
        except Exception as exc:  # noqa: BLE001
            dialog.error.show_error(self.ctx.report_error(exc, "Add identifier"))
            dialog.open()
            return
        log_event("identifier.added", case=self.case_ref, identifier=ident.id)
        self.refresh()
        self.ctx.notify_changed(self.case_ref)

    def remove_identifier(self) -> None:
        """Remove the selected identifier after confirmation (the audit log keeps it)."""
        from PySide6.QtWidgets import QMessageBox

        from caseapp.services.cases import subjects

        index = self.table.currentIndex()
        if not index.isValid():
            self.ctx.show_message("Select an identifier first.", error=True)
            return
        ident = self.model.record(index.row())
        answer = QMessageBox.question(
            self, "Remove identifier",
            f"Remove the {ident.kind} identifier “{ident.raw}”? The audit log keeps a record "
            "of it.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        assert ident.id is not None  # a listed identifier is stored
        try:
            subjects.remove_identifier(self.ctx.ws, ident.id)
        except Exception as exc:  # noqa: BLE001
            self.ctx.report_error(exc, "Remove identifier")
            return
        log_event("identifier.removed", case=self.case_ref, identifier=ident.id)
        self.refresh()
        self.ctx.notify_changed(self.case_ref)

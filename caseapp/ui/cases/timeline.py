"""Timeline tab: notes and recorded events of a case in time order; add and edit notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.cases.dialogs import NoteDialog
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.formatting import first_line, local_time
from caseapp.ui.widgets.common import action_button, head_with_banner, open_dialog
from caseapp.ui.widgets.panes import CaseTab
from caseapp.ui.widgets.records import Column, RecordTableModel, read_only_table

if TYPE_CHECKING:
    from caseapp.services.cases.notes import TimelineEntry
    from caseapp.ui.widgets.conflict_dialog import ConflictDialog


TIMELINE_COLUMNS: list[Column[TimelineEntry]] = [
    Column("When", lambda t: local_time(t.at)),
    Column("Type", lambda t: "Event" if t.kind != "note" else
           "Conflicting copy" if t.conflict_of is not None else
           "Note" + (" (edited)" if t.edited else "")),
    Column("What", lambda t: first_line(t.text) if t.kind == "note" else
           t.title + (f" — {first_line(t.text)}" if t.text else ""), tooltip=lambda t: t.text),
]


class TimelineTab(CaseTab):
    """Notes and events, oldest first; the selected entry's full text below the table."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_ref, parent)
        self.dialog: NoteDialog | None = None
        self.conflict: ConflictDialog | None = None
        layout = QVBoxLayout(self)
        self.add_button = action_button("&Add note…", self.add_note, "Add a note (Ctrl+Shift+N)")
        self.edit_button = action_button("&Edit note…", self.edit_note)
        self.banner = head_with_banner(layout, self.add_button, self.edit_button)
        self.model = RecordTableModel(TIMELINE_COLUMNS, self)
        self.table = read_only_table(self.model, "Timeline")
        header = self.table.horizontalHeader()
        header.resizeSection(0, 160)
        header.resizeSection(1, 110)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setAccessibleName("Selected entry")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.text)
        splitter.setSizes([400, 150])
        layout.addWidget(splitter, 1)
        self.table.doubleClicked.connect(lambda _i: self.edit_note())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self._show_selected()

    def refresh(self) -> None:
        """Reload the timeline."""
        from caseapp.services.cases import notes

        keep = self.selected()
        self.model.set_records(notes.timeline(self.ctx.ws, self.case_ref))
        row = next((i for i, e in enumerate(self.model.records)
                    if keep is not None and (e.at, e.title, e.note_id) ==
                    (keep.at, keep.title, keep.note_id)), self.model.rowCount() - 1)
        if row >= 0:
            self.table.selectRow(row)
        self._show_selected()

    def select_record(self, record_type: str, record_id: int | None,
                      exhibit: str | None) -> bool:
        if record_type != "note" or record_id is None:
            return False
        for row, entry in enumerate(self.model.records):
            if entry.note_id == record_id:
                self.table.selectRow(row)
                self.table.setFocus()
                return True
        return False

    def selected(self) -> TimelineEntry | None:
        return self.model.record_at(self.table.currentIndex())

    def _show_selected(self) -> None:
        entry = self.selected()
        self.edit_button.setEnabled(entry is not None and entry.kind == "note")
        self.text.setPlainText("" if entry is None else
                               f"{local_time(entry.at)} · {entry.title}\n\n{entry.text}")

    def add_note(self) -> NoteDialog:
        """Open the Add note dialog."""
        self.dialog = dialog = open_dialog(NoteDialog(self), lambda d: self._save(d, None))
        return dialog

    def edit_note(self) -> NoteDialog | None:
        """Edit the selected note (the previous version is kept in its history)."""
        entry = self.selected()
        if entry is None or entry.kind != "note" or entry.note_id is None:
            return None
        dialog = NoteDialog(self, text=entry.text, occurred_at=entry.at, editing=True)
        self.dialog = open_dialog(dialog, lambda d: self._save(d, entry.note_id, entry.version))
        return dialog

    def _save(self, dialog: NoteDialog, note_id: int | None, version: int | None = None) -> None:
        from caseapp.services.cases import notes
        from caseapp.services.errors import EditConflict
        from caseapp.ui.widgets.conflict_dialog import settle_conflict

        try:
            if note_id is None:
                note = notes.add_note(self.ctx.ws, self.case_ref, dialog.text.toPlainText(),
                                      occurred_at=dialog.occurred_if_changed())
            else:
                note = notes.edit_note(self.ctx.ws, note_id, text=dialog.text.toPlainText(),
                                       occurred_at=dialog.occurred_if_changed(),
                                       expected_version=version)
        except EditConflict as exc:  # a colleague saved first: both texts are kept
            self.refresh()
            self.ctx.notify_changed(self.case_ref)
            self.conflict = settle_conflict(self.ctx, self, exc, done=self._settled)
            return
        except Exception as exc:  # noqa: BLE001 - back to the dialog, the text is kept
            dialog.error.show_error(self.ctx.report_error(exc, "Saving the note"))
            dialog.open()
            return
        log_event("note.saved", case=self.case_ref, note=note.id)
        self.banner.show_text("Note saved.", "ok")
        self.refresh()
        for row, entry in enumerate(self.model.records):
            if entry.note_id == note.id:
                self.table.selectRow(row)
        self.ctx.notify_changed(self.case_ref)

    def _settled(self, choice: str | None) -> None:
        self.banner.show_text("Edit conflict settled." if choice else
                              "The conflicting copy stays on the timeline.", "ok")
        self.refresh()
        self.ctx.notify_changed(self.case_ref)

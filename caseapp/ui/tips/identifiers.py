"""The identifiers table of the tip editor: saved ones, ones to add on Save, and ones
suggested from the tip's content for the user to confirm."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.cases.subject_dialog import IdentifierDialog
from caseapp.ui.tips.models import IdentifierModel, IdentRow
from caseapp.ui.widgets.columns import set_widths
from caseapp.ui.widgets.common import ErrorLabel, action_button, button_row, open_dialog
from caseapp.ui.widgets.records import read_only_table

if TYPE_CHECKING:
    from caseapp.services.cases.subjects import IdentifierInput
    from caseapp.services.tips.views import TipView



def make_row(kind: str, value: str, state: str) -> IdentRow:
    """Type and normalise ``value`` with the services' rules (raises InvalidInput)."""
    from caseapp.services.cases.subjects import make_identifier

    ident = make_identifier(kind, value, subject_id=0)
    return IdentRow(ident.kind, ident.raw, ident.normalized, bool(ident.normalized_ok),
                    ident.normalize_note or "", state)


def record_table(model: QAbstractItemModel, name: str) -> QTableView:
    """A read-only, row-selecting table over ``model``."""
    table = read_only_table(model, name)
    table.setTabKeyNavigation(False)
    return table


def bind_keys(widget: QWidget, slot: Callable[[], object], *keys: str) -> None:
    """Shortcuts active while ``widget`` has focus (e.g. Delete on a table)."""
    for key in keys:
        QShortcut(QKeySequence(key), widget, slot, context=Qt.ShortcutContext.WidgetShortcut)


class IdentifiersPanel(QWidget):
    """Saved, pending and suggested identifiers; changes are applied by the editor's Save."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.add_button = action_button("Add &identifier…", self.add_identifier)
        self.confirm_button = action_button("Confirm su&ggestion", self.confirm_selected)
        self.confirm_all_button = action_button("Confirm all suggestions", self.confirm_all)
        self.remove_button = action_button("Remove", self.remove_selected)
        button_row(layout, self.add_button, self.confirm_button, self.confirm_all_button,
                   self.remove_button)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.hint)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        self.model = IdentifierModel(self)
        self.table = record_table(self.model, "Identifiers of the tip")
        set_widths(self.table, (70, 240, 220, 120, 200), 1)
        layout.addWidget(self.table, 1)
        self.saved: list[IdentRow] = []
        self.pending: list[IdentRow] = []
        self.removed: set[int] = set()
        self.suggested: list[IdentRow] = []
        self.owner = "the new tip"
        self.dialog: IdentifierDialog | None = None
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._sync_buttons())
        bind_keys(self.table, self.remove_selected, "Delete")
        bind_keys(self.table, self.confirm_selected, "Return", "Enter")
        self.remove_button.setToolTip("Remove the selected identifier (Delete)")
        self.confirm_button.setToolTip("Record the selected suggestion with the tip (Enter)")
        self._show()

    # -- state -------------------------------------------------------------------------------
    def load(self, tip: TipView | None) -> None:
        """Saved identifiers of ``tip`` (None: a new tip with none)."""
        self.owner = f"tip {tip.ref}" if tip is not None else "the new tip"
        self.saved = [IdentRow(i.kind, i.raw, i.normalized, bool(i.normalized_ok),
                               i.normalize_note or "", "saved", i.id)
                      for i in (tip.identifiers if tip is not None else ())]
        self.pending, self.removed, self.suggested = [], set(), []
        self.error.clear_error()
        self._show()

    def suggest_from(self, content: str) -> None:
        """Offer identifiers found in ``content`` that are not recorded yet."""
        from caseapp.services.tips.tips import suggest_identifiers

        known = [r.key for r in self.saved + self.pending]
        rows: list[IdentRow] = []
        seen: set[tuple[str, str]] = set()
        for s in suggest_identifiers(content, exclude=known):
            if (s.kind, s.normalized) in seen:
                continue
            seen.add((s.kind, s.normalized))
            try:
                rows.append(make_row(s.kind, s.value, "suggested"))
            except Exception:  # noqa: BLE001 - an unparsable suggestion is simply not offered
                continue
        self.suggested = rows
        self._show()

    def rows(self) -> list[IdentRow]:
        saved = [replace(r, state="removed") if r.id in self.removed else r for r in self.saved]
        return saved + self.pending + self.suggested

    def pending_inputs(self) -> list[IdentifierInput]:
        """Identifiers to record on Save (services.subjects.IdentifierInput)."""
        from caseapp.services.cases.subjects import IdentifierInput

        return [IdentifierInput(r.kind, r.raw) for r in self.pending]

    def removed_ids(self) -> list[int]:
        """Saved identifiers the user removed (deleted on Save)."""
        return sorted(self.removed)

    @property
    def dirty(self) -> bool:
        return bool(self.pending or self.removed)

    def _show(self) -> None:
        current = self.table.currentIndex().row()
        self.model.set_records(self.rows())
        if self.model.rowCount():
            self.table.selectRow(min(max(current, 0), self.model.rowCount() - 1))
        parts = [f"{len(self.saved) - len(self.removed)} saved"]
        if self.pending:
            parts.append(f"{len(self.pending)} to add on Save")
        if self.removed:
            parts.append(f"{len(self.removed)} to remove on Save")
        if self.suggested:
            parts.append(f"{len(self.suggested)} suggested from the content — confirm the "
                         "ones that really belong to this tip")
        self.hint.setText("Identifiers: " + ", ".join(parts) + ".")
        self._sync_buttons()

    def _selected(self) -> IdentRow | None:
        return self.model.record_at(self.table.currentIndex())

    def _sync_buttons(self) -> None:
        row = self._selected()
        self.confirm_button.setEnabled(row is not None and row.state == "suggested")
        self.confirm_all_button.setEnabled(bool(self.suggested))
        self.remove_button.setEnabled(row is not None and row.state != "suggested")
        is_removed = row is not None and row.state == "removed"
        self.remove_button.setText("Keep" if is_removed else "Remove")

    # -- actions -----------------------------------------------------------------------------
    def add_identifier(self) -> IdentifierDialog:
        """Ask for a kind and value (with the normalisation preview)."""
        self.dialog = dialog = open_dialog(IdentifierDialog(self.owner, self), self._add_from)
        return dialog

    def _add_from(self, dialog: IdentifierDialog) -> None:
        kind, value = dialog.value()
        if not self.add_pending(kind, value):
            dialog.error.show_error(self.error.text())
            dialog.open()

    def add_pending(self, kind: str, value: str) -> bool:
        """Queue an identifier for Save; False (with the reason inline) when it is invalid."""
        from caseapp.services.errors import InvalidInput

        try:
            row = make_row(kind, value, "pending")
        except InvalidInput as exc:
            self.error.show_error(str(exc))
            return False
        if row.key in {r.key for r in self.saved + self.pending}:
            self.error.show_error(f"{row.kind} {row.normalized} is already recorded.")
            return False
        self.error.clear_error()
        self.pending.append(row)
        self.suggested = [s for s in self.suggested if s.key != row.key]
        self._show()
        self.changed.emit()
        return True

    def confirm_selected(self) -> None:
        """Turn the selected suggestion into an identifier to add on Save."""
        row = self._selected()
        if row is not None and row.state == "suggested":
            self.add_pending(row.kind, row.raw)

    def confirm_all(self) -> None:
        """Confirm every suggestion."""
        for row in list(self.suggested):
            self.add_pending(row.kind, row.raw)

    def remove_selected(self) -> None:
        """Drop a pending identifier, or mark a saved one for removal (again: keep it)."""
        row = self._selected()
        if row is None or row.state == "suggested":
            return
        if row.state == "pending":
            self.pending = [p for p in self.pending if p.key != row.key]
        elif row.id is not None:
            self.removed ^= {row.id}
        self._show()
        self.changed.emit()

"""Dialogs of the Tips page: link a tip to a case, create a case from a tip."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain.enums import Priority
from caseapp.ui.cases.case_list_model import CaseListModel
from caseapp.ui.formatting import first_line
from caseapp.ui.tips.identifiers import record_table
from caseapp.ui.widgets.common import accept_if_given, dialog_foot
from caseapp.ui.widgets.records import ROW_ROLE, Column, RecordTableModel

if TYPE_CHECKING:
    from caseapp.services.cases.caselist_source import CaseListSource
    from caseapp.services.tips.casework import RelatedCase
    from caseapp.services.tips.views import TipView


RELATED_COLUMNS: list[Column[RelatedCase]] = [
    Column("Case", lambda r: r.ref),
    Column("Title", lambda r: r.title, tooltip=lambda r: r.title),
    Column("Shares", lambda r: "; ".join(f"{k} {v}" for k, v in r.shared),
           tooltip=lambda r: "\n".join(f"{k} {v}" for k, v in r.shared)),
]


class LinkCaseDialog(QDialog):
    """Choose a case for a tip: cases sharing its identifiers first, then every case.

    Every case comes from ``cases`` (a :class:`CaseListSource`, read a batch at a time as the
    list scrolls, like the Cases page), which the dialog closes in :meth:`release`: when it is
    cancelled, or by its opener once the link is made.
    """

    def __init__(self, tip_ref: str, related: list[RelatedCase], cases: CaseListSource,
                 linked: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Link {tip_ref} to a case")
        self.setMinimumSize(720, 520)
        self.linked = set(linked)
        self.choice: str | None = None
        layout = QVBoxLayout(self)
        self.related_model = RecordTableModel(RELATED_COLUMNS, self)
        self.related_model.set_records(related)
        self.related = record_table(self.related_model, "Cases sharing identifiers")
        self.related.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.related.setMaximumHeight(140)
        related_label = QLabel("&Suggested — cases whose subjects share identifiers with "
                               f"{tip_ref}:")
        related_label.setBuddy(self.related)
        layout.addWidget(related_label)
        layout.addWidget(self.related)
        related_label.setVisible(bool(related))
        self.related.setVisible(bool(related))
        self.filter = QLineEdit(placeholderText="Filter cases by ref, title, status")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Filter cases")
        filter_label = QLabel("&All cases:")
        filter_label.setBuddy(self.filter)
        layout.addWidget(filter_label)
        layout.addWidget(self.filter)
        self.model = CaseListModel(self)
        self.model.set_source(cases)
        self.cases = record_table(self.model, "Cases")
        header = self.cases.horizontalHeader()
        header.resizeSection(0, 130)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in range(3, self.model.columnCount()):
            self.cases.hideColumn(column)
        layout.addWidget(self.cases, 1)
        form = QFormLayout()
        self.note = QLineEdit(placeholderText="why this tip belongs to the case (optional)")
        form.addRow("&Note:", self.note)
        layout.addLayout(form)
        self.chosen = QLabel()
        self.chosen.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.chosen)
        self.error, self.ok_button = dialog_foot(self, layout, "&Link", self._try_accept)
        self.filter.textChanged.connect(self.model.set_filter)
        self._pick_when_filtered = False
        self.filter.returnPressed.connect(self._first_match)
        self.related.selectionModel().currentRowChanged.connect(
            lambda cur, _p: self._picked(self.related_model.record(cur.row()).ref
                                         if cur.isValid() else None, self.cases))
        self.cases.selectionModel().currentRowChanged.connect(
            lambda cur, _p: self._picked(self._case_ref(cur), self.related))
        self.related.doubleClicked.connect(lambda _i: self._try_accept())
        self.cases.doubleClicked.connect(lambda _i: self._try_accept())
        self.rejected.connect(self.release)
        if related:
            self.related.selectRow(0)
            self.related.setFocus()
        else:
            self.filter.setFocus()
        self._choose(self.choice)

    def release(self) -> None:
        """Close the case list's connection (the dialog is done with it)."""
        source, self.model.source = self.model.source, None
        if source is not None:
            source.close()

    @staticmethod
    def _case_ref(index: QModelIndex) -> str | None:
        return index.data(ROW_ROLE).ref if index.isValid() else None

    def _first_match(self) -> None:
        if self.model.pending():  # the typed filter is not applied yet: pick once it is
            if not self._pick_when_filtered:
                self._pick_when_filtered = True
                self.model.filter_applied.connect(self._first_match_once)
            return
        if self.model.rowCount():
            self.cases.setCurrentIndex(self.model.index(0, 0))
            self.cases.setFocus()

    def _first_match_once(self) -> None:
        self._pick_when_filtered = False
        self.model.filter_applied.disconnect(self._first_match_once)
        self._first_match()

    def select_case(self, ref: str) -> bool:
        """Make ``ref`` the chosen case (from the full list)."""
        row = self.model.row_of(ref)
        if row < 0:
            return False
        self.cases.setCurrentIndex(self.model.index(row, 0))
        return True

    def _picked(self, ref: str | None, other: QTableView) -> None:
        """A row chosen in one table clears the other, so choosing there again counts."""
        if ref is None:
            return
        model = other.selectionModel()
        model.blockSignals(True)
        model.clearSelection()
        model.clearCurrentIndex()
        model.blockSignals(False)
        other.viewport().update()
        self._choose(ref)

    def _choose(self, ref: str | None) -> None:
        self.choice = ref
        self.error.clear_error()
        if ref is None:
            self.chosen.setText("Choose a case.")
        elif ref in self.linked:
            self.chosen.setText(f"{ref} is already linked to this tip.")
        else:
            self.chosen.setText(f"Link to {ref}.")
        self.ok_button.setEnabled(ref is not None and ref not in self.linked)

    def _try_accept(self) -> None:
        if self.choice is None or self.choice in self.linked:
            self.error.show_error("Choose a case this tip is not linked to yet.")
            return
        self.accept()


class CaseFromTipDialog(QDialog):
    """Title, first subject and priority of a new case opened from a tip."""

    def __init__(self, tip: TipView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Create case from {tip.ref}")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(f"The new case gets {tip.ref}'s identifiers as its first subject's and "
                       "its attachments as exhibits (custody records say they came from the "
                       "tip); the tip is linked to it. The tipster's identity is not copied.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(intro)
        form = QFormLayout()
        self.title_edit = QLineEdit(first_line(tip.content, 120))
        self.title_edit.setMaxLength(500)
        self.title_edit.selectAll()
        self.subject = QLineEdit(placeholderText=f"claimed name (default: Unknown subject "
                                                 f"({tip.ref}))")
        self.priority = QComboBox()
        for prio in Priority:
            self.priority.addItem(prio.title, prio.value)
        self.priority.setCurrentIndex(self.priority.findData(Priority.MEDIUM.value))
        self.summary = QPlainTextEdit(f"Opened from tip {tip.ref}.")
        self.summary.setTabChangesFocus(True)
        self.summary.setFixedHeight(80)
        form.addRow("Case &title:", self.title_edit)
        form.addRow("First &subject:", self.subject)
        form.addRow("&Priority:", self.priority)
        form.addRow("S&ummary:", self.summary)
        layout.addLayout(form)
        self.error, self.ok_button = dialog_foot(self, layout, "&Create case", self._try_accept)
        self.title_edit.setFocus()

    def values(self) -> dict[str, Any]:
        """Keyword arguments for ``services.tips_cases.create_case_from_tip``."""
        return {"title": self.title_edit.text(), "subject_name": self.subject.text() or None,
                "priority": self.priority.currentData(),
                "summary": self.summary.toPlainText()}

    def _try_accept(self) -> None:
        accept_if_given(self, self.title_edit.text(), self.error, "A case needs a title.",
                        self.title_edit)

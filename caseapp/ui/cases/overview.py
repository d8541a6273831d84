"""Overview tab: summary and key facts editors, and the case's dates and counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.formatting import label, local_time
from caseapp.ui.widgets.common import ErrorLabel
from caseapp.ui.widgets.panes import CaseTab

if TYPE_CHECKING:
    from caseapp.ui.widgets.conflict_dialog import ConflictDialog


class OverviewTab(CaseTab):
    """Summary and key facts (saved with Ctrl+S or the Save button), plus facts at a glance."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_ref, parent)
        layout = QHBoxLayout(self)
        editors = QVBoxLayout()
        summary_label = QLabel("S&ummary")
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setAccessibleName("Summary")
        summary_label.setBuddy(self.summary)
        facts_label = QLabel("&Key facts")
        self.key_facts = QPlainTextEdit()
        self.key_facts.setTabChangesFocus(True)
        self.key_facts.setAccessibleName("Key facts")
        self.key_facts.setPlaceholderText("One fact per line: what is established, and by which "
                                          "exhibit.")
        facts_label.setBuddy(self.key_facts)
        editors.addWidget(summary_label)
        editors.addWidget(self.summary, 3)
        editors.addWidget(facts_label)
        editors.addWidget(self.key_facts, 2)
        row = QHBoxLayout()
        self.state = QLabel()
        self.error = ErrorLabel()
        self.save_button = QPushButton("&Save")
        self.save_button.setToolTip("Save the summary and key facts (Ctrl+S)")
        self.revert_button = QPushButton("&Revert")
        row.addWidget(self.state)
        row.addWidget(self.error, 1)
        row.addStretch(1)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        editors.addLayout(row)
        layout.addLayout(editors, 3)
        facts = QGroupBox("At a glance")
        self.facts = QFormLayout(facts)
        self.labels: dict[str, QLabel] = {}
        for name in ("Opened", "Closed", "Status", "Priority", "Subjects", "Exhibits",
                     "Last activity"):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.labels[name] = value
            self.facts.addRow(f"{name}:", value)
        layout.addWidget(facts, 1, Qt.AlignmentFlag.AlignTop)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.summary.textChanged.connect(self._dirty_changed)
        self.key_facts.textChanged.connect(self._dirty_changed)
        self._saved = ("", "")
        self.conflict: ConflictDialog | None = None
        self._version: int | None = None  # the case version the editors started from
        self._base = ("", "")  # summary and key facts as stored at that version

    def is_dirty(self) -> bool:
        return (self.summary.toPlainText(), self.key_facts.toPlainText()) != self._saved

    def _dirty_changed(self) -> None:
        dirty = self.is_dirty()
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        self.state.setText("Unsaved changes" if dirty else "")

    def revert(self) -> None:
        """Drop unsaved edits."""
        self.refresh(discard=True)

    def refresh(self, discard: bool = False) -> None:
        """Reload from the store; unsaved edits are kept unless ``discard``."""
        from caseapp.services.cases import cases, subjects
        from caseapp.services.evidence import evidence

        case = cases.get_case(self.ctx.ws, self.case_ref)
        n_subjects = len(subjects.list_subjects(self.ctx.ws, self.case_ref))
        n_exhibits = sum(1 for e in evidence.list_evidence(self.ctx.ws, self.case_ref)
                         if e.withdrawn_at is None)
        replaced = discard or not self.is_dirty()
        if replaced:
            self._saved = (case.summary, case.key_facts)
            self.summary.setPlainText(case.summary)
            self.key_facts.setPlainText(case.key_facts)
        # unsaved edits stay on the version they started from, unless only other fields
        # (title, tags...) changed since: then saving them at the new one loses nothing
        if replaced or self._base == (case.summary, case.key_facts):
            self._version, self._base = case.version, (case.summary, case.key_facts)
        self.labels["Opened"].setText(local_time(case.opened_at))
        self.labels["Closed"].setText(local_time(case.closed_at) or "—")
        self.labels["Status"].setText(label(case.status))
        self.labels["Priority"].setText(label(case.priority))
        self.labels["Subjects"].setText(str(n_subjects))
        self.labels["Exhibits"].setText(str(n_exhibits))
        self.labels["Last activity"].setText(local_time(case.updated_at))
        self._dirty_changed()

    def save(self) -> None:
        """Save the summary and key facts (checked against the version they started from;
        a colleague's save of them in between opens the conflict dialog)."""
        if self.is_dirty():
            self.save_over(self._version)

    def save_over(self, expected_version: int | None) -> None:
        """Save at ``expected_version`` (a conflict's "save mine over theirs")."""
        from caseapp.services.cases import cases
        from caseapp.services.errors import EditConflict
        from caseapp.ui.widgets.conflict_dialog import (
            THEIRS,
            only_other_fields,
            settle_conflict,
        )

        try:
            case = cases.update_case(self.ctx.ws, self.case_ref,
                                     summary=self.summary.toPlainText(),
                                     key_facts=self.key_facts.toPlainText(),
                                     expected_version=expected_version)
        except EditConflict as exc:
            if only_other_fields(exc, {"Summary": self._base[0], "Key facts": self._base[1]}):
                self.save_over(exc.theirs.version)  # e.g. the title changed: nothing to ask
                return
            self.error.show_error(str(exc))

            def done(choice: str | None) -> None:
                if choice == THEIRS:
                    self.refresh(discard=True)

            self.conflict = settle_conflict(self.ctx, self, exc, save_mine=self.save_over,
                                            done=done)
            return
        except Exception as exc:  # noqa: BLE001 - inline; the edits stay in the editors
            self.error.show_error(self.ctx.report_error(exc, "Saving the overview"))
            return
        self.error.clear_error()
        self._version, self._base = case.version, (case.summary, case.key_facts)
        self._saved = (self.summary.toPlainText(), self.key_facts.toPlainText())
        self._dirty_changed()
        log_event("case.overview-saved", case=self.case_ref)
        self.ctx.show_message(f"Saved the overview of {self.case_ref}.")
        self.ctx.notify_changed(self.case_ref)

"""The Tips page: the triage queue beside the tip editor, CSV import with an inline report.

Registers the page, the case-view Tips tab (:mod:`caseapp.ui.tips.case_tab`) and the File
menu actions "New tip…" (Ctrl+Shift+T) and "Import tips from CSV…" (Ctrl+Shift+I).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import caseapp.ui.tips.case_tab  # noqa: F401 - registers the case-view Tips tab
from caseapp.ui.context import AppContext
from caseapp.ui.tips.editor import TipEditor
from caseapp.ui.tips.importer import FileOutcome, ImportReportPanel, TipImporter
from caseapp.ui.tips.models import TipFilterProxy, TipQueueModel
from caseapp.ui.widgets.columns import elide_middle, fit_columns, set_widths
from caseapp.ui.widgets.panes import Page
from caseapp.ui.widgets.records import OpenableTable
from caseapp.ui.workers import TaskHandle

_WIDTHS = (118, 95, 52, 140, 150, 265, 120, 110, 300)


class QueueTable(OpenableTable):
    """The triage queue; Enter or a double-click opens the current tip in the editor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Tip triage queue", parent)
        self.setTabKeyNavigation(False)
        self.horizontalHeader().setHighlightSections(False)


class TipsPage(Page):
    """Triage queue (filter, active only) on the left, the tip editor on the right."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._syncing = False
        self._fitted = False
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.filter = QLineEdit(placeholderText="Filter by ref, status, grade, channel, "
                                                "programme, reference, content (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Filter tips")
        self.active_only = QCheckBox("Active &only")
        self.active_only.setToolTip("Hide closed, duplicate and not-actionable tips")
        self.active_only.setChecked(True)
        self.new_button = QPushButton("&New tip")
        self.new_button.setToolTip("Log a new tip (Ctrl+Shift+T)")
        self.import_button = QPushButton("Import CSV…")
        self.import_button.setToolTip("Import tips from a CSV file (Ctrl+Shift+I)")
        self.menu_button = QToolButton()
        self.menu_button.setText("Tip actions")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_button.setToolTip("Every tip action with its keyboard shortcut")
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.active_only)
        bar.addWidget(self.new_button)
        bar.addWidget(self.import_button)
        bar.addWidget(self.menu_button)
        layout.addLayout(bar)
        self.report = ImportReportPanel()
        layout.addWidget(self.report)
        self.model = TipQueueModel(self)
        self.proxy = TipFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QueueTable()
        self.table.setModel(self.proxy)
        header = self.table.horizontalHeader()
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        set_widths(self.table, _WIDTHS, len(_WIDTHS) - 1)
        elide_middle(self.table, (0, 6))  # Ref, Cases
        header.setToolTip("Triage order: overdue, then new, then by status and due date. "
                          "Click a column to sort by it; click again to go back.")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        self.count = QLabel()
        left_layout.addWidget(self.count)
        self.editor = TipEditor(ctx)
        self.editor.setMinimumSize(760, 470)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.editor)
        # Until a tip is selected or New tip is pressed, a hint stands in for the editor
        # (an empty "New tip" form looked like something was already being logged).
        self.placeholder = QLabel("Select a tip in the list to read and triage it, or press "
                                  "New tip (Ctrl+Shift+T) to log one.")
        self.placeholder.setTextFormat(Qt.TextFormat.PlainText)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)
        self.editor_stack = QStackedWidget()
        self.editor_stack.addWidget(self.placeholder)
        self.editor_stack.addWidget(scroll)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.editor_stack)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([300, 500])
        layout.addWidget(self.splitter, 1)
        self.importer = TipImporter(ctx, self)
        self._build_actions()
        self.filter.textChanged.connect(self._filter_changed)
        self.filter.returnPressed.connect(self._open_from_filter)
        self.active_only.toggled.connect(lambda _on: self.reload())
        self.new_button.clicked.connect(self.new_tip)
        self.import_button.clicked.connect(self.choose_import)
        self.table.open_requested.connect(lambda _i: self.focus_editor())
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.editor.saved.connect(lambda ref: self.reload(select=ref))
        self.editor.changed.connect(lambda ref: self.reload(select=ref))
        self.editor.open_tip.connect(self.open_tip)
        self.importer.finished.connect(self._imported)
        self._reload_timer = QTimer(self, singleShot=True, interval=0)
        self._reload_timer.timeout.connect(self.reload)
        ctx.data_changed.connect(self._data_changed)
        self.reload()

    def _build_actions(self) -> None:
        menu = QMenu(self)
        editor = self.editor
        specs: list[tuple[str, str | None, Callable[[], object], bool]] = [
            ("New tip…", "Ctrl+Shift+T", self.new_tip, False),
            ("Import tips from CSV…", "Ctrl+Shift+I", self.choose_import, False),
            ("Save tip", "Ctrl+S", editor.save, True),
            ("Discard changes", None, editor.discard, True),
            ("Find duplicates", "Ctrl+D", editor.find_duplicates, True),
            ("Reveal tipster identity (audited)", "Ctrl+Shift+R", self.reveal, True),
            ("Add identifier…", None, self._add_identifier, True),
            ("Attach files…", None, self._attach_files, True),
            ("Link to case…", "Ctrl+L", self._link_case, True),
            ("New case from tip…", None, editor.cases.create_case, True),
            ("Back to the queue", "Esc", self.focus_queue, True),
        ]
        self.page_actions: dict[str, QAction] = {}
        for text, keys, slot, page_wide in specs:
            act = QAction(text, self)
            if keys:
                act.setShortcut(QKeySequence(keys))
                # New tip / Import are window shortcuts (File menu); here they are only shown.
                act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut
                                       if page_wide else Qt.ShortcutContext.WidgetShortcut)
            act.triggered.connect(lambda _c=False, s=slot: s())
            if page_wide:
                self.addAction(act)
            menu.addAction(act)
            self.page_actions[text] = act
        self.menu_button.setMenu(menu)

    # -- queue -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the queue (the frame calls this when the page is shown)."""
        self.reload()

    def reload(self, select: str | None = None) -> None:
        """Fetch the queue again; keep (or select) a tip and refresh the editor if its tip
        changed elsewhere and it has no unsaved edits."""
        from caseapp.services.tips import tips

        keep = select or self.editor.ref
        records = tips.list_tips(self.ctx.ws, active_only=self.active_only.isChecked())
        self._syncing = True
        try:
            self.model.set_records(records)
            if keep:
                self._select(keep)
        finally:
            self._syncing = False
        if records and not self._fitted and self.table.isVisible():
            self._fitted = True  # once: later reloads keep the user's own widths
            fit_columns(self.table, stretch=len(_WIDTHS) - 1, max_ems=20,
                        keep=(0, 6), stretch_share=0.3, stretch_room=0.3)  # ref, cases
        fresh = next((t for t in records if t.ref == self.editor.ref), None)
        shown = self.editor.tip
        if fresh is not None and shown is not None and not self.editor.dirty and \
                fresh.updated_at != shown.updated_at:
            self.editor.load(fresh)
        self._update_count()

    def _select(self, ref: str) -> bool:
        row = self.model.row_of(ref)
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else None
        if index is None or not index.isValid():
            self.table.clearSelection()
            self.table.setCurrentIndex(QModelIndex())
            return False
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        return True

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        overdue = sum(1 for t in self.model.records if t.overdue)
        scope = "active tips" if self.active_only.isChecked() else "tips"
        text = f"{total} {scope}" if shown == total else f"{shown} of {total} {scope}"
        if overdue:
            text += f" · {overdue} overdue"
        self.count.setText(text)

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()

    def _open_from_filter(self) -> None:
        if self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 0))
            self.focus_editor()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        tip = self.model.record(self.proxy.mapToSource(current).row())
        if tip.ref == self.editor.ref:
            return
        if not self._may_leave():
            self._syncing = True
            try:
                if self.editor.ref is None or not self._select(self.editor.ref):
                    self.table.clearSelection()
                    self.table.setCurrentIndex(QModelIndex())
            finally:
                self._syncing = False
            return
        self.editor.load(tip)
        self.show_editor()

    def show_editor(self, shown: bool = True) -> None:
        """Show the tip editor (or the hint that stands in for it)."""
        self.editor_stack.setCurrentIndex(1 if shown else 0)

    def editor_shown(self) -> bool:
        return self.editor_stack.currentIndex() == 1

    def _may_leave(self) -> bool:
        """True when the editor has no unsaved edits, or the user lets them go."""
        if not self.editor.dirty:
            return True
        what = self.editor.ref or "the new tip"
        answer = QMessageBox.question(self, "Unsaved changes",
                                      f"Discard the unsaved changes to {what}?")
        return answer == QMessageBox.StandardButton.Yes

    # -- editor ------------------------------------------------------------------------------
    def new_tip(self) -> None:
        """Start a new tip in the editor."""
        if not self._may_leave():
            return
        self._syncing = True
        self.table.clearSelection()
        self.table.setCurrentIndex(QModelIndex())
        self._syncing = False
        self.editor.new_tip()
        self.show_editor()
        self.editor.tabs.setCurrentWidget(self.editor.details)
        self.editor.content.setFocus()

    def open_tip(self, ref: str) -> bool:
        """Show ``ref`` in the editor (selected in the queue when it is listed)."""
        from caseapp.services.tips import tips

        if ref == self.editor.ref:
            self.focus_editor()
            return True
        if not self._may_leave():
            return False
        try:
            tip = tips.get_tip(self.ctx.ws, ref)
        except Exception as exc:  # noqa: BLE001
            self.ctx.report_error(exc, "Open tip")
            return False
        self._syncing = True
        try:
            if not self._select(ref) and self.filter.text():
                self.filter.clear()
                self._select(ref)
        finally:
            self._syncing = False
        self.editor.load(tip)
        self.show_editor()
        self.focus_editor()
        return True

    def focus_editor(self) -> None:
        """Move the keyboard focus into the editor (Enter on the queue)."""
        self.show_editor()
        self.editor.tabs.setCurrentWidget(self.editor.details)
        self.editor.content.setFocus()

    def focus_queue(self) -> None:
        self.table.setFocus()

    def focus_find(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    def reveal(self) -> None:
        self.editor.tabs.setCurrentWidget(self.editor.tipster)
        if self.editor.tipster.masked:
            self.editor.reveal()

    def _add_identifier(self) -> None:
        self.editor.tabs.setCurrentWidget(self.editor.identifiers)
        self.editor.identifiers.add_identifier()

    def _attach_files(self) -> None:
        self.editor.tabs.setCurrentWidget(self.editor.attachments)
        self.editor.attachments.choose_files()

    def _link_case(self) -> None:
        self.editor.tabs.setCurrentWidget(self.editor.cases)
        self.editor.cases.link_case()

    def _data_changed(self, _ref: str) -> None:
        if self.isVisible():
            self._reload_timer.start()

    # -- import ------------------------------------------------------------------------------
    def choose_import(self) -> None:
        """Ask for CSV files and import them in the background."""
        names, _ = QFileDialog.getOpenFileNames(self, "Import tips from CSV", "",
                                                "CSV files (*.csv);;All files (*)")
        if names:
            self.import_files([Path(n) for n in names])

    def import_files(self, paths: list[Path]) -> TaskHandle | None:
        """Import ``paths``; the report appears above the queue when done."""
        handle = self.importer.start(paths, self)
        if handle is None and self.importer.handle is not None:
            self.ctx.show_message("An import is already running.", error=True)
        return handle

    def _imported(self, outcomes: list[FileOutcome]) -> None:
        self.report.show_outcomes(outcomes)
        self.reload()


def new_tip(ctx: AppContext, _parent: QWidget) -> None:
    """Window action: a new tip on the Tips page."""
    ctx.page(TipsPage).new_tip()


def import_tips(ctx: AppContext, _parent: QWidget) -> None:
    """Window action: choose CSV files to import on the Tips page."""
    ctx.page(TipsPage).choose_import()

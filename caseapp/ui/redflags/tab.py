"""Red flags tab: the case's checklist by category, its score, band and coverage, suggestions.

Each change goes straight to :mod:`caseapp.services.redflags.checklists` (one audited transaction,
~10 ms on this machine), then ``ctx.notify_changed`` so the case list's Risk column follows.
Keyboard: arrows move through the items, keys 0-4 set the selected item's state (see
:data:`KEYS_HELP`), Enter goes to its note, N to the next open suggestion.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain.enums import ChecklistState
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.redflags.detail import ItemPanel
from caseapp.ui.redflags.header import KEYS_HELP, ScoreHeader, upgrade_summary
from caseapp.ui.redflags.model import (
    ITEM_ROLE,
    STATES,
    ChecklistFilter,
    ChecklistModel,
    StateDelegate,
    WrapDelegate,
    state_text,
)
from caseapp.ui.widgets.columns import elide_middle
from caseapp.ui.widgets.common import Banner
from caseapp.ui.widgets.panes import CaseTab

if TYPE_CHECKING:
    from caseapp.services.redflags.checklists import UpgradeResult
    from caseapp.services.redflags.views import ChecklistView
    from caseapp.ui.widgets.conflict_dialog import ConflictDialog


_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(len(STATES))}


def _column_ems() -> tuple[float, ...]:
    """Starting widths of the columns in ems (the name column then stretches)."""
    return (24, 8.5, 7, 5.5, 8, 11.5)


#: Columns hidden, in this order, when the name column would be too narrow.
_DROP_ORDER = (2, 3, 4)


class ChecklistTree(QTreeView):
    """The item tree; digit keys ask for a state, Enter for the note, N for a suggestion."""

    state_key = Signal(int)
    note_key = Signal()
    next_suggestion = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods == Qt.KeyboardModifier.NoModifier and event.key() in _DIGITS:
            self.state_key.emit(_DIGITS[event.key()])
            return
        if mods == Qt.KeyboardModifier.NoModifier and event.key() == Qt.Key.Key_N:
            self.next_suggestion.emit()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                self.state() != QAbstractItemView.State.EditingState:
            self.note_key.emit()
            return
        if event.key() == Qt.Key.Key_F2 and self.currentIndex().isValid():
            self.edit(self.currentIndex().siblingAtColumn(1))
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Keep the (stretching) name column readable: at least 16 ems and a third of the width.

        When the columns do not fit (a narrow window, large text), the Note column narrows
        first, then Weight, Exhibits and Note are hidden in that order (the detail pane
        shows all three); State and Suggestion always stay.
        """
        header = self.header()
        em = self.fontMetrics().horizontalAdvance("m")
        widths = {c: round(w * em) for c, w in enumerate(_column_ems()) if c}
        available = self.viewport().width()
        floor = max(16 * em, round(available * 0.33))

        def room() -> int:
            return available - sum(widths.values())

        if room() < floor:
            widths[4] = max(round(5 * em), widths[4] - (floor - room()))
        for column in _DROP_ORDER:
            if room() >= floor:
                break
            del widths[column]
        for column in range(1, len(_column_ems())):
            header.setSectionHidden(column, column not in widths)
            if column in widths:
                header.resizeSection(column, widths[column])


class RedFlagsTab(CaseTab):
    """The case's red-flag checklist."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_ref, parent)
        self.view: ChecklistView | None = None
        self.conflict: ConflictDialog | None = None
        self._collapsed: set[str] = set()
        layout = QVBoxLayout(self)
        self.header = ScoreHeader()
        layout.addWidget(self.header)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.model = ChecklistModel(self)
        self.proxy = ChecklistFilter(self)
        self.proxy.setSourceModel(self.model)
        self.tree = ChecklistTree()
        self.tree.setModel(self.proxy)
        self.tree.setAccessibleName("Red-flag checklist")
        self.tree.setToolTip(KEYS_HELP)
        self.tree.setAlternatingRowColors(True)
        # Item names wrap (rows grow) instead of being cut: readable at 1280x800 and at 150%.
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        self.tree.setIndentation(14)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.tree.setItemDelegateForColumn(0, WrapDelegate(self.tree))
        self.tree.setItemDelegateForColumn(1, StateDelegate(self.tree))
        elide_middle(self.tree, (5,))  # suggestion refs keep both ends
        columns = self.tree.header()
        columns.setStretchLastSection(False)
        columns.setMinimumSectionSize(40)
        em = self.fontMetrics().horizontalAdvance("m")
        for column, width in enumerate(_column_ems()):
            columns.resizeSection(column, round(width * em))
        columns.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._relayout = QTimer(self, singleShot=True, interval=0)
        self._relayout.timeout.connect(self.tree.doItemsLayout)  # wrapped rows follow widths
        columns.sectionResized.connect(lambda *_a: self._relayout.start())
        self.tree.setMinimumWidth(round(40 * em))
        self.panel = ItemPanel()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.panel)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = scroll.verticalScrollBar().sizeHint().width()
        scroll.setMinimumWidth(max(self.panel.minimumSizeHint().width(), round(24 * em)) + bar)
        self.detail_scroll = scroll
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(0, False)
        splitter.setCollapsible(1, True)  # drag the detail pane away to give the list the room
        splitter.setSizes([round(62 * em), round(30 * em)])
        layout.addWidget(splitter, 1)
        self.setFocusProxy(self.tree)
        self._connect()

    def _connect(self) -> None:
        self.model.state_edited.connect(self.set_state)
        self.tree.state_key.connect(self._state_key)
        self.tree.note_key.connect(self._focus_note)
        self.tree.next_suggestion.connect(self.next_suggestion)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self.tree.collapsed.connect(lambda i: self._fold(i, True))
        self.tree.expanded.connect(lambda i: self._fold(i, False))
        self.header.filter.currentIndexChanged.connect(self._filter_changed)
        self.header.upgrade_button.clicked.connect(self.upgrade)
        self.panel.state_requested.connect(self.set_state)
        self.panel.note_requested.connect(self.set_note)
        self.panel.exhibit_toggled.connect(self.toggle_exhibit)
        self.panel.dismiss_requested.connect(self.dismiss)
        self.panel.open_ref.connect(self.ctx.open_case)
        self.panel.back_to_list.connect(self.tree.setFocus)

    # -- data --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the checklist and the case's exhibits (starts the checklist if needed)."""
        from caseapp.services.evidence import evidence
        from caseapp.services.redflags import checklists

        self.panel.set_exhibits(evidence.list_evidence(self.ctx.ws, self.case_ref))
        self._apply(checklists.get_checklist(self.ctx.ws, self.case_ref))

    def _apply(self, view: ChecklistView, keep: str | None = None, position: int = 0) -> None:
        current = keep or self.current_item_id()
        rebuilt = self.model.set_view(view)
        self.view = view
        if rebuilt:
            self._expand()
        self.header.show_view(view)
        visible = self.visible_item_ids()
        if current not in visible and visible:
            current = visible[min(position, len(visible) - 1)]
        if current and current != self.current_item_id():
            self.select_item(current)
        else:
            self._show_current()

    # -- tree helpers ------------------------------------------------------------------------
    def _expand(self) -> None:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            cat = self.model.category_at(self.proxy.mapToSource(index))
            self.tree.setExpanded(index, cat is None or cat.id not in self._collapsed)

    def _fold(self, index: QModelIndex, collapsed: bool) -> None:
        cat = self.model.category_at(self.proxy.mapToSource(index))
        if cat is not None:
            (self._collapsed.add if collapsed else self._collapsed.discard)(cat.id)

    def current_item_id(self) -> str | None:
        """Id of the selected item (None on a category row or with nothing selected)."""
        iv = self.tree.currentIndex().data(ITEM_ROLE)
        return iv.item.id if iv is not None else None

    def visible_item_ids(self) -> list[str]:
        """Item ids the filter shows, in display order."""
        ids = []
        for row in range(self.proxy.rowCount()):
            parent = self.proxy.index(row, 0)
            for child in range(self.proxy.rowCount(parent)):
                iv = self.proxy.index(child, 0, parent).data(ITEM_ROLE)
                if iv is not None:
                    ids.append(iv.item.id)
        return ids

    def select_item(self, item_id: str) -> bool:
        """Make ``item_id`` the current row if the filter shows it."""
        index = self.proxy.mapFromSource(self.model.index_of(item_id))
        if not index.isValid():
            return False
        self.tree.setExpanded(index.parent(), True)
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return True

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        old = previous.data(ITEM_ROLE)
        if old is not None and self.panel.item_view is not None and \
                self.panel.item_view.item.id == old.item.id:
            self.panel.commit_note()
        self._show_current()

    def _show_current(self) -> None:
        iv = self.tree.currentIndex().data(ITEM_ROLE)
        self.panel.show_item(self.view, iv)

    def _filter_changed(self) -> None:
        keep = self.current_item_id()
        self.proxy.set_mode(self.header.filter.currentData())
        self._expand()
        visible = self.visible_item_ids()
        if keep in visible:
            self.select_item(keep)
        elif visible:
            self.select_item(visible[0])
        else:
            self.panel.show_item(self.view, None)
            self.banner.show_text("No item matches this filter.", "warn")
            return
        self.banner.hide()

    def _focus_note(self) -> None:
        if self.current_item_id():
            self.panel.note.setFocus()

    def next_suggestion(self) -> bool:
        """Select the next item (after the current one, wrapping) with an open suggestion."""
        if self.view is None:
            return False
        ids = [i.item.id for i in self.view.items]
        open_ = {i.item.id for i in self.view.items if i.suggestion is not None}
        current = self.current_item_id()
        start = ids.index(current) + 1 if current in ids else 0
        for item_id in ids[start:] + ids[:start]:
            if item_id in open_ and self.select_item(item_id):
                return True
        self.ctx.show_message("No open suggestion in the items shown.")
        return False

    # -- changes -----------------------------------------------------------------------------
    def _change(self, what: str, fn: Callable[[], ChecklistView], item_id: str,
                mine: Callable[[int], object] | None = None) -> ChecklistView | None:
        """Run one service call; show its error inline; apply the view it returns. An edit
        conflict opens the conflict dialog (``mine``: save mine at their version)."""
        from caseapp.services.errors import EditConflict
        from caseapp.ui.widgets.conflict_dialog import settle_conflict

        visible = self.visible_item_ids()
        position = visible.index(item_id) if item_id in visible else 0
        try:
            view = fn()
        except EditConflict as exc:
            self.conflict = settle_conflict(self.ctx, self, exc, save_mine=mine,
                                            done=lambda _choice: self.refresh())
            return None
        except Exception as exc:  # noqa: BLE001 - the user sees why, the tab stays usable
            action = {"state": "Setting the state", "dismiss": "Dismissing the suggestion"}
            self.banner.show_text(self.ctx.report_error(exc, action.get(what, what)), "error")
            return None
        self.banner.hide()
        self._apply(view, keep=item_id, position=position)
        log_event("checklist.changed", case=self.case_ref, item=item_id, what=what)
        self.ctx.notify_changed(self.case_ref)
        return view

    def _state_key(self, key: int) -> None:
        item_id = self.current_item_id()
        if item_id is None:
            self.ctx.show_message("Select an item (not a category) to set its state.")
            return
        self.set_state(item_id, STATES[key].value)

    def set_state(self, item_id: str, state: str) -> None:
        """Set an item's state (accepting its suggestion when suspected/confirmed)."""
        from caseapp.services.redflags import checklists

        if self.view is not None and self.view.item(item_id).state.value == state:
            return
        from caseapp.ui.widgets.conflict_dialog import save_unless_changed

        loaded = self.view.item(item_id) if self.view is not None else None
        had = loaded.suggestion if loaded is not None else None

        def save(version: int | None) -> ChecklistView:
            return checklists.set_item(self.ctx.ws, self.case_ref, item_id, state=state,
                                       expected_version=version)

        view = self._change("state", lambda: save_unless_changed(
            save, loaded.version if loaded else None,
            {"State": loaded.state.value} if loaded else {}), item_id, save)
        if view is not None:
            text = state_text(ChecklistState.parse(state))
            accepted = had is not None and view.item(item_id).suggestion is None
            self.ctx.show_message(f"{item_id}: {text}" + (" (suggestion accepted)."
                                                          if accepted else "."))

    def set_note(self, item_id: str, note: str) -> None:
        """Save an item's note."""
        from caseapp.services.errors import EditConflict
        from caseapp.services.redflags import checklists
        from caseapp.ui.widgets.conflict_dialog import save_unless_changed, settle_conflict

        loaded = self.view.item(item_id) if self.view is not None else None

        def save(version: int | None) -> ChecklistView:
            return checklists.set_item(self.ctx.ws, self.case_ref, item_id, note=note,
                                       expected_version=version)

        try:
            view = save_unless_changed(save, loaded.version if loaded else None,
                                       {"Note": loaded.note} if loaded else {})
        except EditConflict as exc:  # a colleague changed this note: show both
            self.conflict = settle_conflict(self.ctx, self, exc, save_mine=save,
                                            done=lambda _choice: self.refresh())
            return
        except Exception as exc:  # noqa: BLE001 - inline under the note; the text stays
            self.panel.note_error.show_error(self.ctx.report_error(exc, "Saving the note"))
            return
        self.panel.note_saved(note)
        self._apply(view, keep=self.current_item_id() or item_id)
        log_event("checklist.note-saved", case=self.case_ref, item=item_id)
        self.ctx.notify_changed(self.case_ref)

    def toggle_exhibit(self, item_id: str, exhibit: str, linked: bool) -> None:
        """Link (or unlink) an exhibit of the case to an item."""
        from caseapp.services.redflags import checklists

        try:
            view = checklists.link_exhibit(self.ctx.ws, self.case_ref, item_id, exhibit,
                                           remove=not linked)
        except Exception as exc:  # noqa: BLE001 - inline under the exhibit list
            self.panel.exhibit_error.show_error(self.ctx.report_error(exc, exhibit))
            self.panel.exhibit_model.set_linked(sorted(self.panel.exhibit_model.linked))
            return
        self.panel.exhibit_error.clear_error()
        self._apply(view, keep=item_id)
        log_event("checklist.exhibit-toggled", case=self.case_ref, item=item_id,
                  exhibit=exhibit, linked=int(linked))
        self.ctx.notify_changed(self.case_ref)

    def dismiss(self, item_id: str) -> None:
        """Dismiss the item's open suggestion."""
        from caseapp.services.redflags import checklists

        if self._change("dismiss", lambda: checklists.dismiss_suggestion(
                self.ctx.ws, self.case_ref, item_id), item_id) is not None:
            self.ctx.show_message(f"{item_id}: suggestion dismissed.")

    def upgrade(self) -> UpgradeResult | None:
        """After a confirmation, move the checklist to the newest template version."""
        from caseapp.services.redflags import checklists

        if self.view is None or not self.view.newer_version:
            return None
        t = self.view.template
        answer = QMessageBox.question(
            self, "Upgrade red-flag checklist",
            f"Upgrade {self.case_ref} from {t.id} v{t.version} to v{self.view.newer_version}?"
            "\n\nAnswers carry over by item id. Answers to items the new version no longer "
            "has are dropped from the checklist (they stay in the audit log).")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        try:
            result = checklists.upgrade_checklist(self.ctx.ws, self.case_ref)
        except Exception as exc:  # noqa: BLE001
            self.banner.show_text(self.ctx.report_error(exc, "Upgrade"), "error")
            return None
        self._apply(result.view)
        self.banner.show_text(upgrade_summary(result), "warn" if result.dropped else "ok")
        log_event("checklist.upgraded", case=self.case_ref, to=result.to_version)
        self.ctx.notify_changed(self.case_ref)
        return result

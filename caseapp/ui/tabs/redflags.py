"""Red flags tab: the case's checklist by category, its score, band and coverage, suggestions.

Each change goes straight to :mod:`caseapp.services.checklists` (one audited transaction,
~10 ms on this machine), then ``ctx.notify_changed`` so the case list's Risk column follows.
Keyboard: arrows move through the items, keys 0-4 set the selected item's state (see
:data:`KEYS_HELP`), Enter goes to its note, N to the next open suggestion.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain.enums import ChecklistState
from caseapp.ui.context import AppContext
from caseapp.ui.dialogs.common import Banner
from caseapp.ui.dialogs.templates import import_template_action
from caseapp.ui.errors import log_event
from caseapp.ui.registry import register_case_tab, register_window_action
from caseapp.ui.tabs.redflags_detail import ItemPanel
from caseapp.ui.tabs.redflags_model import (
    FILTERS,
    ITEM_ROLE,
    STATES,
    ChecklistFilter,
    ChecklistModel,
    StateDelegate,
    state_text,
)

KEYS_HELP = ("Keys: ↑ ↓ move · ← → fold · 0 not assessed · 1 not observed · 2 suspected · "
             "3 confirmed · 4 not applicable · F2 state list · Enter note · N next suggestion")
#: Band badge colours (background, text): fixed pairs with contrast >= 4.5 in either palette.
BAND_COLOURS = {"unassessed": ("#57606a", "#ffffff"), "low": ("#0f6e2f", "#ffffff"),
                "elevated": ("#f0c24b", "#1f2328"), "high": ("#c2410c", "#ffffff"),
                "critical": ("#8b1a1a", "#ffffff")}
_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(len(STATES))}


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


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


class RedFlagsTab(QWidget):
    """The case's red-flag checklist."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_ref = case_ref
        self.view: Any = None
        self._collapsed: set[str] = set()
        layout = QVBoxLayout(self)
        self._build_header(layout)
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
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(14)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.tree.setItemDelegateForColumn(1, StateDelegate(self.tree))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(60)
        for column, width in enumerate((300, 110, 85, 70, 120, 125)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.setMinimumWidth(560)
        self.panel = ItemPanel()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.panel)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.panel.minimumSizeHint().width() + 24)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([780, 460])
        layout.addWidget(splitter, 1)
        self.setFocusProxy(self.tree)
        self._connect()

    def _build_header(self, layout: QVBoxLayout) -> None:
        top = QHBoxLayout()
        self.template_label = _plain()
        self.template_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.upgrade_button = QPushButton()
        self.upgrade_button.hide()
        top.addWidget(self.template_label, 1)
        top.addWidget(self.upgrade_button)
        layout.addLayout(top)
        score_row = QHBoxLayout()
        self.band_label = _plain()
        self.band_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.band_label.setMinimumWidth(110)
        self.score_label = _plain()
        font = self.score_label.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.score_label.setFont(font)
        self.coverage_label = _plain()
        self.coverage_bar = QProgressBar()
        self.coverage_bar.setRange(0, 100)
        self.coverage_bar.setMaximumWidth(180)
        self.coverage_bar.setAccessibleName("Coverage")
        self.coverage_bar.setTextVisible(False)
        self.coverage_bar.setFixedHeight(12)
        self.suggestions_label = _plain()
        for widget in (self.band_label, self.score_label, self.coverage_label,
                       self.coverage_bar):
            score_row.addWidget(widget)
        score_row.addSpacing(12)
        score_row.addWidget(self.suggestions_label, 1)
        layout.addLayout(score_row)
        self.caution = _plain()
        self.caution.setWordWrap(True)
        layout.addWidget(self.caution)
        filter_row = QHBoxLayout()
        show = QLabel("Sho&w:")
        self.filter = QComboBox()
        self.filter.setAccessibleName("Show which red flags")
        for key, text in FILTERS.items():
            self.filter.addItem(text, key)
        show.setBuddy(self.filter)
        self.keys_label = _plain(KEYS_HELP)
        self.keys_label.setWordWrap(True)
        self.keys_label.setEnabled(False)
        filter_row.addWidget(show)
        filter_row.addWidget(self.filter)
        filter_row.addSpacing(12)
        filter_row.addWidget(self.keys_label, 1)
        layout.addLayout(filter_row)

    def _connect(self) -> None:
        self.model.state_edited.connect(self.set_state)
        self.tree.state_key.connect(self._state_key)
        self.tree.note_key.connect(self._focus_note)
        self.tree.next_suggestion.connect(self.next_suggestion)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self.tree.collapsed.connect(lambda i: self._fold(i, True))
        self.tree.expanded.connect(lambda i: self._fold(i, False))
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.upgrade_button.clicked.connect(self.upgrade)
        self.panel.state_requested.connect(self.set_state)
        self.panel.note_requested.connect(self.set_note)
        self.panel.exhibit_toggled.connect(self.toggle_exhibit)
        self.panel.dismiss_requested.connect(self.dismiss)
        self.panel.open_ref.connect(self.ctx.open_case)
        self.panel.back_to_list.connect(self.tree.setFocus)

    # -- data --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the checklist and the case's exhibits (starts the checklist if needed)."""
        from caseapp.services import checklists, evidence

        self.panel.set_exhibits(evidence.list_evidence(self.ctx.ws, self.case_ref))
        self._apply(checklists.get_checklist(self.ctx.ws, self.case_ref))

    def _apply(self, view: Any, keep: str | None = None, position: int = 0) -> None:
        current = keep or self.current_item_id()
        rebuilt = self.model.set_view(view)
        self.view = view
        if rebuilt:
            self._expand()
        self._show_header(view)
        visible = self.visible_item_ids()
        if current not in visible and visible:
            current = visible[min(position, len(visible) - 1)]
        if current and current != self.current_item_id():
            self.select_item(current)
        else:
            self._show_current()

    def _show_header(self, view: Any) -> None:
        t, score = view.template, view.score
        self.template_label.setText(f"Template: {t.title} — {t.id} v{t.version}")
        if view.newer_version:
            self.upgrade_button.setText(f"&Upgrade to v{view.newer_version}…")
            self.upgrade_button.setToolTip(
                f"Move this checklist to {t.id} v{view.newer_version}; answers carry over by "
                "item id, answers to removed items are dropped (and kept in the audit log).")
        self.upgrade_button.setVisible(bool(view.newer_version))
        bg, fg = BAND_COLOURS.get(score.band, BAND_COLOURS["unassessed"])
        self.band_label.setText(score.band.upper())
        self.band_label.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; "
                                      "border-radius: 4px; padding: 3px 10px; "
                                      "font-weight: 700; }")
        self.band_label.setToolTip(
            f"Bands: low < {t.bands.elevated} ≤ elevated < {t.bands.high} ≤ high < "
            f"{t.bands.critical} ≤ critical; 'unassessed' until an item is assessed.")
        self.score_label.setText(f"Risk {score.score} / 100")
        pct = round(score.coverage * 100)
        self.coverage_label.setText(f"Coverage {score.assessed} of {score.total} items "
                                    f"assessed ({pct}%)")
        self.coverage_bar.setValue(pct)
        if score.assessed == 0:
            caution = ("Nothing assessed yet: the score says nothing about this case. "
                       "Work through the items (filter 'Not assessed only').")
        elif score.coverage < 0.5:
            caution = (f"Only {pct}% of the items are assessed: the score counts what was "
                       "found, so a low score here does not mean the case is clean.")
        else:
            caution = ""
        self.caution.setText(caution)
        self.caution.setVisible(bool(caution))
        open_ = [i for i in view.items if i.suggestion is not None]
        self.suggestions_label.setText(
            f"{len(open_)} item(s) with open suggestions from shared identifiers (N: next)"
            if open_ else "No open suggestions")
        summary = (f"{score.confirmed} confirmed, {score.suspected} suspected"
                   if score.assessed else "not assessed")
        self.score_label.setToolTip(f"{score.score}/100, {score.band}: {summary}.")

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
        self.proxy.set_mode(self.filter.currentData())
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
    def _change(self, what: str, fn: Any, item_id: str) -> Any:
        """Run one service call; show its error inline; apply the view it returns."""
        visible = self.visible_item_ids()
        position = visible.index(item_id) if item_id in visible else 0
        try:
            view = fn()
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
        from caseapp.services import checklists

        if self.view is not None and self.view.item(item_id).state.value == state:
            return
        had = self.view.item(item_id).suggestion if self.view is not None else None
        view = self._change("state", lambda: checklists.set_item(
            self.ctx.ws, self.case_ref, item_id, state=state), item_id)
        if view is not None:
            text = state_text(ChecklistState.parse(state))
            accepted = had is not None and view.item(item_id).suggestion is None
            self.ctx.show_message(f"{item_id}: {text}" + (" (suggestion accepted)."
                                                          if accepted else "."))

    def set_note(self, item_id: str, note: str) -> None:
        """Save an item's note."""
        from caseapp.services import checklists

        try:
            view = checklists.set_item(self.ctx.ws, self.case_ref, item_id, note=note)
        except Exception as exc:  # noqa: BLE001 - inline under the note; the text stays
            self.panel.note_error.show_error(self.ctx.report_error(exc, "Saving the note"))
            return
        self.panel.note_saved(note)
        self._apply(view, keep=self.current_item_id() or item_id)
        log_event("checklist.note-saved", case=self.case_ref, item=item_id)
        self.ctx.notify_changed(self.case_ref)

    def toggle_exhibit(self, item_id: str, exhibit: str, linked: bool) -> None:
        """Link (or unlink) an exhibit of the case to an item."""
        from caseapp.services import checklists

        try:
            view = checklists.link_exhibit(self.ctx.ws, self.case_ref, item_id, exhibit,
                                           remove=not linked)
        except Exception as exc:  # noqa: BLE001 - inline under the exhibit list
            self.panel.exhibit_error.show_error(self.ctx.report_error(exc, exhibit))
            self.panel.exhibit_model.set_linked(self.panel.exhibit_model.linked)
            return
        self.panel.exhibit_error.clear_error()
        self._apply(view, keep=item_id)
        log_event("checklist.exhibit-toggled", case=self.case_ref, item=item_id,
                  exhibit=exhibit, linked=int(linked))
        self.ctx.notify_changed(self.case_ref)

    def dismiss(self, item_id: str) -> None:
        """Dismiss the item's open suggestion."""
        from caseapp.services import checklists

        if self._change("dismiss", lambda: checklists.dismiss_suggestion(
                self.ctx.ws, self.case_ref, item_id), item_id) is not None:
            self.ctx.show_message(f"{item_id}: suggestion dismissed.")

    def upgrade(self) -> Any:
        """After a confirmation, move the checklist to the newest template version."""
        from caseapp.services import checklists

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


def upgrade_summary(result: Any) -> str:
    """What an upgrade kept, dropped and added, in one paragraph."""
    if not result.changed:
        return f"Already on the newest version (v{result.to_version})."
    parts = [f"Upgraded from v{result.from_version} to v{result.to_version}.",
             f"Kept {len(result.kept)} answer(s)."]
    if result.dropped:
        drops = []
        for d in result.dropped:
            extra = [label for label in (d["state"], f"note “{d['note']}”" if d["note"] else "",
                                         ", ".join(d["exhibits"])) if label]
            drops.append(f"{d['id']} ({'; '.join(extra)})")
        parts.append(f"Dropped {len(drops)} answer(s) to items v{result.to_version} no longer "
                     f"has: {', '.join(drops)} — recorded in the audit log.")
    else:
        parts.append("Nothing dropped.")
    if result.added:
        parts.append(f"New items to assess: {', '.join(result.added)}.")
    return " ".join(parts)


register_case_tab("redflags", "Red flags", RedFlagsTab, order=25)
register_window_action("import-redflag-template", "Import red-flag &template…",
                       import_template_action, order=40, menu="Tools",
                       tip="Import a custom red-flag template (TOML) and list the templates")

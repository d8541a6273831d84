"""The selected red-flag item of the Red flags tab: state, suggestion, note, linked exhibits.

The panel does not call the services itself; it asks the tab through signals, and the tab
feeds it the refreshed item (``show_item``). A note being typed is never overwritten by a
refresh of the same item; it is saved when the editor loses focus, when another item is
selected, or with Ctrl+S / the Save button.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain.enums import ChecklistState
from caseapp.ui.formatting import local_time
from caseapp.ui.redflags.exhibits import ExhibitLinkModel
from caseapp.ui.redflags.model import (
    FLAGGED,
    STATES,
    WEIGHT_NAMES,
    state_text,
)
from caseapp.ui.redflags.style import IndicatorStyle
from caseapp.ui.widgets.common import ErrorLabel, html_escape, plain_label

if TYPE_CHECKING:
    from caseapp.domain.models import Evidence
    from caseapp.services.redflags.views import ChecklistView, ItemView



#: The panel's labels wrap and can be selected (to copy a label or a reason).
_plain = partial(plain_label, wrap=True, selectable=True)


class _NoteEdit(QPlainTextEdit):
    """The note editor: reports losing focus (the panel saves then) and Esc."""

    left = Signal()
    escape = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.left.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.escape.emit()
            return
        super().keyPressEvent(event)


class ItemPanel(QWidget):
    """Details and editors of one checklist item."""

    state_requested = Signal(str, str)  # item id, state value
    note_requested = Signal(str, str)  # item id, note
    exhibit_toggled = Signal(str, str, bool)  # item id, exhibit, linked
    dismiss_requested = Signal(str)  # item id
    open_ref = Signal(str)  # a case ref from a suggestion
    back_to_list = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item_view: ItemView | None = None
        self._saved_note = ""
        layout = QVBoxLayout(self)
        self.title = _plain(bold=True)
        self.meta = _plain()
        self.meta.setEnabled(False)
        self.description = _plain()
        self.hint = _plain()
        self.sources = QLabel(wordWrap=True)
        self.sources.setTextFormat(Qt.TextFormat.RichText)  # built from escaped text only
        self.sources.setOpenExternalLinks(True)
        self.sources.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        for widget in (self.title, self.meta, self.description, self.hint):
            layout.addWidget(widget)

        state_box = QGroupBox("State")
        grid = QGridLayout(state_box)
        self.state_group = QButtonGroup(self)
        self.state_buttons: dict[str, QRadioButton] = {}
        for key, state in enumerate(STATES):
            button = QRadioButton(f"{key}  {state_text(state)}")
            button.setToolTip(f"Key {key} in the list sets this state")
            self.state_group.addButton(button, key)
            self.state_buttons[state.value] = button
            grid.addWidget(button, key // 2, key % 2)  # two columns: the panel stays narrow
        self.changed = _plain()
        self.changed.setEnabled(False)
        grid.addWidget(self.changed, 3, 0, 1, 2)
        self.state_group.idClicked.connect(self._state_clicked)
        layout.addWidget(state_box)

        self.suggestion_box = QGroupBox("Suggestion from a shared identifier")
        sug = QVBoxLayout(self.suggestion_box)
        self.reason = _plain()
        sug.addWidget(self.reason)
        self.links_row = QHBoxLayout()
        sug.addLayout(self.links_row)
        self.link_buttons: list[QPushButton] = []
        buttons = QGridLayout()
        self.accept_suspected = QPushButton("&Accept as suspected")
        self.accept_confirmed = QPushButton("Accept as confir&med")
        self.dismiss_button = QPushButton("&Dismiss")
        self.dismiss_button.setToolTip("Hide this suggestion until a new link appears")
        for n, button in enumerate((self.accept_suspected, self.accept_confirmed,
                                    self.dismiss_button)):
            buttons.addWidget(button, n // 2, n % 2)
        buttons.setColumnStretch(2, 1)
        sug.addLayout(buttons)
        self.accept_note = _plain()
        self.accept_note.setEnabled(False)
        sug.addWidget(self.accept_note)
        self.accept_suspected.clicked.connect(
            lambda: self._accept(ChecklistState.SUSPECTED))
        self.accept_confirmed.clicked.connect(
            lambda: self._accept(ChecklistState.CONFIRMED))
        self.dismiss_button.clicked.connect(self._dismiss)
        layout.addWidget(self.suggestion_box)

        note_box = QGroupBox("Note")
        note_layout = QVBoxLayout(note_box)
        self.note = _NoteEdit()
        self.note.setTabChangesFocus(True)
        self.note.setAccessibleName("Note on the selected red flag")
        self.note.setPlaceholderText("What you saw, where, and which exhibit shows it.")
        self.note.setMaximumHeight(110)
        note_layout.addWidget(self.note)
        note_row = QHBoxLayout()
        self.note_state = _plain(wrap=False)
        self.save_note_button = QPushButton("Save &note")
        self.save_note_button.setToolTip("Save the note (Ctrl+S); it is also saved when you "
                                         "leave the field. Esc goes back to the list.")
        note_row.addWidget(self.note_state, 1)
        note_row.addWidget(self.save_note_button)
        note_layout.addLayout(note_row)
        self.note_error = ErrorLabel()
        note_layout.addWidget(self.note_error)
        self.note.textChanged.connect(self._note_changed)
        self.note.left.connect(self.commit_note)
        self.note.escape.connect(self.back_to_list.emit)
        self.save_note_button.clicked.connect(self.commit_note)
        QShortcut(QKeySequence.StandardKey.Save, self.note, self.commit_note,
                  context=Qt.ShortcutContext.WidgetShortcut)
        layout.addWidget(note_box)

        ex_box = QGroupBox("Linked exhibits")
        ex_layout = QVBoxLayout(ex_box)
        self.exhibit_model = ExhibitLinkModel(self)
        self.exhibits = QListView()
        self.exhibits.setModel(self.exhibit_model)
        self.exhibits.setAccessibleName("Exhibits linked to the selected red flag")
        self.exhibits.setToolTip("Tick the exhibits that support this item (Space toggles)")
        self.exhibits.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.exhibits.setMaximumHeight(120)
        self.no_exhibits = _plain("This case has no exhibits yet; add them on the Evidence tab.")
        self.no_exhibits.setEnabled(False)
        self.exhibit_error = ErrorLabel()
        ex_layout.addWidget(self.exhibits)
        ex_layout.addWidget(self.no_exhibits)
        ex_layout.addWidget(self.exhibit_error)
        self.exhibit_model.toggled.connect(self._exhibit_toggled)
        layout.addWidget(ex_box)
        layout.addWidget(self.sources)
        layout.addStretch(1)
        self.indicator_style = IndicatorStyle()
        for widget in (self.exhibits, *self.state_buttons.values()):
            widget.setStyle(self.indicator_style)
        self.show_item(None, None)

    # -- showing -----------------------------------------------------------------------------
    def set_exhibits(self, exhibits: list[Evidence]) -> None:
        """The case's exhibits, offered for linking."""
        self.exhibit_model.set_exhibits(exhibits)
        self.exhibits.setVisible(bool(exhibits))
        self.no_exhibits.setVisible(not exhibits)

    def show_item(self, view: ChecklistView | None, iv: ItemView | None) -> None:
        """Show ``iv`` (an ItemView of ``view``), or nothing when None."""
        same = (iv is not None and self.item_view is not None
                and iv.item.id == self.item_view.item.id)
        keep_note = same and self.note_dirty()
        self.item_view = iv
        widgets = (self.note, self.save_note_button, *self.state_buttons.values())
        for widget in widgets:
            widget.setEnabled(iv is not None)
        if iv is None:
            self.title.setText("Select a red flag in the list.")
            for label in (self.meta, self.description, self.hint, self.changed):
                label.clear()
            self.sources.clear()
            self.suggestion_box.hide()
            self._set_note("")
            self.exhibit_model.set_linked([], enabled=False)
            return
        assert view is not None  # an item is always shown with its checklist
        item = iv.item
        self.title.setText(item.label)
        self.meta.setText(f"{iv.category_title} · weight {item.weight} "
                          f"({WEIGHT_NAMES.get(item.weight, '?')})")
        self.meta.setToolTip(f"Item id {item.id} (answers carry over by this id)")
        self.description.setText(item.description)
        self.hint.setText(f"What supports it: {item.evidence_hint}" if item.evidence_hint
                          else "")
        self.sources.setText(_sources_html(view, item.sources))
        self.state_buttons[iv.state.value].setChecked(True)
        self.changed.setText(f"Last changed {local_time(iv.updated_at)} by {iv.updated_by}"
                             if iv.updated_at else "Never changed")
        self._show_suggestion(iv)
        if not keep_note:
            self._set_note(iv.note)
            self.note_error.clear_error()
        else:
            self._saved_note = iv.note
            self._note_changed()
        if not same:
            self.exhibit_error.clear_error()
        self.exhibit_model.set_linked(iv.exhibits)

    def _show_suggestion(self, iv: ItemView) -> None:
        sug = iv.suggestion
        self.suggestion_box.setVisible(sug is not None)
        self.link_buttons = []
        while self.links_row.count():
            taken = self.links_row.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        if sug is None:
            return
        self.reason.setText(sug.reason)
        for ref in sug.links:
            if ref.startswith("CASE-"):
                button = QPushButton(f"Open {ref}")
                button.setToolTip(f"Open {ref} in its own tab")
                button.clicked.connect(lambda _c=False, r=ref: self.open_ref.emit(r))
                self.link_buttons.append(button)
                self.links_row.addWidget(button)
            else:
                tip = _plain(f"{ref} (see the Tips page)", wrap=False)
                self.links_row.addWidget(tip)
        self.links_row.addStretch(1)
        state = iv.state
        self.accept_suspected.setEnabled(state not in FLAGGED)
        self.accept_confirmed.setEnabled(state != ChecklistState.CONFIRMED)
        self.accept_note.setText(
            f"Already {state_text(state).lower()}: the link adds support; dismiss it once "
            "noted." if state in FLAGGED else
            "Accepting sets the state; a suggestion never changes it by itself.")

    # -- note --------------------------------------------------------------------------------
    def _set_note(self, text: str) -> None:
        self._saved_note = text
        if self.note.toPlainText() != text:  # unchanged text keeps the cursor where it is
            self.note.blockSignals(True)
            self.note.setPlainText(text)
            self.note.blockSignals(False)
        self._note_changed()

    def note_dirty(self) -> bool:
        """The editor holds text that is not saved yet."""
        return self.item_view is not None and self.note.toPlainText() != self._saved_note

    def _note_changed(self) -> None:
        dirty = self.note_dirty()
        self.note_state.setText("Unsaved changes" if dirty else "")
        self.save_note_button.setEnabled(dirty)

    def commit_note(self) -> None:
        """Ask the tab to save the note if it changed."""
        if self.note_dirty() and self.item_view is not None:
            self.note_requested.emit(self.item_view.item.id, self.note.toPlainText())

    def note_saved(self, text: str) -> None:
        """The tab saved ``text`` as the note."""
        if self.note.toPlainText() == text:
            self._saved_note = text
        self.note_error.clear_error()
        self._note_changed()

    # -- requests ----------------------------------------------------------------------------
    def _state_clicked(self, key: int) -> None:
        if self.item_view is not None and STATES[key] != self.item_view.state:
            self.state_requested.emit(self.item_view.item.id, STATES[key].value)

    def _accept(self, state: ChecklistState) -> None:
        if self.item_view is not None:
            self.state_requested.emit(self.item_view.item.id, state.value)

    def _dismiss(self) -> None:
        if self.item_view is not None:
            self.dismiss_requested.emit(self.item_view.item.id)

    def _exhibit_toggled(self, exhibit: str, linked: bool) -> None:
        if self.item_view is not None:
            self.exhibit_toggled.emit(self.item_view.item.id, exhibit, linked)


def _sources_html(view: ChecklistView, source_ids: tuple[str, ...]) -> str:
    """The item's sources as escaped rich text with their links."""
    by_id = {s.id: s for s in view.template.sources}
    lines = []
    for sid in source_ids:
        src = by_id.get(sid)
        if src is None:
            lines.append(html_escape(sid))
            continue
        text = " — ".join(html_escape(b) for b in (src.title, src.publisher, src.date or "")
                         if b)
        if src.url:
            url = html_escape(src.url)
            text += f' — <a href="{url}">{url}</a>'
        lines.append(f"[{html_escape(src.id)}] {text}")
    return ("<b>Sources</b><br>" + "<br>".join(lines)) if lines else ""

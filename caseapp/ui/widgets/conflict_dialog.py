"""The edit-conflict dialog: someone saved the record first; both versions side by side.

Shown when a save raises :class:`~caseapp.services.errors.EditConflict`. Both versions are
plain text (never rich text), field by field, with the fields that differ marked. The choices
(each with a mnemonic, Tab-reachable): keep theirs, save mine over theirs (theirs then stays in
a note's history) and, for a note, keep both. Nothing is lost by a note's conflict: the
service already kept the caller's text as a conflicting copy, and Escape leaves it so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.services.errors import EditConflict
from caseapp.ui.context import AppContext
from caseapp.ui.formatting import local_time

THEIRS, MINE, BOTH = "theirs", "mine", "both"
T = TypeVar("T")


def version_text(fields: dict[str, str], other: dict[str, str]) -> str:
    """One version's fields as plain text; a field that differs from ``other`` is marked."""
    parts = []
    for label, value in fields.items():
        mark = "  ≠ differs" if other.get(label, value) != value else ""
        parts.append(f"{label}:{mark}\n{value if value else '(empty)'}")
    return "\n\n".join(parts)


def only_other_fields(conflict: EditConflict, loaded: dict[str, str]) -> bool:
    """True when the fields an editor changes (label -> the text it loaded) are stored just
    as it loaded them: the other save changed other fields only, so saving these at their
    version loses nothing of theirs (an editor then saves again without asking)."""
    return all(conflict.theirs.fields.get(label) == value for label, value in loaded.items())


def save_unless_changed(save: Callable[[int | None], T], version: int | None,
                        loaded: dict[str, str]) -> T:
    """``save(version)``; if the record was saved since but not the ``loaded`` fields (see
    :func:`only_other_fields`), ``save`` at the stored version; else the EditConflict."""
    try:
        return save(version)
    except EditConflict as exc:
        if only_other_fields(exc, loaded):
            return save(exc.theirs.version)
        raise


def _plain_label(text: str, buddy: QWidget | None = None) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if buddy is not None:
        label.setBuddy(buddy)
    return label


class ConflictDialog(QDialog):
    """Their stored version beside mine; ``choice`` is THEIRS, MINE, BOTH or None (Escape)."""

    def __init__(self, conflict: EditConflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflict = conflict
        self.choice: str | None = None
        note_copy = conflict.kept_copy is not None
        theirs = conflict.theirs
        self.setWindowTitle(f"Edit conflict: {conflict.what}")
        self.setMinimumSize(760, 420)
        layout = QVBoxLayout(self)
        who = f" by {theirs.by}" if theirs.by else ""
        when = f" at {local_time(theirs.at)}" if theirs.at else ""
        kept = (f" Your text is kept as a conflicting copy (note #{conflict.kept_copy}) until "
                "you choose." if note_copy else " Your change was not saved.")
        self.intro = _plain_label(
            f"{conflict.what[:1].upper()}{conflict.what[1:]} was saved{who}{when} after you "
            f"opened it (you started from version {conflict.expected_version}; it is now "
            f"version {theirs.version}). Nothing was saved over it.{kept}")
        layout.addWidget(self.intro)
        grid = QGridLayout()
        self.theirs = self._pane(version_text(theirs.fields, conflict.mine), "Their version")
        self.mine = self._pane(version_text(conflict.mine, theirs.fields), "My version")
        grid.addWidget(_plain_label(f"&Theirs (saved, version {theirs.version}{who})",
                                    self.theirs), 0, 0)
        grid.addWidget(_plain_label("M&ine (not saved over theirs)", self.mine), 0, 1)
        grid.addWidget(self.theirs, 1, 0)
        grid.addWidget(self.mine, 1, 1)
        layout.addLayout(grid, 1)
        box = QDialogButtonBox()
        self.keep_theirs = self._choice(box, "Keep t&heirs", THEIRS,
                                        "Drop my copy; their version stays" if note_copy
                                        else "Discard my change; their version stays")
        self.save_mine = self._choice(box, "&Save mine over theirs", MINE,
                                      "Save my version as the current one (theirs goes to "
                                      "the note's history)" if note_copy
                                      else "Save my version over theirs")
        self.keep_both: QPushButton | None = None
        if note_copy:
            self.keep_both = self._choice(box, "Keep &both", BOTH,
                                          "Keep their note and my copy as a note of its own")
        cancel = box.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Decide &later" if note_copy else "Back to &editing")
        cancel.setAutoDefault(False)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        # Enter takes the choice that drops nothing new (keep both; else keep theirs)
        self.default_button = self.keep_both or self.keep_theirs
        self.default_button.setAutoDefault(True)
        self.default_button.setDefault(True)
        self.default_button.setFocus()

    def _pane(self, text: str, name: str) -> QPlainTextEdit:
        pane = QPlainTextEdit(text)  # plain text: user markup is shown, never interpreted
        pane.setReadOnly(True)
        pane.setTabChangesFocus(True)
        pane.setAccessibleName(name)
        return pane

    def _choice(self, box: QDialogButtonBox, text: str, choice: str, tip: str) -> QPushButton:
        button = box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(lambda: self._choose(choice))
        return button

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


def settle_conflict(ctx: AppContext, parent: QWidget, conflict: EditConflict, *,
                    save_mine: Callable[[int], object] | None = None,
                    done: Callable[[str | None], object] | None = None) -> ConflictDialog:
    """Open the dialog for ``conflict`` and carry out the choice.

    A note's conflict is settled through its conflicting copy (notes.resolve_copy). For other
    records "mine" calls ``save_mine(their version)``; a new conflict opens a new dialog.
    ``done(choice)`` runs afterwards (None: Escape; reload what the user looks at).
    """
    dialog = ConflictDialog(conflict, parent)

    def finished(_result: int) -> None:
        choice = dialog.choice
        try:
            if conflict.kept_copy is not None and choice is not None:
                from caseapp.services.cases import notes

                notes.resolve_copy(ctx.ws, conflict.kept_copy, choice,
                                   expected_version=conflict.theirs.version)
            elif choice == MINE and save_mine is not None:
                save_mine(conflict.theirs.version)
        except EditConflict as again:  # saved once more meanwhile: show the newer one
            if again.kept_copy is None:
                again.kept_copy = conflict.kept_copy  # (the copy is still there)
            settle_conflict(ctx, parent, again, save_mine=save_mine, done=done)
            return
        except Exception as exc:  # noqa: BLE001 - shown to the user; nothing half-done
            ctx.report_error(exc, "Settling the edit conflict")
        if done is not None:
            done(choice)

    dialog.finished.connect(finished)
    dialog.open()
    return dialog

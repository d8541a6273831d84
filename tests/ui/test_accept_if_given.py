"""accept_if_given: a blank entry keeps the dialog open with its message and the focus back in
the field; a filled one accepts. Driven through the real cases dialogs' OK button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from caseapp.ui.cases.dialogs import NoteDialog, WithdrawDialog
from caseapp.ui.cases.subject_dialog import IdentifierDialog


def _press_ok(qtbot, dialog: QDialog) -> None:  # noqa: ANN001
    qtbot.keyClick(dialog.ok_button, Qt.Key.Key_Space)  # type: ignore[attr-defined]
    QApplication.processEvents()


def test_blank_note_is_refused_then_a_typed_one_accepted(qtbot) -> None:  # noqa: ANN001
    dialog = NoteDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.text.setPlainText("   \n ")
    _press_ok(qtbot, dialog)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.text() == "A note cannot be empty." and dialog.error.isVisible()
    assert dialog.text.hasFocus()
    dialog.text.setPlainText("Spoke to HR.")
    _press_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()


def test_withdraw_needs_a_reason(qtbot) -> None:  # noqa: ANN001
    dialog = WithdrawDialog("E-001", "Interview notes")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    _press_ok(qtbot, dialog)
    assert dialog.isVisible() and dialog.error.text() == "Say why the exhibit is withdrawn."
    assert dialog.reason.hasFocus()


def test_identifier_without_a_value_is_refused(qtbot) -> None:  # noqa: ANN001
    dialog = IdentifierDialog("<b>Kim</b>")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    _press_ok(qtbot, dialog)
    assert dialog.isVisible() and dialog.error.text() == "Type the identifier's value."
    dialog.row.value.setText("kim@example.org")
    _press_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted

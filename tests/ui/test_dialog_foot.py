"""The shared dialog foot: Return in a field presses the main button, even after that button
had the focus (a refused first try) and lost it to the field again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QVBoxLayout

from caseapp.ui.widgets.common import dialog_foot


def _dialog(qtbot, cancel: str | bool) -> tuple[QDialog, QLineEdit, list[str]]:  # noqa: ANN001
    dialog = QDialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    field = QLineEdit()
    layout.addWidget(field)
    presses: list[str] = []

    def ok() -> None:
        presses.append(field.text())
        if not field.text():
            field.setFocus()  # refused: back to the field, as the entry dialogs do

    dialog.error, dialog.ok_button = dialog_foot(  # type: ignore[attr-defined]
        dialog, layout, "&Save", ok, cancel=cancel)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog, field, presses


def test_return_presses_the_main_button_after_it_lost_the_focus(qtbot) -> None:  # noqa: ANN001
    dialog, field, presses = _dialog(qtbot, True)
    dialog.ok_button.setFocus()  # type: ignore[attr-defined]
    QApplication.processEvents()  # the focus events
    qtbot.keyClick(dialog.ok_button, Qt.Key.Key_Space)  # type: ignore[attr-defined]
    QApplication.processEvents()
    assert presses == [""] and field.hasFocus()
    qtbot.keyClicks(field, "typed")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert presses == ["", "typed"]


def test_cancel_names_or_leaves_out_the_rejecting_button(qtbot) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QDialogButtonBox

    texts = []
    for cancel in (True, "&Quit", False):
        dialog, _field, _presses = _dialog(qtbot, cancel)
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        texts.append([b.text() for b in box.buttons()])
    assert texts[0][0] == "&Save" and len(texts[0]) == 2 and texts[0][1] != "&Quit"
    assert texts[1] == ["&Save", "&Quit"] or texts[1] == ["&Quit", "&Save"]
    assert texts[2] == ["&Save"]

"""First-run key set-up, the one-time recovery code, and the passphrase prompt."""

from __future__ import annotations

import math
import string
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.widgets.common import ErrorLabel, dialog_foot, html_escape, ok_cancel

MIN_PASSPHRASE = 10
_COMMON = ("password", "passwort", "123456", "qwerty", "letmein", "caseapp", "admin", "welcome",
           "iloveyou", "abc123")


def passphrase_strength(text: str) -> tuple[int, str]:
    """A rough strength score 0-4 and a hint; 0 means not acceptable."""
    if len(text) < MIN_PASSPHRASE:
        return 0, f"Too short: use at least {MIN_PASSPHRASE} characters (a few words work well)."
    pool = 0
    if any(c in string.ascii_lowercase for c in text):
        pool += 26
    if any(c in string.ascii_uppercase for c in text):
        pool += 26
    if any(c in string.digits for c in text):
        pool += 10
    if any(c in string.punctuation or c == " " for c in text):
        pool += 33
    if any(not c.isascii() for c in text):
        pool += 100
    distinct = len(set(text))
    bits = min(len(text), distinct * 2) * math.log2(max(pool, 2))
    lowered = text.casefold()
    if any(word in lowered for word in _COMMON):
        bits -= 30
    if distinct <= 3:
        bits = min(bits, 20)
    if bits < 45:
        return 1, "Weak: easy to guess. Add more unrelated words."
    if bits < 65:
        return 2, "Fair: longer would be safer."
    if bits < 90:
        return 3, "Strong."
    return 4, "Very strong."


class PassphraseFields(QWidget):
    """Passphrase twice with a live strength hint; ``problem()`` says what is wrong."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.first = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.first.setAccessibleName("Passphrase")
        self.second = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.second.setAccessibleName("Repeat passphrase")
        self.meter = QProgressBar(maximum=4, textVisible=False)
        self.meter.setFixedHeight(8)
        self.hint = QLabel(wordWrap=True)
        form.addRow("&Passphrase:", self.first)
        form.addRow("&Repeat:", self.second)
        form.addRow("", self.meter)
        form.addRow("", self.hint)
        self.first.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        score, hint = passphrase_strength(self.first.text())
        self.meter.setValue(score)
        self.hint.setText(hint if self.first.text() else
                          f"At least {MIN_PASSPHRASE} characters; several words are easy to "
                          "remember and hard to guess.")

    def problem(self) -> str | None:
        """Why the passphrase cannot be used, or None."""
        score, hint = passphrase_strength(self.first.text())
        if score == 0:
            return hint
        if self.first.text() != self.second.text():
            return "The two passphrases differ."
        return None

    def value(self) -> str:
        return self.first.text()


class KeySetupDialog(QDialog):
    """First run: keep the new store's key in the OS keyring, or under a passphrase."""

    def __init__(self, home: Path, keyring_usable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set up the encrypted case store")
        self.setMinimumWidth(520)
        self.keyring_usable = keyring_usable
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"caseapp keeps cases and evidence encrypted in<br><b>{html_escape(str(home))}</b>.<br>"
            "Choose how the store's key is protected.", wordWrap=True)
        layout.addWidget(intro)
        self.use_keyring = QRadioButton("Keep the key in this computer's &keyring "
                                        "(recommended: unlocks when you log in)")
        self.use_passphrase = QRadioButton("Protect the key with a &passphrase typed at "
                                           "every start")
        group = QButtonGroup(self)
        group.addButton(self.use_keyring)
        group.addButton(self.use_passphrase)
        if keyring_usable:
            layout.addWidget(self.use_keyring)
            layout.addWidget(self.use_passphrase)
            self.use_keyring.setChecked(True)
        else:
            self.use_passphrase.setChecked(True)
            note = QLabel("No usable OS keyring was found on this computer, so the store is "
                          "protected with a passphrase.", wordWrap=True)
            layout.addWidget(note)
        self.fields = PassphraseFields()
        layout.addWidget(self.fields)
        self.error, self.create_button = dialog_foot(self, layout, "&Create store",
                                                     self._try_accept, cancel="&Quit")
        self.use_keyring.toggled.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        self.fields.setEnabled(self.use_passphrase.isChecked())
        self.error.clear_error()
        (self.fields.first if self.use_passphrase.isChecked() else self.use_keyring).setFocus()

    @property
    def mode(self) -> str:
        """'keyring' or 'passphrase'."""
        return "passphrase" if self.use_passphrase.isChecked() else "keyring"

    def passphrase(self) -> str | None:
        """The chosen passphrase (passphrase mode only)."""
        return self.fields.value() if self.mode == "passphrase" else None

    def _try_accept(self) -> None:
        if self.mode == "passphrase":
            problem = self.fields.problem()
            if problem:
                self.error.show_error(problem)
                self.fields.first.setFocus()
                return
        self.accept()


class RecoveryCodeDialog(QDialog):
    """Shows the recovery code once; continuing needs an explicit "written down" tick."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Write down your recovery code")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            "This code unlocks the store if the keyring entry or the passphrase is ever lost. "
            "It is shown <b>only now</b>. Write it on paper and keep it apart from this "
            "computer.", wordWrap=True))
        self.code = QLabel(code)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(font.pointSize() + 6)
        font.setBold(True)
        self.code.setFont(font)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setAccessibleName("Recovery code")
        layout.addWidget(self.code)
        self.confirm = QCheckBox("I have &written down the recovery code")
        layout.addWidget(self.confirm)
        self.error, self.continue_button = dialog_foot(self, layout, "C&ontinue", self.accept,
                                                       cancel=False)
        self.continue_button.setEnabled(False)
        self.confirm.toggled.connect(self.continue_button.setEnabled)

    def reject(self) -> None:
        """Escape or closing the window does not skip the code."""
        if self.confirm.isChecked():
            self.accept()
        else:
            self.error.show_error("Tick the box once you have written the code down.")


class UnlockDialog(QDialog):
    """Asks for the passphrase; a wrong one shows an inline error and the dialog stays."""

    submitted = Signal(str)

    def __init__(self, home: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unlock the case store")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Passphrase for the case store in<br><b>{html_escape(str(home))}</b>",
                                wordWrap=True))
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        layout.addWidget(self.passphrase)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        layout.addWidget(QLabel("Forgot it? Unlock with the recovery code: "
                                "<code>caseapp key recover</code>", wordWrap=True))
        buttons, self.unlock_button = ok_cancel(self, "&Unlock", self._submit, cancel="&Quit")
        layout.addWidget(buttons)
        self.passphrase.textEdited.connect(lambda _t: self.error.clear_error())

    def _submit(self) -> None:
        if not self.passphrase.text():
            self.error.show_error("Type the passphrase.")
            return
        self.set_busy(True)
        self.submitted.emit(self.passphrase.text())

    def set_busy(self, busy: bool) -> None:
        """Disable input while the key is being checked."""
        self.passphrase.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)
        self.unlock_button.setText("Unlocking…" if busy else "&Unlock")

    def show_error(self, text: str) -> None:
        """Show why unlocking failed and let the user try again."""
        self.set_busy(False)
        self.error.show_error(text)
        self.passphrase.selectAll()
        self.passphrase.setFocus()

"""Help > About: version, build date, Qt and SQLCipher versions (copyable for bug reports)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

TAGLINE = ("Offline case management for investigations of remote-IT-worker identity fraud.\n"
           "Everything stays on this computer, encrypted.")


def about_lines() -> list[str]:
    """The dialog's facts, one per line (plain text; also what Copy puts on the clipboard)."""
    import PySide6
    from PySide6.QtCore import qVersion

    from caseapp.services.maintenance.about import about_info

    info = about_info()
    if info.built:
        build = f"Built {info.built}" + (f" from {info.commit}" if info.commit else "")
        build += " (bundle)" if info.frozen else ""
    else:
        build = "Build date: none (source install)"
    return [
        f"caseapp {info.version}",
        build,
        f"Qt {qVersion()} (PySide6 {PySide6.__version__})",
        f"SQLCipher {info.sqlcipher} (SQLite {info.sqlite})",
        f"Python {info.python}",
        f"System {info.system}",
    ]


class AboutDialog(QDialog):
    """Facts as selectable plain text, Copy and Close; Escape or Enter closes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About caseapp")
        self.lines = about_lines()
        layout = QVBoxLayout(self)
        title = QLabel(self.lines[0])
        title.setTextFormat(Qt.TextFormat.PlainText)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        tagline = QLabel(TAGLINE)
        tagline.setTextFormat(Qt.TextFormat.PlainText)
        tagline.setWordWrap(True)
        self.facts = QLabel("\n".join(self.lines[1:]))
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                           | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.facts.setAccessibleName("Version details")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton("&Copy details",
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setDefault(True)
        for widget in (title, tagline, self.facts, buttons):
            layout.addWidget(widget)
        self.close_button.setFocus()

    def text(self) -> str:
        return "\n".join(self.lines)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.text())


def show_about(parent: QWidget) -> AboutDialog:
    """Open the dialog window-modal without a nested event loop; returns it."""
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog

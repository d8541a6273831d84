"""In-app preview of an exported case file (QtPdf) with its SHA-256, pages and Bates range.

The preview re-hashes the file on disk in the background and says whether it still matches
the SHA-256 recorded at export time. A password-protected PDF is opened with the password
the user just chose, or asks for it inline (previews from the export history).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.casefile.widgets import InlineLabel
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.workers import TaskControl, TaskHandle


@dataclass(frozen=True)
class PreviewTarget:
    """What the preview shows: a file and what was recorded about it."""

    path: Path
    sha256: str
    pages: int
    bates_first: str
    bates_last: str
    package: Path | None = None

    @classmethod
    def from_result(cls, result: Any) -> PreviewTarget:
        """From the ``ExportResult`` of an export just made."""
        return cls(Path(result.path), result.sha256, result.pages, result.bates_first,
                   result.bates_last, Path(result.package) if result.package else None)

    @classmethod
    def from_record(cls, record: Any) -> PreviewTarget:
        """From an ``ExportRecord`` of the case's export history."""
        return cls(Path(record.path), record.sha256, record.pages, record.bates_first,
                   record.bates_last, Path(record.package_dir) if record.package_dir else None)

    @property
    def bates_range(self) -> str:
        return f"{self.bates_first} to {self.bates_last}"


def file_sha256(path: Path, control: TaskControl | None = None) -> str | None:
    """SHA-256 of the exported file through the export service; None when cancelled."""
    from caseapp.services.casefile.exports import exported_file_sha256

    if control is None:
        return exported_file_sha256(path)
    return exported_file_sha256(path, progress=control.progress,
                                cancel=control.cancelled)


def _copy_field(text: str, name: str) -> tuple[QLineEdit, QToolButton]:
    edit = QLineEdit(text, readOnly=True)
    edit.setAccessibleName(name)
    edit.setCursorPosition(0)
    button = QToolButton()
    button.setText("Copy")
    button.setToolTip(f"Copy the {name}")
    button.clicked.connect(lambda: QGuiApplication.clipboard().setText(edit.text()))
    return edit, button


class ExportPreview(QDialog):
    """The exported PDF with its recorded hash, pages and Bates range, and ways to open it."""

    def __init__(self, ctx: AppContext, target: PreviewTarget, *, password: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.target = target
        self.check_handle: TaskHandle | None = None
        self.setWindowTitle(f"Case file — {target.path.name}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.path_edit, copy_path = _copy_field(str(target.path), "file path")
        self.sha_edit, self.copy_sha = _copy_field(target.sha256, "SHA-256")
        self.bates_edit, copy_bates = _copy_field(target.bates_range, "Bates range")
        self.pages_label = QLabel(f"{target.pages:,}")
        self.pages_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("File:", _pair(self.path_edit, copy_path))
        form.addRow("SHA-256:", _pair(self.sha_edit, self.copy_sha))
        bates_row = _pair(self.bates_edit, copy_bates)
        bates_row.addWidget(QLabel("Pages:"))
        bates_row.addWidget(self.pages_label)
        form.addRow("Bates range:", bates_row)
        if target.package is not None:
            package_edit, copy_package = _copy_field(str(target.package), "production folder")
            form.addRow("Production folder:", _pair(package_edit, copy_package))
        self.check_label = InlineLabel()
        form.addRow("File check:", self.check_label)
        layout.addLayout(form)
        self.password_bar = self._password_bar()
        layout.addWidget(self.password_bar)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setAccessibleName("Case file preview")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        layout.addWidget(self.view, 1)
        layout.addLayout(self._bottom_bar())
        self.view.pageNavigator().currentPageChanged.connect(self._page_changed)
        QShortcut(QKeySequence("Ctrl+Shift+C"), self, self.copy_hash)
        self.load(password)
        self.start_check()
        self.resize(980, 900)
        self.view.setFocus()

    def _password_bar(self) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel("This PDF has an open &password:")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("PDF password")
        label.setBuddy(self.password)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setAutoDefault(False)
        self.unlock_button.clicked.connect(lambda: self.load(self.password.text()))
        self.password.returnPressed.connect(self.unlock_button.click)
        self.password_error = InlineLabel()
        for widget in (label, self.password, self.unlock_button, self.password_error):
            row.addWidget(widget)
        row.addStretch(1)
        bar.hide()
        return bar

    def _bottom_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        page_label = QLabel("Pa&ge:")
        self.page_spin = QSpinBox(minimum=1, maximum=1)
        self.page_spin.setAccessibleName("Page")
        page_label.setBuddy(self.page_spin)
        self.page_count = QLabel("of 0")
        self.page_spin.valueChanged.connect(self.go_to_page)
        fit_width = QPushButton("Fit &width")
        fit_width.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        fit_page = QPushButton("Fit p&age")
        fit_page.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView))
        self.folder_button = QPushButton("Open &folder")
        self.folder_button.setToolTip("Show the folder holding the PDF (the production folder "
                                      "when one was written)")
        self.folder_button.clicked.connect(self.open_folder)
        self.viewer_button = QPushButton("Open in default &viewer")
        self.viewer_button.clicked.connect(self.open_in_viewer)
        close = QPushButton("&Close")
        close.clicked.connect(self.close)
        for widget in (page_label, self.page_spin, self.page_count, fit_width, fit_page):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self.folder_button, self.viewer_button, close):
            bar.addWidget(widget)
        for button in (fit_width, fit_page, self.folder_button, self.viewer_button, close):
            button.setAutoDefault(False)  # no default button: Enter never closes by surprise
        return bar

    # -- document ----------------------------------------------------------------------------
    def load(self, password: str | None = None) -> bool:
        """(Re)load the PDF, with ``password`` if it is protected; True when it is shown."""
        self.document.close()
        if not self.target.path.is_file():
            self.check_label.show_error(f"The file is no longer at {self.target.path}.")
            self._set_pages(0)
            return False
        if password:
            self.document.setPassword(password)
        status = self.document.load(str(self.target.path))
        if status == QPdfDocument.Error.IncorrectPassword:
            self.password_bar.show()
            if password:
                self.password_error.show_error("That password does not open this PDF.")
            self.password.setFocus()
            self._set_pages(0)
            return False
        if status != QPdfDocument.Error.None_:
            self.check_label.show_error(f"The preview cannot show this file ({status.name}); "
                                        "try the default viewer.")
            self._set_pages(0)
            return False
        self.password_bar.hide()
        self.password.clear()
        self._set_pages(self.document.pageCount())
        log_event("export.previewed", pages=self.document.pageCount())
        return True

    def _set_pages(self, count: int) -> None:
        self.page_spin.setMaximum(max(1, count))
        self.page_spin.setEnabled(count > 0)
        self.page_count.setText(f"of {count}")

    def go_to_page(self, number: int) -> None:
        """Show page ``number`` (1-based)."""
        if 1 <= number <= self.document.pageCount():
            navigator = self.view.pageNavigator()
            if navigator.currentPage() != number - 1:
                navigator.jump(number - 1, QPointF(), navigator.currentZoom())

    def _page_changed(self, page: int) -> None:
        if self.page_spin.value() != page + 1:
            self.page_spin.blockSignals(True)
            self.page_spin.setValue(page + 1)
            self.page_spin.blockSignals(False)

    # -- hash check --------------------------------------------------------------------------
    def start_check(self) -> None:
        """Re-hash the file in the background and compare with the recorded SHA-256."""
        path = self.target.path
        if not path.is_file():
            return
        self.check_label.show_hint("Checking the file against the recorded SHA-256…")
        self.check_handle = self.ctx.runner.submit(lambda c: file_sha256(path, c),
                                                   name="export-check")
        # Bound methods, not lambdas: Qt drops them if the preview is closed (deleted) first.
        self.check_handle.succeeded.connect(self._checked)
        self.check_handle.failed.connect(self._check_failed)
        self.check_handle.finished.connect(self._check_finished)

    def _check_finished(self) -> None:
        self.check_handle = None

    def _check_failed(self, exc: BaseException) -> None:
        self.check_label.show_error(self.ctx.report_error(exc, "File check"))

    def _checked(self, digest: str | None) -> None:
        if digest is None:
            return
        if digest == self.target.sha256:
            self.check_label.show_ok("The file matches the recorded SHA-256.")
        else:
            self.check_label.show_error(f"The file has changed since the export: its SHA-256 "
                                        f"is now {digest}.")

    # -- actions -----------------------------------------------------------------------------
    def copy_hash(self) -> None:
        """Copy the recorded SHA-256 to the clipboard."""
        QGuiApplication.clipboard().setText(self.target.sha256)
        self.ctx.show_message("SHA-256 copied.")

    def open_folder(self) -> None:
        """Open the production folder, or the PDF's folder, in the file manager."""
        folder = self.target.package if self.target.package else self.target.path.parent
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.check_label.show_hint(f"No file manager could open {folder}.")

    def open_in_viewer(self) -> None:
        """Open the PDF in the system's default PDF viewer."""
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.target.path))):
            self.check_label.show_hint("No application could open the PDF.")

    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        """Closing stops the hash check and releases the file."""
        if self.check_handle is not None:
            self.check_handle.cancel()
        self.document.close()
        super().done(result)

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        if self.check_handle is not None:
            self.check_handle.cancel()
        self.document.close()
        super().closeEvent(event)


def _pair(edit: QWidget, button: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row

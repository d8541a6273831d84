"""The fields of the Export PDF dialog and how they turn into ``ExportOptions``.

Every field validates inline: a problem the user can fix is shown under its field, never in
a message box. :meth:`ExportForm.collect` returns the options, the output path and the
package folder, or None after showing what to fix.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRegularExpression, QStandardPaths, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.services.casefile.exports import (
    DEFAULT_CLASSIFICATION,
    SECTIONS,
    SUGGESTED_PRIVILEGE_LEGEND,
    ExportOptions,
)
from caseapp.ui.casefile.widgets import InlineLabel, hint, side_by_side
from caseapp.ui.widgets.common import ErrorLabel

CLASSIFICATIONS = (DEFAULT_CLASSIFICATION, "STRICTLY CONFIDENTIAL", "RESTRICTED",
                   "INTERNAL USE ONLY", "LAW ENFORCEMENT SENSITIVE")
LOCAL_ZONE = "This computer's time zone"


def default_user() -> str:
    """The OS user name, the default for "prepared by" (blank if it cannot be found)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


def default_output(case_ref: str) -> Path:
    """``<Documents>/<ref>-case-file.pdf`` (the home folder when there is no Documents)."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(docs) if docs and Path(docs).is_dir() else Path.home()
    return folder / f"{case_ref}-case-file.pdf"


@dataclass(frozen=True)
class ExportRequest:
    """What the dialog hands to the export: validated options and the output path."""

    options: ExportOptions
    out: Path


class ExportForm(QWidget):
    """Labels, Bates numbering, sections, redaction and output of one export."""

    #: An inline message appeared or went: the window may need to grow.
    messages_changed = Signal()

    def __init__(self, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case_ref = case_ref
        self.confirmed_overwrite: Path | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self._cover_group())
        left.addWidget(self._bates_group())
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self._sections_group())
        right.addWidget(self._redaction_group())
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        outer.addLayout(columns)
        outer.addWidget(self._output_group())
        self._update_bates()
        self._update_toggles()

    # -- groups ------------------------------------------------------------------------------
    def _cover_group(self) -> QGroupBox:
        group = QGroupBox("Cover and page labels")
        form = QFormLayout(group)
        self.classification = QComboBox(editable=True)
        self.classification.addItems(list(CLASSIFICATIONS))
        self.classification.setAccessibleName("Classification")
        self.classification_error = ErrorLabel()
        self.legend = QLineEdit(placeholderText="None")
        self.legend.setAccessibleName("Privilege legend")
        self.legend.textChanged.connect(self.legend.setToolTip)  # the whole legend on hover
        self.legend_button = QPushButton("Use the &standard legend")
        self.legend_button.setToolTip(SUGGESTED_PRIVILEGE_LEGEND)
        self.legend_button.setAutoDefault(False)
        self.legend_button.clicked.connect(self.use_standard_legend)
        self.prepared_by = QLineEdit(default_user())
        self.prepared_by.setAccessibleName("Prepared by")
        self.recipient = QLineEdit(placeholderText="Required, e.g. Outside counsel (firm name)")
        self.recipient.setAccessibleName("Recipient")
        self.recipient_error = ErrorLabel()
        legend_box = QVBoxLayout()
        legend_box.addWidget(self.legend)
        legend_box.addWidget(self.legend_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow(self._label("&Classification:", self.classification), self.classification)
        form.addRow("", self.classification_error)
        form.addRow(self._label("Privilege le&gend:", self.legend), legend_box)
        form.addRow(self._label("Prepared &by:", self.prepared_by), self.prepared_by)
        form.addRow(self._label("&Recipient:", self.recipient), self.recipient)
        form.addRow("", self.recipient_error)
        form.addRow("", hint("The recipient is printed on the cover as \"prepared for\" and "
                             "kept in the case's export history."))
        self.recipient.textEdited.connect(lambda _t: self.recipient_error.clear_error())
        self.classification.editTextChanged.connect(
            lambda _t: self.classification_error.clear_error())
        return group

    def _bates_group(self) -> QGroupBox:
        group = QGroupBox("Bates numbering")
        form = QFormLayout(group)
        self.bates_prefix = QLineEdit(self.case_ref)
        self.bates_prefix.setMaxLength(40)
        self.bates_prefix.setAccessibleName("Bates prefix")
        self.bates_start = QLineEdit("1")
        self.bates_start.setValidator(QRegularExpressionValidator(
            QRegularExpression(r"\d{1,13}"), self.bates_start))
        self.bates_start.setAccessibleName("Bates start number")
        self.bates_start.setMaximumWidth(160)
        self.bates_preview = QLabel()
        self.bates_preview.setTextFormat(Qt.TextFormat.PlainText)
        self.bates_error = ErrorLabel()
        form.addRow(self._label("Bates pre&fix:", self.bates_prefix), self.bates_prefix)
        form.addRow(self._label("Bates s&tart:", self.bates_start), self.bates_start)
        form.addRow("", self.bates_preview)
        form.addRow("", self.bates_error)
        self.bates_prefix.textChanged.connect(lambda _t: self._update_bates())
        self.bates_start.textChanged.connect(lambda _t: self._update_bates())
        return group

    def _sections_group(self) -> QGroupBox:
        group = QGroupBox("Sections to include")
        grid = QGridLayout(group)
        self.section_boxes: dict[str, QCheckBox] = {}
        for index, (key, heading) in enumerate(SECTIONS.items()):
            box = QCheckBox(heading)
            box.setChecked(True)
            self.section_boxes[key] = box
            grid.addWidget(box, index // 2, index % 2)
        grid.addWidget(hint("The cover, contents, export record and hash certification are "
                            "always included."), len(SECTIONS) // 2 + 1, 0, 1, 2)
        self.section_boxes["exhibits"].toggled.connect(lambda _c: self._update_toggles())
        return group

    def _redaction_group(self) -> QGroupBox:
        group = QGroupBox("Redaction")
        box = QVBoxLayout(group)
        self.reveal_tipsters = QCheckBox("Reveal tipster &identities (names and contacts)")
        self.reveal_accounts = QCheckBox("Print bank and government ID numbers in f&ull")
        box.addWidget(hint("By default tipster identities are replaced by [REDACTED] and "
                           "account and ID numbers show only their last four characters."))
        box.addWidget(self.reveal_tipsters)
        box.addWidget(self.reveal_accounts)
        self.reveal_warning = InlineLabel()
        box.addWidget(self.reveal_warning)
        for check in (self.reveal_tipsters, self.reveal_accounts):
            check.toggled.connect(lambda _c: self._update_toggles())
        return group

    def _output_group(self) -> QGroupBox:
        group = QGroupBox("Output")
        form = QFormLayout(group)
        self.out_path = QLineEdit(str(default_output(self.case_ref)))
        self.out_path.setAccessibleName("PDF file")
        self.out_browse = QPushButton("Bro&wse…")
        self.out_browse.clicked.connect(self.choose_output)
        self.out_error = InlineLabel()
        form.addRow(self._label("Save &as:", self.out_path),
                    side_by_side(self.out_path, self.out_browse))
        form.addRow("", self.out_error)
        self.use_password = QCheckBox("Protect the PDF with an &open password (AES-256)")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password,
                                  placeholderText="Password")
        self.password.setAccessibleName("Password")
        self.password2 = QLineEdit(echoMode=QLineEdit.EchoMode.Password,
                                   placeholderText="Password again")
        self.password2.setAccessibleName("Password again")
        self.password_error = ErrorLabel()
        form.addRow(self.use_password)
        form.addRow("", side_by_side(self.password, self.password2))
        form.addRow("", self.password_error)
        form.addRow("", hint("Without a password the PDF is PDF/A-2b (archival: fonts "
                             "embedded, sRGB colour, XMP metadata). A password-protected PDF "
                             "is not PDF/A, because PDF/A forbids encryption."))
        self.use_package = QCheckBox("Also write a &production folder (the PDF, native files, "
                                     "manifest.csv, SHA256SUMS)")
        self.package_path = QLineEdit(placeholderText="A new or empty folder")
        self.package_path.setAccessibleName("Production folder")
        self.package_browse = QPushButton("C&hoose…")
        self.package_browse.clicked.connect(self.choose_package)
        self.package_error = InlineLabel()
        form.addRow(self.use_package)
        form.addRow("", side_by_side(self.package_path, self.package_browse))
        form.addRow("", self.package_error)
        self.timezone = QComboBox(editable=True)
        self.timezone.setAccessibleName("Time zone")
        self.timezone.addItem(LOCAL_ZONE)
        self.timezone.addItem("UTC")
        from zoneinfo import available_timezones

        completer = QCompleter(sorted(available_timezones()), self.timezone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.timezone.setCompleter(completer)
        form.addRow(self._label("Time &zone:", self.timezone), self.timezone)
        for check in (self.use_password, self.use_package):
            check.toggled.connect(lambda _c: self._update_toggles())
        self.out_path.textEdited.connect(lambda _t: self.out_error.clear_error())
        for edit in (self.password, self.password2):
            edit.textEdited.connect(lambda _t: self.password_error.clear_error())
        self.package_path.textEdited.connect(lambda _t: self.package_error.clear_error())
        return group

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    # -- behaviour ---------------------------------------------------------------------------
    def use_standard_legend(self) -> None:
        """Fill in the conventional privilege legend."""
        self.legend.setText(SUGGESTED_PRIVILEGE_LEGEND)
        self.legend.setCursorPosition(0)
        self.legend.setFocus()

    def choose_output(self) -> None:
        """Pick the PDF's file name (the file dialog asks before replacing a file)."""
        name, _ = QFileDialog.getSaveFileName(self, f"Save the case file of {self.case_ref}",
                                              self.out_path.text(), "PDF files (*.pdf)")
        if name:
            path = _with_pdf_suffix(Path(name))
            self.out_path.setText(str(path))
            self.confirmed_overwrite = path  # the file dialog confirmed any replacement
            self.out_error.clear_error()

    def choose_package(self) -> None:
        """Pick the production folder; a non-empty choice gets a new folder inside it."""
        start = self.package_path.text() or str(Path(self.out_path.text()).parent)
        name = QFileDialog.getExistingDirectory(self, "Production folder", start)
        if not name:
            return
        folder = Path(name)
        self.package_error.clear_error()
        if folder.is_dir() and any(folder.iterdir()):
            folder = folder / f"{self.case_ref}-production"
            self.package_error.show_hint(f"The folder you chose is not empty; the package "
                                         f"will go into a new folder inside it: {folder.name}")
        self.package_path.setText(str(folder))
        self.use_package.setChecked(True)
        self.messages_changed.emit()

    def _update_bates(self) -> None:
        try:
            start = int(self.bates_start.text() or "1")
            opts = ExportOptions(bates_prefix=self.bates_prefix.text(),
                                 bates_start=start).validated(self.case_ref)
        except ValueError as exc:
            self.bates_preview.setText("")
            self.bates_error.show_error(str(exc))
            self.messages_changed.emit()
            return
        self.bates_error.clear_error()
        self.bates_preview.setText(f"The first page is numbered {opts.bates(1)}.")
        self.messages_changed.emit()

    def _update_toggles(self) -> None:
        on = self.use_password.isChecked()
        for edit in (self.password, self.password2):
            edit.setEnabled(on)
        package = self.use_package.isChecked()
        self.package_path.setEnabled(package)
        self.package_browse.setEnabled(package)
        if package and not self.section_boxes["exhibits"].isChecked():
            self.package_error.show_error("A production folder needs the Exhibit list section "
                                          "(its manifest cites each exhibit's Bates pages).")
        elif not package:
            self.package_error.clear_error()
        revealed = [text for check, text in (
            (self.reveal_tipsters, "tipster identities"),
            (self.reveal_accounts, "full account and ID numbers")) if check.isChecked()]
        if revealed:
            self.reveal_warning.show_hint("This file will show " + " and ".join(revealed)
                                          + "; the export record says so.")
        else:
            self.reveal_warning.clear_error()
        self.messages_changed.emit()

    def sections(self) -> tuple[str, ...]:
        """The optional sections ticked, in document order."""
        return tuple(key for key, box in self.section_boxes.items() if box.isChecked())

    def timezone_name(self) -> str | None:
        """The IANA zone typed or chosen; None for this computer's zone."""
        text = self.timezone.currentText().strip()
        return None if not text or text == LOCAL_ZONE else text

    # -- collecting --------------------------------------------------------------------------
    def collect(self) -> ExportRequest | None:
        """The request, or None after showing inline what needs fixing (focus goes there)."""
        problems: list[tuple[ErrorLabel, str, QWidget]] = []
        if not self.classification.currentText().strip():
            problems.append((self.classification_error, "The classification label cannot be "
                             f"empty (the usual one is {DEFAULT_CLASSIFICATION}).",
                             self.classification))
        if not self.recipient.text().strip():
            problems.append((self.recipient_error, "Say who receives this file (a person or "
                             "an organisation).", self.recipient))
        out = self._output_problem(problems)
        password = self._password_problem(problems)
        package = self._package_problem(problems)
        if self.bates_error.isVisible():
            problems.append((self.bates_error, self.bates_error.text(), self.bates_prefix))
        for label, text, _widget, *caution in problems:
            if caution and isinstance(label, InlineLabel):
                label.show_hint(text)
            else:
                label.show_error(text)
        if problems:
            problems[0][2].setFocus()
            self.messages_changed.emit()
            return None
        assert out is not None
        options = ExportOptions(
            classification=self.classification.currentText(),
            privilege_legend=self.legend.text(), prepared_by=self.prepared_by.text(),
            prepared_for=self.recipient.text(), bates_prefix=self.bates_prefix.text(),
            bates_start=int(self.bates_start.text() or "1"), sections=self.sections(),
            reveal_tipsters=self.reveal_tipsters.isChecked(),
            reveal_accounts=self.reveal_accounts.isChecked(), password=password,
            package_dir=package, timezone=self.timezone_name())
        return ExportRequest(options, out)

    def _output_problem(self, problems: list[Any]) -> Path | None:
        text = self.out_path.text().strip()
        if not text:
            problems.append((self.out_error, "Choose where to save the PDF.", self.out_path))
            return None
        out = _with_pdf_suffix(Path(text).expanduser())
        if out != Path(text):
            self.out_path.setText(str(out))
        if out.is_dir():
            problems.append((self.out_error, f"{out} is a folder; give the PDF a file name.",
                             self.out_path))
        elif not out.parent.is_dir():
            problems.append((self.out_error, f"The folder {out.parent} does not exist.",
                             self.out_path))
        elif out.exists() and self.confirmed_overwrite != out:
            self.confirmed_overwrite = out
            problems.append((self.out_error, f"{out.name} already exists. Export again to "
                             "replace it, or choose another name.", self.out_path, True))
        return out

    def _password_problem(self, problems: list[Any]) -> str | None:
        if not self.use_password.isChecked():
            return None
        first, second = self.password.text(), self.password2.text()
        if not first:
            problems.append((self.password_error, "Type the password, or untick the password "
                             "option.", self.password))
        elif first != second:
            problems.append((self.password_error, "The two passwords differ; type the same "
                             "password twice.", self.password2))
        return first or None

    def _package_problem(self, problems: list[Any]) -> Path | None:
        if not self.use_package.isChecked():
            return None
        text = self.package_path.text().strip()
        if not text:
            problems.append((self.package_error, "Choose the production folder, or untick "
                             "the option.", self.package_path))
            return None
        if not self.section_boxes["exhibits"].isChecked():
            problems.append((self.package_error, "A production folder needs the Exhibit list "
                             "section (its manifest cites each exhibit's Bates pages).",
                             self.section_boxes["exhibits"]))
        return Path(text).expanduser()


def _with_pdf_suffix(path: Path) -> Path:
    return path if path.suffix else path.with_name(path.name + ".pdf")

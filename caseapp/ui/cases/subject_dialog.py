"""Subject and identifier entry, with a live preview of each identifier's normalised form."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain.enums import IdentifierKind
from caseapp.ui.widgets.common import ErrorLabel, accept_if_given, dialog_foot


def preview_identifier(kind: str, value: str) -> tuple[str, bool]:
    """(text to show beside the value, normalised ok?) using the services' own rules."""
    from caseapp.services.cases.subjects import make_identifier
    from caseapp.services.errors import InvalidInput

    if not value.strip():
        return "", True
    try:
        ident = make_identifier(kind, value, subject_id=0)
    except InvalidInput as exc:
        return str(exc), False
    if ident.normalized_ok:
        return f"→ {ident.normalized}", True
    note = f" ({ident.normalize_note})" if ident.normalize_note else ""
    return f"not normalised{note}", False


class IdentifierRow:
    """Kind, value and the normalisation preview, as one row of a grid."""

    def __init__(self, grid: QGridLayout, row: int, on_remove: object) -> None:
        self.kind = QComboBox()
        for kind in IdentifierKind:
            self.kind.addItem(kind.value, kind.value)
        self.kind.setAccessibleName("Identifier kind")
        self.value = QLineEdit(placeholderText="value as recorded")
        self.value.setAccessibleName("Identifier value")
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setToolTip("Remove this identifier")
        self.remove.clicked.connect(lambda: on_remove(self))  # type: ignore[operator]
        grid.addWidget(self.kind, row, 0)
        grid.addWidget(self.value, row, 1)
        grid.addWidget(self.remove, row, 2)
        grid.addWidget(self.preview, row + 1, 1, 1, 2)
        self.kind.currentIndexChanged.connect(self.update_preview)
        self.value.textChanged.connect(self.update_preview)

    def update_preview(self) -> None:
        text, ok = preview_identifier(self.kind.currentData(), self.value.text())
        self.preview.setText(text)
        self.preview.setProperty("ok", ok)
        self.preview.setEnabled(ok)

    def widgets(self) -> list[QWidget]:
        return [self.kind, self.value, self.remove, self.preview]


class SubjectDialog(QDialog):
    """Add a subject with aliases and typed identifiers, or edit a subject's fields."""

    def __init__(self, parent: QWidget | None = None, *, editing: bool = False,
                 name: str = "", aliases: list[str] | None = None, role: str = "",
                 platform: str = "", location: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit subject" if editing else "Add subject")
        self.setMinimumWidth(600)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(name, placeholderText="claimed name")
        self.name_error = ErrorLabel()
        self.aliases = QPlainTextEdit("\n".join(aliases or []))
        self.aliases.setTabChangesFocus(True)
        self.aliases.setPlaceholderText("one alias per line")
        self.aliases.setFixedHeight(70)
        self.role = QLineEdit(role, placeholderText="role applied for")
        self.platform = QLineEdit(platform, placeholderText="hiring platform")
        self.location = QLineEdit(location, placeholderText="claimed location")
        form.addRow("&Name:", self.name)
        form.addRow("", self.name_error)
        form.addRow("&Aliases:", self.aliases)
        form.addRow("&Role:", self.role)
        form.addRow("&Platform:", self.platform)
        form.addRow("&Location:", self.location)
        layout.addLayout(form)
        self.rows: list[IdentifierRow] = []
        self._next_row = 0
        self.ident_box = QGroupBox("Identifiers")
        box_layout = QVBoxLayout(self.ident_box)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        box_layout.addLayout(self.grid)
        self.add_row_button = QPushButton("Add &identifier")
        self.add_row_button.clicked.connect(self.add_row)
        box_layout.addWidget(self.add_row_button)
        layout.addWidget(self.ident_box)
        self.ident_box.setVisible(not editing)
        if not editing:
            self.add_row()
        self.error, self.ok_button = dialog_foot(self, layout, "&Save subject" if editing else "&Add subject", self._try_accept)
        self.name.textEdited.connect(lambda _t: self.name_error.clear_error())
        self.name.setFocus()

    def add_row(self, kind: str | None = None, value: str = "") -> IdentifierRow:
        """Append an identifier row (optionally prefilled)."""
        row = IdentifierRow(self.grid, self._next_row, self._remove_row)
        self._next_row += 2
        if kind:
            row.kind.setCurrentIndex(max(0, row.kind.findData(IdentifierKind.parse(kind).value)))
        row.value.setText(value)
        self.rows.append(row)
        row.value.setFocus()
        return row

    def _remove_row(self, row: IdentifierRow) -> None:
        for widget in row.widgets():
            self.grid.removeWidget(widget)
            widget.deleteLater()
        self.rows.remove(row)

    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.toPlainText().splitlines() if a.strip()]

    def identifiers(self) -> list[tuple[str, str]]:
        """(kind, value) of every non-empty identifier row."""
        return [(r.kind.currentData(), r.value.text()) for r in self.rows
                if r.value.text().strip()]

    def _try_accept(self) -> None:
        accept_if_given(self, self.name.text(), self.name_error,
                        "A subject needs a name (use the claimed name).", self.name)


class IdentifierDialog(QDialog):
    """Add one identifier to an existing subject."""

    def __init__(self, subject_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add identifier")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        title = QLabel()
        title.setTextFormat(Qt.TextFormat.PlainText)  # a subject name is user text
        title.setText(f"Identifier of {subject_name}")
        layout.addWidget(title)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.row = IdentifierRow(grid, 0, lambda _r: None)
        self.row.remove.hide()
        layout.addLayout(grid)
        self.error, self.ok_button = dialog_foot(self, layout, "&Add", self._try_accept)
        self.row.value.setFocus()

    def value(self) -> tuple[str, str]:
        return self.row.kind.currentData(), self.row.value.text()

    def _try_accept(self) -> None:
        accept_if_given(self, self.row.value.text(), self.error, "Type the identifier's value.")

"""The Exports tab of a case: every PDF export with recipient, date, pages, Bates, hash, path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.context import AppContext
from caseapp.ui.formatting import local_time
from caseapp.ui.widgets.columns import elide_middle, fit_columns
from caseapp.ui.widgets.common import action_button, head_with_banner
from caseapp.ui.widgets.hash_field import HashField
from caseapp.ui.widgets.panes import CaseTab
from caseapp.ui.widgets.records import Column, RecordTableModel, read_only_table

if TYPE_CHECKING:
    from caseapp.services.casefile.exports import ExportRecord
    from caseapp.ui.casefile.dialog import ExportDialog
    from caseapp.ui.casefile.preview import ExportPreview



def record_options(record: ExportRecord) -> dict[str, Any]:
    """The options an export was made with (empty if the record holds none)."""
    try:
        value = json.loads(record.options or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def options_summary(record: ExportRecord) -> str:
    """``CONFIDENTIAL · redacted · password · package`` for the history table."""
    opts = record_options(record)
    parts = [str(opts.get("classification") or "")]
    revealed = [name for key, name in (("reveal_tipsters", "tipsters revealed"),
                                       ("reveal_accounts", "account numbers in full"))
                if opts.get(key)]
    parts.append(", ".join(revealed) if revealed else "redacted")
    if opts.get("password_protected"):
        parts.append("password")
    if record.package_dir:
        parts.append("production folder")
    return " · ".join(p for p in parts if p)


def detail_lines(record: ExportRecord) -> list[str]:
    """What the selected export was: who for, when, numbering, sections, redaction, files."""
    from caseapp.services.casefile.exports import SECTIONS

    opts = record_options(record)
    lines = [f"For {record.recipient}, exported {local_time(record.created_at, seconds=True)} "
             f"by {record.actor}",
             f"{record.pages:,} pages, Bates {record.bates_first} to {record.bates_last}"]
    if opts.get("prepared_by"):
        lines.append(f"Prepared by {opts['prepared_by']}")
    label = f"Classification {opts.get('classification') or '?'}"
    if opts.get("privilege_legend"):
        label += f"; legend: {opts['privilege_legend']}"
    lines.append(label)
    sections = opts.get("sections")
    if isinstance(sections, list):
        chosen = [str(SECTIONS.get(s, s)) for s in sections]
        lines.append("All sections" if len(chosen) == len(SECTIONS)
                     else "Sections: " + (", ".join(chosen) or "only the fixed ones"))
    lines.append("Tipster identities " + ("shown" if opts.get("reveal_tipsters") else "redacted")
                 + "; account and ID numbers " + ("in full" if opts.get("reveal_accounts")
                                                 else "last four only")
                 + ("; open password set" if opts.get("password_protected") else ""))
    if record.package_dir:
        lines.append(f"Production folder: {record.package_dir}")
    if not Path(record.path).is_file():
        lines.append("The file is no longer at this path.")
    return lines


HISTORY_COLUMNS: list[Column[ExportRecord]] = [
    Column("Exported", lambda r: local_time(r.created_at)),
    Column("Recipient", lambda r: r.recipient, tooltip=lambda r: r.recipient),
    Column("Pages", lambda r: f"{r.pages:,}", right=True),
    Column("Bates range", lambda r: f"{r.bates_first} to {r.bates_last}"),
    Column("SHA-256", lambda r: r.sha256, tooltip=lambda r: r.sha256),
    Column("File", lambda r: r.path, tooltip=lambda r: r.path),
    Column("By", lambda r: r.actor, tooltip=lambda r: r.actor),
    Column("Options", options_summary, tooltip=options_summary),
]


class ExportsTab(CaseTab):
    """Export history of one case, newest first, with the selected export's details."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_ref, parent)
        self.preview: ExportPreview | None = None
        layout = QVBoxLayout(self)
        self.export_button = action_button("&Export PDF…", self.export_pdf,
                                           "Export a new PDF case file (Ctrl+E)")
        self.preview_button = action_button("&Preview", self.preview_selected)
        self.folder_button = action_button("Open &folder", self.open_folder)
        self.viewer_button = action_button("Open in &viewer", self.open_in_viewer)
        self.banner = head_with_banner(layout, self.export_button, self.preview_button,
                                       self.folder_button, self.viewer_button)
        self.model = RecordTableModel(HISTORY_COLUMNS, self)
        self.table = read_only_table(self.model, "Exports")
        header = self.table.horizontalHeader()
        for column, width in enumerate((150, 200, 60, 360, 150, 260, 80, 200)):
            header.resizeSection(column, width)
        for column in (0, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        elide_middle(self.table, (3, 4, 5))  # Bates range, SHA-256, file path
        layout.addWidget(self.table, 1)
        self.empty = QLabel("No PDF exports of this case yet. Export one with Case > Export "
                            "PDF… (Ctrl+E).")
        self.empty.setEnabled(False)
        layout.addWidget(self.empty)
        form = QFormLayout()
        self.hash_field = HashField(ctx, "export", self)
        self.sha = self.hash_field.edit
        self.copy_sha = self.hash_field.copy
        self.path = QLineEdit(readOnly=True)
        self.path.setAccessibleName("File of the selected export")
        self.details = QLabel(wordWrap=True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("SHA-256:", self.hash_field)
        form.addRow("File:", self.path)
        form.addRow("Details:", self.details)
        layout.addLayout(form)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        # activated: Enter, and double-click (connecting doubleClicked too would open two)
        self.table.activated.connect(lambda _i: self.preview_selected())
        self._show_selected()

    def refresh(self) -> None:
        """Reload the history, keeping the selected export."""
        from caseapp.services.casefile import exports

        keep = self.selected()
        keep_id = keep.id if keep is not None else None
        self.model.set_records(exports.export_history(self.ctx.ws, self.case_ref))
        if self.model.rowCount():
            # By and Options stay on screen: the hash and the path give way (full values
            # in their tooltips and in the fields below)
            fit_columns(self.table, stretch=5, max_ems=16, keep=(0, 2, 6, 7))
        rows = [i for i, r in enumerate(self.model.records) if r.id == keep_id]
        if rows or self.model.rowCount():
            self.table.selectRow(rows[0] if rows else 0)
        self.empty.setVisible(self.model.rowCount() == 0)
        self._show_selected()

    def selected(self) -> ExportRecord | None:
        """The selected export record, or None."""
        return self.model.record_at(self.table.currentIndex())

    def _show_selected(self) -> None:
        record = self.selected()
        for button in (self.preview_button, self.folder_button, self.viewer_button):
            button.setEnabled(record is not None)
        if record is None:
            self.hash_field.show_hash(None)
            self.path.clear()
            self.details.clear()
            return
        self.hash_field.show_hash(record.sha256)
        self.path.setText(record.path)
        self.path.setCursorPosition(0)
        self.details.setText("\n".join(detail_lines(record)))

    # -- actions -----------------------------------------------------------------------------
    def export_pdf(self) -> ExportDialog:
        """Open the Export PDF dialog of this case."""
        from caseapp.ui.casefile.dialog import open_export_dialog

        return open_export_dialog(self.ctx, self.case_ref, self)

    def preview_selected(self) -> ExportPreview | None:
        """Preview the selected export (it re-checks the file's SHA-256)."""
        from caseapp.ui.casefile.preview import ExportPreview, PreviewTarget

        record = self.selected()
        if record is None:
            return None
        if not Path(record.path).is_file():
            self.banner.show_text(f"The file is no longer at {record.path}.", "warn")
            return None
        self.preview = ExportPreview(self.ctx, PreviewTarget.from_record(record), parent=self)
        self.preview.show()
        return self.preview

    def _open(self, path: Path, what: str) -> None:
        if not path.exists():
            self.banner.show_text(f"The {what} is no longer at {path}.", "warn")
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.banner.show_text(f"No application could open {path}.", "warn")

    def open_folder(self) -> None:
        """Open the production folder (or the PDF's folder) of the selected export."""
        record = self.selected()
        if record is not None:
            if record.package_dir:
                self._open(Path(record.package_dir), "production folder")
            else:
                self._open(Path(record.path).parent, "folder")

    def open_in_viewer(self) -> None:
        """Open the selected export's PDF in the default viewer."""
        record = self.selected()
        if record is not None:
            self._open(Path(record.path), "file")


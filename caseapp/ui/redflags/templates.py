"""Red-flag templates window: what is available, and importing a custom template file.

Opened by the "Import red-flag template…" window action. Import results, including the exact
validation error (file, line, key), are shown inline in this non-modal window.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.widgets.common import ErrorLabel, run_with_progress
from caseapp.ui.widgets.records import Column, RecordTableModel
from caseapp.ui.workers import TaskControl

if TYPE_CHECKING:
    from caseapp.services.redflags.templates import TemplateInfo


TEMPLATE_COLUMNS: list[Column[TemplateInfo]] = [
    Column("Template", lambda t: t.id),
    Column("Version", lambda t: f"v{t.version}", right=True),
    Column("Title", lambda t: t.title, tooltip=lambda t: t.title),
    Column("Items", lambda t: str(t.items), right=True),
    Column("Origin", lambda t: t.origin),
    Column("Newest", lambda t: "yes" if t.newest else "",
           colour=lambda t: "ok" if t.newest else None),
    Column("Cases", lambda t: str(t.cases), right=True),
]
FILE_FILTER = "Red-flag templates (*.toml);;All files (*)"


class TemplatesDialog(QDialog):
    """Lists every template version and imports new ones."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Red-flag templates")
        self.setObjectName("redflag-templates")
        self.resize(820, 380)
        layout = QVBoxLayout(self)
        intro = QLabel("A case keeps the template version its checklist started with. After "
                       "importing a newer version, upgrade a case from its Red flags tab.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.model = RecordTableModel(TEMPLATE_COLUMNS, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Red-flag templates")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.result_label = QLabel(wordWrap=True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        self.error = ErrorLabel()
        self.problems = ErrorLabel()
        for widget in (self.result_label, self.error, self.problems):
            layout.addWidget(widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = QPushButton("&Import…")
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        self.import_button.clicked.connect(self.choose)
        layout.addWidget(buttons)
        self.import_handle: Any = None
        self.reload()

    def reload(self) -> None:
        """Read the available templates again."""
        from caseapp.services.redflags import templates

        listing = templates.list_templates(self.ctx.ws)
        self.model.set_records(listing.templates)
        if listing.problems:
            self.problems.show_error("Templates that cannot be used: "
                                     + " | ".join(listing.problems))
        else:
            self.problems.clear_error()

    def choose(self) -> None:
        """Ask for template files and import them."""
        names, _ = QFileDialog.getOpenFileNames(self, "Import red-flag template", "",
                                                FILE_FILTER)
        if names:
            self.import_paths([Path(n) for n in names])

    def import_paths(self, paths: list[Path]) -> Any:
        """Import the files in the background (a 1 MB template takes ~0.2 s to validate);
        successes and exact errors are shown in this window. Returns the task handle."""
        from caseapp.services.redflags import templates

        ws = self.ctx.ws

        def work(control: TaskControl) -> list[tuple[Path, Any, BaseException | None]]:
            outcomes: list[tuple[Path, Any, BaseException | None]] = []
            for number, path in enumerate(paths):
                if control.cancelled():
                    break
                control.progress(number, len(paths), f"Checking {path.name}")
                try:
                    outcomes.append((path, templates.import_template(ws, path), None))
                except Exception as exc:  # noqa: BLE001 - reported per file in the UI thread
                    outcomes.append((path, None, exc))
            return outcomes

        self.import_button.setEnabled(False)
        handle, _dialog = run_with_progress(self.ctx, self, "Importing red-flag templates",
                                            work, name="template-import",
                                            on_done=self._imported,
                                            on_error=self._import_failed)
        handle.finished.connect(lambda: self.import_button.setEnabled(True))
        self.import_handle = handle
        return handle

    def _import_failed(self, exc: BaseException) -> None:
        self.result_label.hide()
        self.error.show_error(self.ctx.report_error(exc, "Not imported"))

    def _imported(self, outcomes: list[tuple[Path, Any, BaseException | None]]) -> None:
        done = [info for _path, info, exc in outcomes if exc is None]
        errors = [self.ctx.report_error(exc, "Not imported") for _p, _i, exc in outcomes
                  if exc is not None]
        for info in done:
            log_event("template.imported", template=info.id, version=info.version)
        if done:
            lines = [f"Imported {t.id} v{t.version} “{t.title}” ({t.items} items)"
                     + ("" if t.newest else "; a newer version is already available")
                     for t in done]
            self.result_label.setText(". ".join(lines) + ".")
            self.result_label.show()
            self.ctx.show_message(lines[-1] + ".")
            self.ctx.notify_changed("")
            self.reload()
        else:
            self.result_label.hide()
        if errors:
            self.error.show_error("\n".join(errors))
        else:
            self.error.clear_error()


def import_template_action(ctx: AppContext, parent: QWidget) -> TemplatesDialog:
    """Window action: show the templates window and ask for a file to import."""
    dialog = parent.findChild(TemplatesDialog, "redflag-templates") if parent else None
    if dialog is None:
        dialog = TemplatesDialog(ctx, parent)
    else:
        dialog.reload()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.choose()
    return dialog

"""Importing tips from CSV files in the background, with the report shown inline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QFrame,
    QProgressDialog,
    QWidget,
)

from caseapp.ui import theme
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event, user_message
from caseapp.ui.tips.identifiers import record_table
from caseapp.ui.widgets.columns import set_widths
from caseapp.ui.widgets.common import framed_panel, plain_label, run_with_progress
from caseapp.ui.widgets.records import Column, RecordTableModel
from caseapp.ui.workers import TaskControl, TaskHandle

if TYPE_CHECKING:
    from caseapp.services.tips.importer import ImportReport



@dataclass(frozen=True)
class FileOutcome:
    """One CSV file: its report, or why nothing of it was imported."""

    name: str
    report: ImportReport | None = None
    error: str = ""
    cancelled: bool = False


@dataclass(frozen=True)
class Issue:
    """A row of the report table."""

    file: str
    line: int | None
    kind: str
    message: str


ISSUE_COLUMNS: list[Column[Issue]] = [
    Column("File", lambda i: i.file, tooltip=lambda i: i.file),
    Column("Line", lambda i: "" if i.line is None else str(i.line), right=True),
    Column("Kind", lambda i: i.kind,
           colour=lambda i: "error" if i.kind in ("Row error", "File refused") else "warn"),
    Column("Message", lambda i: i.message, tooltip=lambda i: i.message),
]


def issues_of(outcomes: list[FileOutcome]) -> list[Issue]:
    """Errors first (by file and line), then warnings, for the report table."""
    errors: list[Issue] = []
    warnings: list[Issue] = []
    for out in outcomes:
        if out.error:
            errors.append(Issue(out.name, None, "File refused", out.error))
        if out.report is None:
            continue
        errors.extend(Issue(out.name, e.line, "Row error", e.error) for e in out.report.errors)
        warnings.extend(Issue(out.name, None, "Warning", w) for w in out.report.warnings)
    return errors + warnings


def summary_of(outcomes: list[FileOutcome]) -> tuple[str, str]:
    """(one-line summary, banner kind) of an import."""
    reports = [o.report for o in outcomes if o.report is not None]
    imported = sum(r.imported for r in reports)
    skipped = sum(r.skipped_duplicates for r in reports)
    row_errors = sum(len(r.errors) for r in reports)
    warnings = sum(len(r.warnings) for r in reports)
    refused = [o for o in outcomes if o.error]
    cancelled = [o.name for o in outcomes if o.cancelled]
    parts = [f"Imported {imported} tip{'s' * (imported != 1)}",
             f"skipped {skipped} already imported",
             f"{row_errors} row error{'s' * (row_errors != 1)}",
             f"{warnings} warning{'s' * (warnings != 1)}"]
    text = ", ".join(parts) + "."
    refs = [ref for r in reports for ref in r.tips]
    if 0 < len(refs) <= 12:
        text += f" New: {', '.join(refs)}."
    if refused:
        text += f" {len(refused)} file{'s' * (len(refused) != 1)} refused."
    if cancelled:
        text += f" Cancelled before: {', '.join(cancelled)}."
    kind = "error" if row_errors or refused else "warn" if warnings or cancelled else "ok"
    return text, kind


class ImportReportPanel(QFrame):
    """The last import's counts and every row error (with its line) and warning."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = plain_label(wrap=True, bold=True, selectable=True)
        layout = framed_panel(self, "importReport", self.summary, "Dismiss the import report")
        self.model = RecordTableModel(ISSUE_COLUMNS, self)
        self.table = record_table(self.model, "Import problems")
        set_widths(self.table, (160, 50, 90), 3)
        self.table.setMaximumHeight(160)
        layout.addWidget(self.table)
        self.kind = ""
        self.hide()

    def show_outcomes(self, outcomes: list[FileOutcome]) -> None:
        """Show the report of an import."""
        text, kind = summary_of(outcomes)
        self.kind = kind
        theme.style_with(self, lambda: "QFrame#importReport { border: 1px solid "
                         f"{theme.accent(kind).name()}; border-radius: 4px; }}")
        theme.style_with(self.summary, lambda: f"color: {theme.accent(kind).name()};")
        names = ", ".join(o.name for o in outcomes)
        self.summary.setText(f"Import of {names}: {text}")
        issues = issues_of(outcomes)
        self.model.set_records(issues)
        self.table.setVisible(bool(issues))
        self.show()


class TipImporter(QObject):
    """Runs ``import_tips_csv`` for each chosen file in the background."""

    finished = Signal(list)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.handle: TaskHandle | None = None
        self.progress_dialog: QProgressDialog | None = None

    def start(self, paths: list[Path], parent: QWidget) -> TaskHandle | None:
        """Import ``paths`` one after the other; returns the task (None if one is running).

        Progress follows the lines of the file being read; Cancel stops before the next
        record (rows already imported stay, one transaction per row, and the report says
        where it stopped).
        """
        from caseapp.services.tips.importer import import_tips_csv

        if self.handle is not None or not paths:
            return None
        total = len(paths)

        def work(control: TaskControl) -> list[FileOutcome]:
            outcomes: list[FileOutcome] = []
            for index, path in enumerate(paths):
                if control.cancelled():
                    outcomes.append(FileOutcome(path.name, cancelled=True))
                    continue
                label = f"Importing {path.name} ({index + 1} of {total})"

                def row_progress(line: int, lines: int, _label: str = label) -> None:
                    control.progress(line, lines, f"{_label}: line {line} of about {lines}")

                try:
                    outcomes.append(FileOutcome(path.name, import_tips_csv(
                        self.ctx.ws, path, progress=row_progress, cancel=control.cancelled)))
                except Exception as exc:  # noqa: BLE001 - a refused file is reported
                    from caseapp.ui.errors import is_expected

                    if not is_expected(exc):
                        raise
                    outcomes.append(FileOutcome(path.name, error=user_message(exc)))
            control.progress(total, total, "Done")
            return outcomes

        log_event("tips.import-started", files=total)
        self.handle, self.progress_dialog = run_with_progress(
            self.ctx, parent, f"Importing tips from {total} file(s)", work, name="tips-import",
            on_done=self._done)
        self.handle.finished.connect(self._finished)
        return self.handle

    def _finished(self) -> None:
        self.handle = self.progress_dialog = None

    def _done(self, outcomes: list[FileOutcome]) -> None:
        imported = sum(o.report.imported for o in outcomes if o.report is not None)
        log_event("tips.imported", files=len(outcomes), imported=imported)
        if imported:
            self.ctx.notify_changed("")
        self.finished.emit(outcomes)

"""The Findings tab of a case: findings table, hour chart per subject, location list.

Import runs off the UI thread behind a progress dialog with Cancel (the import is one
transaction, so a cancelled one leaves nothing). Accept (Ctrl+Return) attaches the finding
to its red-flag item as a suggestion; Dismiss (Delete) asks for a reason and is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.signals.chart import HourChart
from caseapp.ui.signals.models import FindingsModel, LocationsModel
from caseapp.ui.tips.identifiers import record_table
from caseapp.ui.widgets.columns import set_widths
from caseapp.ui.widgets.common import action_button, head_with_banner, run_with_progress
from caseapp.ui.widgets.panes import CaseTab
from caseapp.ui.workers import TaskControl, TaskHandle

if TYPE_CHECKING:
    from caseapp.services.signals.findings import FindingsView
    from caseapp.services.signals.importer import SignalReport


FILE_FILTER = "Sign-in logs and inventories (*.csv *.json *.jsonl);;All files (*)"


def _worker(ctx: AppContext, case_ref: str,
            path: Path) -> Callable[[TaskControl], SignalReport]:
    from caseapp.services.signals.importer import import_signals

    def work(control: TaskControl) -> SignalReport:
        def progress(done: int, total: int, stage: str = "") -> None:
            control.progress(done, total, f"{stage or 'Reading'} {path.name}")

        return import_signals(ctx.ws, case_ref, path, progress=progress,
                              cancel=control.cancelled)

    return work


def _ask_file(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Import sign-in log or inventory", "",
                                          FILE_FILTER)
    return Path(name) if name else None


def import_signals_action(ctx: AppContext, case_ref: str,
                          parent: QWidget) -> TaskHandle | None:
    """Case menu: Import sign-in log / inventory… (progress and Cancel; the Findings tab
    refreshes when the case changes)."""
    path = _ask_file(parent)
    if path is None:
        return None

    def done(report: SignalReport) -> None:
        log_event("signals.imported", case=case_ref, rows=report.rows)
        ctx.notify_changed(case_ref)

    handle, _dialog = run_with_progress(ctx, parent, f"Importing {path.name}",
                                        _worker(ctx, case_ref, path), name="signals-import",
                                        on_done=done)
    return handle


class _TableKeys(QObject):
    """Ctrl+Return accepts, Delete dismisses the selected finding (table focused)."""

    def __init__(self, tab: FindingsTab) -> None:
        super().__init__(tab)
        self.tab = tab

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key, mods = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                mods & Qt.KeyboardModifier.ControlModifier:
            self.tab.accept_selected()
            return True
        if key == Qt.Key.Key_Delete and not mods:
            self.tab.dismiss_selected()
            return True
        return False


class FindingsTab(CaseTab):
    """Signals findings of one case."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_ref, parent)
        self.handle: TaskHandle | None = None
        self.loading: TaskHandle | None = None  # the newest list_findings load
        self._select: int | None = None  # a finding to select once loaded
        self.view: FindingsView | None = None
        layout = QVBoxLayout(self)
        self.import_button = action_button(
            "&Import sign-in log / inventory…", self.import_file,
            "Ingest a sign-in log or endpoint inventory as an exhibit and run the detection "
            "rules")
        self.scan_button = action_button(
            "Scan e&xhibits", self.scan,
            "Look for photos and résumé text reused by subjects of other cases")
        self.accept_button = action_button(
            "&Accept", self.accept_selected,
            "Attach the finding to its red-flag item as a suggestion (Ctrl+Return); the item's "
            "state is not changed")
        self.dismiss_button = action_button(
            "&Dismiss…", self.dismiss_selected,
            "Dismiss the finding with a reason (Delete); audited")
        self.banner = head_with_banner(layout, self.import_button, self.scan_button,
                                       self.accept_button, self.dismiss_button)
        self.model = FindingsModel(self)
        self.table = record_table(self.model, "Findings")
        set_widths(self.table, (80, 220, 120, 60, 320, 170, 190), len(self.model.columns) - 1)
        self.explanation = QLabel("")
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.explanation.setWordWrap(True)
        lower = QWidget()
        lower_layout = QHBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        chart_box = QVBoxLayout()
        self.subject_box = QComboBox()
        self.subject_box.setAccessibleName("Subject of the hour chart")
        chart_label = QLabel("&Hours of:")
        chart_label.setBuddy(self.subject_box)
        pick = QHBoxLayout()
        pick.addWidget(chart_label)
        pick.addWidget(self.subject_box, 1)
        chart_box.addLayout(pick)
        self.chart = HourChart()
        chart_box.addWidget(self.chart, 1)
        self.score_label = QLabel("")
        self.score_label.setTextFormat(Qt.TextFormat.PlainText)
        chart_box.addWidget(self.score_label)
        lower_layout.addLayout(chart_box, 2)
        self.locations = LocationsModel(self)
        self.location_table = record_table(self.locations, "Sign-in locations")
        lower_layout.addWidget(self.location_table, 3)
        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.explanation)
        split.addWidget(top)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        self.empty = QLabel("No findings yet: import a sign-in log or an endpoint inventory.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)
        self.subject_box.currentIndexChanged.connect(self._show_hours)
        self._keys = _TableKeys(self)
        self.table.installEventFilter(self._keys)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._sync())
        self._sync()

    # -- data -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Load the findings again, in the background (every finding, hour profile and
        location of the case: too much to read on the UI thread)."""
        from caseapp.services.signals.findings import list_findings

        ws, ref = self.ctx.ws, self.case_ref

        def work(_control: TaskControl) -> FindingsView:
            return list_findings(ws, ref)

        handle = self.ctx.runner.submit(work, name="findings")
        self.loading = handle
        handle.succeeded.connect(self._loaded)
        handle.failed.connect(self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        if self.sender() is not self.loading:
            return  # an older load
        self.loading = None
        self.banner.show_text(self.ctx.report_error(exc, "Findings"), "error")

    def _loaded(self, view: FindingsView) -> None:
        if self.sender() is not self.loading:
            return  # an older load
        self.loading = None
        keep = self._select if self._select is not None else (self.selected() or {}).get("id")
        self._select = None
        self.view = view
        self.model.set_records(self.view.findings)
        self.locations.set_records(self.view.locations)
        current = self.subject_box.currentText()
        self.subject_box.blockSignals(True)
        self.subject_box.clear()
        for profile in self.view.hours:
            self.subject_box.addItem(profile.subject, profile.subject_id)
        index = self.subject_box.findText(current)
        self.subject_box.setCurrentIndex(max(index, 0))
        self.subject_box.blockSignals(False)
        self._show_hours()
        row = self.model.row_of(keep) if keep is not None else -1
        if self.model.rowCount():
            self.table.selectRow(max(row, 0))
        self._sync()

    def select_record(self, record_type: str, record_id: int | None,
                      exhibit: str | None) -> bool:
        """Selects the finding once the reload it starts has arrived."""
        if record_type != "finding" or record_id is None:
            return False
        self._select = record_id
        self.refresh()
        return True

    def selected(self) -> dict[str, Any] | None:
        return self.model.record_at(self.table.currentIndex())

    def _show_hours(self) -> None:
        if self.view is None or not self.view.hours:
            self.chart.set_profile([0] * 24, None, "No sign-ins imported")
            self.score_label.setText("")
            return
        profile = self.view.hours[max(self.subject_box.currentIndex(), 0)]
        zone = profile.zone or "UTC (no claimed zone)"
        self.chart.set_profile(list(profile.hours_claimed), profile.band,
                               f"{profile.subject}: sign-ins by hour in {zone}")
        if profile.score is None:
            self.score_label.setText("No claimed residence: hours shown in UTC, no score.")
        else:
            self.score_label.setText(
                f"{round((profile.claimed_share or 0) * 100)}% inside 08-18 of the claimed "
                f"zone (shaded), {round(profile.utc8_9_share * 100)}% inside a UTC+8/+9 day "
                f"(orange); score {profile.score:+.2f}")

    def _sync(self) -> None:
        finding = self.selected()
        self.accept_button.setEnabled(finding is not None and finding["status"] != "accepted")
        self.dismiss_button.setEnabled(finding is not None and finding["status"] != "dismissed")
        self.empty.setVisible(self.model.rowCount() == 0)
        if finding is None:
            self.explanation.setText("")
        else:
            data = "; ".join(f"{d['name']} {d['version']}" for d in finding["data"])
            self.explanation.setText(f"{finding['rule']} v{finding['version']}: "
                                     f"{finding['explanation']}  Data: {data}")

    # -- actions ----------------------------------------------------------------------------

    def accept_selected(self) -> None:
        from caseapp.services.signals.findings import accept_finding

        finding = self.selected()
        if finding is None or finding["status"] == "accepted":
            return
        try:
            accept_finding(self.ctx.ws, self.case_ref, finding["id"])
        except Exception as exc:  # noqa: BLE001
            self.banner.show_text(self.ctx.report_error(exc, "Accept finding"), "error")
            return
        log_event("signals.finding-accepted", case=self.case_ref, finding=finding["id"])
        self.banner.show_text(f"Finding #{finding['id']} attached to red-flag item "
                              f"{finding['redflag_item']} as a suggestion.", "ok")
        self.refresh()
        self.ctx.notify_changed(self.case_ref)

    def dismiss_selected(self, reason: str | None = None) -> None:
        from caseapp.services.signals.findings import dismiss_finding

        finding = self.selected()
        if finding is None or finding["status"] == "dismissed":
            return
        if reason is None:
            text, ok = QInputDialog.getText(self, "Dismiss finding",
                                            "Why is this finding dismissed?")
            if not ok:
                return
            reason = text
        try:
            dismiss_finding(self.ctx.ws, self.case_ref, finding["id"], reason=reason)
        except Exception as exc:  # noqa: BLE001
            self.banner.show_text(self.ctx.report_error(exc, "Dismiss finding"), "error")
            return
        log_event("signals.finding-dismissed", case=self.case_ref, finding=finding["id"])
        self.banner.show_text(f"Finding #{finding['id']} dismissed.", "ok")
        self.refresh()

    def import_file(self, path: Path | None = None) -> TaskHandle | None:
        """Import a file (asks for one when ``path`` is None) in the background."""
        if self.handle is not None:
            return None
        path = path or _ask_file(self)
        if path is None:
            return None
        work = _worker(self.ctx, self.case_ref, path)
        log_event("signals.import-started", case=self.case_ref)
        self.handle, _dialog = run_with_progress(
            self.ctx, self, f"Importing {path.name}", work, name="signals-import",
            on_done=self._imported, on_error=self._failed)
        self.handle.finished.connect(self._finished)
        return self.handle

    def _finished(self) -> None:
        self.handle = None

    def _imported(self, report: SignalReport) -> None:
        log_event("signals.imported", case=self.case_ref, rows=report.rows)
        self.banner.show_text(
            f"{report.exhibit}: {report.rows:,} rows ({report.format}), {report.attributed:,} "
            f"attributed, {len(report.errors)} row error(s), {len(report.findings)} "
            "finding(s).", "warn" if report.errors else "ok")
        self.refresh()
        self.ctx.notify_changed(self.case_ref)

    def _failed(self, exc: BaseException) -> None:
        from caseapp.services.errors import Cancelled

        if isinstance(exc, Cancelled):
            self.banner.show_text("Import cancelled: nothing was imported.", "warn")
            return
        self.banner.show_text(self.ctx.report_error(exc, "Import sign-in log"), "error")

    def scan(self) -> TaskHandle:
        """Scan the exhibits in the background (it decrypts every case's photos and texts)."""
        from caseapp.services.signals.scan import scan_exhibits

        ws, ref = self.ctx.ws, self.case_ref

        def work(_control: TaskControl) -> list[dict[str, Any]]:
            return scan_exhibits(ws, ref)

        self.scan_button.setEnabled(False)
        handle = self.ctx.runner.submit(work, name="signals-scan")
        handle.succeeded.connect(self._scanned)
        handle.failed.connect(self._scan_failed)
        handle.finished.connect(self._scan_finished)
        return handle

    def _scanned(self, found: list[dict[str, Any]]) -> None:
        self.banner.show_text(f"Exhibit scan: {len(found)} finding(s).", "ok")
        self.refresh()

    def _scan_failed(self, exc: BaseException) -> None:
        self.banner.show_text(self.ctx.report_error(exc, "Scan exhibits"), "error")

    def _scan_finished(self) -> None:
        self.scan_button.setEnabled(True)

"""The main window: navigation, pages, menus, toolbar and status bar.

It paints before the store is open (a start panel stands in for the pages) and lists the
pages of :mod:`caseapp.ui.features` in :meth:`MainWindow.attach` once a workspace is unlocked,
building the Cases page and the one shown then, every other page when it is first needed
(:class:`~caseapp.ui.page_set.PageSet`).

Nothing here touches ``PySide6.QtCore.Qt`` before the first paint: the first use of that
namespace builds all of its enums (~25 ms), so it is imported inside the methods that run later.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui import theme
from caseapp.ui.context import AppContext
from caseapp.ui.features import Features
from caseapp.ui.page_set import PageSet
from caseapp.ui.widgets.panes import FailedPage, Page
from caseapp.ui.window_actions import WindowActions

if TYPE_CHECKING:
    from caseapp.ui.cases.case_view import CaseView
    from caseapp.ui.cases.page import CasesPage
    from caseapp.ui.features import PageSpec

SETTINGS_GEOMETRY = "window/geometry"
SETTINGS_STATE = "window/state"
SETTINGS_SPLITTER = "window/splitter"
SETTINGS_PAGE = "window/page"
SETTINGS_THEME = "view/theme"


class StartPanel(QWidget):
    """Stands in for the pages while the store is being opened (or could not be)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.label = QLabel("Opening the encrypted case store…")
        self.label.setWordWrap(True)
        # a wrapping label in a stretched row is given almost no width ("Creating th…"):
        # give it room for a sentence, it wraps only beyond that
        self.label.setMinimumWidth(36 * self.label.fontMetrics().horizontalAdvance("m"))
        self.button = QPushButton()
        self.button.hide()
        self.other_button = QPushButton()  # a second way on (e.g. "Use local store")
        self.other_button.hide()
        for widget in (self.label, self.button, self.other_button):
            row = QHBoxLayout()  # centred by stretches: no Qt enums before the first paint
            row.addStretch(1)
            row.addWidget(widget)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addStretch(2)
        self._callback: Callable[[], None] | None = None
        self._other: Callable[[], None] | None = None
        self.button.clicked.connect(lambda: self._callback() if self._callback else None)
        self.other_button.clicked.connect(lambda: self._other() if self._other else None)

    def show_text(self, text: str, *, error: bool = False, button: str = "",
                  callback: Callable[[], None] | None = None,
                  other: tuple[str, Callable[[], None]] | None = None) -> None:
        from PySide6.QtCore import Qt

        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setText(text)
        self.label.setStyleSheet(f"color: {theme.accent('error').name()};" if error else "")
        self._callback = callback
        self.button.setText(button)
        self.button.setVisible(bool(button and callback))
        self._other = other[1] if other else None
        self.other_button.setText(other[0] if other else "")
        self.other_button.setVisible(other is not None)


class MainWindow(QMainWindow):
    """Navigation list beside a stack of pages; menus, toolbar and status bar."""

    #: Emitted from inside the first paint event: receivers must defer any real work.
    first_painted = Signal()
    #: Emitted once, when a case table (start-up preview or the Cases page) first paints rows.
    cases_painted = Signal(int)

    def __init__(self, settings: QSettings | None = None,
                 features: Features | None = None) -> None:
        super().__init__()
        self.setWindowTitle("caseapp")
        self.settings = settings or QSettings()
        #: What to show; None: the app as shipped (:func:`caseapp.ui.features.app_features`).
        self.features = features
        self.ctx: AppContext | None = None
        self.preview: Any = None
        self.pending_case: str | None = None
        self._cases_painted = False
        self.pages = PageSet(self._build_page)
        self._page_keys: list[str] = []
        self._painted = False
        self._after_paint = QTimer(self)  # not QTimer.singleShot: see the module docstring
        self._after_paint.setSingleShot(True)
        self._after_paint.setInterval(0)
        self._close_hooks: list[Callable[[], None]] = []
        self._error_dialogs: list[QWidget] = []
        self.nav = QListWidget()
        self.nav.setAccessibleName("Navigation")
        self.nav.setMaximumWidth(220)
        self.nav.setStyleSheet("QListWidget::item { padding: 6px 10px; }")
        self.stack = QStackedWidget()
        self.start_panel = StartPanel()
        self.stack.addWidget(self.start_panel)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([160, 1000])
        self.setCentralWidget(self.splitter)
        self.nav.currentRowChanged.connect(self._nav_changed)
        self.actions_ = WindowActions(self, self)
        self._after_paint.timeout.connect(self.actions_.apply_shortcuts)
        self._build_status_bar()
        self.resize(1280, 800)
        geometry = self.settings.value(SETTINGS_GEOMETRY)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        splitter = self.settings.value(SETTINGS_SPLITTER)
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        self.nav.setEnabled(False)

    # -- status bar --------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.message_label = QLabel()
        self.lock_label = QLabel("Locked")
        self.location_label = QLabel()
        self.counts_label = QLabel()
        bar.addWidget(self.message_label, 1)
        for n, label in enumerate((self.counts_label, self.lock_label, self.location_label)):
            if n:  # a rule between the parts, so "3 tips" and "Encrypted store" stay apart
                rule = QFrame()
                rule.setFrameShape(QFrame.Shape.VLine)
                rule.setFrameShadow(QFrame.Shadow.Sunken)
                bar.addPermanentWidget(rule)
            label.setContentsMargins(6, 0, 6, 0)
            bar.addPermanentWidget(label)
        self._message_timer = QTimer(self, singleShot=True)
        self._message_timer.timeout.connect(lambda: self.message_label.setText(""))
        self._counts_timer = QTimer(self, singleShot=True, interval=50)
        self._counts_timer.timeout.connect(self.update_counts)

    def show_message(self, text: str, error: bool = False) -> None:
        """A transient message in the status bar (errors stay longer and in colour)."""
        from PySide6.QtCore import Qt

        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setText(text)
        self.message_label.setStyleSheet(
            f"color: {theme.accent('error').name()}; font-weight: 600;" if error else "")
        self._message_timer.start(20_000 if error else 8_000)

    def set_location(self, home: str) -> None:
        self.location_label.setText(home)
        self.location_label.setToolTip(f"Data home: {home}")

    def _show_store(self, ctx: AppContext) -> None:
        """Which store, how it is reached (a team store in clear says so) and how it is keyed."""
        from PySide6.QtCore import Qt

        from caseapp.ui.store_label import store_label

        status = ctx.ws.store_status()
        label = store_label(status, ctx.ws.key_mode)
        self.lock_label.setTextFormat(Qt.TextFormat.PlainText)
        self.lock_label.setText(label.text)
        self.lock_label.setToolTip(label.tooltip)
        self.lock_label.setStyleSheet(
            f"color: {theme.accent('error').name()}; font-weight: 600;" if label.warning else "")
        if status.kind == "sqlcipher":
            self.set_location(str(ctx.ws.home))
        else:
            self.location_label.setText(status.location)
            self.location_label.setToolTip(f"Team store: {status.location}; this investigator's "
                                           f"home (keys): {ctx.ws.home}")

    def update_counts(self) -> None:
        """Refresh the case/exhibit counts in the status bar."""
        if self.ctx is None:
            return
        from caseapp.services.maintenance import auditlog

        try:
            counts = auditlog.store_counts(self.ctx.ws)
        except Exception as exc:  # noqa: BLE001 - the status bar must never break the app
            self.ctx.report_error(exc, "Counting cases")
            return
        text = (f"{counts.cases:,} cases ({counts.open_cases:,} not closed) · "
                f"{counts.subjects:,} subjects · {counts.exhibits:,} exhibits")
        if counts.tips:
            text += f" · {counts.tips:,} tips"
        self.counts_label.setText(text)
        demo = self.actions_.by_key.get("load-demo")
        if demo is not None:
            demo.setEnabled(counts.cases == 0)

    # -- start-up ----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self._after_paint.start()
            self.first_painted.emit()

    def show_start(self, text: str, *, error: bool = False, button: str = "",
                   callback: Callable[[], None] | None = None,
                   other: tuple[str, Callable[[], None]] | None = None) -> None:
        """Show the start panel with a message (and an optional retry button, and another
        ``other`` = (label, callback))."""
        self.start_panel.show_text(text, error=error, button=button, callback=callback,
                                   other=other)
        self.stack.setCurrentWidget(self.start_panel)

    def show_preview(self, source: Any, home: str) -> None:
        """Show the case list read at start-up (a CaseListSource on a read-only connection,
        closed with the preview) while the rest of the app loads.

        Filtering, sorting and selecting work at once; opening a case is remembered and done
        when the store is fully open.
        """
        from caseapp.ui.cases.case_list import CaseListPanel

        self.set_location(home)
        panel = CaseListPanel(None)
        panel.new_button.setEnabled(False)
        # no filter texts on a worker: they would compete with the full open for the GIL,
        # and the page that replaces the preview in a moment reads its own
        panel.model.background_from = sys.maxsize
        panel.set_source(source)
        panel.open_case.connect(self._open_when_ready)
        self.preview = panel
        self.stack.addWidget(panel)
        self.stack.setCurrentWidget(panel)
        self._watch_cases_paint(panel.table)
        self.show_message("Opening the rest of the case store…")

    def discard_preview(self) -> None:
        """Drop the start-up preview (the store could not be fully opened)."""
        if self.preview is not None:
            self.stack.removeWidget(self.preview)
            self.preview.release()
            self.preview.deleteLater()
            self.preview = None
            self.pending_case = None

    def _open_when_ready(self, ref: str) -> None:
        self.pending_case = ref
        self.show_message(f"{ref} opens as soon as the store is ready…")

    def _watch_cases_paint(self, table: Any) -> None:
        if self._cases_painted:
            return
        from caseapp.ui.paint_watch import PaintWatch

        PaintWatch(table.viewport(), lambda: self._on_cases_painted(table))

    def _on_cases_painted(self, table: Any) -> None:
        if not self._cases_painted:
            self._cases_painted = True
            model = table.model()  # the case list model: every case, not the rows fetched
            self.cases_painted.emit(model.total() if hasattr(model, "total") else
                                    model.rowCount())

    def attach(self, ctx: AppContext) -> None:
        """Build the pages over the unlocked workspace."""
        if self.features is None:
            from caseapp.ui.features import app_features

            self.features = app_features()
        features = self.features
        self.ctx = ctx
        ctx.features = features
        ctx.set_handlers(self.open_case, self._show_page_of, self.show_unexpected)
        ctx.message.connect(self.show_message)
        ctx.data_changed.connect(lambda _ref: self._counts_timer.start())
        self._show_store(ctx)
        self.setWindowTitle(f"caseapp — {ctx.ws.home.name}")
        for spec in features.pages:
            self.pages.add(spec)
            self._page_keys.append(spec.key)
            self.nav.addItem(spec.title)
        cases = self.cases_page()  # built now: the case actions follow its selection
        self.actions_.attach(ctx, features)
        if cases is not None:
            cases.current_case_changed.connect(lambda _r: self.actions_.sync_case_actions())
        self.nav.setEnabled(True)
        last = self.settings.value(SETTINGS_PAGE, "cases")
        preview, self.preview = self.preview, None
        if preview is not None and cases is not None:
            cases.list.restore_view_state(preview.view_state())
            last = "cases"
        self.show_page(str(last) if last in self.pages else self._page_keys[0])
        if preview is not None:
            self.stack.removeWidget(preview)
            preview.release()
            preview.deleteLater()
            self.message_label.setText("")
        if cases is not None:
            self._watch_cases_paint(cases.list.table)
        self.update_counts()
        if self.pending_case and cases is not None:
            ref, self.pending_case = self.pending_case, None
            self.open_case(ref)

    # -- pages -------------------------------------------------------------------------------
    def _build_page(self, spec: PageSpec) -> Page:
        assert self.ctx is not None, "pages are built once the store is attached"
        try:
            page = spec.factory(self.ctx)
        except Exception as exc:  # noqa: BLE001 - one broken page must not stop the app
            self.show_unexpected(exc)
            page = FailedPage(spec.title)
        self.stack.addWidget(page)
        return page

    def show_page(self, key: str) -> Page:
        """Switch to the page ``key``."""
        self.nav.setCurrentRow(self._page_keys.index(key))
        return self.pages[key]

    def show_page_key(self, key: str) -> Page:
        return self.show_page(key)

    def _show_page_of(self, cls: type[Page]) -> Page:
        page = self.show_page(self.pages.key_of(cls))
        if not isinstance(page, cls):  # its construction failed (reported then)
            raise KeyError(cls.__name__)
        return page

    def current_page_key(self) -> str:
        row = self.nav.currentRow()
        return self._page_keys[row] if 0 <= row < len(self._page_keys) else ""

    def current_page(self) -> Page | None:
        key = self.current_page_key()
        return self.pages[key] if key else None

    def cases_page(self) -> CasesPage | None:
        """The Cases page, once attached."""
        from caseapp.ui.cases.page import CasesPage

        page = self.pages.get("cases")
        return page if isinstance(page, CasesPage) else None

    def _nav_changed(self, row: int) -> None:
        if not 0 <= row < len(self._page_keys):
            return
        key = self._page_keys[row]
        page = self.pages[key]
        self.stack.setCurrentWidget(page)
        self.settings.setValue(SETTINGS_PAGE, key)
        if key != "cases":
            try:
                page.refresh()
            except Exception as exc:  # noqa: BLE001
                if self.ctx is not None:
                    self.ctx.report_error(exc, "Loading the page")
        self.actions_.sync_case_actions()

    def open_case(self, ref: str) -> CaseView:
        """Bring the Cases page forward with ``ref`` open."""
        self.show_page("cases")
        cases = self.cases_page()
        if cases is None:
            raise KeyError("cases")
        return cases.open_case(ref)

    def current_case_view(self) -> CaseView | None:
        """The case view in front, if the Cases page shows one."""
        cases = self.cases_page()
        if self.current_page_key() != "cases" or cases is None:
            return None
        return cases.current_case_view()

    # -- errors ------------------------------------------------------------------------------
    def show_unexpected(self, exc: BaseException) -> None:
        """Log (redacted) and show the error dialog for an unexpected exception."""
        from caseapp.ui.errors import handle_unexpected

        handle_unexpected(exc, self.show_error_report)

    def show_error_report(self, summary: str, report: str) -> None:
        from PySide6.QtCore import Qt

        from caseapp.ui.cases.dialogs import ErrorReportDialog
        from caseapp.ui.errors import LOG_DIR, LOG_NAME

        self._error_dialogs = [d for d in self._error_dialogs if d.isVisible()]
        self.show_message(summary, error=True)
        if len(self._error_dialogs) >= 3:
            return
        log = str(self.ctx.ws.home / LOG_DIR / LOG_NAME) if self.ctx else ""
        dialog = ErrorReportDialog(summary, report, log, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._error_dialogs.append(dialog)
        dialog.show()

    # -- theme and shutdown ------------------------------------------------------------------
    def set_theme(self, mode: str) -> None:
        """Apply and remember the palette ('system', 'light' or 'dark')."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_theme(app, mode)
        self.settings.setValue(SETTINGS_THEME, mode)

    def theme_group(self) -> QActionGroup:
        return self.actions_.theme_group

    def on_close(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` when the window closes (after background tasks stop)."""
        self._close_hooks.append(hook)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        self.settings.setValue(SETTINGS_SPLITTER, self.splitter.saveState())
        self.settings.sync()
        if self.ctx is not None:
            self.ctx.runner.cancel_all()
            self.ctx.runner.wait_all(15_000)
        from caseapp.ui.cases.page import CasesPage

        cases = self.pages.built("cases")
        if isinstance(cases, CasesPage):
            cases.list.release()  # stops its filter-text worker before the widgets go
        for hook in self._close_hooks:
            hook()
        self._close_hooks.clear()
        event.accept()

    def show_shortcuts(self) -> None:
        """Help > Keyboard shortcuts."""
        from PySide6.QtWidgets import QMessageBox

        from caseapp.ui.widgets.common import html_escape

        rows = "".join(f"<tr><td style='padding-right:18px'><b>{html_escape(keys)}</b></td>"
                       f"<td>{html_escape(text)}</td></tr>"
                       for keys, text in self.shortcut_rows())
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    def show_about(self) -> None:
        """Help > About: version, build date, Qt and SQLCipher versions."""
        from caseapp.ui.about import show_about

        self.about_dialog = show_about(self)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, action) for every action with a shortcut, sorted by action."""
        rows = set()
        for action in self.findChildren(QAction):
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys and action.text():
                rows.add((keys, action.text().replace("&", "").rstrip("…")))
        return sorted(rows, key=lambda r: (r[1].casefold(), r[0]))

    def shortcut_text(self) -> str:
        """Every action with a shortcut, one per line (keys, a tab, the action)."""
        return "\n".join(f"{keys}\t{text}" for keys, text in self.shortcut_rows())

"""The Search page: one box across cases, notes, subjects, identifiers, exhibits and tips.

Search as you type (a short debounce), queries on a worker thread (one at a time; the newest
text wins), results grouped by type with marked snippets. Enter in the box goes to the results (the
best hit selected, the list in view); Enter there or a double-click opens the item. Ctrl+K from anywhere in the window focuses the box; Ctrl+F on this page does too.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.context import AppContext
from caseapp.ui.discovery import navigation
from caseapp.ui.discovery.search_model import GROUP_TITLES, HitDelegate, SearchResultsModel
from caseapp.ui.errors import log_event
from caseapp.ui.widgets.common import ErrorLabel
from caseapp.ui.widgets.panes import Page
from caseapp.ui.workers import TaskHandle

if TYPE_CHECKING:
    from caseapp.services.discovery.search import Hit
    from caseapp.ui.cases.case_view import CaseView


SHORTCUT = "Ctrl+K"
DEBOUNCE_MS = 180
LIMIT = 100
HELP_SHORT = ('Words (all must match) · "exact phrase" · prefix* · kind:value such as '
              "email:… phone:… · status:open · type:tip")
HELP_FULL = """<table cellspacing="2">
<tr><td><code>park laptop</code></td><td>every word must match (case and accents ignored)</td></tr>
<tr><td><code>"forwarding address"</code></td><td>an exact phrase</td></tr>
<tr><td><code>lark*</code></td><td>words starting with <i>lark</i></td></tr>
<tr><td><code>email:a.b@mail.example</code></td><td>an identifier, matched on its normalised
value; also <code>phone: url: ip: address: wallet: bank: gov-id: device: handle:</code>
(quote values with spaces: <code>phone:"+1 555 0100"</code>)</td></tr>
<tr><td><code>status:open</code></td><td>a case or tip status; also <code>priority:high</code>,
<code>case:CASE-2026-0001</code>, <code>tip:TIP-2026-0001</code></td></tr>
<tr><td><code>type:tip</code></td><td>only one kind of result: case, note, subject, identifier,
exhibit, tip</td></tr>
</table>
<p>Repeating a filter gives alternatives; different filters must all hold. Put text in quotes
to search for it literally (<code>"status:open"</code>).</p>"""


class SearchBox(QLineEdit):
    """The query box; Down moves into the results."""

    down_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Down and not event.modifiers():
            self.down_pressed.emit()
            return
        super().keyPressEvent(event)


class ResultsView(QTreeView):
    """Grouped results: Enter/double-click opens a hit, Escape goes back to the box."""

    open_requested = Signal(QModelIndex)
    back_to_box = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setAccessibleName("Search results")
        self.doubleClicked.connect(self._double_clicked)

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.parent().isValid():
            self.open_requested.emit(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        index = self.currentIndex()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and index.isValid():
            if index.parent().isValid():
                self.open_requested.emit(index)
            else:
                self.setExpanded(index, not self.isExpanded(index))
            return
        if event.key() == Qt.Key.Key_Escape or (
                event.key() == Qt.Key.Key_Up and self.indexAbove(index) == QModelIndex()):
            self.back_to_box.emit()
            return
        super().keyPressEvent(event)


class ShortcutGuard(QObject):
    """Keeps Ctrl+K for the window while a text field in it has the focus.

    On X11 a QLineEdit claims Ctrl+K (delete to the end of the line) through a shortcut
    override, so the window's shortcut would never fire from the Cases filter or any other box.
    The guard follows the focus and, inside this page's window only, declines that override.
    """

    def __init__(self, owner: QWidget, sequence: str) -> None:
        super().__init__(owner)
        self._owner = owner
        self._combo = QKeySequence(sequence)[0]  # pyright: ignore[reportIndexIssue] - stubs lack it
        self._watched: QWidget | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        import shiboken6

        if self._watched is not None and shiboken6.isValid(self._watched):
            self._watched.removeEventFilter(self)
        self._watched = None
        window = self._owner.window()
        if new is not None and window is not self._owner and new.window() is window:
            new.installEventFilter(self)
            self._watched = new

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and event.keyCombination() == self._combo):
            event.ignore()  # not claimed: the window's shortcut fires
            return True
        return False


class SearchPage(Page):
    """Search box, syntax help, inline errors, counts and the grouped results."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.box = SearchBox()
        self.box.setPlaceholderText("Search cases, notes, people, identifiers, exhibits and "
                                    f"tips  ({SHORTCUT})")
        self.box.setClearButtonEnabled(True)
        self.box.setAccessibleName("Search")
        self.box.setToolTip(HELP_FULL)
        self.help_button = QToolButton()
        self.help_button.setText("S&yntax…")
        self.help_button.setCheckable(True)
        self.help_button.setToolTip("Show the query syntax")
        bar.addWidget(self.box, 1)
        bar.addWidget(self.help_button)
        layout.addLayout(bar)
        self.help_line = QLabel(HELP_SHORT)
        self.help_line.setTextFormat(Qt.TextFormat.PlainText)
        self.help_line.setWordWrap(True)
        self.help_line.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.help_panel = QLabel(HELP_FULL)
        self.help_panel.setTextFormat(Qt.TextFormat.RichText)
        self.help_panel.setWordWrap(True)
        self.help_panel.hide()
        self.error = ErrorLabel()
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName("Search summary")
        for widget in (self.help_line, self.help_panel, self.error, self.status):
            layout.addWidget(widget)
        self.model = SearchResultsModel(self)
        self.view = ResultsView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(HitDelegate(self.view))
        layout.addWidget(self.view, 1)
        self.query: str | None = None  # the text the shown results (or error) belong to
        self.wanted: str | None = None  # the text to search for
        self.handle: TaskHandle | None = None
        self._running = ""
        self.last_ms = 0.0
        self._open_when_done = False
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_search)
        self._busy = QTimer(self, singleShot=True, interval=250)
        self._busy.timeout.connect(lambda: self.status.setText("Searching…"))
        self.box.textChanged.connect(self._text_changed)
        self.box.returnPressed.connect(self._enter)
        self.box.down_pressed.connect(self.focus_results)
        self.help_button.toggled.connect(self.help_panel.setVisible)
        self.view.open_requested.connect(self.open_index)
        self.view.back_to_box.connect(self.focus_find)
        ctx.data_changed.connect(self._data_changed)
        self.guard = ShortcutGuard(self, SHORTCUT)

    # -- running searches --------------------------------------------------------------------
    def _text_changed(self, text: str) -> None:
        self._open_when_done = False
        if not text.strip():
            self._debounce.stop()
            self._show_nothing()
            return
        self._debounce.start()

    def _show_nothing(self, error: str = "") -> None:
        self.wanted = None
        self.query = self.box.text()
        self._open_when_done = False
        self.model.clear()
        self.status.setText("")
        if error:
            self.error.show_error(error)
        else:
            self.error.clear_error()

    def run_search(self) -> None:
        """Search for the box's text now (syntax errors are shown at once, inline)."""
        from caseapp.services.discovery.search import check_query
        from caseapp.services.errors import InvalidInput

        self._debounce.stop()
        text = self.box.text()
        if not text.strip():
            self._show_nothing()
            return
        try:
            check_query(text)
        except InvalidInput as exc:
            self._show_nothing(str(exc))
            return
        self.wanted = text
        if self.handle is None:
            self._submit(text)

    def _submit(self, text: str) -> None:
        from caseapp.services.discovery.search import search

        ws = self.ctx.ws
        started = time.perf_counter()
        self._running = text
        # Slots are bound methods, not lambdas: Qt drops them if the page goes away first.
        handle = self.ctx.runner.submit(lambda _control: (text, started,
                                                          search(ws, text, LIMIT)),
                                        name="search")
        self.handle = handle
        self._busy.start()
        handle.succeeded.connect(self._succeeded)
        handle.failed.connect(self._failed)
        handle.finished.connect(self._finished)

    def _succeeded(self, result: tuple[str, float, list[Hit]]) -> None:
        text, started, hits = result
        if text != self.wanted:
            return  # the box changed meanwhile: the newest text runs next
        self.last_ms = (time.perf_counter() - started) * 1000
        keep = self.current_hit()
        self.query = text
        self.error.clear_error()
        self.model.set_hits(hits, ranked=any(h.score for h in hits))
        self.view.expandAll()
        self._select_hit(keep)
        self._update_status()
        log_event("search.run", hits=len(hits), ms=round(self.last_ms))
        if self._open_when_done:  # Enter was pressed while the search ran
            self._open_when_done = False
            self.focus_results()

    def _failed(self, exc: BaseException) -> None:
        text = self._running
        if text != self.wanted:
            return
        message = self.ctx.report_error(exc, "Search")
        self._show_nothing(message)
        self.query = text

    def _finished(self) -> None:
        self.handle = None
        self._busy.stop()
        if self.wanted is not None and self.wanted != self.query:
            self._submit(self.wanted)
        elif self.status.text() == "Searching…":
            self._update_status()

    def _update_status(self) -> None:
        total = self.model.hit_count()
        if not total:
            self.status.setText("No results. Try fewer words, a prefix* or another spelling.")
            return
        parts = [f"{GROUP_TITLES.get(t, t)} {n}" for t, n in self.model.counts().items()]
        text = f"{total} result{'s' if total != 1 else ''} — " + " · ".join(parts)
        if total >= LIMIT:
            text += f" (the best {LIMIT}: add words or filters to narrow the search)"
        self.status.setText(f"{text}  ({self.last_ms:.0f} ms)")

    def _data_changed(self, _ref: str) -> None:
        if self.isVisible() and self.box.text().strip():
            self._debounce.start()

    def refresh(self) -> None:
        """Run the current search again (the page became visible, or F5)."""
        if self.box.text().strip():
            self.query = None
            self.run_search()

    # -- selection and opening ---------------------------------------------------------------
    def current_hit(self) -> Hit | None:
        return self.model.hit_at(self.view.currentIndex())

    def _select_hit(self, keep: Hit | None) -> None:
        target = self.model.first_hit_index()
        if keep is not None:
            for g, group in enumerate(self.model.groups):
                for row, hit in enumerate(group.hits):
                    if (hit.type, hit.id) == (keep.type, keep.id):
                        target = self.model.index(row, 0, self.model.index(g, 0))
        if target.isValid():
            self.view.setCurrentIndex(target)
            self.view.scrollTo(target)

    def _enter(self) -> None:
        """Enter in the box: search now if needed, then go to the results with the best hit
        selected; the list stays in view, and Enter there opens the selected result."""
        if self._debounce.isActive() or self.handle is not None or self.wanted != self.query:
            self._open_when_done = True
            if self._debounce.isActive() or self.handle is None:
                self.run_search()
            return
        self.focus_results()

    def open_current(self) -> CaseView | bool | None:
        """Open the selected hit (the best one when none is selected)."""
        index = self.view.currentIndex()
        if self.model.hit_at(index) is None:
            index = self.model.first_hit_index()
        return self.open_index(index)

    def open_index(self, index: QModelIndex) -> CaseView | bool | None:
        """Open the hit on ``index``: its case on the right tab, or its tip."""
        hit = self.model.hit_at(index)
        if hit is None:
            return None
        log_event("search.opened", type=hit.type, ref=hit.ref)
        return navigation.open_record(self.ctx, hit.ref, hit.type, hit.id, hit.exhibit)

    # -- focus -------------------------------------------------------------------------------
    def focus_find(self) -> None:
        """Ctrl+F / Ctrl+K: focus the box with its text selected."""
        self.box.setFocus()
        self.box.selectAll()

    def focus_results(self) -> None:
        if self.model.hit_count():
            if self.model.hit_at(self.view.currentIndex()) is None:
                self.view.setCurrentIndex(self.model.first_hit_index())
            self.view.setFocus()


def focus_search(ctx: AppContext, _parent: QWidget) -> SearchPage:
    """Window action: bring the Search page forward with the box focused."""
    page = ctx.page(SearchPage)
    page.focus_find()
    return page

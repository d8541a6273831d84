"""Lists refresh when a colleague changes something: :class:`ChangeWatcher`.

A background thread (a plain Python thread: it blocks in the database driver, not in Qt) waits
on the store's change feed (:mod:`caseapp.services.team.changes`) at most
:data:`WAIT_S` at a time, so it stops within that time. What it hears is handed to the UI
thread through a queued signal, gathered for :data:`DEBOUNCE_MS` and passed on as
``AppContext.notify_changed(ref)`` (or ``""`` when more than :data:`MAX_REFS` cases changed or
something store-wide did), which the case list and the open case views already follow. Own
writes come back too; that costs one extra refresh.

A lost connection says so once in the status bar and is retried with a growing pause (up to
:data:`MAX_RETRY_S`); once back, the status bar says so and every view refreshes (what
happened meanwhile was not heard).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from caseapp.ui.errors import log_event

if TYPE_CHECKING:
    from caseapp.services.team.changes import ChangeFeed
    from caseapp.ui.context import AppContext

WAIT_S = 1.0
DEBOUNCE_MS = 300
MAX_REFS = 20
MAX_RETRY_S = 30.0
LOST = ("Lost the connection to the team store: lists no longer follow colleagues' changes. "
        "Reconnecting…")
BACK = "Reconnected to the team store; lists follow colleagues' changes again."


class ChangeWatcher(QObject):
    """Follows a change feed on a thread of its own; see the module docstring."""

    _heard = Signal(list)
    _status = Signal(str, bool)

    def __init__(self, ctx: AppContext, feed: ChangeFeed) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self._feed = feed
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pending: set[str] = set()
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._flush)
        self._heard.connect(self._on_heard)
        self._status.connect(self.ctx.show_message)
        #: Batches handed to the views so far (for tests and diagnostics).
        self.delivered = 0

    def start(self) -> None:
        """Start listening in the background."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="caseapp-changes",
                                            daemon=True)
            self._thread.start()

    def stop(self, wait_s: float = WAIT_S + 2) -> None:
        """Stop the thread (within about :data:`WAIT_S`) and close its connection."""
        self._stop.set()
        self._timer.stop()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(wait_s)
            if thread.is_alive():  # stuck connecting: what it connects is closed, not kept
                self._feed.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- background thread -------------------------------------------------------------------
    def _run(self) -> None:
        from caseapp.services.team.changes import StoreConnectionLost

        started, lost, pause = False, False, 1.0
        try:
            while not self._stop.is_set():
                try:
                    if not started:
                        self._feed.start()
                        started = True
                    refs = self._feed.wait(WAIT_S)
                except StoreConnectionLost:
                    if not lost:
                        lost = True
                        log_event("team.changes-lost")
                        self._emit_status(LOST, True)
                    self._stop.wait(pause)
                    pause = min(pause * 2, MAX_RETRY_S)
                    continue
                except Exception as exc:  # noqa: BLE001 - the thread must not die silently
                    log_event("team.changes-failed", error=type(exc).__name__)
                    self._stop.wait(pause)
                    pause = min(pause * 2, MAX_RETRY_S)
                    continue
                if lost:
                    lost, pause = False, 1.0
                    log_event("team.changes-back")
                    self._emit_status(BACK, False)
                if refs:
                    self._emit_heard(refs)
        finally:
            self._feed.stop()

    def _emit_heard(self, refs: list[str]) -> None:
        try:
            self._heard.emit(refs)
        except RuntimeError:  # the window (and this object) went away meanwhile
            self._stop.set()

    def _emit_status(self, text: str, error: bool) -> None:
        try:
            self._status.emit(text, error)
        except RuntimeError:
            self._stop.set()

    # -- UI thread ---------------------------------------------------------------------------
    def _on_heard(self, refs: list[str]) -> None:
        self._pending.update(refs)
        if not self._timer.isActive():  # at most DEBOUNCE_MS late, however busy colleagues are
            self._timer.start()

    def _flush(self) -> None:
        refs, self._pending = self._pending, set()
        if not refs or self._stop.is_set():
            return
        self.delivered += 1
        if "" in refs or len(refs) > MAX_REFS:
            self.ctx.notify_changed("")
            return
        for ref in sorted(refs):
            self.ctx.notify_changed(ref)


def watch_changes(ctx: AppContext) -> ChangeWatcher | None:
    """Start following colleagues' changes when the store can tell (a team store); None for
    the local store."""
    from caseapp.services.team.changes import open_change_feed

    feed = open_change_feed(ctx.ws)
    if feed is None:
        return None
    watcher = ChangeWatcher(ctx, feed)
    watcher.start()
    return watcher

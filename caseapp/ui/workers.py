"""Run long work off the UI thread, with progress and cancel, and get the result back.

    handle = runner.submit(lambda control: ingest(..., progress=control.progress,
                                                  cancel=control.cancelled), name="ingest")
    handle.progressed.connect(...)   # (done, total, text), throttled, in the UI thread
    handle.succeeded.connect(...)    # (result) in the UI thread
    handle.failed.connect(...)       # (exception) in the UI thread; traceback on the exception
    handle.finished.connect(...)     # always, last

The function runs on a ``QThreadPool`` thread. It must not touch widgets; it may call the
services (each call opens its own Session, so threads never share one).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

_PROGRESS_INTERVAL_S = 0.05


class TaskControl:
    """Handed to the background function: report progress, poll for cancel."""

    def __init__(self, relay: _Relay, cancel_event: threading.Event) -> None:
        self._relay = relay
        self._cancel = cancel_event
        self._last = 0.0

    def progress(self, done: int, total: int, text: str = "") -> None:
        """Report progress (thread-safe; throttled to ~20 updates a second)."""
        now = time.monotonic()
        if done < total and now - self._last < _PROGRESS_INTERVAL_S:
            return
        self._last = now
        with contextlib.suppress(RuntimeError):  # the window closed: nobody to tell
            self._relay.progressed.emit(int(done), int(total), text)

    def cancelled(self) -> bool:
        """True once the user asked to cancel."""
        return self._cancel.is_set()


class _Relay(QObject):
    """Lives in the UI thread; emitted from the worker, so delivery is queued."""

    progressed = Signal(object, object, str)
    done = Signal(bool, object)


class TaskHandle(QObject):
    """One submitted task, seen from the UI thread."""

    progressed = Signal(object, object, str)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.result: object = None
        self.error: BaseException | None = None
        self.is_finished = False
        self._cancel = threading.Event()
        self._relay = _Relay()
        self._relay.progressed.connect(self._on_progress)
        self._relay.done.connect(self._on_done)

    def cancel(self) -> None:
        """Ask the task to stop at its next cancel check."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    @Slot(object, object, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        if not self.is_finished and shiboken6.isValid(self):
            self.progressed.emit(done, total, text)

    @Slot(bool, object)
    def _on_done(self, ok: bool, value: object) -> None:
        if not shiboken6.isValid(self):
            return  # the window closed while the task ran: nobody is left to tell
        self.is_finished = True
        if ok:
            self.result = value
            self.succeeded.emit(value)
        else:
            assert isinstance(value, BaseException)
            self.error = value
            self.failed.emit(value)
        self.finished.emit()


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[TaskControl], object], handle: TaskHandle) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._relay = handle._relay
        self._control = TaskControl(handle._relay, handle._cancel)

    def run(self) -> None:
        try:
            result = self._fn(self._control)
        except Exception as exc:  # noqa: BLE001 - handed to the UI thread as a failure
            self._tell(False, exc)
        else:
            self._tell(True, result)

    def _tell(self, ok: bool, value: object) -> None:
        with contextlib.suppress(RuntimeError):  # the relay went with a closed window
            self._relay.done.emit(ok, value)


class TaskRunner(QObject):
    """Submits functions to a thread pool and keeps their handles alive until they finish."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._active: set[TaskHandle] = set()

    def submit(self, fn: Callable[[TaskControl], object], *, name: str = "task") -> TaskHandle:
        """Run ``fn(control)`` in the pool; returns its handle."""
        handle = TaskHandle(name, self)
        self._active.add(handle)
        handle.finished.connect(lambda h=handle: self._forget(h))
        if len(self._active) == 1:
            self.busy_changed.emit(True)
        self._pool.start(_Runnable(fn, handle))
        return handle

    def _forget(self, handle: TaskHandle) -> None:
        self._active.discard(handle)
        handle.deleteLater()
        if not self._active:
            self.busy_changed.emit(False)

    @property
    def active(self) -> list[TaskHandle]:
        """Handles of tasks not finished yet."""
        return list(self._active)

    def cancel_all(self) -> None:
        """Ask every running task to stop."""
        for handle in list(self._active):
            handle.cancel()

    def wait_all(self, timeout_ms: int = 30_000) -> bool:
        """Block until the pool's threads are idle (used at shutdown and in tests)."""
        return bool(self._pool.waitForDone(timeout_ms))

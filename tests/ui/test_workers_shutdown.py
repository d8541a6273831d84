"""Closing the window while a background task runs ends quietly: the task's late result or
progress reaches no deleted object and prints nothing."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QWidget

from caseapp.ui.workers import TaskControl, TaskRunner


def test_a_task_that_finishes_after_its_window_is_gone_is_quiet(qtbot, capfd) -> None:
    window = QWidget()
    runner = TaskRunner(window)
    release, started = threading.Event(), threading.Event()

    def work(control: TaskControl) -> int:
        started.set()
        release.wait(10)
        control.progress(1, 2, "late progress")
        return 42

    handle = runner.submit(work, name="slow")
    got: list[object] = []
    handle.succeeded.connect(got.append)
    handle.progressed.connect(got.append)
    assert started.wait(10)
    # What closing the window does: cancel, wait for the pool; the task's "done" and its last
    # progress are now queued for a handle that is destroyed with the window before they land.
    runner.cancel_all()
    release.set()
    assert runner.wait_all(10_000)
    shiboken6.delete(window)
    assert not shiboken6.isValid(handle)
    for _ in range(5):
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    err = capfd.readouterr().err
    assert "Signal source has been deleted" not in err
    assert "RuntimeError" not in err and "Traceback" not in err
    assert got == []  # nobody is left to receive it


def test_a_late_result_for_a_deleted_handle_is_dropped(qtbot, capfd) -> None:
    """The relay outlives its handle (the worker holds it); what it still carries is dropped."""
    runner = TaskRunner()
    handle = runner.submit(lambda _c: 1, name="quick")
    assert runner.wait_all(10_000)
    relay = handle._relay
    shiboken6.delete(handle)
    relay.done.emit(True, 2)
    relay.progressed.emit(1, 2, "late")
    QCoreApplication.processEvents()
    err = capfd.readouterr().err
    assert "Signal source has been deleted" not in err and "Traceback" not in err

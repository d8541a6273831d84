"""One vocabulary for long work, from the vault up to the UI's task runner.

- ``progress(done, total, stage="")``: how far the work is, with an optional stage text
  (:class:`Progress`); callers report at least at the start and the end.
- ``cancel() -> bool``: polled between steps; True asks the work to stop.
- :class:`Cancelled`: raised by work that stopped because of ``cancel``. Whatever raises it
  leaves nothing half-written; the message says what was not done.

The UI's ``TaskControl`` has exactly these two methods (``progress`` and ``cancelled``), so
``progress=control.progress, cancel=control.cancelled`` is all a worker passes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

__all__ = ["Cancel", "Cancelled", "Progress", "check_cancel"]


class Progress(Protocol):
    """Reports ``done`` of ``total`` units (bytes, rows, pages...) in ``stage``."""

    def __call__(self, done: int, total: int, stage: str = "", /) -> None: ...


#: True when the user asked to stop.
Cancel = Callable[[], bool]


class Cancelled(Exception):
    """The user cancelled; nothing was stored or written (the message says what)."""


def check_cancel(cancel: Cancel | None, message: str) -> None:
    """Raise :class:`Cancelled` with ``message`` when ``cancel`` says so."""
    if cancel is not None and cancel():
        raise Cancelled(message)

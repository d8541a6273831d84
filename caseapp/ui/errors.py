"""Error handling of the app: user messages, the crash log, the unexpected-exception hook.

The log file (``<data home>/logs/caseapp-ui.log``) holds event names, ids and stack frames
only: never exception messages, titles, names, notes or identifiers, which may all be case
content. The report shown in the error dialog (and copyable by the user) is complete.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Signal

LOG_DIR = "logs"
LOG_NAME = "caseapp-ui.log"
_logger = logging.getLogger("caseapp.ui")
_logger.propagate = False
_handler: logging.Handler | None = None
_SAFE_ID = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:#/")


def setup_log(home: Path) -> Path:
    """Log to ``home/logs/caseapp-ui.log`` (rotated at 1 MB, 3 kept); returns the path."""
    global _handler
    import logging.handlers  # not on the first-paint path (pulls in socket, pickle, queue)

    folder = home / LOG_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    if _handler is not None:
        if Path(getattr(_handler, "baseFilename", "")) == path:
            return path
        _logger.removeHandler(_handler)
        _handler.close()
    _handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3,
                                                    encoding="utf-8")
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    _logger.addHandler(_handler)
    _logger.setLevel(logging.INFO)
    return path


def close_log() -> None:
    """Detach the log file (tests, shutdown)."""
    global _handler
    if _handler is not None:
        _logger.removeHandler(_handler)
        _handler.close()
        _handler = None


def _safe(value: object) -> str:
    text = str(value)
    if isinstance(value, int) or (len(text) <= 64 and set(text) <= _SAFE_ID):
        return text
    return "<redacted>"


def log_event(event: str, **ids: object) -> None:
    """Log an event name with ids (refs, numbers); anything that is not id-like is redacted."""
    parts = " ".join(f"{key}={_safe(value)}" for key, value in sorted(ids.items()))
    _logger.info("%s %s", _safe(event), parts)


def redacted_report(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    """Exception type and stack frames (file, line, function) - no message, no values."""
    lines = [f"{exc_type.__module__}.{exc_type.__qualname__}"]
    for frame in traceback.extract_tb(tb):
        lines.append(f"  {Path(frame.filename).name}:{frame.lineno} in {frame.name}")
    return "\n".join(lines)


# SQLAlchemy appends the statement and its parameters (case data) to its messages.
_SQL_DETAIL = re.compile(r"\[SQL: .*?(?=\(Background on this error|\Z)", re.DOTALL)


def full_report(exc_type: type[BaseException], exc: BaseException,
                tb: TracebackType | None) -> str:
    """The complete traceback with the message, for the user to read or copy (without the SQL
    statement and parameters a database error carries)."""
    from caseapp import __version__

    body = _SQL_DETAIL.sub("[SQL statement and parameters not shown]\n",
                           "".join(traceback.format_exception(exc_type, exc, tb)))
    return (f"caseapp {__version__} on Python {sys.version.split()[0]} ({sys.platform})\n\n"
            f"{body}")


def is_expected(exc: BaseException) -> bool:
    """Errors the services raise on purpose, and OS errors (unreadable file, full disk)."""
    from caseapp.services.errors import Cancelled, CaseappError, StoreError

    return isinstance(exc, CaseappError | Cancelled | StoreError | OSError)


def user_message(exc: BaseException) -> str:
    """A message for the status area or an inline label."""
    if isinstance(exc, OSError) and not str(exc).strip():
        return "The file could not be read or written."
    if isinstance(exc, OSError):
        name = Path(exc.filename).name if getattr(exc, "filename", None) else ""
        reason = exc.strerror or str(exc)
        return f"{name}: {reason}" if name else reason
    text = str(exc).strip()
    if is_expected(exc):
        return text or type(exc).__name__
    return f"Unexpected error ({type(exc).__name__}); see the error report."


class ReportBridge(QObject):
    """Carries (summary, report) from any thread to the UI thread (a queued signal)."""

    report = Signal(str, str)


class ExceptionHook:
    """``sys.excepthook``/``threading.excepthook`` that logs (redacted) and asks the UI to show."""

    def __init__(self, show: Callable[[str, str], None]) -> None:
        self._show = show
        self._previous = sys.excepthook
        self._previous_thread = threading.excepthook

    def install(self) -> None:
        sys.excepthook = self
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        sys.excepthook = self._previous
        threading.excepthook = self._previous_thread

    def __call__(self, exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous(exc_type, exc, tb)
            return
        handle_unexpected(exc, self._show, exc_type=exc_type, tb=tb)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            handle_unexpected(args.exc_value, self._show, exc_type=args.exc_type,
                              tb=args.exc_traceback)


def handle_unexpected(exc: BaseException, show: Callable[[str, str], None], *,
                      exc_type: type[BaseException] | None = None,
                      tb: TracebackType | None = None) -> str:
    """Log the redacted report, then ``show(summary, full report)``; returns the log text."""
    exc_type = exc_type or type(exc)
    tb = tb if tb is not None else exc.__traceback__
    redacted = redacted_report(exc_type, tb)
    _logger.error("unexpected-exception\n%s", redacted)
    try:
        show(user_message(exc), full_report(exc_type, exc, tb))
    except Exception:  # noqa: BLE001 - never let the hook itself crash the app
        failed_type, _failed, failed_tb = sys.exc_info()
        _logger.error("error-dialog-failed\n%s",
                      redacted_report(failed_type or Exception, failed_tb))
    return redacted

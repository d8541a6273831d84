"""Exceptions raised by the services API. Messages are written for the user."""

from __future__ import annotations

from caseapp.domain.disk import DISK_FULL_ERRNOS
from caseapp.domain.progress import Cancelled
from caseapp.store.errors import StoreBusy, StoreError, StoreWriteFailed

__all__ = ["DISK_FULL_ERRNOS", "CaseappError", "Cancelled", "Conflict", "DiskFull", "IntegrityProblem", "InvalidInput",
           "NotFound", "StoreBusy", "StoreError", "StoreUnavailable", "StoreWriteFailed", "write_failed"]


class CaseappError(Exception):
    """Base of every error the services raise on purpose."""

    exit_code = 1


class NotFound(CaseappError):
    """A case, subject, exhibit or other record does not exist."""


class InvalidInput(CaseappError):
    """The user's input cannot be accepted; the message says why."""

    exit_code = 2


class Conflict(CaseappError):
    """The operation clashes with the current state (e.g. a forbidden status change)."""


class StoreUnavailable(CaseappError):
    """The store could not be opened: wrong passphrase, no key, locked, damaged."""

    exit_code = 3


class IntegrityProblem(CaseappError):
    """A blob or the audit chain failed verification."""


class DiskFull(CaseappError):
    """A file could not be written for want of room; nothing was changed or left half-written."""

    exit_code = 74


def write_failed(what: str, exc: OSError) -> CaseappError:
    """The user's message for an OSError while writing ``what`` (a full disk gets exit 74)."""
    if exc.errno in DISK_FULL_ERRNOS:
        return DiskFull(f"{what} could not be written: the disk is full or a file-size limit "
                        "was reached. Nothing was changed; free some space and try again.")
    return CaseappError(f"{what} could not be written: {exc.strerror or type(exc).__name__}.")

"""Exceptions raised by the services API. Messages are written for the user."""

from __future__ import annotations

from caseapp.domain.progress import Cancelled
from caseapp.store.errors import StoreBusy

__all__ = ["CaseappError", "Cancelled", "Conflict", "IntegrityProblem", "InvalidInput",
           "NotFound", "StoreBusy", "StoreUnavailable"]


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

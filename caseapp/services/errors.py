"""Exceptions raised by the services API. Messages are written for the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from caseapp.domain.disk import DISK_FULL_ERRNOS
from caseapp.domain.progress import Cancelled
from caseapp.store.errors import StoreBusy, StoreError, StoreWriteFailed

__all__ = ["DISK_FULL_ERRNOS", "CaseappError", "Cancelled", "Conflict", "DiskFull", "EditConflict",
           "IntegrityProblem", "InvalidInput", "NotFound", "StoreBusy", "StoreError",
           "StoreUnavailable", "StoreWriteFailed", "StoredVersion", "write_failed"]


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


@dataclass(frozen=True)
class StoredVersion:
    """A record as it is stored now: its version, its edited fields as plain text (by
    label), and who last changed it and when, if known."""

    version: int
    fields: dict[str, str]
    by: str = ""
    at: datetime | None = None


@dataclass(eq=False)
class EditConflict(Conflict):
    """A save found the record changed since its caller read it; nothing was written over it.

    ``theirs`` is the stored version, ``mine`` the caller's values (plain text, by label),
    ``expected_version`` the version the caller started from. For a note the caller's text
    was kept as a conflicting copy: ``kept_copy`` is its note id.
    """

    what: str  # "note #12", "case CASE-2026-0001" (ids and refs only: no case data)
    kind: str  # "case", "subject", "note", "tip", "checklist answer"
    record_id: int
    expected_version: int
    theirs: StoredVersion
    mine: dict[str, str] = field(default_factory=dict)
    kept_copy: int | None = None

    #: CLI exit code of an edit conflict (docs/cli.md).
    exit_code = 4

    def __str__(self) -> str:
        kept = (f"; your text was kept as a conflicting copy, note #{self.kept_copy}"
                if self.kept_copy is not None else "; your change was not saved")
        return (f"{self.what} was changed by someone else since you read it (you read "
                f"version {self.expected_version}, it is now version {self.theirs.version})"
                f"{kept}. Look at both versions and save again.")


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

"""Errors a store raises. Messages are for the user: no SQL text, no case data."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's own errors."""


class StoreOpenError(StoreError):
    """The database could not be opened (wrong key, not a caseapp store, damaged)."""


#: What a user is told when another process kept the write lock past the busy timeout.
BUSY_MESSAGE = "the store is busy: another caseapp is writing; nothing was changed, try again"


class StoreBusy(StoreError):
    """Another process held the write lock past the timeout; nothing was changed."""

    #: ``EX_TEMPFAIL``: try again later.
    exit_code = 75


#: What a user is told when the database could not be written (full disk, size limit, I/O).
WRITE_FAILED_MESSAGE = ("the store could not be written (the disk is full, a file-size limit "
                        "was reached, or the disk failed); nothing was changed. Free some space "
                        "and try again")


class StoreWriteFailed(StoreError):
    """SQLite could not write (``SQLITE_FULL``, ``SQLITE_IOERR``); the transaction was undone."""

    #: ``EX_IOERR``.
    exit_code = 74


class QueryFailed(StoreError):
    """A search statement could not be run (the query parser should prevent this)."""


class StoreConnectionLost(StoreError):
    """The database server (team mode) went away mid-session; the unit of work was not saved.

    Work committed before is safe; the next unit of work reconnects.
    """

    #: The store could not be reached, like a store that could not be opened.
    exit_code = 3

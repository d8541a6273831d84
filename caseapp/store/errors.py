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


class QueryFailed(StoreError):
    """A search statement could not be run (the query parser should prevent this)."""

"""Errors a store raises. Messages are for the user: no SQL text, no case data."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's own errors."""


class StoreOpenError(StoreError):
    """The database could not be opened (wrong key, not a caseapp store, damaged)."""


class StoreBusy(StoreError):
    """Another process held the write lock past the timeout; nothing was changed."""


class QueryFailed(StoreError):
    """A search statement could not be run (the query parser should prevent this)."""

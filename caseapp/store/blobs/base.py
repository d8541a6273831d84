"""The blob-backend seam: what the vault needs from the place its ciphertext is kept.

A backend stores opaque, already encrypted bytes under a blob id (32 lowercase hex). It never
sees a key or plaintext. Writes are all-or-nothing: a :class:`BlobWriter` publishes the blob
only in :meth:`BlobWriter.commit`, never over an existing blob, and :meth:`BlobWriter.abort`
leaves nothing behind (a temp file removed, a multipart upload aborted).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

BLOB_ID_RE = re.compile(r"[0-9a-f]{32}")


class BlobStoreError(Exception):
    """A backend failure; the message is user-readable (no keys, no case content)."""

    #: True when the write failed for want of room (full disk, quota, size limit).
    no_room = False


class BlobNotFound(BlobStoreError):
    """No blob with that id in this backend."""


class BlobExists(BlobStoreError):
    """A blob with that id already exists; it was not overwritten."""


@dataclass(frozen=True)
class Leftover:
    """What an interrupted write left (name and size only; its content is ciphertext)."""

    name: str
    size: int


class BlobWriter(Protocol):
    """One new blob being written. ``write``/``finish`` run in the vault's writer thread,
    ``commit``/``abort`` in the calling thread after it has ended."""

    def aligned(self, n: int) -> int:
        """How many of ``n`` staged bytes to hand to :meth:`write` now (the rest waits)."""
        ...

    def write(self, view: memoryview) -> None:
        """Append bytes; ``view`` is reused by the caller once this returns."""
        ...

    def finish(self) -> None:
        """Make everything written durable or uploaded (the last write has happened)."""
        ...

    def commit(self) -> None:
        """Publish the blob under its id; raises BlobExists rather than overwrite."""
        ...

    def abort(self) -> None:
        """Leave nothing of this blob behind; never raises, may be called more than once."""
        ...


class BlobReader(Protocol):
    """A stored blob opened for reading from the start."""

    size: int

    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes, or fewer only at the end of the blob."""
        ...

    def close(self) -> None: ...


class BlobBackend(Protocol):
    """Where a vault keeps its blobs (``kind``: "local", "shared" or "s3")."""

    kind: str

    @property
    def location(self) -> str:
        """Where the blobs are, for messages and the --blobs option (no credentials)."""
        ...

    def create(self, blob_id: str, size_hint: int = 0) -> BlobWriter:
        """Start writing a new blob (``size_hint``: expected bytes, 0 if unknown)."""
        ...

    def open(self, blob_id: str) -> BlobReader:
        """Open a blob; raises BlobNotFound."""
        ...

    def exists(self, blob_id: str) -> bool: ...

    def delete(self, blob_id: str) -> None:
        """Remove a blob (only to roll back an ingest whose database transaction failed)."""
        ...

    def blob_ids(self) -> set[str]:
        """Ids of every complete blob."""
        ...

    def leftovers(self) -> list[Leftover]:
        """What interrupted writes left whose writer is gone."""
        ...

    def remove_leftovers(self) -> list[Leftover]:
        """Remove what :meth:`leftovers` lists; never a blob, never a live write."""
        ...

    def quarantine(self, ids: Iterable[str]) -> list[str]:
        """Move these (orphaned) blobs aside, never delete them; returns the ids moved."""
        ...

    def path_of(self, blob_id: str) -> Path:
        """The blob's file (folder backends); raises BlobStoreError elsewhere."""
        ...


def check_blob_id(blob_id: str) -> str:
    """``blob_id`` if well formed, else BlobStoreError."""
    if not isinstance(blob_id, str) or not BLOB_ID_RE.fullmatch(blob_id):
        raise BlobStoreError("Invalid evidence blob id.")
    return blob_id

"""Where the vault's ciphertext blobs are kept: a local folder, a shared folder, an S3 bucket.

The vault (``caseapp.security.vault``) encrypts and authenticates; a backend here only stores
and returns opaque bytes under a blob id. ``boto3`` is imported by ``s3.py`` alone.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from caseapp.store.blobs.base import BlobBackend, BlobStoreError
from caseapp.store.blobs.folder import LocalFolderBackend, SharedFolderBackend
from caseapp.store.files import atomic_write_text

__all__ = ["BLOBS_NAME", "BlobBackend", "BlobStoreError", "LocalFolderBackend",
           "SharedFolderBackend", "open_backend", "probe", "read_location", "write_location"]

#: In a data home whose evidence is not in its own ``vault/``: where it is (no credentials).
BLOBS_NAME = "blobs.json"


def read_location(home: Path) -> str | None:
    """The blob location a data home was configured with, or None for its own vault folder."""
    try:
        data = json.loads((Path(home) / BLOBS_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise BlobStoreError(f"{BLOBS_NAME} in this home cannot be read.") from exc
    location = data.get("location") if isinstance(data, dict) else None
    if not isinstance(location, str) or not location:
        raise BlobStoreError(f"{BLOBS_NAME} in this home names no evidence location.")
    return location


def write_location(home: Path, location: str) -> None:
    """Record that this home keeps its evidence at ``location``."""
    normal = location.strip()
    if not normal.startswith("s3://"):
        normal = str(Path(normal).resolve())
    atomic_write_text(Path(home) / BLOBS_NAME,
                      json.dumps({"format": 1, "location": normal}, indent=2))


def open_backend(location: str, **options: Any) -> BlobBackend:
    """The backend for a ``--blobs`` location: ``s3://BUCKET/PREFIX`` or a shared folder.

    ``options`` go to the S3 backend (``part_size``, ``client``). boto3 is imported only here,
    when an S3 location is used (install the ``team`` extra).
    """
    if location.startswith("s3://"):
        try:
            from caseapp.store.blobs.s3 import S3Backend
        except ImportError:
            raise BlobStoreError("S3 evidence storage needs boto3: pip install "
                                 "'caseapp[team]'.") from None
        return S3Backend.from_url(location, **options)
    if options:
        raise BlobStoreError("Only an S3 evidence location takes options.")
    return SharedFolderBackend(Path(location))


def probe(backend: BlobBackend) -> None:
    """Check a location before a home is set up on it: a small random blob is written, read
    back and removed. Raises BlobStoreError (no bucket, no permission, share read-only...)."""
    blob_id, payload = secrets.token_hex(16), secrets.token_bytes(64)
    try:
        writer = backend.create(blob_id, len(payload))
        try:
            writer.write(memoryview(payload))
            writer.finish()
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        try:
            reader = backend.open(blob_id)
            try:
                back = reader.read(len(payload) + 1)
            finally:
                reader.close()
        finally:
            backend.delete(blob_id)
    except OSError as exc:
        raise BlobStoreError(f"Writing to {backend.location} failed: "
                             f"{exc.strerror or exc}") from None
    if back != payload:
        raise BlobStoreError(f"{backend.location} returned other bytes than were written.")

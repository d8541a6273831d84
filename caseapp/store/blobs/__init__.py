"""Where the vault's ciphertext blobs are kept: a local folder, a shared folder, an S3 bucket.

The vault (``caseapp.security.vault``) encrypts and authenticates; a backend here only stores
and returns opaque bytes under a blob id. ``boto3`` is imported by ``s3.py`` alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caseapp.store.blobs.base import BlobBackend, BlobStoreError
from caseapp.store.blobs.folder import LocalFolderBackend, SharedFolderBackend

__all__ = ["BlobBackend", "BlobStoreError", "LocalFolderBackend", "SharedFolderBackend",
           "open_backend"]


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

"""Evidence blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph...) through boto3.

The bucket holds ``PREFIX/<id>.cav`` objects with exactly the bytes the vault would write to a
local blob file: the operator sees ciphertext only. Settings come from the standard AWS
variables and files (``AWS_PROFILE``, ``AWS_ACCESS_KEY_ID``..., ``AWS_ENDPOINT_URL``,
``~/.aws/config``); nothing here stores a credential.

A blob smaller than one part is sent with one ``PutObject`` when the vault commits it; a larger
one is a multipart upload whose parts are sent as they fill, four at a time, so memory stays
at about five parts whatever the size. Parts are ``part_size`` bytes (16 MiB,
grown for huge files so a blob never needs more than 10,000 parts). Any failure or cancel
aborts the multipart upload, so nothing is left in the bucket; both publishing calls carry
``If-None-Match: *``, so an existing blob is never overwritten. Reads stream one object.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3.session
import urllib3.exceptions
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError, NoCredentialsError
from botocore.exceptions import ConnectionError as EndpointUnreachable

from caseapp import faults
from caseapp.store.blobs.base import (
    BLOB_ID_RE,
    BlobExists,
    BlobNotFound,
    BlobStoreError,
    Leftover,
    check_blob_id,
)

DEFAULT_PART_SIZE = 16 << 20
#: Parts in flight at once per upload (memory: one more part than this).
DEFAULT_CONCURRENCY = 4
#: S3 itself wants parts of at least 5 MiB (except the last); smaller is for test servers.
MIN_PART_SIZE, MAX_PART_SIZE, MAX_PARTS = 64 << 10, 5 << 30, 10_000
#: A multipart upload started this long ago and never finished belongs to a writer that is gone.
S3_STALE_AFTER = dt.timedelta(days=1)
_SUFFIX, _QUARANTINE = ".cav", "quarantine"
_NAME_RE = re.compile(r"([0-9a-f]{32})\.cav")
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_NO_ROOM = {"EntityTooLarge", "QuotaExceeded", "InsufficientStorage"}
_READ_ERRORS = (BotoCoreError, ClientError, OSError, urllib3.exceptions.HTTPError)


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://BUCKET/PREFIX`` -> (bucket, prefix without surrounding slashes)."""
    match = re.fullmatch(r"s3://([^/]+)/?(.*)", url.strip())
    if match is None or not match.group(1):
        raise BlobStoreError("An S3 evidence location looks like s3://BUCKET/PREFIX.")
    return match.group(1), match.group(2).strip("/")


def _error(exc: Exception, what: str) -> BlobStoreError:
    """A user-readable BlobStoreError for a boto3/botocore failure."""
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _NOT_FOUND:
            return BlobNotFound(f"{what}: no such object in the bucket.")
        if code in ("PreconditionFailed", "412"):
            return BlobExists(f"{what}: the object already exists; it was not overwritten.")
        error = BlobStoreError(f"{what} failed: the object store answered {code or 'an error'}.")
        error.no_room = code in _NO_ROOM
        return error
    # botocore's own text names endpoint URLs, object keys and, on a validation error, the
    # values sent: say what happened without it
    if isinstance(exc, EndpointUnreachable | HTTPClientError):
        return BlobStoreError(f"{what} failed: the object store could not be reached.")
    if isinstance(exc, NoCredentialsError):
        return BlobStoreError(f"{what} failed: no S3 credentials were found.")
    return BlobStoreError(f"{what} failed ({type(exc).__name__}).")


class S3Backend:
    """Blobs under ``s3://bucket/prefix``."""

    kind = "s3"

    def __init__(self, bucket: str, prefix: str = "", *, part_size: int = DEFAULT_PART_SIZE,
                 concurrency: int = DEFAULT_CONCURRENCY, client: Any = None,
                 stale_after: dt.timedelta = S3_STALE_AFTER) -> None:
        if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE:
            raise BlobStoreError(
                f"The S3 part size must be between {MIN_PART_SIZE} and {MAX_PART_SIZE} bytes.")
        if not 1 <= concurrency <= 16:
            raise BlobStoreError("S3 upload concurrency must be between 1 and 16.")
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.part_size, self.stale_after, self.concurrency = part_size, stale_after, concurrency
        self.client = client if client is not None else boto3.session.Session().client(
            "s3", config=Config(retries={"max_attempts": 3, "mode": "standard"},
                                connect_timeout=10, read_timeout=120))

    @classmethod
    def from_url(cls, url: str, **options: Any) -> S3Backend:
        """A backend for ``s3://BUCKET/PREFIX``; ``CASEAPP_S3_PART_SIZE`` (bytes) sets the
        part size when ``part_size`` is not given."""
        bucket, prefix = parse_s3_url(url)
        if "part_size" not in options and os.environ.get("CASEAPP_S3_PART_SIZE"):
            try:
                options["part_size"] = int(os.environ["CASEAPP_S3_PART_SIZE"])
            except ValueError:
                raise BlobStoreError("CASEAPP_S3_PART_SIZE must be a number of bytes.") \
                    from None
        return cls(bucket, prefix, **options)

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def _dir(self, sub: str = "") -> str:
        return "/".join(p for p in (self.prefix, sub) if p) + "/" if self.prefix or sub else ""

    def key_of(self, blob_id: str) -> str:
        """The object key of a blob."""
        return f"{self._dir()}{check_blob_id(blob_id)}{_SUFFIX}"

    def part_size_for(self, size_hint: int) -> int:
        """``part_size``, grown (in MiB steps) so ``size_hint`` bytes fit in MAX_PARTS parts."""
        need = -(-max(size_hint, 0) // (MAX_PARTS - 1))
        if need <= self.part_size:
            return self.part_size
        return min(-(-need // (1 << 20)) * (1 << 20), MAX_PART_SIZE)

    def path_of(self, blob_id: str) -> Path:
        raise BlobStoreError("Evidence kept in an S3 bucket has no local file.")

    # -- writing -----------------------------------------------------------------------------
    def create(self, blob_id: str, size_hint: int = 0) -> _S3Writer:
        return _S3Writer(self, self.key_of(blob_id), self.part_size_for(size_hint))

    def delete(self, blob_id: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key_of(blob_id))
        except (BotoCoreError, ClientError) as exc:
            raise _error(exc, f"Removing evidence blob {blob_id}") from None

    # -- reading -----------------------------------------------------------------------------
    def open(self, blob_id: str) -> _S3Reader:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key_of(blob_id))
        except (BotoCoreError, ClientError) as exc:
            error = _error(exc, f"Reading evidence blob {blob_id}")
            if isinstance(error, BlobNotFound):
                raise BlobNotFound(f"Evidence blob {blob_id} is missing from the bucket.") \
                    from None
            raise error from None
        return _S3Reader(self, blob_id, answer)

    def exists(self, blob_id: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key_of(blob_id))
        except BlobStoreError:
            return False
        except (BotoCoreError, ClientError) as exc:
            if isinstance(_error(exc, "Checking a blob"), BlobNotFound):
                return False
            raise _error(exc, f"Checking evidence blob {blob_id}") from None
        return True

    def blob_ids(self) -> set[str]:
        found: set[str] = set()
        base = self._dir()
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=base, Delimiter="/")
            for page in pages:
                for item in page.get("Contents", []):
                    match = _NAME_RE.fullmatch(item["Key"][len(base):])
                    if match:
                        found.add(match.group(1))
        except (BotoCoreError, ClientError) as exc:
            raise _error(exc, "Listing the evidence bucket") from None
        return found

    # -- interrupted uploads, quarantine -----------------------------------------------------
    def _dead_uploads(self) -> list[tuple[str, str]]:
        """(key, upload id) of multipart uploads under the prefix started over stale_after ago."""
        base, cutoff = self._dir(), dt.datetime.now(dt.UTC) - self.stale_after
        dead = []
        try:
            pages = self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=base)
            for page in pages:
                for upload in page.get("Uploads", []):
                    name = upload["Key"][len(base):]
                    if _NAME_RE.fullmatch(name) and upload["Initiated"] < cutoff:
                        dead.append((upload["Key"], upload["UploadId"]))
        except (BotoCoreError, ClientError) as exc:
            raise _error(exc, "Listing unfinished uploads") from None
        return dead

    def _uploaded(self, key: str, upload_id: str) -> int:
        pages = self.client.get_paginator("list_parts").paginate(
            Bucket=self.bucket, Key=key, UploadId=upload_id)
        return sum(int(p["Size"]) for page in pages for p in page.get("Parts", []))

    def leftovers(self) -> list[Leftover]:
        found = []
        for key, upload_id in self._dead_uploads():
            with contextlib.suppress(BotoCoreError, ClientError):
                found.append(Leftover(key.rsplit("/", 1)[-1], self._uploaded(key, upload_id)))
        return found

    def remove_leftovers(self) -> list[Leftover]:
        removed = []
        for key, upload_id in self._dead_uploads():
            try:
                size = self._uploaded(key, upload_id)
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key,
                                                   UploadId=upload_id)
            except (BotoCoreError, ClientError):
                continue
            removed.append(Leftover(key.rsplit("/", 1)[-1], size))
        return removed

    def quarantine(self, ids: Iterable[str]) -> list[str]:
        moved = []
        for blob_id in sorted(ids):
            if not BLOB_ID_RE.fullmatch(blob_id) or not self.exists(blob_id):
                continue
            source = self.key_of(blob_id)
            target = f"{self._dir(_QUARANTINE)}{blob_id}{_SUFFIX}"
            try:
                self.client.copy({"Bucket": self.bucket, "Key": source}, self.bucket, target)
                self.client.delete_object(Bucket=self.bucket, Key=source)
            except (BotoCoreError, ClientError) as exc:
                raise _error(exc, f"Quarantining evidence blob {blob_id}") from None
            moved.append(blob_id)
        return moved


class _S3Writer:
    """One new object: parts go up as they fill, at most ``concurrency`` at once (so memory
    stays at ``concurrency + 1`` parts); publication waits for commit()."""

    def __init__(self, backend: S3Backend, key: str, part_size: int) -> None:
        self.b, self.key, self.part_size = backend, key, part_size
        self.buf, self.used = bytearray(part_size), 0
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []
        self.sent = 0  # part numbers handed out
        self.pool: ThreadPoolExecutor | None = None
        self.pending: deque[Future[dict[str, Any]]] = deque()
        self.published = self.ambiguous = False

    def aligned(self, n: int) -> int:
        return n

    def write(self, view: memoryview) -> None:
        while view:
            take = min(len(view), self.part_size - self.used)
            self.buf[self.used:self.used + take] = view[:take]
            self.used, view = self.used + take, view[take:]
            if self.used == self.part_size:
                self._send_part()

    def _send_part(self) -> None:
        if self.sent >= MAX_PARTS:
            raise BlobStoreError("The exhibit is too large for one S3 object at this part size.")
        upload_id, pool = self.upload_id, self.pool
        if upload_id is None or pool is None:
            try:
                upload_id = self.b.client.create_multipart_upload(
                    Bucket=self.b.bucket, Key=self.key)["UploadId"]
            except (BotoCoreError, ClientError) as exc:
                raise _error(exc, "Uploading evidence") from None
            pool = ThreadPoolExecutor(self.b.concurrency, "vault-s3-part")
            self.upload_id, self.pool = upload_id, pool
        while len(self.pending) >= self.b.concurrency:
            self.parts.append(self.pending.popleft().result())
        self.sent += 1
        self.pending.append(pool.submit(self._upload, upload_id, self.sent,
                                        bytes(self.buf[:self.used])))
        self.used = 0

    def _upload(self, upload_id: str, number: int, data: bytes) -> dict[str, Any]:
        try:
            answer = self.b.client.upload_part(Bucket=self.b.bucket, Key=self.key,
                                               UploadId=upload_id, PartNumber=number, Body=data)
        except (BotoCoreError, ClientError) as exc:
            raise _error(exc, "Uploading evidence") from None
        part = {"PartNumber": number, "ETag": answer["ETag"]}
        part.update({k: v for k, v in answer.items() if k.startswith("Checksum")
                     and k != "ChecksumType"})
        return part

    def finish(self) -> None:
        if self.upload_id is not None and self.used:
            self._send_part()  # the last part may be smaller than the others
        while self.pending:
            self.parts.append(self.pending.popleft().result())
        self._stop_pool()

    def _stop_pool(self) -> None:
        """Drop parts not started yet and wait for those in flight (an abort must come after
        them, or S3 may keep a part that was still arriving)."""
        for future in self.pending:
            future.cancel()
        self.pending.clear()
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def commit(self) -> None:
        client, bucket = self.b.client, self.b.bucket
        faults.step("vault.before-rename")
        try:
            self.ambiguous = True  # from here a lost answer may hide a published object
            if self.upload_id is None:
                client.put_object(Bucket=bucket, Key=self.key, IfNoneMatch="*",
                                  Body=bytes(self.buf[:self.used]))
            else:
                client.complete_multipart_upload(
                    Bucket=bucket, Key=self.key, UploadId=self.upload_id, IfNoneMatch="*",
                    MultipartUpload={"Parts": self.parts})
        except (BotoCoreError, ClientError) as exc:
            error = _error(exc, "Storing evidence")
            if isinstance(error, BlobExists):
                self.ambiguous = False  # someone else's object: never remove it
            self.abort()
            raise error from None
        self.published, self.buf = True, bytearray()
        faults.step("vault.renamed")

    def abort(self) -> None:
        if self.published:
            return
        self._stop_pool()
        client, bucket = self.b.client, self.b.bucket
        if self.upload_id is not None:
            with contextlib.suppress(BotoCoreError, ClientError):
                client.abort_multipart_upload(Bucket=bucket, Key=self.key,
                                              UploadId=self.upload_id)
            self.upload_id = None
        if self.ambiguous:
            with contextlib.suppress(BotoCoreError, ClientError):
                client.delete_object(Bucket=bucket, Key=self.key)
            self.ambiguous = False
        self.buf = bytearray()


class _S3Reader:
    """An object's body, read exactly as asked. A connection that drops mid-object is picked
    up where it stopped (a ranged GET of the same ETag), up to ``RESUMES`` times per read."""

    RESUMES = 3

    def __init__(self, backend: S3Backend, blob_id: str, answer: dict[str, Any]) -> None:
        self.b, self.blob_id, self.body = backend, blob_id, answer["Body"]
        self.size, self.etag = int(answer["ContentLength"]), str(answer.get("ETag", ""))
        self.offset = 0

    def read(self, n: int) -> bytes:
        parts: list[bytes] = []
        got, resumes = 0, 0
        while got < n:
            try:
                data = self.body.read(n - got)
            except _READ_ERRORS as exc:
                if resumes >= self.RESUMES or self.offset >= self.size:
                    what = f"Reading evidence blob {self.blob_id} from the bucket"
                    if isinstance(exc, BotoCoreError | ClientError):  # their text: URLs, keys
                        raise _error(exc, what) from None
                    raise BlobStoreError(f"{what} failed: {exc}") from None
                resumes += 1
                self._resume()
                continue
            if not data:
                break
            parts.append(data)
            got += len(data)
            self.offset += len(data)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _resume(self) -> None:
        """Reopen the object at ``offset``; the ETag must not have changed meanwhile."""
        with contextlib.suppress(*_READ_ERRORS):
            self.body.close()
        try:
            answer = self.b.client.get_object(
                Bucket=self.b.bucket, Key=self.b.key_of(self.blob_id), IfMatch=self.etag,
                Range=f"bytes={self.offset}-")
        except (BotoCoreError, ClientError) as exc:
            error = _error(exc, f"Reading evidence blob {self.blob_id} again")
            if isinstance(error, BlobExists):  # If-Match failed: another object now
                error = BlobStoreError(f"Evidence blob {self.blob_id} changed in the bucket "
                                       "while it was read.")
            raise error from None
        self.body = answer["Body"]

    def close(self) -> None:
        with contextlib.suppress(*_READ_ERRORS):
            self.body.close()

"""The vault on an S3 bucket: a real S3 endpoint (moto_server on loopback) through boto3."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from s3server import TEST_MIN_PART, MotoServer, free_port, use_endpoint

from caseapp.domain.progress import Cancelled
from caseapp.security.vault import (
    HEADER_SIZE,
    TAG_SIZE,
    BlobCorrupt,
    BlobMissing,
    Vault,
    VaultError,
)
from caseapp.store.blobs import open_backend
from caseapp.store.blobs.base import BlobExists, BlobStoreError
from caseapp.store.blobs.s3 import MAX_PARTS, S3Backend, parse_s3_url

KEY = bytes(range(32))
CS = 4096
MARKER = b"SUBJECT-PASSPORT-X1234567 "  # plaintext the bucket operator must never see


class Calls:
    """Counts the S3 operations a client really made (boto3's own event hooks)."""

    def __init__(self, client: Any) -> None:
        self.counts: dict[str, int] = {}
        client.meta.events.register("after-call.s3", self._seen)

    def _seen(self, event_name: str, **_: Any) -> None:
        op = event_name.rsplit(".", 1)[-1]
        self.counts[op] = self.counts.get(op, 0) + 1

    def __getitem__(self, op: str) -> int:
        return self.counts.get(op, 0)


@pytest.fixture
def backend(s3_bucket: str) -> S3Backend:
    return S3Backend(s3_bucket, "team/evidence", part_size=TEST_MIN_PART)


@pytest.fixture
def vault(backend: S3Backend) -> Vault:
    return Vault(None, KEY, chunk_size=CS, backend=backend)


def raw_objects(bucket: str) -> dict[str, bytes]:
    client = boto3.client("s3")
    return {item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])}


def open_uploads(bucket: str) -> list[dict[str, Any]]:
    return boto3.client("s3").list_multipart_uploads(Bucket=bucket).get("Uploads", [])


def body(size: int) -> bytes:
    """Plaintext full of MARKER, with random bytes so it does not compress to nothing."""
    out = bytearray()
    while len(out) < size:
        out += MARKER + os.urandom(37)
    return bytes(out[:size])


def test_url_forms() -> None:
    assert parse_s3_url("s3://bucket/a/b/") == ("bucket", "a/b")
    assert parse_s3_url("s3://bucket") == ("bucket", "")
    with pytest.raises(BlobStoreError):
        parse_s3_url("s3:///nobucket")


def test_open_backend_picks_s3_from_env(s3_bucket: str) -> None:
    backend = open_backend(f"s3://{s3_bucket}/p", part_size=TEST_MIN_PART)
    assert backend.kind == "s3" and backend.location == f"s3://{s3_bucket}/p"
    vault = Vault(None, KEY, chunk_size=CS, backend=backend)
    result = vault.ingest_stream([b"hello"])
    assert list(raw_objects(s3_bucket)) == [f"p/{result.blob_id}.cav"]


@pytest.mark.parametrize("size", [0, 5, CS, 3 * CS + 7])
def test_small_blob_round_trip_is_one_put(vault: Vault, backend: S3Backend, s3_bucket: str,
                                          tmp_path: Path, size: int) -> None:
    calls = Calls(backend.client)
    data = body(size)
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    result = vault.ingest(src)
    assert (result.sha256, result.size) == (hashlib.sha256(data).hexdigest(), size)
    assert calls["PutObject"] == 1 and calls["CreateMultipartUpload"] == 0
    assert vault.verify(result.blob_id) == (result.sha256, size)
    assert b"".join(vault.iter_plaintext(result.blob_id)) == data
    out = tmp_path / "out.bin"
    assert vault.decrypt_to(result.blob_id, out) == result.sha256 and out.read_bytes() == data
    chunks = size // CS + 1
    raw = raw_objects(s3_bucket)[f"team/evidence/{result.blob_id}.cav"]
    assert len(raw) == HEADER_SIZE + size + chunks * TAG_SIZE


def test_multipart_round_trip(vault: Vault, backend: S3Backend, s3_bucket: str,
                              tmp_path: Path) -> None:
    calls = Calls(backend.client)
    data = body(5 * TEST_MIN_PART + 12_345)  # 6 parts, the last one short
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    seen: list[int] = []
    result = vault.ingest(src, progress=lambda done, total, stage="": seen.append(done))
    assert seen[-1] == len(data)
    assert calls["CreateMultipartUpload"] == 1 and calls["PutObject"] == 0, calls.counts
    assert calls["UploadPart"] == 6 and calls["CompleteMultipartUpload"] == 1
    head = boto3.client("s3").head_object(Bucket=s3_bucket, Key=backend.key_of(result.blob_id))
    assert head["ETag"].strip('"').endswith("-6")  # S3's mark of a 6-part object
    assert vault.verify(result.blob_id) == (hashlib.sha256(data).hexdigest(), len(data))
    out = tmp_path / "out.bin"
    vault.decrypt_to(result.blob_id, out)
    assert out.read_bytes() == data
    assert open_uploads(s3_bucket) == []


def test_bucket_holds_ciphertext_only_in_the_vault_format(vault: Vault, s3_bucket: str,
                                                          tmp_path: Path) -> None:
    data = body(3 * TEST_MIN_PART)
    result = vault.ingest_stream([data])
    raw = raw_objects(s3_bucket)[f"team/evidence/{result.blob_id}.cav"]
    assert MARKER not in raw and MARKER[:12] not in raw
    assert result.sha256.encode() not in raw and bytes.fromhex(result.sha256) not in raw
    # The same bytes are a valid local vault blob: one format for every backend.
    local = Vault(tmp_path / "vault", KEY, chunk_size=CS)
    local.path_of(result.blob_id).write_bytes(raw)
    assert local.verify(result.blob_id) == (result.sha256, len(data))
    # ...and only under this key.
    with pytest.raises(BlobCorrupt):
        Vault(tmp_path / "vault", bytes(32), chunk_size=CS).verify(result.blob_id)


def test_part_size_is_bounded_and_grows_for_huge_files(backend: S3Backend) -> None:
    assert backend.part_size_for(0) == TEST_MIN_PART
    huge = 2 << 40  # 2 TiB
    size = backend.part_size_for(huge)
    assert size % (1 << 20) == 0 and -(-huge // size) < MAX_PARTS
    with pytest.raises(BlobStoreError):
        S3Backend("b", part_size=1024)


def failing_source(after: int, exc: BaseException) -> Iterator[bytes]:
    sent = 0
    while True:
        if sent >= after:
            raise exc
        block = body(8192)
        sent += len(block)
        yield block


def test_source_failure_mid_upload_leaves_nothing(vault: Vault, backend: S3Backend,
                                                  s3_bucket: str) -> None:
    calls = Calls(backend.client)
    with pytest.raises(OSError, match="source went away"):
        vault.ingest_stream(failing_source(3 * TEST_MIN_PART, OSError("source went away")))
    assert calls["UploadPart"] >= 2  # parts really went up before the failure
    assert calls["AbortMultipartUpload"] == 1
    assert open_uploads(s3_bucket) == [] and raw_objects(s3_bucket) == {}
    assert not [t for t in threading.enumerate() if t.name.startswith("vault-")]


def test_cancel_mid_upload_leaves_nothing(vault: Vault, backend: S3Backend,
                                          s3_bucket: str) -> None:
    calls = Calls(backend.client)
    progressed = [0]

    def progress(done: int, total: int, stage: str = "") -> None:
        progressed[0] = done

    with pytest.raises(Cancelled):
        vault.ingest_stream([body(8 * TEST_MIN_PART)], progress=progress,
                            cancel=lambda: progressed[0] > 3 * TEST_MIN_PART)
    assert calls["UploadPart"] >= 1 and calls["AbortMultipartUpload"] == 1
    assert open_uploads(s3_bucket) == [] and raw_objects(s3_bucket) == {}


def test_server_gone_mid_upload_fails_cleanly(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    server = MotoServer(free_port())
    server.start()
    try:
        use_endpoint(monkeypatch, server.url, tmp_path)
        boto3.client("s3").create_bucket(Bucket="doomed")
        backend = S3Backend("doomed", "x", part_size=TEST_MIN_PART)
        calls = Calls(backend.client)
        vault = Vault(None, KEY, chunk_size=CS, backend=backend)

        def source() -> Iterator[bytes]:
            for index in range(40):
                if index == 20:  # ~2.5 parts sent: the server dies
                    while calls["UploadPart"] < 2:
                        threading.Event().wait(0.01)
                    server.stop()
                yield body(8192)

        with pytest.raises(VaultError, match="Uploading evidence failed") as failed:
            vault.ingest_stream(source())
        assert calls["UploadPart"] >= 2
        # botocore's text (endpoint URL, bucket, object key) stays out of the message
        assert server.url.split("//")[-1] not in str(failed.value)
        assert "doomed" not in str(failed.value)
    finally:
        server.stop()
    assert not [t for t in threading.enumerate() if t.name.startswith("vault-")]


def test_never_overwrites_an_existing_blob(backend: S3Backend, s3_bucket: str) -> None:
    blob_id = "a" * 32
    first = backend.create(blob_id)
    first.write(memoryview(b"first"))
    first.finish()
    first.commit()
    for size in (10, 3 * TEST_MIN_PART):  # a single put, and a multipart upload
        second = backend.create(blob_id)
        second.write(memoryview(b"y" * size))
        second.finish()
        with pytest.raises(BlobExists):
            second.commit()
    assert raw_objects(s3_bucket) == {backend.key_of(blob_id): b"first"}
    assert open_uploads(s3_bucket) == []


def test_missing_and_tampered_blobs(vault: Vault, backend: S3Backend, s3_bucket: str) -> None:
    with pytest.raises(BlobMissing):
        vault.verify("b" * 32)
    result = vault.ingest_stream([body(10_000)])
    client = boto3.client("s3")
    key = backend.key_of(result.blob_id)
    original = client.get_object(Bucket=s3_bucket, Key=key)["Body"].read()
    raw = bytearray(original)
    raw[HEADER_SIZE + 100] ^= 1
    client.put_object(Bucket=s3_bucket, Key=key, Body=bytes(raw))
    with pytest.raises(BlobCorrupt, match="integrity"):
        vault.verify(result.blob_id)
    client.put_object(Bucket=s3_bucket, Key=key, Body=original[:HEADER_SIZE + 2 * (CS + TAG_SIZE)])
    with pytest.raises(BlobCorrupt, match="truncated"):
        vault.verify(result.blob_id)


def test_listing_discard_quarantine(vault: Vault, backend: S3Backend, s3_bucket: str) -> None:
    a = vault.ingest_stream([b"a"]).blob_id
    b = vault.ingest_stream([b"b"]).blob_id
    boto3.client("s3").put_object(Bucket=s3_bucket, Key="team/evidence/notes.txt", Body=b"x")
    assert vault.blob_ids() == {a, b} and vault.exists(a) and not vault.exists("c" * 32)
    vault.discard(a)
    assert vault.blob_ids() == {b}
    assert vault.quarantine({b, "d" * 32}) == [b]
    assert vault.blob_ids() == set()
    assert f"team/evidence/quarantine/{b}.cav" in raw_objects(s3_bucket)
    with pytest.raises(VaultError, match="no local file"):
        vault.path_of(b)


def test_interrupted_uploads_are_leftovers_once_stale(backend: S3Backend,
                                                      s3_bucket: str) -> None:
    client = boto3.client("s3")
    key = backend.key_of("e" * 32)
    upload = client.create_multipart_upload(Bucket=s3_bucket, Key=key)["UploadId"]
    client.upload_part(Bucket=s3_bucket, Key=key, UploadId=upload, PartNumber=1,
                       Body=b"z" * 1000)
    # moto dates every upload 2010-11-10, so "recent" is shown with a 100-year window.
    live = S3Backend(s3_bucket, "team/evidence", part_size=TEST_MIN_PART,
                     stale_after=dt.timedelta(days=36_500))
    assert live.leftovers() == []  # may be a colleague's live upload
    assert live.remove_leftovers() == []
    assert len(open_uploads(s3_bucket)) == 1
    stale = S3Backend(s3_bucket, "team/evidence", part_size=TEST_MIN_PART,
                      stale_after=dt.timedelta(0))
    assert [(x.name, x.size) for x in stale.leftovers()] == [(f"{'e' * 32}.cav", 1000)]
    assert [x.name for x in stale.remove_leftovers()] == [f"{'e' * 32}.cav"]
    assert open_uploads(s3_bucket) == []


def test_parts_go_up_concurrently_within_the_bound(s3_bucket: str) -> None:
    backend = S3Backend(s3_bucket, "c", part_size=TEST_MIN_PART, concurrency=3)
    lock, state = threading.Lock(), {"now": 0, "most": 0}

    def started(**_: Any) -> None:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        threading.Event().wait(0.02)  # keep each part in flight a moment

    def ended(**_: Any) -> None:
        with lock:
            state["now"] -= 1

    backend.client.meta.events.register("before-call.s3.UploadPart", started)
    backend.client.meta.events.register("after-call.s3.UploadPart", ended)
    data = body(12 * TEST_MIN_PART)
    result = Vault(None, KEY, chunk_size=CS, backend=backend).ingest_stream([data])
    assert 1 < state["most"] <= 3
    assert Vault(None, KEY, chunk_size=CS, backend=backend).verify(result.blob_id)[1] == len(data)
    with pytest.raises(BlobStoreError):
        S3Backend(s3_bucket, part_size=TEST_MIN_PART, concurrency=0)


class Flaky:
    """A response body whose connection drops after ``after`` bytes (a transport fault)."""

    def __init__(self, body: Any, after: int) -> None:
        self.body, self.left = body, after

    def read(self, n: int) -> bytes:
        import urllib3.exceptions

        if self.left <= 0:
            raise urllib3.exceptions.ProtocolError("Connection broken: peer went away")
        data = self.body.read(min(n, self.left))
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.body.close()


def test_a_dropped_read_resumes_where_it_stopped(vault: Vault, backend: S3Backend,
                                                 s3_bucket: str) -> None:
    data = body(3 * TEST_MIN_PART)
    result = vault.ingest_stream([data])
    calls = Calls(backend.client)
    reader = backend.open(result.blob_id)
    reader.body = Flaky(reader.body, 10_000)
    raw = b"".join(iter(lambda: reader.read(CS + 16), b""))
    reader.close()
    client = boto3.client("s3")
    assert raw == client.get_object(Bucket=s3_bucket, Key=backend.key_of(result.blob_id))[
        "Body"].read()
    assert calls["GetObject"] == 2  # the first GET, then one ranged GET picked it up

    # Replaced while being read: refused, not spliced.
    reader = backend.open(result.blob_id)
    reader.body = Flaky(reader.body, 10_000)
    reader.read(5000)
    client.put_object(Bucket=s3_bucket, Key=backend.key_of(result.blob_id), Body=b"other")
    with pytest.raises(BlobStoreError, match="changed in the bucket"):
        while reader.read(CS + 16):
            pass
    reader.close()


def test_a_read_that_keeps_failing_gives_up(vault: Vault, backend: S3Backend) -> None:
    result = vault.ingest_stream([body(2 * TEST_MIN_PART)])
    reader = backend.open(result.blob_id)
    reader.body = Flaky(reader.body, 100)
    original = reader._resume  # noqa: SLF001

    def resume_badly() -> None:
        original()
        reader.body = Flaky(reader.body, 0)

    reader._resume = resume_badly  # type: ignore[method-assign]  # noqa: SLF001
    with pytest.raises(BlobStoreError, match="failed: Connection broken"):
        while reader.read(CS + 16):
            pass
    reader.close()


def test_botocore_errors_are_told_without_their_text() -> None:
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        ParamValidationError,
    )

    from caseapp.store.blobs.s3 import _error  # noqa: PLC2701

    secret = "http://10.1.2.3:9000/casebucket/blobs/SECRET-KEY"
    unreachable = _error(EndpointConnectionError(endpoint_url=secret), "Uploading evidence")
    assert str(unreachable) == ("Uploading evidence failed: the object store could not be "
                                "reached.")
    invalid = _error(ParamValidationError(report="Invalid value: 'Subject Jane Roe'"), "Reading")
    assert str(invalid) == "Reading failed (ParamValidationError)."
    assert "credentials" in str(_error(NoCredentialsError(), "Listing"))
    # control: the object store's own error code is still named
    denied = _error(ClientError({"Error": {"Code": "AccessDenied", "Message": secret}},
                                "PutObject"), "Uploading evidence")
    assert str(denied) == "Uploading evidence failed: the object store answered AccessDenied."


class TimesOut:
    """A response body whose reads time out, botocore's error naming the endpoint URL."""

    URL = "http://10.9.8.7:9000/casebucket/blobs/SECRET-KEY"

    def read(self, n: int) -> bytes:
        from botocore.exceptions import ReadTimeoutError

        raise ReadTimeoutError(endpoint_url=self.URL)

    def close(self) -> None:
        pass


def test_a_read_that_keeps_timing_out_names_no_endpoint(vault: Vault,
                                                         backend: S3Backend) -> None:
    result = vault.ingest_stream([body(2 * TEST_MIN_PART)])
    reader = backend.open(result.blob_id)
    reader.body = TimesOut()
    original = reader._resume  # noqa: SLF001

    def resume_badly() -> None:
        original()
        reader.body = TimesOut()

    reader._resume = resume_badly  # type: ignore[method-assign]  # noqa: SLF001
    with pytest.raises(BlobStoreError, match="could not be reached") as failed:
        reader.read(CS + 16)
    reader.close()
    assert "10.9.8.7" not in str(failed.value) and "SECRET-KEY" not in str(failed.value)

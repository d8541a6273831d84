"""Evidence through the services when a home keeps its blobs in an S3 bucket or a shared
folder (a real S3 endpoint: moto_server on loopback)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import boto3
import pytest
from s3server import TEST_MIN_PART

from caseapp.domain.progress import Cancelled
from caseapp.services.cases import cases
from caseapp.services.errors import StoreUnavailable
from caseapp.services.evidence import evidence
from caseapp.services.maintenance.backup import backup, restore
from caseapp.services.maintenance.verify import verify_store
from caseapp.services.workspace import open_workspace

MARKER = b"ACCOUNT-HOLDER-JANE-ROE-4417 "


def content(size: int) -> bytes:
    out = bytearray()
    while len(out) < size:
        out += MARKER + os.urandom(50)
    return bytes(out[:size])


def bucket_state(bucket: str) -> tuple[dict[str, bytes], list[str]]:
    client = boto3.client("s3")
    objects = {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
               for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])}
    uploads = [u["Key"] for u in client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]
    return objects, uploads


@pytest.fixture
def s3_home(tmp_path: Path, s3_bucket: str, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("CASEAPP_S3_PART_SIZE", str(TEST_MIN_PART))
    home = tmp_path / "home"
    ws = open_workspace(home, blobs=f"s3://{s3_bucket}/team-a")
    yield ws
    ws.close()


def test_ingest_export_verify_through_s3(s3_home, s3_bucket: str, tmp_path: Path) -> None:  # noqa: ANN001
    ws = s3_home
    assert ws.vault.kind == "s3"
    ref = cases.create_case(ws, "Bucket case").ref
    data = content(5 * TEST_MIN_PART + 999)  # a multipart upload
    src = tmp_path / "payroll.csv"
    src.write_bytes(data)
    ev = evidence.ingest_file(ws, ref, src)
    assert ev.sha256 == hashlib.sha256(data).hexdigest()
    objects, uploads = bucket_state(s3_bucket)
    assert list(objects) == [f"team-a/{ev.blob_id}.cav"] and uploads == []
    assert MARKER not in objects[f"team-a/{ev.blob_id}.cav"]
    assert not (ws.home / "vault").exists()  # nothing of the evidence in the home
    out = evidence.export_original(ws, ref, "E-001", tmp_path / "out.csv")
    assert out.read_bytes() == data
    assert evidence.verify_exhibit(ws, ref, "E-001").ok
    assert evidence.open_exhibit(ws, ref, "E-001").read_bytes() == data
    # Another home's blob under the same prefix is not an orphan of this one.
    boto3.client("s3").put_object(Bucket=s3_bucket, Key=f"team-a/{'f' * 32}.cav", Body=b"x")
    report = verify_store(ws, repair=True)
    assert report.ok and report.blobs_checked == 1 and report.quarantined == []
    home = ws.home
    ws.close()
    again = open_workspace(home)  # the location is remembered by the home
    try:
        assert again.vault.kind == "s3"
        assert evidence.export_original(again, ref, "E-001", tmp_path / "again.csv"
                                        ).read_bytes() == data
        # A backup of a bucket home is a local, offline copy.
        result = backup(again, tmp_path / "backup")
        assert result["blobs"] == 1
        assert (tmp_path / "backup" / "vault" / f"{ev.blob_id}.cav").read_bytes() == \
            bucket_state(s3_bucket)[0][f"team-a/{ev.blob_id}.cav"]
        code = again.recovery_code
    finally:
        again.close()
    assert code is None  # shown once, at creation
    with pytest.raises(StoreUnavailable, match="already has one"):
        open_workspace(home, blobs=f"s3://{s3_bucket}/elsewhere")


def test_backup_of_s3_home_restores_as_local(tmp_path: Path, s3_bucket: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEAPP_S3_PART_SIZE", str(TEST_MIN_PART))
    ws = open_workspace(tmp_path / "home", blobs=f"s3://{s3_bucket}/b")
    code = ws.recovery_code
    ref = cases.create_case(ws, "Offline copy").ref
    (tmp_path / "a.txt").write_bytes(b"alpha exhibit")
    evidence.ingest_file(ws, ref, tmp_path / "a.txt")
    backup(ws, tmp_path / "backup")
    ws.close()
    local = restore(tmp_path / "restored", tmp_path / "backup", recovery_code=code)
    try:
        assert local.vault.kind == "local"
        out = evidence.export_original(local, ref, "E-001", tmp_path / "out.txt")
        assert out.read_bytes() == b"alpha exhibit"
    finally:
        local.close()


def test_backup_of_a_team_case_opens_offline(tmp_path: Path, s3_bucket: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from caseapp.services.evidence import case_keys

    monkeypatch.setenv("CASEAPP_S3_PART_SIZE", str(TEST_MIN_PART))
    ws = open_workspace(tmp_path / "home", blobs=f"s3://{s3_bucket}/t")
    code = ws.recovery_code
    case_keys.join(ws, "me")
    ref = cases.create_case(ws, "Team case").ref
    (tmp_path / "a.txt").write_bytes(b"sealed under the case key")
    evidence.ingest_file(ws, ref, tmp_path / "a.txt")  # seals the case for "me"
    assert case_keys.ingest_key(ws, ref)[1] == 1
    backup(ws, tmp_path / "backup")
    ws.close()
    assert (tmp_path / "backup" / "member_key.json").exists()
    local = restore(tmp_path / "restored", tmp_path / "backup", recovery_code=code)
    try:
        out = evidence.export_original(local, ref, "E-001", tmp_path / "out.txt")
        assert out.read_bytes() == b"sealed under the case key"
        assert verify_store(local).ok
    finally:
        local.close()


def test_cancelled_and_failed_uploads_leave_no_row_and_no_object(
        s3_home, s3_bucket: str, tmp_path: Path) -> None:  # noqa: ANN001
    ws = s3_home
    parts: list[str] = []
    ws.vault.backend.client.meta.events.register(  # count the parts really sent
        "after-call.s3.UploadPart", lambda **_: parts.append("part"))
    ref = cases.create_case(ws, "Faults").ref
    src = tmp_path / "big.bin"
    src.write_bytes(content(3 << 20))  # three of the vault's 1 MiB chunks and a bit
    with pytest.raises(Cancelled):  # cancelled once parts are in the bucket
        evidence.ingest_file(ws, ref, src, cancel=lambda: len(parts) >= 2)
    assert parts and evidence.list_evidence(ws, ref) == []
    assert bucket_state(s3_bucket) == ({}, [])

    # The file grows while it is read, after parts are already in the bucket.
    src.write_bytes(content(7 << 20))
    grown, before = [False], len(parts)

    def grow(n: int, total: int, stage: str = "") -> None:
        # The vault hands the writer ~4 chunks at a time: from the 5th on, parts go up.
        if n >= 5 << 20 and not grown[0]:
            deadline = time.monotonic() + 20
            while len(parts) == before and time.monotonic() < deadline:
                time.sleep(0.01)
            grown[0] = True
            with src.open("ab") as handle:
                handle.write(b"late bytes")

    with pytest.raises(evidence.IngestFailed, match="changed while it was being read"):
        evidence.ingest_file(ws, ref, src, progress=grow)
    assert grown[0] and len(parts) > before
    assert evidence.list_evidence(ws, ref) == [] and bucket_state(s3_bucket) == ({}, [])

    # Uploaded, but the database refuses the row (same content twice): the object goes too.
    small = tmp_path / "small.txt"
    small.write_bytes(b"same bytes")
    first = evidence.ingest_file(ws, ref, small)
    with pytest.raises(evidence.DuplicateExhibit):
        evidence.ingest_file(ws, ref, small)
    assert list(bucket_state(s3_bucket)[0]) == [f"team-a/{first.blob_id}.cav"]


def test_two_homes_share_one_folder(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    homes = [open_workspace(tmp_path / name, blobs=str(share)) for name in ("alice", "bob")]
    try:
        exhibits = []
        for index, ws in enumerate(homes):
            assert ws.vault.kind == "shared"
            ref = cases.create_case(ws, f"Case {index}").ref
            src = tmp_path / f"e{index}.bin"
            src.write_bytes(content(20_000 + index))
            exhibits.append((ws, ref, evidence.ingest_file(ws, ref, src), src))
        assert len([p for p in share.iterdir() if p.suffix == ".cav"]) == 2
        for ws, ref, ev, src in exhibits:
            out = evidence.export_original(ws, ref, ev.exhibit, tmp_path / f"out-{ev.id}")
            assert out.read_bytes() == src.read_bytes()
            assert MARKER not in (share / f"{ev.blob_id}.cav").read_bytes()
            report = verify_store(ws, repair=True)  # the other home's blob is no orphan
            assert report.ok and report.quarantined == []
        assert not (tmp_path / "alice" / "vault").exists()
    finally:
        for ws in homes:
            ws.close()


def test_unreachable_share_refuses_to_create(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="not reachable"):
        open_workspace(tmp_path / "home", blobs=str(tmp_path / "not-mounted"))
    assert not (tmp_path / "home").exists()


def test_missing_bucket_refuses_to_create(tmp_path: Path, s3_env: str) -> None:
    with pytest.raises(StoreUnavailable, match="cannot be used.*NoSuchBucket"):
        open_workspace(tmp_path / "home", blobs="s3://caseapp-no-such-bucket/p")
    assert not (tmp_path / "home").exists()

"""Team cases: evidence sealed under per-case keys wrapped for members (real store, real
S3 endpoint). Bob's side is played with his private key alone: what a member holds is the
wrapped keys the store shows him and the bucket's ciphertext."""

from __future__ import annotations

import hashlib
from pathlib import Path

import boto3
import pytest
from s3server import TEST_MIN_PART
from sqlmodel import select

from caseapp.domain.models import utcnow
from caseapp.domain.team_models import CaseKeyWrap, TeamMemberKey
from caseapp.security.team_keys import (
    MemberKeyStore,
    fingerprint,
    new_member_key,
    public_bytes,
    state_from_rows,
)
from caseapp.security.vault import BlobCorrupt, Vault
from caseapp.services.cases import cases
from caseapp.services.errors import Conflict, InvalidInput, NotFound
from caseapp.services.evidence import case_keys, evidence
from caseapp.services.maintenance.verify import verify_store
from caseapp.services.workspace import open_workspace
from caseapp.store.blobs.s3 import S3Backend


def register(ws, role: str):  # noqa: ANN001, ANN201 - another member's `team join`
    private = new_member_key()
    public = public_bytes(private)
    with ws.transaction() as session:
        session.add(TeamMemberKey(fingerprint=fingerprint(public), member=role,
                                  public_key=public, registered_at=utcnow()))
    return private


def member_keys(ws, case_id: int, private) -> dict[int, bytes]:  # noqa: ANN001
    with ws.session() as session:
        rows = list(session.exec(select(CaseKeyWrap).where(CaseKeyWrap.case_id == case_id)))
    return state_from_rows(case_id, rows, {}).keys(private)


def test_members_share_a_case_key_and_a_removed_one_loses_new_evidence(
        tmp_path: Path, s3_bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEAPP_S3_PART_SIZE", str(TEST_MIN_PART))
    ws = open_workspace(tmp_path / "alice", blobs=f"s3://{s3_bucket}/team")
    try:
        code = case_keys.join(ws, "alice")
        assert MemberKeyStore(ws.home, ws.store_id).unlock_with_recovery(code)
        with pytest.raises(Conflict):
            case_keys.join(ws, "alice")
        bob, carol = register(ws, "bob"), register(ws, "carol")
        case = cases.create_case(ws, "Shared")
        plain = cases.create_case(ws, "Alice alone")
        with pytest.raises(InvalidInput, match="Include yourself"):
            case_keys.seal_case(ws, case.ref, ["bob"])
        with pytest.raises(NotFound, match="dave"):
            case_keys.seal_case(ws, case.ref, ["alice", "dave"])
        assert case_keys.seal_case(ws, case.ref, ["alice", "bob"]) == 1

        one = tmp_path / "one.txt"
        one.write_bytes(b"first exhibit, shared with bob" * 1000)
        e1 = evidence.ingest_file(ws, case.ref, one)
        objects = boto3.client("s3")
        raw1 = objects.get_object(Bucket=s3_bucket, Key=f"team/{e1.blob_id}.cav")["Body"].read()
        assert b"shared with bob" not in raw1
        bucket = S3Backend(s3_bucket, "team", part_size=TEST_MIN_PART)
        bob_v1 = member_keys(ws, case.id, bob)
        assert list(bob_v1) == [1]
        assert Vault(None, bob_v1[1], backend=bucket).verify(e1.blob_id)[0] == e1.sha256
        # Not under the home's own key: the case key is what opens it.
        ws.vault.keys_for = None
        with pytest.raises(BlobCorrupt):
            ws.vault.verify(e1.blob_id)
        case_keys.install(ws)

        assert case_keys.revoke(ws, case.ref, "bob") == 2
        two = tmp_path / "two.txt"
        two.write_bytes(b"second exhibit, after bob left" * 1000)
        e2 = evidence.ingest_file(ws, case.ref, two)
        assert member_keys(ws, case.id, bob) == {}  # nothing wrapped for bob any more
        with pytest.raises(BlobCorrupt):  # the key bob kept does not open new evidence
            Vault(None, bob_v1[1], backend=bucket).verify(e2.blob_id)
        assert case_keys.grant(ws, case.ref, "carol") == 2
        carol_keys = member_keys(ws, case.id, carol)
        assert sorted(carol_keys) == [1, 2]
        for ev, version in ((e1, 1), (e2, 2)):
            assert Vault(None, carol_keys[version], backend=bucket).verify(
                ev.blob_id)[0] == ev.sha256
        # Alice reads both versions through the services.
        for ev, src in ((e1, one), (e2, two)):
            out = evidence.export_original(ws, case.ref, ev.exhibit, tmp_path / f"o{ev.id}")
            assert out.read_bytes() == src.read_bytes()
        # A case of this joined home with no key yet is sealed for alice alone.
        e3 = evidence.ingest_file(ws, plain.ref, tmp_path / "one.txt")
        assert case_keys.ingest_key(ws, plain.ref)[1] == 1
        assert member_keys(ws, plain.id, bob) == {} and member_keys(ws, plain.id, carol) == {}
        assert evidence.verify_exhibit(ws, plain.ref, e3.exhibit).ok
        report = verify_store(ws)
        assert report.ok and report.blobs_checked == 3
        home = ws.home
    finally:
        ws.close()
    again = open_workspace(home)  # install() runs at every open
    try:
        out = evidence.export_original(again, case.ref, "E-002", tmp_path / "again")
        assert hashlib.sha256(out.read_bytes()).hexdigest() == e2.sha256
        with pytest.raises(Conflict):
            case_keys.seal_case(again, case.ref, ["alice"])
    finally:
        again.close()


@pytest.mark.parametrize("mode", ["keyring", "passphrase"])
def test_member_key_kept_in_keyring_or_by_passphrase(ws, tmp_path: Path, mode: str,  # noqa: ANN001
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from caseapp.security.vault import VaultError
    from caseapp.services.evidence.case_keys import KeyAccessError

    keys = MemberKeyStore(ws.home, ws.store_id)  # as `team join` makes it
    public, _code = keys.create("team secret" if mode == "passphrase" else None)
    with ws.transaction() as session:
        session.add(TeamMemberKey(fingerprint=fingerprint(public), member="me",
                                  public_key=public, registered_at=utcnow()))
    monkeypatch.setenv("CASEAPP_PASSPHRASE", "team secret")
    case = cases.create_case(ws, "Keyed")
    case_keys.seal_case(ws, case.ref, ["me"])
    src = tmp_path / "x.txt"
    src.write_bytes(b"sealed for me")
    ev = evidence.ingest_file(ws, case.ref, src)
    assert evidence.verify_exhibit(ws, case.ref, ev.exhibit).ok
    if mode == "passphrase":  # without the passphrase: a clear refusal, nothing stored
        monkeypatch.delenv("CASEAPP_PASSPHRASE")
        with pytest.raises(KeyAccessError, match="passphrase"):
            evidence.ingest_file(ws, case.ref, tmp_path / "x.txt")
        with pytest.raises(VaultError, match="not available.*passphrase"):
            ws.vault.verify(ev.blob_id)
        assert len(evidence.list_evidence(ws, case.ref)) == 1


def test_a_joined_home_seals_a_case_at_its_first_exhibit(ws, tmp_path: Path) -> None:  # noqa: ANN001
    case_keys.join(ws, "lead")
    case = cases.create_case(ws, "Team case")
    src = tmp_path / "e.txt"
    src.write_bytes(b"first team exhibit")
    ev = evidence.ingest_file(ws, case.ref, src)
    key, version = case_keys.ingest_key(ws, case.ref)
    assert version == 1 and key is not None
    ws.vault.keys_for = None  # not under the home's own key
    with pytest.raises(BlobCorrupt):
        ws.vault.verify(ev.blob_id)
    case_keys.install(ws)
    newcomer = register(ws, "newcomer")
    case_keys.grant(ws, case.ref, "newcomer")  # so a colleague added later reads E-001
    k1 = member_keys(ws, case.id, newcomer)[1]
    assert Vault(ws.vault.root, k1, backend=ws.vault.backend).verify(ev.blob_id)[0] == ev.sha256

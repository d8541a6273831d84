"""Two investigators share a case's evidence on one team store and one evidence location (a
real S3 endpoint, moto_server, or a shared folder), each from their own data home with their
own keys, through the CLI. The location holds ciphertext only; a removed member's old key
does not open what is added after their removal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import two_members as shared

from caseapp.domain.team_models import CaseKeyWrap
from caseapp.security.keys import KeyManager
from caseapp.security.team_keys import MemberKeyStore, state_from_rows
from caseapp.security.vault import BlobCorrupt, Vault
from caseapp.store.blobs import open_backend

# The two-member team store (bucket or shared folder) and the S3 endpoint it may use.
team = shared.team
moto_endpoint = shared.moto_endpoint
s3_env = shared.s3_env
s3_bucket = shared.s3_bucket
run, as_, stored_bytes = shared.run, shared.as_, shared.stored_bytes
PASSPHRASE = shared.PASSPHRASE

MARKER = b"PAYROLL-ROW-SUBJECT-KIM-0042 "


def bob_case_keys(team: dict[str, Any], case_ref: str) -> dict[int, bytes]:
    """What bob's private key opens among the case's wrapped keys (read as the superuser)."""
    cluster, db = team["cluster"], team["db"]
    rows = cluster.psql("SELECT w.case_id, w.version, w.member, encode(w.ephemeral, 'hex'), "
                        "encode(w.nonce, 'hex'), encode(w.sealed, 'hex') FROM case_key_wrap w "
                        f"JOIN case_file c ON c.id = w.case_id WHERE c.ref = '{case_ref}'",
                        database=db)
    wraps = [CaseKeyWrap(case_id=int(r[0]), version=int(r[1]), member=r[2],
                         ephemeral=bytes.fromhex(r[3]), nonce=bytes.fromhex(r[4]),
                         sealed=bytes.fromhex(r[5])) for r in _rows(rows)]
    store_id = _rows(cluster.psql("SELECT value FROM store_meta WHERE key = 'store_id'",
                                  database=db))[0][0]
    home = team["bob"]["home"]
    keys = MemberKeyStore(home, store_id)
    private = (keys.unlock_with_master(KeyManager(home).unlock(PASSPHRASE))
               if keys.mode() == "home" else keys.unlock(PASSPHRASE))
    return state_from_rows(wraps[0].case_id, wraps, {}).keys(private)


def _rows(out: str) -> list[list[str]]:
    return [line.split("|") for line in out.strip().splitlines() if line.strip()]


def test_two_investigators_share_evidence_and_a_removed_one_loses_new_exhibits(
        capsys: Any, team: dict[str, Any], tmp_path: Path) -> None:
    alice, bob = team["alice"], team["bob"]
    code, case, err = run(capsys, *as_(alice, "case", "new", "--title", "Shared", "--json"))
    assert code == 0, err
    one = tmp_path / "payroll.csv"
    one.write_bytes(MARKER * 4000)
    code, added, err = run(capsys, *as_(alice, "evidence", "add", case["ref"], str(one),
                                        "--json"))
    assert code == 0, err
    assert run(capsys, *as_(alice, "team", "member", "add", case["ref"], bob["role"], "--as",
                            "investigator"))[0] == 0
    # Bob, from his own home with his own keys, reads alice's exhibit.
    code, _out, err = run(capsys, *as_(bob, "evidence", "export", case["ref"], "E-001",
                                       "--out", str(tmp_path / "bob.csv")))
    assert code == 0, err
    assert (tmp_path / "bob.csv").read_bytes() == one.read_bytes()
    assert all(MARKER not in blob for blob in stored_bytes(team["location"]))
    kept = bob_case_keys(team, case["ref"])  # what bob could keep before he leaves
    assert list(kept) == [1]

    assert run(capsys, *as_(alice, "team", "member", "remove", case["ref"], bob["role"]))[0] == 0
    two = tmp_path / "later.csv"
    two.write_bytes(b"added after bob left " * 4000)
    code, later, err = run(capsys, *as_(alice, "evidence", "add", case["ref"], str(two),
                                        "--json"))
    assert code == 0, err
    code, _out, err = run(capsys, *as_(alice, "evidence", "export", case["ref"], "E-002",
                                       "--out", str(tmp_path / "alice.csv")))
    assert code == 0, err
    assert (tmp_path / "alice.csv").read_bytes() == two.read_bytes()
    assert bob_case_keys(team, case["ref"]) == {}  # nothing is wrapped for bob any more
    # Bob's kept key opens E-001's blob and not E-002's.
    backend = open_backend(team["location"])
    opened = {blob: _sha_under(backend, blob, kept[1]) for blob in backend.blob_ids()}
    assert sorted(opened.values(), key=str) == sorted([added[0]["sha256"], None], key=str)
    assert later[0]["exhibit"] == "E-002"


def _sha_under(backend: Any, blob_id: str, key: bytes) -> str | None:
    try:
        return Vault(None, key, backend=backend).verify(blob_id)[0]
    except BlobCorrupt:
        return None

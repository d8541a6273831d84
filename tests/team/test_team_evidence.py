"""Two investigators share a case's evidence on one team store and one evidence location (a
real S3 endpoint, moto_server, or a shared folder), each from their own data home with their
own keys, through the CLI. The location holds ciphertext only; a removed member's old key
does not open what is added after their removal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import s3server
from pg_cluster import PgCluster
from store_backends import new_database, store_password

from caseapp.cli.main import main
from caseapp.domain.team_models import CaseKeyWrap
from caseapp.security.keys import KeyManager
from caseapp.security.team_keys import MemberKeyStore, state_from_rows
from caseapp.security.vault import BlobCorrupt, Vault
from caseapp.store.blobs import open_backend
from caseapp.store.postgresql.access import MEMBER

# The real S3 endpoint's fixtures (tests/s3server.py), used by name below.
moto_endpoint = s3server.moto_endpoint
s3_env = s3server.s3_env
s3_bucket = s3server.s3_bucket

PASSPHRASE = "correct horse battery staple"
PASSWORD = "throwaway-member-password"  # a test cluster's role, on loopback
MARKER = b"PAYROLL-ROW-SUBJECT-KIM-0042 "


def run(capsys: Any, *args: str) -> tuple[int, Any, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    try:
        return code, json.loads(out), err
    except ValueError:
        return code, out, err


@pytest.fixture(params=["s3", "shared"])
def team(request: pytest.FixtureRequest, pg_cluster: PgCluster, memory_keyring: Any,
         tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A team store (team init) with evidence in a bucket or a shared folder, and two
    members who joined from their own homes."""
    import keyring

    from caseapp.store.postgresql.engine import KEYRING_SERVICE, keyring_user, parse_url

    if request.param == "s3":
        bucket = request.getfixturevalue("s3_bucket")
        location = f"s3://{bucket}/team-evidence"
        monkeypatch.setenv("CASEAPP_S3_PART_SIZE", str(s3server.TEST_MIN_PART))
    else:
        folder = tmp_path / "share"
        folder.mkdir()
        location = str(folder)
    url = new_database(pg_cluster)
    store_password(url)
    name = url.rsplit("/", 1)[1]
    code, _out, err = run(capsys, "team", "init", "--dsn", url, "--blobs", location)
    assert code == 0, err
    monkeypatch.setenv("CASEAPP_PASSPHRASE", PASSPHRASE)
    people: dict[str, Any] = {"location": location, "cluster": pg_cluster, "db": name}
    for short in ("alice", "bob"):
        role = f"{name}_{short}"
        pg_cluster.psql(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}' IN ROLE {MEMBER}")
        dsn = pg_cluster.dsn(name, user=role)
        keyring.set_password(KEYRING_SERVICE, keyring_user(parse_url(dsn)), PASSWORD)
        home = tmp_path / f"home-{short}"
        code, _out, err = run(capsys, "--home", str(home), "team", "join", "--dsn", dsn,
                              "--json")
        assert code == 0, err
        people[short] = {"role": role, "home": home, "dsn": dsn}
    yield people
    for short in ("alice", "bob"):
        role = people[short]["role"]
        pg_cluster.psql(f"DROP OWNED BY {role} CASCADE", database=name)
        pg_cluster.psql(f"DROP ROLE {role}")


def as_(person: dict[str, Any], *args: str) -> list[str]:
    return ["--home", str(person["home"]), "--store", person["dsn"], *args]


def stored_bytes(location: str) -> list[bytes]:
    """Every object or file at the evidence location, as the operator sees it."""
    if location.startswith("s3://"):
        bucket = location[5:].split("/", 1)[0]
        client = boto3.client("s3")
        return [client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
                for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return [p.read_bytes() for p in Path(location).rglob("*") if p.is_file()]


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

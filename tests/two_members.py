"""Two members of one team store (``team init`` + ``team join`` through the CLI), with the
evidence in moto's S3 server or a shared folder: the fixture for tests of team commands.
Use as ``team = two_members.team`` (and the S3 fixtures it needs, likewise) in a test module."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import s3server
from pg_cluster import PgCluster
from store_backends import new_database, store_password

from caseapp.cli.main import main
from caseapp.store.postgresql.access import MEMBER

moto_endpoint = s3server.moto_endpoint
s3_env = s3server.s3_env
s3_bucket = s3server.s3_bucket

PASSPHRASE = "correct horse battery staple"
PASSWORD = "throwaway-member-password"  # a test cluster's role, on loopback


def run(capsys: Any, *args: str) -> tuple[int, Any, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    try:
        return code, json.loads(out), err
    except ValueError:
        return code, out, err


@pytest.fixture(params=["s3", "shared"])
def team(request: pytest.FixtureRequest, pg_cluster: PgCluster, memory_keyring: Any,
         tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
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


def new_case(capsys: Any, person: dict[str, Any], title: str, *more: str) -> dict[str, Any]:
    """``case new --title TITLE MORE... --json`` run as ``person``: the new case's JSON (the
    command must succeed)."""
    code, case, err = run(capsys, *as_(person, "case", "new", "--title", title, *more, "--json"))
    assert code == 0, err
    return case


def stored_bytes(location: str) -> list[bytes]:
    """Every object or file at the evidence location, as the operator sees it."""
    if location.startswith("s3://"):
        bucket = location[5:].split("/", 1)[0]
        client = boto3.client("s3")
        return [client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
                for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return [p.read_bytes() for p in Path(location).rglob("*") if p.is_file()]



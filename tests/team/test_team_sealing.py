"""In a team home, tip attachments and signal-import exhibits are sealed for the team (the
tips key, the case key), not under the adding member's own home key: a colleague opens them,
a role outside (the case, or the team) does not. Real cluster; evidence in moto's S3 server
or a shared folder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import two_members as shared
from pg_cluster import PgCluster

from caseapp.cli.common import passphrase_from_env_or_tty
from caseapp.security.keys import derive_keys
from caseapp.security.vault import BlobCorrupt, Vault
from caseapp.services.workspace import Workspace, open_workspace
from caseapp.store.blobs import open_backend

team = shared.team
moto_endpoint = shared.moto_endpoint
s3_env = shared.s3_env
s3_bucket = shared.s3_bucket
run, as_ = shared.run, shared.as_

LOG_BODY = "SIGNIN-LOG-OF-JANE-ROE"


@contextmanager
def opened(person: dict[str, Any]) -> Iterator[Workspace]:
    ws = open_workspace(person["home"], passphrase_from_env_or_tty, create=False,
                        store_url=person["dsn"])
    try:
        yield ws
    finally:
        ws.close()


def plaintext(ws: Workspace, blob_id: str) -> bytes:
    return b"".join(ws.vault.iter_plaintext(blob_id))


def not_under_home_key(ws: Workspace, location: str, blob_id: str) -> None:
    """The blob does not open with the adding member's own home (vault) key."""
    home_only = Vault(None, derive_keys(ws.master_key).vault, backend=open_backend(location))
    with pytest.raises(BlobCorrupt):
        home_only.verify(blob_id)


def join(capsys: Any, team: dict[str, Any], tmp_path: Path, short: str) -> dict[str, Any]:
    """One more investigator of the team (granted caseapp_member, joined from a new home)."""
    import keyring

    from caseapp.store.postgresql.access import MEMBER
    from caseapp.store.postgresql.engine import KEYRING_SERVICE, keyring_user, parse_url

    cluster: PgCluster = team["cluster"]
    role = f"{team['db']}_{short}"
    cluster.psql(f"CREATE ROLE {role} LOGIN PASSWORD '{shared.PASSWORD}' IN ROLE {MEMBER}")
    dsn = cluster.dsn(team["db"], user=role)
    keyring.set_password(KEYRING_SERVICE, keyring_user(parse_url(dsn)), shared.PASSWORD)
    home = tmp_path / f"home-{short}"
    code, _out, err = run(capsys, "--home", str(home), "team", "join", "--dsn", dsn)
    assert code == 0, err
    return {"role": role, "home": home, "dsn": dsn}


def drop(team: dict[str, Any], role: str) -> None:
    team["cluster"].psql(f"DROP OWNED BY {role} CASCADE", database=team["db"])
    team["cluster"].psql(f"DROP ROLE {role}")


def test_a_signal_import_exhibit_is_sealed_under_the_case_key(
        capsys: Any, team: dict[str, Any], tmp_path: Path) -> None:
    from caseapp.services.cases.cases import create_case
    from caseapp.services.cases.subjects import IdentifierInput, add_subject
    from caseapp.services.evidence.evidence import list_evidence
    from caseapp.services.signals.importer import import_signals

    alice, bob = team["alice"], team["bob"]
    log = tmp_path / "signins.csv"
    log.write_text("user,time,ip,user_agent,device_id,result\n" + "".join(
        f"{LOG_BODY.lower()}@example.com,2026-03-0{d}T0{h}:00:00Z,192.0.2.10,UA,LAP-77,"
        "success\n" for d in range(2, 7) for h in range(1, 6)), encoding="utf-8")
    with opened(alice) as ws:
        ref = create_case(ws, "Signals, team case").ref
        add_subject(ws, ref, "Jane Roe", identifiers=[
            IdentifierInput("email", f"{LOG_BODY.lower()}@example.com")])
        report = import_signals(ws, ref, log)
        blob = next(e.blob_id for e in list_evidence(ws, ref) if e.exhibit == report.exhibit)
        not_under_home_key(ws, team["location"], blob)
    with opened(bob) as ws, pytest.raises(Exception):  # noqa: B017, PT011 - not on the case
        plaintext(ws, blob)
    assert run(capsys, *as_(alice, "team", "member", "add", ref, bob["role"], "--as",
                            "investigator"))[0] == 0
    with opened(bob) as ws:
        assert plaintext(ws, blob) == log.read_bytes()


def test_a_tip_attachment_is_sealed_under_the_team_tips_key(
        capsys: Any, team: dict[str, Any], tmp_path: Path) -> None:
    from caseapp.services.tips.casework import add_attachment, create_case_from_tip

    alice, bob = team["alice"], team["bob"]
    code, tip, err = run(capsys, *as_(alice, "tips", "new", "--content", "Moonlighting dev",
                                      "--channel", "hotline", "--anonymous", "--json"))
    assert code == 0, err
    tip_ref = tip["ref"]
    first = tmp_path / "screenshot.png"
    first.write_bytes(b"TIP-ATTACHMENT-ONE " * 400)
    with opened(alice) as ws:
        one = add_attachment(ws, tip_ref, first)
        not_under_home_key(ws, team["location"], one.blob_id)
    with opened(bob) as ws:  # a colleague opens it (tips are team-wide)
        assert plaintext(ws, one.blob_id) == first.read_bytes()
    # Carol joins later: she holds no tips key until a holder adds the next attachment.
    carol = join(capsys, team, tmp_path, "carol")
    try:
        with opened(carol) as ws, pytest.raises(Exception):  # noqa: B017, PT011 - no key
            plaintext(ws, one.blob_id)
        second = tmp_path / "email.eml"
        second.write_bytes(b"TIP-ATTACHMENT-TWO " * 300)
        with opened(bob) as ws:
            add_attachment(ws, tip_ref, second)
        with opened(carol) as ws:
            assert plaintext(ws, one.blob_id) == first.read_bytes()
        # A case opened from the tip keeps the blob; bob, added to it, opens the exhibit.
        with opened(alice) as ws:
            case = create_case_from_tip(ws, tip_ref, "From the hotline")
        assert run(capsys, *as_(alice, "team", "member", "add", case.ref, bob["role"], "--as",
                                "investigator"))[0] == 0
        out = tmp_path / "exhibit.png"
        code, _o, err = run(capsys, *as_(bob, "evidence", "export", case.ref, "E-001",
                                         "--out", str(out)))
        assert code == 0, err
        assert out.read_bytes() == first.read_bytes()
        # Dave joins after both attachments: being put on a case gives him the tips key.
        dave = join(capsys, team, tmp_path, "dave")
        try:
            with opened(dave) as ws, pytest.raises(Exception):  # noqa: B017, PT011 - no key
                plaintext(ws, one.blob_id)
            assert run(capsys, *as_(alice, "team", "member", "add", case.ref, dave["role"],
                                    "--as", "viewer"))[0] == 0
            with opened(dave) as ws:
                assert plaintext(ws, one.blob_id) == first.read_bytes()
        finally:
            drop(team, dave["role"])
    finally:
        drop(team, carol["role"])
    # A login role outside the team reads no wrapped tips key at all.
    outsider = f"{team['db']}_mallory"
    team["cluster"].psql(f"CREATE ROLE {outsider} LOGIN PASSWORD '{shared.PASSWORD}'")
    try:
        with psycopg.connect(host="127.0.0.1", port=team["cluster"].port, dbname=team["db"],
                             user=outsider, password=shared.PASSWORD, autocommit=True) as conn, \
                pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM team_key_wrap")
    finally:
        drop(team, outsider)

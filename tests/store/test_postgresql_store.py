"""Team mode's PostgreSQL store against a real server: serialised writers, busy and lost
connections, opening errors, TLS reporting, the CLI's --store and CASEAPP_STORE."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import psycopg
import pytest
from pg_cluster import ADMIN_PASSWORD, free_port
from sqlmodel import select

from caseapp.cli.main import main
from caseapp.domain.models import AuditEntry, Case
from caseapp.security import audit
from caseapp.services.cases import cases, notes
from caseapp.services.errors import StoreBusy, StoreUnavailable
from caseapp.services.workspace import open_workspace
from caseapp.store.errors import StoreConnectionLost
from caseapp.store.postgresql.engine import KEYRING_SERVICE, WRITE_LOCK_KEY


def _raw(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("caseapp_admin@", f"caseapp_admin:{ADMIN_PASSWORD}@"))


def test_eight_concurrent_writers_leave_one_unbroken_chain(pg_url: str, home: Path) -> None:
    ws = open_workspace(home, store_url=pg_url)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                with ws.transaction() as session:
                    audit.append(session, "test.append", "test", f"{n}-{i}", {"n": n})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert errors == []
        with ws.session() as session:
            count, problems = audit.verify_chain(session)
            appended = session.exec(select(AuditEntry).where(
                AuditEntry.action == "test.append")).all()
        assert problems == [] and len(appended) == 80 and count >= 80
    finally:
        ws.close()


def test_concurrent_case_creation_gets_distinct_refs(pg_url: str, home: Path) -> None:
    ws = open_workspace(home, store_url=pg_url)
    refs: list[str] = []

    def create(n: int) -> None:
        refs.append(cases.create_case(ws, f"Parallel {n}").ref)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    ws.close()
    assert len(refs) == 6 and len(set(refs)) == 6


def test_a_writer_held_up_past_the_timeout_is_told_busy(pg_url: str, home: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEAPP_BUSY_TIMEOUT_MS", "300")
    ws = open_workspace(home, store_url=pg_url)
    ref = cases.create_case(ws, "Held").ref
    holder = _raw(pg_url)
    try:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
        with pytest.raises(StoreBusy) as info:
            notes.add_note(ws, ref, "never written")
        assert cases.list_cases(ws)[0].ref == ref  # reads go on meanwhile
    finally:
        holder.rollback()
        holder.close()
    assert str(info.value) == ("the store is busy: another caseapp is writing; nothing was "
                               "changed, try again") and info.value.exit_code == 75
    assert notes.list_notes(ws, ref) == []
    notes.add_note(ws, ref, "written once the lock is free")
    assert [n.text for n in notes.list_notes(ws, ref)] == ["written once the lock is free"]
    ws.close()


def test_a_server_restart_mid_unit_is_a_clear_message_and_loses_no_committed_work(
        pg_cluster, pg_url: str, home: Path) -> None:  # noqa: ANN001
    ws = open_workspace(home, store_url=pg_url)
    kept = cases.create_case(ws, "Committed before the restart").ref
    started = pg_cluster.psql("SELECT pg_postmaster_start_time()")
    try:
        with pytest.raises(StoreConnectionLost) as info, ws.unit_of_work():
            cases.create_case(ws, "In flight")
            pg_cluster.restart()
            cases.create_case(ws, "After the restart, same unit")
        assert pg_cluster.psql("SELECT pg_postmaster_start_time()") != started  # restarted
        message = str(info.value)
        assert "could not be reached" in message and "try again" in message
        assert "SELECT" not in message and "INSERT" not in message and "In flight" not in message
        # the next unit reconnects; what was committed is there, the lost unit is not
        assert [c.ref for c in cases.list_cases(ws)] == [kept]
        again = cases.create_case(ws, "After the restart").ref
        assert {c.ref for c in cases.list_cases(ws)} == {kept, again}
    finally:
        ws.close()


def test_server_down_at_open_is_a_clear_store_unavailable(home: Path,
                                                           memory_keyring) -> None:  # noqa: ANN001
    url = f"postgresql://caseapp_admin@127.0.0.1:{free_port()}/nothing"
    with pytest.raises(StoreUnavailable) as info:
        open_workspace(home, store_url=url)
    assert "could not be reached" in str(info.value)
    assert "caseapp_admin@127.0.0.1" in str(info.value) and "SELECT" not in str(info.value)


def test_a_password_in_the_url_is_refused_and_a_wrong_one_is_explained(
        pg_url: str, home: Path, memory_keyring) -> None:  # noqa: ANN001
    with pytest.raises(StoreUnavailable, match="OS keyring") as info:
        open_workspace(home, store_url=pg_url.replace("caseapp_admin@", "caseapp_admin:pw@"))
    assert "pw@" not in str(info.value)
    memory_keyring.set_password(KEYRING_SERVICE, pg_url.split("//")[1].split("/")[0], "wrong")
    with pytest.raises(StoreUnavailable, match="password in the OS keyring"):
        open_workspace(home, store_url=pg_url)


def test_transport_is_reported(pg_url: str, home: Path) -> None:
    ws = open_workspace(home, store_url=pg_url)
    try:
        # the test cluster offers no TLS by default: plain TCP, and said so
        assert ws.store_status() == ("postgresql", pg_url.split("//")[1], "plain", False)
    finally:
        ws.close()
    with open_workspace(home, store_url="") as local:
        assert local.store_status() == ("sqlcipher", str(home), "local-file", True)


def test_tls_is_used_when_the_server_offers_it(pg_cluster, pg_url: str,
                                               tmp_path: Path) -> None:  # noqa: ANN001
    pg_cluster.set_tls(True)
    try:
        with open_workspace(tmp_path / "a", store_url=pg_url) as ws:
            assert ws.store_status().transport == "tls" and ws.store_status().secure
            cases.create_case(ws, "Over TLS")
        # libpq options pass through the URL: sslmode=disable refuses TLS
        with open_workspace(tmp_path / "a", store_url=pg_url + "?sslmode=disable") as ws:
            assert ws.store_status()[2:] == ("plain", False)
            assert [c.title for c in cases.list_cases(ws)] == ["Over TLS"]
    finally:
        pg_cluster.set_tls(False)


def test_two_homes_share_one_team_store(pg_url: str, tmp_path: Path) -> None:
    first = open_workspace(tmp_path / "a", store_url=pg_url)
    ref = cases.create_case(first, "Shared").ref
    second = open_workspace(tmp_path / "b", store_url=pg_url)
    try:
        assert second.store_id == first.store_id  # the team store's identity, not the home's
        notes.add_note(second, ref, "from the second investigator")
        assert [n.text for n in notes.list_notes(first, ref)] == ["from the second investigator"]
        with first.session() as session:
            created = session.exec(select(AuditEntry).where(
                AuditEntry.action == "store.created")).all()
        assert len(created) == 1
    finally:
        first.close()
        second.close()


def test_cli_store_option_and_environment(pg_url: str, tmp_path: Path, capsys,
                                          monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    home = str(tmp_path / "h")
    assert main(["--home", home, "--store", pg_url, "case", "new", "--title", "Via CLI",
                 "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    monkeypatch.setenv("CASEAPP_STORE", pg_url)
    assert main(["--home", home, "case", "list", "--json"]) == 0
    assert [c["ref"] for c in json.loads(capsys.readouterr().out)] == [made["ref"]]
    monkeypatch.delenv("CASEAPP_STORE")
    assert main(["--home", home, "case", "list", "--json"]) == 0  # the home's own: empty
    assert json.loads(capsys.readouterr().out) == []
    with open_workspace(Path(home), store_url=pg_url) as ws, ws.session() as session:
        assert session.exec(select(Case.title)).all() == ["Via CLI"]


def test_the_readme_admin_setup_gives_a_store_two_investigators_share(
        pg_cluster, tmp_path: Path, memory_keyring) -> None:  # noqa: ANN001
    """README "Team mode": a group role owns the database; each investigator is a login role
    in it whose sessions act as the group; the first start creates the schema."""
    from pg_cluster import ADMIN

    pg_cluster.psql("CREATE ROLE caseteam NOLOGIN")
    pg_cluster.psql("CREATE DATABASE caseteam OWNER caseteam")
    for name in ("alice", "bob"):
        pg_cluster.psql(f"CREATE ROLE {name} LOGIN PASSWORD '{name}-pw' IN ROLE caseteam")
        pg_cluster.psql(f"ALTER ROLE {name} SET role TO caseteam")
        memory_keyring.set_password(KEYRING_SERVICE, f"{name}@127.0.0.1:{pg_cluster.port}",
                                    f"{name}-pw")
    alice_url = pg_cluster.dsn("caseteam", user="alice")
    with open_workspace(tmp_path / "alice", store_url=alice_url) as alice:
        ref = cases.create_case(alice, "Team case").ref
    with open_workspace(tmp_path / "bob", store_url=pg_cluster.dsn("caseteam", user="bob")) as bob:
        notes.add_note(bob, ref, "Bob's note")
        assert [c.ref for c in cases.list_cases(bob)] == [ref]
    with open_workspace(tmp_path / "alice", store_url=alice_url) as alice:
        assert [n.text for n in notes.list_notes(alice, ref)] == ["Bob's note"]
    owners = pg_cluster.psql("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = "
                             "'public'", database="caseteam").split()
    assert owners == ["caseteam"] and ADMIN not in owners


def test_backup_of_a_team_store_restores_as_a_local_store(pg_url: str, tmp_path: Path) -> None:
    from caseapp.services.evidence import evidence
    from caseapp.services.maintenance import backup, verify

    team = open_workspace(tmp_path / "home", store_url=pg_url)
    code = team.recovery_code
    ref = cases.create_case(team, "Backed up from the server").ref
    (tmp_path / "a.txt").write_text("exhibit text " * 500, encoding="utf-8")
    evidence.ingest_files(team, ref, [tmp_path / "a.txt"])
    notes.add_note(team, ref, "a note on the server")
    with team.session() as session:
        head = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()  # type: ignore[union-attr]
    result = backup.backup(team, tmp_path / "backup")  # the snapshot ends at that head
    team.close()
    assert head is not None and result["audit_head"]["sha256"] == head.hash
    db = (tmp_path / "backup" / "caseapp.db").read_bytes()
    assert db[:16] != b"SQLite format 3\x00" and b"Backed up" not in db  # still encrypted

    restored = backup.restore(tmp_path / "offline", tmp_path / "backup", recovery_code=code)
    try:
        assert restored.store.kind == "sqlcipher"
        assert [c.ref for c in cases.list_cases(restored)] == [ref]
        assert [n.text for n in notes.list_notes(restored, ref)] == ["a note on the server"]
        report = verify.verify_store(restored)
        assert report.ok and report.blobs_checked == 1, report
        from caseapp.services.discovery import search

        assert [h.type for h in search.search(restored, "server")] == ["case", "note"]
    finally:
        restored.close()


def test_a_full_server_disk_is_the_write_failed_message_without_the_servers_text(
        pg_url: str, home: Path) -> None:
    from caseapp.services.errors import StoreWriteFailed
    from caseapp.store.errors import WRITE_FAILED_MESSAGE

    ws = open_workspace(home, store_url=pg_url)
    ref = cases.create_case(ws, "Disk").ref
    admin = _raw(pg_url)
    admin.execute(
        "CREATE FUNCTION t_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
        "'could not extend file \"base/16384/2619\": No space left on device' USING ERRCODE = "
        "'disk_full'; END $$")
    admin.execute("CREATE TRIGGER t_full BEFORE INSERT ON note FOR EACH ROW "
                  "EXECUTE FUNCTION t_full()")
    admin.commit()
    try:
        with pytest.raises(StoreWriteFailed) as info:
            notes.add_note(ws, ref, "never written")
        assert str(info.value) == WRITE_FAILED_MESSAGE and info.value.exit_code == 74
        assert "base/16384" not in str(info.value) and "INSERT" not in str(info.value)
    finally:
        admin.execute("DROP TRIGGER t_full ON note")
        admin.commit()
        admin.close()
    assert notes.list_notes(ws, ref) == []
    notes.add_note(ws, ref, "written once there is room")  # control: no mapping without it
    assert [n.text for n in notes.list_notes(ws, ref)] == ["written once there is room"]
    ws.close()

"""The team store's audit log: append-only for every application role, one chain under
concurrent writers, each entry naming its database user."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlmodel import Session, select

from caseapp.domain.models import AuditEntry
from caseapp.security import audit
from caseapp.store.postgresql.access import CUSTODIAN, MEMBER
from caseapp.store.postgresql.engine import make_engine, write_engine

WRITER = Path(__file__).with_name("audit_writer.py")
WRITERS, EACH = 8, 25


def walk(dsn: str) -> audit.ChainWalk:
    engine = make_engine(dsn)
    try:
        with Session(engine) as session:
            return audit.walk_chain(session)
    finally:
        engine.dispose()


def test_eight_writer_processes_leave_one_unbroken_chain(team_db: Any, tmp_path: Path) -> None:
    alice, bob = team_db.role("alice", MEMBER), team_db.role("bob", MEMBER)
    before = walk(team_db.dsn).entries
    go = tmp_path / "go"
    procs = [subprocess.Popen(
        [sys.executable, str(WRITER), team_db.dsn_as(alice if n % 2 else bob), str(EACH),
         str(go)], env={"CASEAPP_TEST_PG_PASSWORD": team_db.role_password, "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(WRITERS)]
    go.touch()
    for proc in procs:
        _out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err[-2000:]
    chain = walk(team_db.dsn)
    assert chain.problems == []
    assert chain.entries == before + WRITERS * EACH
    with team_db.connect() as admin:
        rows = admin.execute("SELECT detail FROM audit_entry WHERE action = 'test.concurrent' "
                             "ORDER BY id").fetchall()
    users = [json.loads(r[0])["db_user"] for r in rows]
    assert users.count(alice) == users.count(bob) == WRITERS // 2 * EACH


def _entry_row(team_db: Any) -> tuple[int, str]:
    with team_db.connect() as admin:
        row = admin.execute("SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


@pytest.mark.parametrize("who", ["member", "custodian", "owner"])
def test_no_role_can_update_or_delete_an_entry(team_db: Any, who: str) -> None:
    role = None
    if who == "member":
        role = team_db.role("alice", MEMBER)
    elif who == "custodian":
        role = team_db.role("dora", MEMBER, CUSTODIAN)
    entry_id, digest = _entry_row(team_db)
    with team_db.connect(role) as conn:
        errors = psycopg.errors.InsufficientPrivilege
        with pytest.raises(errors):
            conn.execute("UPDATE audit_entry SET action = 'rewritten' WHERE id = %s",
                         (entry_id,))
        with pytest.raises(errors):  # the columns a writer may complete: not once committed
            conn.execute("UPDATE audit_entry SET hash = %s WHERE id = %s", ("e" * 64, entry_id))
        with pytest.raises(errors):
            conn.execute("DELETE FROM audit_entry WHERE id = %s", (entry_id,))
        with pytest.raises(errors):
            conn.execute("TRUNCATE audit_entry")
    assert _entry_row(team_db) == (entry_id, digest)


def test_the_members_grants_are_select_and_insert_only(team_db: Any) -> None:
    """Table-wide SELECT and INSERT; UPDATE of state/hash only (the trigger limits it to the
    writer's own uncommitted entry); no DELETE or TRUNCATE."""
    with team_db.connect() as admin:
        grants = {r[0] for r in admin.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE table_name = 'audit_entry' AND grantee = %s", (MEMBER,)).fetchall()}
        updatable = {r[0] for r in admin.execute(
            "SELECT column_name FROM information_schema.column_privileges WHERE "
            "table_name = 'audit_entry' AND grantee = %s AND privilege_type = 'UPDATE'",
            (MEMBER,)).fetchall()}
    assert grants == {"SELECT", "INSERT"}
    assert updatable == {"state", "hash"}


def test_a_forged_entry_is_refused(team_db: Any) -> None:
    alice = team_db.role("alice", MEMBER)
    entry_id, digest = _entry_row(team_db)
    with team_db.connect(alice) as conn:
        insert = ("INSERT INTO audit_entry (id, at, actor, action, entity, entity_id, detail, "
                  "prev_hash, hash) VALUES (%s, now(), 'x', 'forged', '', '', %s, %s, %s)")
        cases = [
            (entry_id + 1, {"db_user": alice}, "0" * 64),  # does not continue the head
            (entry_id + 5, {"db_user": alice}, digest),  # leaves a gap
            (entry_id + 1, {"db_user": "someone_else"}, digest),  # names another user
            (entry_id + 1, {}, digest),  # names no user
        ]
        for n, (new_id, detail, prev) in enumerate(cases):
            with pytest.raises(psycopg.errors.CheckViolation):
                conn.execute(insert, (new_id, json.dumps(detail), prev, f"{n:064d}"))
        conn.execute(insert, (entry_id + 1, json.dumps({"db_user": alice}), digest, "f" * 64))
    # accepted by the database (it cannot check the hash) but verify names it
    chain = walk(team_db.dsn)
    assert [p.entry_id for p in chain.problems] == [entry_id + 1]


def test_a_writer_completes_its_own_entry_before_commit_but_never_after(team_db: Any) -> None:
    """What the app's state hashes do: the last entry of a transaction is rehashed at commit."""
    alice = team_db.role("alice", MEMBER)
    audit.install()
    engine = make_engine(team_db.dsn_as(alice))
    try:
        with Session(write_engine(engine)) as session, session.begin():
            entry = audit.append(session, "test.completed", "case", "1", {})
            entry.state = audit.canonical_json({"case:1": ["case", "ab" * 32]})
            entry.hash = audit.entry_hash(entry.prev_hash, entry)
            session.add(entry)
            session.flush()
        with (pytest.raises(Exception, match="append-only"),
              Session(write_engine(engine)) as session, session.begin()):
            stored = session.exec(select(AuditEntry).where(
                AuditEntry.action == "test.completed")).one()
            assert json.loads(stored.detail) == {"db_user": alice}
            stored.hash = "e" * 64  # a column it may complete, but only before commit
            session.add(stored)
            session.flush()
    finally:
        engine.dispose()
    assert walk(team_db.dsn).problems == []

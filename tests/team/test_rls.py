"""Row-level security, checked table by table with raw SQL as different login roles.

The superuser (who bypasses RLS) writes one case with a row in every case-scoped table; then
a member who is not on the case, a viewer and the lead connect with psycopg directly - no
caseapp code between them and the server - and try to read and write each table.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Json

from caseapp.store.postgresql.access import CASE_SCOPED, CUSTODIAN, KEPT_APART, MEMBER

_FILL = {"integer": 1, "bigint": 1, "smallint": 1, "boolean": False, "text": "x",
         "character varying": "x", "double precision": 0.0, "bytea": b"\x00"}


def insert(conn: psycopg.Connection[Any], table: str, **given: Any) -> dict[str, Any]:
    """Insert a row, filling every other NOT NULL column without a default; returns it."""
    cols = conn.execute(
        "SELECT column_name, data_type, column_default FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = %s AND is_nullable = 'NO'",
        (table,)).fetchall()
    values = dict(given)
    for name, dtype, default in cols:
        if name in values or default is not None:
            continue
        if dtype.startswith("timestamp"):
            values[name] = "2026-01-01 00:00:00"
        elif dtype == "tsvector":
            values[name] = ""
        else:
            values[name] = _FILL[dtype]
    names = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    row = conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING "
                       f"row_to_json({table})", list(values.values())).fetchone()
    assert row is not None
    return row[0]


def one_case(conn: psycopg.Connection[Any], seq: int) -> dict[str, int]:
    """A case with a row in every case-scoped table (written by the superuser)."""
    case = insert(conn, "case_file", ref=f"CASE-2026-{seq:04d}", year=2026, seq=seq)["id"]
    subject = insert(conn, "subject", case_id=case)["id"]
    tip = insert(conn, "tip", ref=f"TIP-2026-{seq:04d}", year=2026, seq=seq)["id"]
    ident = insert(conn, "identifier", subject_id=subject, kind="email")["id"]
    evidence = insert(conn, "evidence", case_id=case, number=1)["id"]
    note = insert(conn, "note", case_id=case)["id"]
    checklist = insert(conn, "checklist", case_id=case)["id"]
    imp = insert(conn, "signal_import", case_id=case, evidence_id=evidence)["id"]
    key = conn.execute("SELECT fingerprint FROM team_member_key LIMIT 1").fetchone()
    if key is None:
        insert(conn, "team_member_key", fingerprint="f" * 32, member="nobody-in-particular")
    doc = insert(conn, "search_doc", doc_type="subject", entity_id=subject, case_id=case)["id"]
    rows = {
        "custody_event": dict(evidence_id=evidence), "note_revision": dict(note_id=note),
        "tip_case_link": dict(tip_id=tip, case_id=case),
        "checklist_answer": dict(checklist_id=checklist),
        "export_record": dict(case_id=case), "production": dict(case_id=case),
        "signal_observation": dict(import_id=imp, case_id=case, subject_id=subject),
        "signal_finding": dict(case_id=case, subject_id=subject),
        "case_key_wrap": dict(case_id=case, version=1, member="f" * 32),
        "search_fts": dict(id=doc), "search_near_key": dict(identifier_id=ident,
                                                            near_key="k", kind="email"),
        "search_pending": dict(evidence_id=evidence),
    }
    for table, given in rows.items():
        insert(conn, table, **given)
    return {"case": case, "tip": tip}


def rows_of(conn: psycopg.Connection[Any], table: str) -> list[dict[str, Any]]:
    return [r[0] for r in conn.execute(f"SELECT row_to_json(t) FROM {table} t").fetchall()]


def try_insert_copy(conn: psycopg.Connection[Any], table: str, row: dict[str, Any]) -> None:
    """INSERT a copy of ``row`` (a fresh id where the table has one)."""
    copy = dict(row)
    if "id" in copy and table != "search_fts":
        copy["id"] = int(copy["id"]) + 100000
    if table == "case_file":
        copy.update(ref="CASE-2026-9999", seq=9999)
    conn.execute(f"INSERT INTO {table} SELECT * FROM json_populate_record(NULL::{table}, %s)",
                 (Json(copy),))


def _shared_case(team_db: Any) -> dict[str, Any]:
    alice = team_db.role("alice", MEMBER)
    bob = team_db.role("bob", MEMBER)
    carol = team_db.role("carol", MEMBER)
    with team_db.connect() as admin:
        ids = one_case(admin, 1)
        for role, access in ((alice, "lead"), (carol, "viewer")):
            insert(admin, "case_member", case_id=ids["case"], role_name=role, access=access)
        rows = {table: rows_of(admin, table) for table in CASE_SCOPED}
    return {"alice": alice, "bob": bob, "carol": carol, "rows": rows, **ids}


@pytest.fixture(scope="module")
def module_case(module_team_db: Any) -> dict[str, Any]:
    """Lead alice, viewer carol, outsider bob (a member of the team, not of the case)."""
    return _shared_case(module_team_db)


@pytest.fixture
def shared_case(team_db: Any) -> dict[str, Any]:
    """The same on a database of this test's own (for tests that change it)."""
    return _shared_case(team_db)


def test_every_case_scoped_table_is_forced_and_the_fixture_fills_it(module_team_db: Any,
                                                                   module_case: Any) -> None:
    with module_team_db.connect() as admin:
        flags = dict(admin.execute(
            "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(%s)", (list(CASE_SCOPED),)).fetchall())
    assert flags == {table: True for table in CASE_SCOPED}
    empty = [table for table, rows in module_case["rows"].items() if not rows]
    assert empty == []  # every table has a row the others must not see


def test_every_table_of_the_schema_is_classified(module_team_db: Any) -> None:
    """A new table must be added to the case-scoped list (or the team-wide ones) on purpose."""
    from caseapp.store.postgresql import access

    known = {*access.CASE_SCOPED, *access._TEAM_WIDE_RW, "case_member", "tipster_identity",
             "tipster_reveal", "team_member_key", "audit_entry", "alembic_version"}
    with module_team_db.connect() as admin:
        tables = {r[0] for r in admin.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()}
    assert tables - known == set()


@pytest.mark.parametrize("table", sorted(CASE_SCOPED))
def test_a_non_member_sees_nothing_and_cannot_write(module_team_db: Any, module_case: Any,
                                                    table: str) -> None:
    row = module_case["rows"][table][0]
    with module_team_db.connect(module_case["bob"]) as bob:
        assert bob.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        first_col = next(iter(row))
        assert bob.execute(f"UPDATE {table} SET {first_col} = {first_col}").rowcount == 0
        assert bob.execute(f"DELETE FROM {table}").rowcount == 0
        if table != "case_file":  # anyone in the team may open a new case (and leads it)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                try_insert_copy(bob, table, row)
    with module_team_db.connect() as admin:  # nothing was changed or removed
        assert rows_of(admin, table) == module_case["rows"][table]


@pytest.mark.parametrize("table", sorted(CASE_SCOPED))
def test_a_viewer_reads_but_cannot_edit(module_team_db: Any, module_case: Any, table: str) -> None:
    row = module_case["rows"][table][0]
    with module_team_db.connect(module_case["carol"]) as carol:
        seen = carol.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert seen == (len(module_case["rows"][table]),)
        first_col = next(iter(row))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            carol.execute(f"UPDATE {table} SET {first_col} = {first_col}")
        assert carol.execute(f"DELETE FROM {table}").rowcount == 0
        if table != "case_file":
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                try_insert_copy(carol, table, row)
    with module_team_db.connect() as admin:
        assert rows_of(admin, table) == module_case["rows"][table]


@pytest.mark.parametrize("table", sorted(CASE_SCOPED))
def test_the_lead_reads_and_writes(module_team_db: Any, module_case: Any, table: str) -> None:
    row = module_case["rows"][table][0]
    with module_team_db.connect(module_case["alice"]) as alice:
        seen = alice.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert seen == (len(module_case["rows"][table]),)
        first_col = next(iter(row))
        assert alice.execute(f"UPDATE {table} SET {first_col} = {first_col}").rowcount >= 1


def test_a_role_outside_the_team_has_no_privilege_at_all(module_team_db: Any,
                                                        module_case: Any) -> None:
    stranger = module_team_db.role("eve")
    with module_team_db.connect(stranger) as eve:
        for table in ("case_file", "tip", "audit_entry", "case_member"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                eve.execute(f"SELECT count(*) FROM {table}")


def test_whoever_opens_a_case_leads_it_and_others_do_not_see_it(team_db: Any,
                                                               shared_case: Any) -> None:
    with team_db.connect(shared_case["bob"]) as bob:
        case = insert(bob, "case_file", ref="CASE-2026-0002", year=2026, seq=2)["id"]
        assert bob.execute("SELECT access FROM case_member WHERE case_id = %s",
                           (case,)).fetchall() == [("lead",)]
        insert(bob, "subject", case_id=case)
        # bob, the lead, may let carol see it; carol may not add herself elsewhere
        insert(bob, "case_member", case_id=case, role_name=shared_case["carol"],
               access="viewer")
    with team_db.connect(shared_case["alice"]) as alice:
        assert alice.execute("SELECT count(*) FROM case_file").fetchone() == (1,)
        assert alice.execute("SELECT count(*) FROM subject").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            insert(alice, "case_member", case_id=case, role_name=shared_case["alice"],
                   access="lead")
    with team_db.connect(shared_case["carol"]) as carol:
        assert carol.execute("SELECT count(*) FROM case_file").fetchone() == (2,)
        assert carol.execute("UPDATE case_member SET access = 'lead' WHERE role_name = "
                             "session_user").rowcount == 0
        assert carol.execute("SELECT access FROM case_member WHERE case_id = %s AND "
                             "role_name = session_user", (case,)).fetchone() == ("viewer",)


def test_case_refs_are_allocated_across_cases_a_member_cannot_see(module_team_db: Any,
                                                                 module_case: Any) -> None:
    with module_team_db.connect(module_case["bob"]) as bob:
        assert bob.execute("SELECT max(seq) FROM case_file WHERE year = 2026").fetchone() \
            == (None,)
        assert bob.execute("SELECT caseapp_next_case_seq(2026)").fetchone() == (2,)
        # Bates numbers continue per prefix across every case's productions
        prefix, last = module_case["rows"]["production"][0]["prefix"], \
            module_case["rows"]["production"][0]["bates_last"]
        assert bob.execute("SELECT max(bates_last) FROM production").fetchone() == (None,)
        assert bob.execute("SELECT caseapp_last_bates(%s)", (prefix,)).fetchone() == (last,)


def test_only_the_tip_custodian_reads_a_tipster_identity_and_each_read_is_logged(
        team_db: Any, shared_case: Any) -> None:
    dora = team_db.role("dora", MEMBER, CUSTODIAN)
    with team_db.connect(shared_case["alice"]) as alice:
        tip = insert(alice, "tip", ref="TIP-2026-0099", year=2026, seq=99,
                     tipster_name="Jane Roe", tipster_contact="jane@example.org")
        assert tip["tipster_name"] == KEPT_APART and tip["tipster_contact"] is None
        assert alice.execute("SELECT tipster_name, tipster_contact FROM tip WHERE id = %s",
                             (tip["id"],)).fetchone() == (KEPT_APART, None)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            alice.execute("SELECT * FROM tipster_identity")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            alice.execute("SELECT * FROM caseapp_reveal_tipster(%s)", (tip["id"],))
        # an edit of the identity by a member goes to its own table too (write-only for them)
        alice.execute("UPDATE tip SET tipster_contact = '+1 555 0100' WHERE id = %s",
                      (tip["id"],))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            alice.execute("SELECT caseapp_log_reveal(%s)", (tip["id"],))
    with team_db.connect(dora) as custodian:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            custodian.execute("SELECT * FROM tipster_identity")  # only through the function
        reveal = "SELECT * FROM caseapp_reveal_tipster(%s)"
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            custodian.execute(reveal, (tip["id"],))  # not before the read is on record
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState), \
                custodian.transaction():  # logged in the same transaction: could roll back
            custodian.execute("SELECT caseapp_log_reveal(%s)", (tip["id"],))
            custodian.execute(reveal, (tip["id"],))
        custodian.execute("SELECT caseapp_log_reveal(%s)", (tip["id"],))  # committed
        assert custodian.execute(reveal, (tip["id"],)).fetchall() == [("Jane Roe",
                                                                       "+1 555 0100")]
        assert custodian.execute("SELECT db_user FROM tipster_reveal WHERE tip_id = %s",
                                 (tip["id"],)).fetchall() == [(dora,)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            custodian.execute("DELETE FROM tipster_reveal")
    with team_db.connect() as admin:
        assert admin.execute("SELECT tipster_name FROM tip WHERE id = %s",
                             (tip["id"],)).fetchone() == (KEPT_APART,)
        admin.execute("UPDATE tip SET anonymous = true WHERE id = %s", (tip["id"],))
        assert admin.execute("SELECT tipster_name, (SELECT count(*) FROM tipster_identity) "
                             "FROM tip WHERE id = %s", (tip["id"],)).fetchone() == (None, 0)


def test_a_member_cannot_move_the_teams_evidence_or_identity(module_team_db: Any,
                                                            module_case: Any) -> None:
    with module_team_db.connect(module_case["alice"]) as alice:
        for key in ("team.blobs", "store_id"):
            assert alice.execute("UPDATE store_meta SET value = 's3://elsewhere/x' "
                                 "WHERE key = %s", (key,)).rowcount == 0
            assert alice.execute("DELETE FROM store_meta WHERE key = %s", (key,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            alice.execute("INSERT INTO store_meta (key, value) VALUES ('team.other', 'x')")
        alice.execute("INSERT INTO store_meta (key, value) VALUES ('app.setting', 'x')")
        assert alice.execute("DELETE FROM store_meta WHERE key = 'app.setting'").rowcount == 1
    with module_team_db.connect() as admin:
        assert admin.execute("SELECT value FROM store_meta WHERE key = 'team.blobs'"
                             ).fetchone() == (str(module_team_db.blobs.resolve()),)

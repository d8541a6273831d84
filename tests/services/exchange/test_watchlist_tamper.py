"""Imported watchlists are part of the tamper-evident record states: an entry edited, added
or deleted outside caseapp, or the list's stored SHA-256 changed, is named by verify; import,
re-import and remove through caseapp verify clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from caseapp.security.keys import derive_keys
from caseapp.services.exchange import watchlists as wl
from caseapp.services.maintenance import verify
from tests.services.exchange.test_watchlists import sdn_set


def _attacker(ws: Any) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(ws.home / "caseapp.db"), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{derive_keys(ws.master_key).database.hex()}'\"")
    return conn


def _altered(ws: Any) -> list[str]:
    report = verify.verify_store(ws)
    return [p["where"] for p in report.problems if p["kind"] == "record-altered"]


@pytest.mark.parametrize("sql", [
    "UPDATE watchlist_entry SET value = 'changed@example.com' WHERE kind = 'email'",
    "DELETE FROM watchlist_entry WHERE kind = 'wallet'",
    "INSERT INTO watchlist_entry (watchlist_id, entry_ref, entry_name, entry_type, programmes,"
    " kind, value, normalized, remarks) SELECT id, 'x', 'X', 'entity', '[]', 'email',"
    " 'x@y.example', 'x@y.example', '' FROM watchlist",
    "UPDATE watchlist SET sha256 = 'ab' || substr(sha256, 3)",
])
def test_direct_edits_of_a_watchlist_are_record_altered(ws: Any, tmp_path: Path,
                                                        sql: str) -> None:
    wl.import_watchlist(ws, sdn_set(tmp_path / "ofac"))
    assert verify.verify_store(ws).ok
    conn = _attacker(ws)
    conn.execute(sql)
    conn.close()
    assert _altered(ws) == ["watchlist ofac-sdn"]


def test_a_list_inserted_outside_caseapp_is_named(ws: Any, tmp_path: Path) -> None:
    wl.import_watchlist(ws, sdn_set(tmp_path / "ofac"))
    conn = _attacker(ws)
    conn.execute("INSERT INTO watchlist (name, format, publisher, file_name, list_date, sha256,"
                 " entries, records, skipped, problems, imported_at, imported_by) VALUES"
                 " ('forged', 'csv', '', 'f.csv', '', '', 0, 0, 0, '[]',"
                 " '2026-12-07 10:00:00.000000', 'x')")
    conn.close()
    assert _altered(ws) == ["watchlist forged"]


def test_import_reimport_and_remove_verify_clean(ws: Any, tmp_path: Path) -> None:
    path = sdn_set(tmp_path / "ofac")
    wl.import_watchlist(ws, path)
    wl.import_watchlist(ws, path)  # replaces the entries (new rows) in one transaction
    assert verify.verify_store(ws).ok
    wl.remove_watchlist(ws, "ofac-sdn")
    report = verify.verify_store(ws)
    assert report.ok, report.problems
    conn = _attacker(ws)  # a removed list put back outside caseapp is named
    conn.execute("INSERT INTO watchlist (id, name, format, publisher, file_name, list_date,"
                 " sha256, entries, records, skipped, problems, imported_at, imported_by)"
                 " VALUES (1, 'ofac-sdn', 'ofac-sdn', '', 'sdn.csv', '', '', 0, 0, 0, '[]',"
                 " '2026-12-07 10:00:00.000000', 'x')")
    conn.close()
    assert _altered(ws) == ["watchlist ofac-sdn"]


def test_upgrading_a_store_with_older_watchlists_baselines_them(home: Path,
                                                                 tmp_path: Path) -> None:
    """A store at 0008 whose watchlist was imported before watchlists had state hashes:
    migration 0009 marks the baseline pending, the next open vouches for the list, verify is
    clean (and still names a later edit)."""
    from alembic import command
    from sqlmodel import select

    from caseapp.domain.models import AuditEntry
    from caseapp.services.workspace import open_workspace
    from caseapp.store.migrations.runner import alembic_config
    from caseapp.store.sqlcipher.engine import make_engine, write_engine

    ws = open_workspace(home)
    wl.import_watchlist(ws, sdn_set(tmp_path / "ofac"))
    master = ws.master_key
    ws.close()
    # the schema back at 0008, as a caseapp from before watchlist state hashes left it
    engine = make_engine(home / "caseapp.db", derive_keys(master).database)
    with write_engine(engine).begin() as conn:
        command.downgrade(alembic_config(conn), "0008_team_keys")
    engine.dispose()
    again = open_workspace(home, master_key=master)
    try:
        with again.session() as session:
            baseline = session.exec(select(AuditEntry).where(
                AuditEntry.action == "audit.baseline")).all()
        assert baseline and any("watchlist:" in (e.state or "") for e in baseline)
        assert verify.verify_store(again).ok
        conn = _attacker(again)
        conn.execute("DELETE FROM watchlist_entry WHERE kind = 'wallet'")
        conn.close()
        assert _altered(again) == ["watchlist ofac-sdn"]
    finally:
        again.close()


def test_a_list_with_no_usable_entry_verifies_clean(ws: Any, tmp_path: Path) -> None:
    from tests.services.exchange import listfixtures as fx

    empty = fx.write(tmp_path, "empty.csv", "kind,value,name\n")
    assert wl.import_watchlist(ws, empty).entries == 0
    assert verify.verify_store(ws).ok
    conn = _attacker(ws)  # an entry slipped into the empty list is named
    conn.execute("INSERT INTO watchlist_entry (watchlist_id, entry_ref, entry_name, entry_type,"
                 " programmes, kind, value, normalized, remarks) SELECT id, 'x', 'X', 'entity',"
                 " '[]', 'email', 'x@y.example', 'x@y.example', '' FROM watchlist")
    conn.close()
    assert _altered(ws) == ["watchlist empty"]

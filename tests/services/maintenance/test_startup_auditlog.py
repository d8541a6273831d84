"""The start-up probe and the audit-log/count queries the desktop app uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from caseapp.services.cases import cases, subjects
from caseapp.services.cases.subjects import IdentifierInput
from caseapp.services.evidence import evidence
from caseapp.services.maintenance import auditlog
from caseapp.services.maintenance.startup import probe_store
from caseapp.services.workspace import open_workspace


def test_probe_reports_absent_keyring_and_passphrase_stores(home: Path, no_keyring) -> None:
    probe = probe_store(home)
    assert (probe.exists, probe.key_mode, probe.keyring_usable) == (False, None, False)
    ws = open_workspace(home, lambda _p: "correct horse")
    ws.close()
    probe = probe_store(home)
    assert probe.exists and probe.key_mode == "passphrase" and probe.needs_passphrase


def test_probe_keyring_store(home: Path) -> None:
    assert probe_store(home).keyring_usable
    open_workspace(home).close()
    probe = probe_store(str(home))
    assert probe.exists and probe.key_mode == "keyring" and not probe.needs_passphrase
    assert probe.home == home.resolve()


def test_probe_does_not_import_the_database_layer() -> None:
    code = ("import sys, caseapp.services.maintenance.startup as s; s.probe_store('/nonexistent/x'); "
            "print(sorted(m for m in ('sqlmodel', 'sqlalchemy', 'alembic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHON_KEYRING_BACKEND":
                              "keyring.backends.fail.Keyring"}, check=True)
    assert out.stdout.strip() == "[]"


def test_list_audit_pages_newest_first(ws) -> None:
    for i in range(7):
        cases.create_case(ws, f"Case {i}")
    total = auditlog.audit_count(ws)
    assert total == 8  # store.created + 7 case.created
    first = auditlog.list_audit(ws, limit=3)
    assert [r.id for r in first] == [8, 7, 6]
    detail = dict(first[0].detail)
    if ws.store.kind == "postgresql":  # a team store names the database user in every entry
        assert detail.pop("db_user") == "caseapp_admin"
    assert first[0].action == "case.created" and detail == {"title": "Case 6"}
    rest = auditlog.list_audit(ws, before_id=first[-1].id, limit=100)
    assert [r.id for r in rest] == [5, 4, 3, 2, 1]
    assert rest[-1].action == "store.created" and len(rest[-1].hash) == 64


def test_store_counts(ws, tmp_path: Path) -> None:
    assert auditlog.store_counts(ws) == auditlog.StoreCounts(0, 0, 0, 0, 0)
    a = cases.create_case(ws, "A").ref
    b = cases.create_case(ws, "B").ref
    cases.set_status(ws, b, "closed")
    subjects.add_subject(ws, a, "X", identifiers=[IdentifierInput("email", "x@y.example")])
    for name in ("one.txt", "two.txt"):
        (tmp_path / name).write_text(name)
        evidence.ingest_file(ws, a, tmp_path / name)
    evidence.withdraw(ws, a, "E-001", "wrong file")
    counts = auditlog.store_counts(ws)
    assert counts == auditlog.StoreCounts(cases=2, open_cases=1, subjects=1, exhibits=1, tips=0)


def test_quick_open_reads_the_case_list_read_only(home: Path, tmp_path: Path) -> None:
    from caseapp.services.cases import caselist
    from caseapp.services.maintenance.startup import quick_open

    ws = open_workspace(home)
    refs = [cases.create_case(ws, f"Case {i} 김").ref for i in range(3)]
    subjects.add_subject(ws, refs[0], "X")
    expected = caselist.case_list(ws)
    ws.close()
    for leftover in home.glob("caseapp.db-*"):
        leftover.unlink()  # as after a clean shutdown: no -wal/-shm files
    before = (home / "caseapp.db").stat().st_mtime_ns
    quick = quick_open(home)
    assert quick.key_mode == "keyring" and len(quick.master_key) == 32
    assert quick.rows == expected and [r.ref for r in quick.rows] == [refs[0], refs[2], refs[1]]
    assert (home / "caseapp.db").stat().st_mtime_ns == before
    again = open_workspace(home, master_key=quick.master_key, exclusive=True)
    assert [r.ref for r in cases.list_cases(again)] == [refs[0], refs[2], refs[1]]
    again.close()


def test_quick_open_refuses_wrong_passphrase_and_locked_store(home: Path, no_keyring) -> None:
    import pytest

    from caseapp.services.errors import StoreUnavailable
    from caseapp.services.maintenance.startup import quick_open

    open_workspace(home, lambda _p: "right passphrase").close()
    with pytest.raises(StoreUnavailable, match="Wrong passphrase"):
        quick_open(home, "wrong passphrase")
    assert quick_open(home, "right passphrase").rows == []
    holder = open_workspace(home, lambda _p: "right passphrase", exclusive=True)
    try:
        with pytest.raises(StoreUnavailable, match="already open"):
            quick_open(home, "right passphrase")
    finally:
        holder.close()
    with pytest.raises(StoreUnavailable, match="No caseapp store"):
        quick_open(home / "elsewhere")


def test_open_workspace_with_a_wrong_master_key_fails(home: Path) -> None:
    import pytest

    from caseapp.services.errors import StoreUnavailable

    open_workspace(home).close()
    with pytest.raises(StoreUnavailable):
        open_workspace(home, master_key=b"\x00" * 32)

"""verify, backup and restore."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from caseapp.services.cases import cases
from caseapp.services.errors import InvalidInput, StoreUnavailable
from caseapp.services.evidence import evidence
from caseapp.services.maintenance import backup, verify
from caseapp.services.workspace import open_workspace


def _store_with_exhibits(ws, tmp_path: Path) -> str:
    case = cases.create_case(ws, "Integrity")
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(f"content of {name}" * 1000)
    evidence.ingest_files(ws, case.ref, [tmp_path / "a.txt", tmp_path / "b.txt"])
    return case.ref


def test_verify_clean_store(ws, tmp_path) -> None:
    _store_with_exhibits(ws, tmp_path)
    report = verify.verify_store(ws)
    assert report.ok and report.blobs_checked == 2 and report.audit_entries >= 4
    assert report.to_json()["problems"] == []


def test_verify_reports_corrupt_and_missing_blobs(ws, tmp_path) -> None:
    ref = _store_with_exhibits(ws, tmp_path)
    first, second = evidence.list_evidence(ws, ref)
    path = ws.vault.path_of(first.blob_id)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    ws.vault.path_of(second.blob_id).unlink()
    report = verify.verify_store(ws)
    assert not report.ok
    kinds = {(p["kind"], p["where"]) for p in report.problems}
    assert kinds == {("blob-corrupt", f"{ref}/E-001"), ("blob-missing", f"{ref}/E-002")}


def test_verify_reports_tampered_audit_row(ws, tmp_path) -> None:
    _store_with_exhibits(ws, tmp_path)
    with ws.store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_entry SET detail = '{\"title\":\"forged\"}' "
                             "WHERE id = 2"))
    report = verify.verify_store(ws)
    assert not report.ok
    assert {"kind": "audit-broken", "where": "audit#2",
            "detail": "entry content does not match its hash"} in report.problems


def test_verify_reports_deleted_audit_row(ws, tmp_path) -> None:
    _store_with_exhibits(ws, tmp_path)
    with ws.store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_entry WHERE id = 3"))
    report = verify.verify_store(ws)
    assert any(p["where"] == "audit#4" for p in report.problems)


def test_backup_restore_with_recovery_code(home, tmp_path) -> None:
    ws = open_workspace(home)
    code = ws.recovery_code
    ref = _store_with_exhibits(ws, tmp_path)
    dest = tmp_path / "backup"
    backup.backup(ws, dest)
    ws.close()
    assert (dest / "caseapp.db").read_bytes()[:16] != b"SQLite format 3\x00"
    with pytest.raises(InvalidInput, match="not empty"):
        ws2 = open_workspace(home)
        try:
            backup.backup(ws2, dest)
        finally:
            ws2.close()

    new_home = tmp_path / "elsewhere"
    with pytest.raises(StoreUnavailable, match="Wrong recovery code"):
        backup.restore(new_home, dest, recovery_code="AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA")
    assert not (new_home / "caseapp.db").exists()
    restored = backup.restore(new_home, dest, recovery_code=code)
    assert [r.ref for r in cases.list_cases(restored)] == [ref]
    assert verify.verify_store(restored).ok
    restored.close()
    open_workspace(new_home, create=False).close()


def test_restore_refuses_non_empty_home_and_damaged_backup(home, tmp_path) -> None:
    ws = open_workspace(home)
    code = ws.recovery_code
    _store_with_exhibits(ws, tmp_path)
    backup.backup(ws, tmp_path / "bk")
    ws.close()
    with pytest.raises(InvalidInput, match="already holds"):
        backup.restore(home, tmp_path / "bk", recovery_code=code)
    blob = next((tmp_path / "bk" / "vault").glob("*.cav"))
    blob.write_bytes(blob.read_bytes() + b"x")
    with pytest.raises(InvalidInput, match="damaged"):
        backup.restore(tmp_path / "h2", tmp_path / "bk", recovery_code=code)


def test_demo_loads_once(ws) -> None:
    from caseapp.services.errors import Conflict
    from caseapp.services.maintenance import demo

    summary = demo.load_demo(ws)
    assert len(summary["cases"]) >= 3
    assert verify.verify_store(ws).ok
    with pytest.raises(Conflict):
        demo.load_demo(ws)

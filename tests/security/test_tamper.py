"""Tampering with a real store as an insider holding the key would, and what verify says.

Each test opens the SQLCipher file directly with the derived database key (no caseapp code in
between), changes it, and runs the real ``verify``. ``FAULTS`` counts what is injected here;
the README's security section and the closing note quote the table.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlcipher3

from caseapp.security.audit import canonical_json
from caseapp.security.keys import derive_keys
from caseapp.services.cases import cases, notes, subjects
from caseapp.services.cases.subjects import IdentifierInput
from caseapp.services.evidence import evidence
from caseapp.services.maintenance import backup, verify
from caseapp.services.redflags import checklists
from caseapp.services.tips import tips
from caseapp.services.workspace import Workspace, open_workspace


@pytest.fixture
def store(home: Path, tmp_path: Path) -> Iterator[tuple[Workspace, str]]:
    ws = open_workspace(home)
    case = cases.create_case(ws, "Tamper target", summary="A remote hire")
    subjects.add_subject(ws, case.ref, "Kim", identifiers=[IdentifierInput("email",
                                                                          "kim@mail.example")])
    notes.add_note(ws, case.ref, "First interview: camera off.")
    src = tmp_path / "resume.txt"
    src.write_text("Senior engineer, ten years", encoding="utf-8")
    evidence.ingest_file(ws, case.ref, src)
    tips.create_tip(ws, content="Laptop shipped to a farm", channel="hotline")
    checklists.set_item(ws, case.ref, "identity.shared-contact", state="suspected", note="same mail")
    yield ws, case.ref
    ws.close()


def attacker(ws: Workspace) -> sqlcipher3.Connection:
    """The database opened directly with the derived key: no caseapp code in between."""
    conn = sqlcipher3.connect(str(ws.home / "caseapp.db"), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{derive_keys(ws.master_key).database.hex()}'\"")
    return conn


def kinds(report: verify.VerifyReport) -> set[tuple[str, str]]:
    return {(p["kind"], p["where"]) for p in report.problems}


def test_a_clean_store_verifies(store) -> None:
    ws, _ref = store
    report = verify.verify_store(ws)
    assert report.ok, report.problems
    assert report.records_checked >= 7 and report.anchors_checked == 0


@pytest.mark.parametrize(("sql", "where"), [
    ("UPDATE note SET text = 'camera on' WHERE id = 1", "/note#1"),
    ("UPDATE identifier SET raw = 'k@evil.example', normalized = 'k@evil.example'",
     "/subject#1/identifier#1"),
    ("UPDATE evidence SET sha256 = '" + "0" * 64 + "'", "/E-001"),
    ("UPDATE tip SET content = 'nothing to see'", "TIP-"),
    ("UPDATE checklist_answer SET state = 'not-observed'", "/checklist"),
    ("UPDATE case_file SET status = 'closed'", "CASE-"),
    ("UPDATE subject SET name = 'Someone else'", "/subject#1"),
    ("DELETE FROM custody_event WHERE id = (SELECT MAX(id) FROM custody_event)", "/E-001"),
    ("DELETE FROM note", "/note#1"),
    ("INSERT INTO note (case_id, occurred_at, occurred_tz, recorded_at, updated_at, author, "
     "text, version) SELECT id, opened_at, 'UTC', opened_at, opened_at, 'x', 'planted', 1 "
     "FROM case_file", "/note#2"),
])
def test_direct_edits_are_record_altered_naming_the_record(store, sql, where) -> None:
    ws, ref = store
    conn = attacker(ws)
    conn.execute(sql)
    conn.close()
    report = verify.verify_store(ws)
    altered = [p["where"] for p in report.problems if p["kind"] == "record-altered"]
    assert not report.ok and any(where in w for w in altered), report.problems
    assert all(w.startswith(("CASE-", "TIP-")) for w in altered)


def test_changed_exhibit_hash_is_also_a_hash_mismatch(store) -> None:
    ws, ref = store
    conn = attacker(ws)
    conn.execute("UPDATE evidence SET sha256 = ?", ("0" * 64,))
    conn.close()
    assert {("hash-mismatch", f"{ref}/E-001"), ("record-altered", f"{ref}/E-001")} <= kinds(
        verify.verify_store(ws))


def _delete_last(ws: Workspace, n: int) -> None:
    conn = attacker(ws)
    conn.execute("DELETE FROM audit_entry WHERE id > (SELECT MAX(id) FROM audit_entry) - ?",
                 (n,))
    conn.close()


def test_deleting_the_last_entries_is_caught_by_the_records_they_vouched_for(store) -> None:
    ws, _ref = store
    _delete_last(ws, 3)
    (ws.home / "anchors.log").unlink(missing_ok=True)  # no anchor at all
    report = verify.verify_store(ws)
    assert not report.ok
    assert {k for k, _w in kinds(report)} == {"record-altered"}


def test_deleting_entries_that_vouch_for_nothing_needs_an_anchor(store) -> None:
    ws, _ref = store
    for _ in range(3):
        verify.verify_store(ws)  # three store.verified entries, each anchored in anchors.log
    log = (ws.home / "anchors.log").read_text(encoding="ascii")
    _delete_last(ws, 2)
    (ws.home / "anchors.log").unlink()
    assert verify.verify_store(ws).ok, "without an anchor the cut cannot be seen"
    _delete_last(ws, 2)  # the entry just written and one more verify entry
    (ws.home / "anchors.log").write_text(log, encoding="ascii")
    report = verify.verify_store(ws)
    truncated = [p for p in report.problems if p["kind"] == "audit-truncated"]
    assert truncated and "anchors.log line" in truncated[0]["detail"]


def _rewrite_from(ws: Workspace, entry_id: int, new_detail: dict[str, object]) -> None:
    """Change one entry and recompute every later hash, as a careful insider would."""
    conn = attacker(ws)
    rows = conn.execute("SELECT id, at, actor, action, entity, entity_id, detail, state, "
                        "prev_hash FROM audit_entry WHERE id >= ? ORDER BY id",
                        (entry_id,)).fetchall()
    prev = rows[0][8]
    for rid, at, actor, action, entity, entity_id, detail, state, _prev in rows:
        if rid == entry_id:
            detail = canonical_json(new_detail)
        payload = {"id": rid, "at": at.replace(" ", "T") + ("" if "+" in at else "+00:00"),
                   "actor": actor, "action": action, "entity": entity,
                   "entity_id": entity_id, "detail": json.loads(detail)}
        if state is not None:
            payload["state"] = json.loads(state)
        digest = hashlib.sha256(prev.encode() + canonical_json(payload).encode()).hexdigest()
        conn.execute("UPDATE audit_entry SET detail = ?, prev_hash = ?, hash = ? WHERE id = ?",
                     (detail, prev, digest, rid))
        prev = digest
    conn.close()


def test_a_consistent_rewrite_is_found_only_through_an_anchor(store, tmp_path) -> None:
    ws, _ref = store
    backup.backup(ws, tmp_path / "bk")  # anchors the head in the manifest and anchors.log
    (tmp_path / "kept").mkdir()
    shutil.copy(tmp_path / "bk" / "backup.json", tmp_path / "kept" / "backup.json")
    (ws.home / "anchors.log").unlink()
    assert verify.verify_store(ws).ok  # (appends a verify anchor; remove it again)
    (ws.home / "anchors.log").unlink()
    _rewrite_from(ws, 2, {"title": "a title that was never typed"})
    assert verify.verify_store(ws).ok, "a full rewrite with no anchor left is undetectable"
    (ws.home / "anchors.log").unlink()
    report = verify.verify_store(ws, anchor_files=[tmp_path / "kept" / "backup.json"])
    assert ("audit-rewritten" in {p["kind"] for p in report.problems}), report.problems


def test_anchor_files_that_hold_no_anchor_are_refused(store, tmp_path) -> None:
    ws, _ref = store
    plain = tmp_path / "notes.txt"
    plain.write_text("nothing here", encoding="utf-8")
    from caseapp.services.errors import InvalidInput

    with pytest.raises(InvalidInput, match="no caseapp anchor"):
        verify.verify_store(ws, anchor_files=[plain])


def test_orphans_are_reported_and_quarantined_never_deleted(store) -> None:
    ws, _ref = store
    orphan = ws.vault.root / ("f" * 32 + ".cav")
    orphan.write_bytes(b"ciphertext")
    report = verify.verify_store(ws)
    assert ("blob-orphan", f"vault/{'f' * 32}") in kinds(report)
    repaired = verify.verify_store(ws, repair=True)
    assert repaired.quarantined == ["f" * 32]
    assert (ws.vault.root / "quarantine" / orphan.name).read_bytes() == b"ciphertext"
    assert verify.verify_store(ws).ok


def test_a_case_file_handed_out_catches_a_rewrite_of_the_log_before_it(store, tmp_path) -> None:
    """The PDF alone is enough: no anchors.log, no backup; the log rewritten consistently."""
    from caseapp.services.casefile.exports import export_case_file

    ws, ref = store
    pdf = export_case_file(ws, ref, tmp_path / "handed-out.pdf").path
    (ws.home / "anchors.log").unlink()
    _rewrite_from(ws, 2, {"title": "a title that was never typed"})
    assert verify.verify_store(ws).ok, "without the case file the rewrite is invisible"
    (ws.home / "anchors.log").unlink()
    report = verify.verify_store(ws, anchor_files=[pdf])
    rewritten = [p for p in report.problems if p["kind"] == "audit-rewritten"]
    assert rewritten and "handed-out.pdf" in rewritten[0]["detail"], report.problems

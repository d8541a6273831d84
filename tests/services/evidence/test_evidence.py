"""Evidence ingest, custody, withdraw, open/export and the faults around them."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from caseapp.services.cases import cases
from caseapp.services.errors import Conflict, InvalidInput
from caseapp.services.evidence import evidence


@pytest.fixture
def case_ref(ws) -> str:
    return cases.create_case(ws, "Evidence case").ref


def _vault_files(ws) -> list[Path]:
    return sorted(p for p in (ws.home / "vault").rglob("*") if p.is_file())


def test_ingest_hashes_encrypts_and_logs_custody(ws, case_ref, tmp_path) -> None:
    data = os.urandom(300_000)
    src = tmp_path / "login ips 한국어.csv"
    src.write_bytes(data)
    ev = evidence.ingest_file(ws, case_ref, src, acquisition=evidence.Acquisition(
        acquired_by="J. Doe", acquired_from="IT security", method="SIEM export"))
    assert ev.exhibit == "E-001" and ev.sha256 == hashlib.sha256(data).hexdigest()
    assert ev.size == len(data) and ev.media_type == "text/csv"
    blobs = _vault_files(ws)
    assert len(blobs) == 1 and data[:64] not in blobs[0].read_bytes()
    assert blobs[0].name.isascii() and "csv" not in blobs[0].name
    actions = [e.action for e in evidence.custody_log(ws, ev.id)]
    assert actions == ["acquired", "ingested"]


def test_zero_byte_and_odd_names(ws, case_ref, tmp_path) -> None:
    names = ["empty.bin", "with space.txt", "Иван 王伟.txt", "new\nline.txt"]
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_bytes(b"" if name == "empty.bin" else name.encode())
        paths.append(path)
    outcomes = evidence.ingest_files(ws, case_ref, paths)
    assert [o.evidence.exhibit for o in outcomes] == ["E-001", "E-002", "E-003", "E-004"]
    assert outcomes[0].evidence.size == 0
    assert outcomes[0].evidence.sha256 == hashlib.sha256(b"").hexdigest()


def test_duplicate_content_is_reported_not_stored(ws, case_ref, tmp_path) -> None:
    (tmp_path / "a.txt").write_text("same")
    (tmp_path / "b.txt").write_text("same")
    first, second = evidence.ingest_files(ws, case_ref, [tmp_path / "a.txt", tmp_path / "b.txt"])
    assert second.duplicate_of == first.evidence.exhibit
    assert second.to_json() == {"path": str(tmp_path / "b.txt"), "duplicate_of": "E-001"}
    assert len(_vault_files(ws)) == 1


def test_bad_paths_fail_alone_and_leave_nothing(ws, case_ref, tmp_path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("ok")
    folder = tmp_path / "folder"
    folder.mkdir()
    outcomes = evidence.ingest_files(ws, case_ref, [tmp_path / "missing.txt", folder, good])
    assert outcomes[0].error and "missing.txt" in outcomes[0].error
    assert outcomes[1].error
    assert outcomes[2].evidence.exhibit == "E-001"
    assert len(_vault_files(ws)) == 1


def test_unreadable_file(ws, case_ref, tmp_path, monkeypatch) -> None:
    src = tmp_path / "secret.txt"
    src.write_text("x")
    import builtins

    def denying(real_open):  # type: ignore[no-untyped-def]
        """``real_open``, but refusing ``src`` as a file without read permission would."""
        def deny(path, *args, **kwargs):  # type: ignore[no-untyped-def]
            if str(path) == str(src):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)
        return deny

    monkeypatch.setattr(os, "open", denying(os.open))
    monkeypatch.setattr(builtins, "open", denying(builtins.open))
    [outcome] = evidence.ingest_files(ws, case_ref, [src])
    assert "Permission denied" in outcome.error
    assert evidence.list_evidence(ws, case_ref) == []


def test_file_changing_during_ingest_is_refused(ws, case_ref, tmp_path) -> None:
    src = tmp_path / "growing.log"
    src.write_bytes(b"a" * 3_000_000)

    def grow(done: int, total: int) -> None:
        with src.open("ab") as handle:
            handle.write(b"more")

    with pytest.raises(evidence.IngestFailed, match="changed"):
        evidence.ingest_file(ws, case_ref, src, progress=grow)
    assert evidence.list_evidence(ws, case_ref) == [] and _vault_files(ws) == []


def test_disk_full_mid_ingest_leaves_nothing(ws, case_ref, tmp_path, monkeypatch) -> None:
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(24_000_000))
    real_write, real_pwrite = os.write, getattr(os, "pwrite", None)
    calls = {"n": 0}

    def fail_after_two() -> None:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.ENOSPC, "No space left on device")

    def failing_write(fd: int, data) -> int:  # type: ignore[no-untyped-def]
        fail_after_two()
        return real_write(fd, data)

    def failing_pwrite(fd: int, data, offset: int) -> int:  # type: ignore[no-untyped-def]
        fail_after_two()
        return real_pwrite(fd, data, offset)

    # Simulate the disk filling at the OS call, whichever write primitive the vault uses.
    monkeypatch.setattr(os, "write", failing_write)
    if real_pwrite is not None:
        monkeypatch.setattr(os, "pwrite", failing_pwrite)
    with pytest.raises(evidence.IngestFailed):
        evidence.ingest_file(ws, case_ref, src)
    monkeypatch.undo()
    assert evidence.list_evidence(ws, case_ref) == []
    assert [p for p in (ws.home / "vault").rglob("*") if p.is_file()] == []


def test_cancel_stores_nothing(ws, case_ref, tmp_path) -> None:
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(4_000_000))
    with pytest.raises(evidence.Cancelled):
        evidence.ingest_file(ws, case_ref, src, cancel=lambda: True)
    assert evidence.list_evidence(ws, case_ref) == [] and _vault_files(ws) == []


def test_withdraw_keeps_record_and_blob(ws, case_ref, tmp_path) -> None:
    (tmp_path / "x.txt").write_text("x")
    ev = evidence.ingest_file(ws, case_ref, tmp_path / "x.txt")
    with pytest.raises(InvalidInput):
        evidence.withdraw(ws, case_ref, "E-001", "  ")
    out = evidence.withdraw(ws, case_ref, "e1", "Obtained without authorisation")
    assert out.withdrawn_at and out.withdrawn_reason == "Obtained without authorisation"
    with pytest.raises(Conflict):
        evidence.withdraw(ws, case_ref, "E-001", "again")
    assert evidence.list_evidence(ws, case_ref)[0].id == ev.id
    assert len(_vault_files(ws)) == 1
    assert evidence.custody_log(ws, ev.id)[-1].action == "withdrawn"


def test_open_and_export_original(ws, case_ref, tmp_path) -> None:
    data = os.urandom(70_000)
    (tmp_path / "photo.png").write_bytes(data)
    ev = evidence.ingest_file(ws, case_ref, tmp_path / "photo.png")
    opened = evidence.open_exhibit(ws, case_ref, "E-001")
    assert opened.read_bytes() == data and str(ws.home / "open") in str(opened)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    exported = evidence.export_original(ws, case_ref, "E-001", out_dir)
    assert exported.read_bytes() == data
    actions = [e.action for e in evidence.custody_log(ws, ev.id)]
    assert actions[-2:] == ["opened", "exported"]
    ws.wipe_open_dir()
    assert not opened.exists()
    check = evidence.verify_exhibit(ws, case_ref, "E-001")
    assert check.ok


def test_text_exhibit_content_is_searchable_right_after_ingest(ws, case_ref, tmp_path) -> None:
    from sqlalchemy import text

    (tmp_path / "chat.txt").write_text("the courier used the alias Zebrafinch", encoding="utf-8")
    evidence.ingest_file(ws, case_ref, tmp_path / "chat.txt")
    with ws.store.engine.connect() as conn:
        pending = conn.execute(text("SELECT count(*) FROM search_pending")).scalar()
    assert pending == 0
    from caseapp.services.discovery.search import search

    assert [h.type for h in search(ws, "zebrafinch")] == ["exhibit"]


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd", "_.._etc_passwd"),
    ("..", "E-001.bin"),
    ("CON.txt", "_CON.txt"),
    ("nul", "_nul"),
    ("résumé 김민준.pdf", "résumé 김민준.pdf"),
    ("a:b*c?.txt", "a_b_c_.txt"),
])
def test_safe_file_name_never_escapes_or_breaks_on_windows(name: str, expected: str) -> None:
    assert evidence.safe_file_name(name, "E-001.bin") == expected

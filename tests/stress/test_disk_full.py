"""A full disk (a file-size limit, which fails writes with EFBIG exactly where ENOSPC would)
during ingest, a note, an export and a backup: one clear line, no traceback, the right exit
code, nothing half-written, and the store opens and verifies as before.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from harness import PASSPHRASE, caseapp, state, verify

from caseapp.services.cases import cases
from caseapp.services.evidence import evidence
from caseapp.services.workspace import open_workspace

REF = "CASE-2026-0001"
pytestmark = pytest.mark.skipif(not hasattr(__import__("os"), "fork"),
                                reason="file-size limits need POSIX rlimits")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("disk-full-base")
    ws = open_workspace(root / "home", lambda _p: PASSPHRASE, key_mode="passphrase")
    case = cases.create_case(ws, "Disk case")
    assert case.ref == REF
    (root / "small.txt").write_text("small exhibit", encoding="utf-8")
    evidence.ingest_file(ws, case.ref, root / "small.txt")
    ws.close()
    (root / "big.bin").write_bytes(bytes(range(256)) * 16384)  # 4 MiB
    return root


@pytest.fixture
def home(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(base / "home", copy)
    return copy


def _limit_above(home: Path, margin: int) -> int:
    """A size limit just above every file the store has now (so opening it still works)."""
    return max(p.stat().st_size for p in home.rglob("*") if p.is_file()) + margin


def _assert_clear_failure(err: str) -> None:
    assert "Traceback" not in err
    assert "unexpected error" not in err
    assert "disk is full" in err
    assert "INSERT" not in err and "UPDATE" not in err  # no SQL text


def _assert_unchanged(home: Path, before: dict[str, object]) -> None:
    assert state(home) == before
    report = verify(home)
    assert report["ok"], report["problems"]
    assert not list((home / "vault").rglob("*.tmp"))
    assert not any(p.name.startswith(".") and p.is_file() and p.suffix == ".tmp"
                   for p in home.rglob("*"))


def test_ingest_on_a_full_disk_reports_the_file_and_keeps_the_store(base, home) -> None:
    before = state(home)
    run = caseapp(home, "evidence", "add", REF, str(base / "big.bin"), "--json",
                  max_file_size=1 << 20)
    assert run.code == 1, run.err
    [outcome] = run.json()
    assert "disk is full" in outcome["error"]
    assert "Traceback" not in run.err
    _assert_unchanged(home, before)
    incoming = home / "vault" / ".incoming"
    assert not incoming.exists() or not any(incoming.iterdir())


def test_note_on_a_full_disk_is_not_half_written(home) -> None:
    before = state(home)
    huge = "observed " * 400_000  # 3.6 MB of note text, beyond the limit
    run = caseapp(home, "note", "add", REF, "-", stdin=huge,
                  max_file_size=_limit_above(home, 256 << 10))
    assert run.code == 74, run.err
    _assert_clear_failure(run.err)
    _assert_unchanged(home, before)
    after = caseapp(home, "note", "add", REF, "a short note after the disk was freed", "--json")
    assert after.code == 0, after.err


def test_export_on_a_full_disk_leaves_no_partial_pdf(home, tmp_path) -> None:
    before = state(home)
    out = tmp_path / "out" / "case.pdf"
    out.parent.mkdir()
    run = caseapp(home, "export", REF, "--out", str(out),
                  max_file_size=16 << 10)
    assert run.code == 74, run.err
    _assert_clear_failure(run.err)
    assert list(out.parent.iterdir()) == []
    _assert_unchanged(home, before)


def test_backup_on_a_full_disk_leaves_no_partial_backup(home, tmp_path) -> None:
    before = state(home)
    dest = tmp_path / "backup"
    run = caseapp(home, "backup", str(dest), max_file_size=16 << 10)
    assert run.code == 74, run.err
    _assert_clear_failure(run.err)
    assert not dest.exists() or not any(dest.iterdir())
    assert not (tmp_path / "backup.partial").exists()
    _assert_unchanged(home, before)


def test_exhibit_export_on_a_full_disk_leaves_no_partial_file(base, home, tmp_path) -> None:
    added = caseapp(home, "evidence", "add", REF, str(base / "big.bin"), "--json")
    assert added.code == 0, added.err
    before = state(home)
    dest = tmp_path / "exported"
    dest.mkdir()
    run = caseapp(home, "evidence", "export", REF, "E-002", "--out", str(dest),
                  max_file_size=1 << 20)
    assert run.code == 74, run.err
    _assert_clear_failure(run.err)
    assert list(dest.iterdir()) == []
    _assert_unchanged(home, before)


def test_tips_import_on_a_full_disk_imports_nothing_half(home, tmp_path) -> None:
    before = state(home)
    rows = "".join(f"2026-03-01T10:00:00Z,hotline,Tip {i} {'about a laptop farm ' * 400}\n"
                   for i in range(200))
    csv_file = tmp_path / "tips.csv"
    csv_file.write_text("received_at,channel,content\n" + rows, encoding="utf-8")
    run = caseapp(home, "tips", "import", str(csv_file),
                  max_file_size=_limit_above(home, 64 << 10))
    assert run.code == 74, run.err
    _assert_clear_failure(run.err)
    after = state(home)
    # One transaction per row: rows before the failure stay whole, the failing one is undone.
    assert after["cases"] == before["cases"] and after["exhibits"] == before["exhibits"]
    assert verify(home)["ok"]
    rerun = caseapp(home, "tips", "import", str(csv_file), "--json")
    assert rerun.code == 0, rerun.err
    report = rerun.json()
    assert report["imported"] + report["skipped_duplicates"] == 200


def test_restore_on_a_full_disk_leaves_no_half_home(home, tmp_path) -> None:
    recovery = _recovery_code(home)  # a new code: the backup below carries it
    backup_dir = tmp_path / "backup"
    made = caseapp(home, "backup", str(backup_dir))
    assert made.code == 0, made.err
    target = tmp_path / "restored"
    run = caseapp(target, "restore", str(backup_dir), "--recovery-code", recovery,
                  max_file_size=16 << 10)
    assert run.code == 74, run.err
    _assert_clear_failure(run.err)
    again = caseapp(target, "restore", str(backup_dir), "--recovery-code", recovery)
    assert again.code == 0, again.err
    assert verify(target)["ok"]


def _recovery_code(home: Path) -> str:
    run = caseapp(home, "key", "recovery-code")
    assert run.code == 0, run.err
    return next(w for w in run.out.split() if w.count("-") >= 3)

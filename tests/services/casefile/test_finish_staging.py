"""Stale production staging folders: only the named target's, only unlocked ones, names taken
literally (a target named like a glob pattern matches itself only)."""

from __future__ import annotations

from pathlib import Path

from caseapp.services.casefile.finish import remove_stale_staging, staging_lock


def _staged(parent: Path, name: str) -> Path:
    folder = parent / f".{name}.x1.part"
    folder.mkdir()
    Path(str(folder) + ".lock").touch()  # left by a production that died
    return folder


def test_stale_staging_of_the_named_target_only(tmp_path: Path) -> None:
    mine = _staged(tmp_path, "prod[1]")
    other = _staged(tmp_path, "prod1")  # matched by the pattern "prod[1]", not by the name
    unlocked_export = tmp_path / ".prod[1].x2.part"  # no lock file: not a production's
    unlocked_export.mkdir()
    assert remove_stale_staging(tmp_path, set(), "prod[1]") == [str(mine)]
    assert not mine.exists() and other.exists() and unlocked_export.exists()


def test_running_or_recorded_staging_is_kept(tmp_path: Path) -> None:
    running = _staged(tmp_path, "a")
    recorded = _staged(tmp_path, "b")
    lock = staging_lock(running)
    lock.acquire()
    try:
        assert remove_stale_staging(tmp_path, {str(recorded)}) == []
    finally:
        lock.release()
    assert running.exists() and recorded.exists()
    assert remove_stale_staging(tmp_path, set()) == [str(running), str(recorded)]

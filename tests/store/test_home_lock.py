"""The single-GUI lock: refuses a second holder, and a crashed holder does not leave it stuck."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from caseapp.store.home import HomeLock, HomeLocked, resolve_home

HOLDER = """
import sys, time
from pathlib import Path
from caseapp.store.home import HomeLock
lock = HomeLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


def test_lock_released_when_holder_crashes(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with pytest.raises(HomeLocked, match="already open"):
            HomeLock(tmp_path).acquire()
        proc.send_signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
        proc.wait(timeout=30)
        lock = HomeLock(tmp_path)
        lock.acquire()
        lock.release()
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_resolve_home_precedence(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CASEAPP_HOME", str(tmp_path / "env"))
    assert resolve_home(str(tmp_path / "cli")) == (tmp_path / "cli").resolve()
    assert resolve_home(None) == (tmp_path / "env").resolve()
    monkeypatch.delenv("CASEAPP_HOME")
    assert resolve_home(None).name == "caseapp"

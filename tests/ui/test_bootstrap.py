"""The real entry point (``caseapp`` without a command) in a child process, offscreen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from caseapp.services.cases import cases
from caseapp.services.workspace import open_workspace


def test_caseapp_paints_then_opens_the_store(tmp_path: Path, no_keyring) -> None:
    home = tmp_path / "home"
    ws = open_workspace(home, lambda _p: "bootstrap passphrase", key_mode="passphrase")
    for i in range(5):
        cases.create_case(ws, f"Case {i}")
    ws.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CASEAPP_BENCH_READY": "1",
           "CASEAPP_PASSPHRASE": "bootstrap passphrase", "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    out = subprocess.run([sys.executable, "-m", "caseapp", "--home", str(home)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    assert float(lines["first-paint"]) < float(lines["list-ready"]) < float(lines["app-ready"])
    assert lines["heavy-modules-at-first-paint"] == "-", "the database layer was imported early"
    assert lines["rows"] == "5"
    log = (home / "logs" / "caseapp-ui.log").read_text(encoding="utf-8")
    assert "store.opened" in log and "Case 1" not in log


def test_wrong_env_passphrase_asks_instead_of_failing(tmp_path: Path, no_keyring) -> None:
    home = tmp_path / "home"
    open_workspace(home, lambda _p: "the real one", key_mode="passphrase").close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CASEAPP_BENCH_READY": "1",
           "CASEAPP_PASSPHRASE": "not it", "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    # Without a user to type, the unlock dialog stays open; the process must not crash.
    proc = subprocess.Popen([sys.executable, "-m", "caseapp", "--home", str(home)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        proc.wait(timeout=8)
        crashed = True
    except subprocess.TimeoutExpired:
        crashed = False
    finally:
        proc.kill()
        stdout, _stderr = proc.communicate()
    assert not crashed and "first-paint" in stdout and "list-ready" not in stdout
    log = (home / "logs" / "caseapp-ui.log").read_text(encoding="utf-8")
    assert "store.open-failed error=StoreUnavailable" in log

"""kill -9 during a signals import (before its commit, mid-parse, in the vault): the store is
as before (at most a complete orphaned blob that verify names), and a rerun imports it all."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from harness import KILLED, caseapp

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.services.signals.helpers import signin_log  # noqa: E402


def _setup(home: Path) -> str:
    made = caseapp(home, "case", "new", "--title", "Kill test", "--json")
    assert made.code == 0, made.err
    ref = made.json()["ref"]
    added = caseapp(home, "subject", "add", ref, "Jane Roe", "--identifier",
                    "email:jane.roe@example.com")
    assert added.code == 0, added.err
    return ref


@pytest.mark.parametrize("step", ["signals.before-commit", "evidence.before-commit",
                                  "vault.before-rename"])
def test_killed_import_leaves_nothing_and_rerun_completes(tmp_path, step) -> None:
    home = tmp_path / "home"
    ref = _setup(home)
    log = signin_log(tmp_path / "signins.csv")
    killed = caseapp(home, "signals", "import", ref, str(log), fault=step)
    assert killed.code == KILLED, (killed.code, killed.err)
    listed = caseapp(home, "evidence", "list", ref, "--json")
    assert listed.code == 0 and listed.json() == []
    findings = caseapp(home, "signals", "findings", ref, "--json")
    assert findings.code == 0 and findings.json()["findings"] == []
    assert findings.json()["imports"] == [] and findings.json()["locations"] == []
    subjects = caseapp(home, "case", "list", "--json")
    assert subjects.code == 0
    checked = caseapp(home, "verify", "--json")
    problems = {p["kind"] for p in checked.json()["problems"]}
    assert problems <= {"blob-orphan", "temp-leftover"}, checked.out
    again = caseapp(home, "signals", "import", ref, str(log), "--json")
    assert again.code == 0, again.err
    assert again.json()["exhibit"] == "E-001" and again.json()["findings"]

"""The CLI contract: forms, JSON shapes, exit codes, messages without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.runner import run


def test_case_subject_note_evidence_json(capsys, home, tmp_path) -> None:
    code, out, err = run(capsys, home, "case", "new", "--title", "Remote dev <b>&", "--subject",
                         "김민준", "--json")
    assert code == 0 and "RECOVERY CODE" in err
    case = json.loads(out)
    assert case["ref"].startswith("CASE-") and case["title"] == "Remote dev <b>&"
    assert {"id", "ref", "title", "status"} <= case.keys() and case["status"] == "open"

    code, out, _ = run(capsys, home, "case", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and listed[0]["ref"] == case["ref"]
    assert {"id", "ref", "title", "status", "priority", "opened_at"} <= listed[0].keys()
    assert listed[0]["opened_at"].endswith("+00:00")

    code, out, _ = run(capsys, home, "subject", "add", case["ref"], "Dan", "--alias", "D.",
                       "--identifier", "email:Dan@Mail.Example", "--identifier",
                       "url:https://github.com/Dan", "--identifier", "ip:2001:DB8::1", "--json")
    subject = json.loads(out)
    assert code == 0 and subject["case"] == case["ref"] and subject["aliases"] == ["D."]
    assert [(i["kind"], i["normalized"]) for i in subject["identifiers"]] == [
        ("email", "dan@mail.example"), ("url", "https://github.com/dan"), ("ip", "2001:db8::1")]
    assert all({"id", "kind", "raw", "normalized", "normalized_ok"} <= i.keys()
               for i in subject["identifiers"])

    code, out, _ = run(capsys, home, "note", "add", case["ref"], "Called HR", "--at",
                       "2026-03-02T10:15:00+09:00", "--json")
    note = json.loads(out)
    assert code == 0 and note["case"] == case["ref"]
    assert note["occurred_at"] == "2026-03-02T01:15:00+00:00"

    (tmp_path / "a.txt").write_text("alpha")
    code, out, err = run(capsys, home, "evidence", "add", case["ref"], str(tmp_path / "a.txt"),
                         str(tmp_path / "a.txt"), str(tmp_path / "nope.txt"), "--json")
    results = json.loads(out)
    assert code == 1
    assert results[0]["exhibit"] == "E-001" and results[0]["name"] == "a.txt"
    assert results[0]["sha256"] == (
        "8ed3f6ad685b959ead7022518e1af76cd816f8e8ec7ccdda1ed4018e8f2223f8")
    assert results[1] == {"path": str(tmp_path / "a.txt"), "duplicate_of": "E-001"}
    assert "error" in results[2] and "nope.txt" in err

    code, out, _ = run(capsys, home, "verify", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["blobs_checked"] == 1
    assert report["problems"] == []


def test_usage_errors_exit_2(capsys, home) -> None:
    assert run(capsys, home, "case", "new")[0] == 2
    code, _, err = run(capsys, home, "case", "new", "--title", "x", "--priority", "urgent")
    assert code == 2 and "low, medium, high, critical" in err
    code, _, err = run(capsys, home, "subject", "add", "CASE-2026-0001", "X", "--identifier",
                       "fax:123")
    assert code == 2 and "identifier kind" in err and "Traceback" not in err


def test_unknown_case_is_clear(capsys, home) -> None:
    run(capsys, home, "case", "list")
    code, _, err = run(capsys, home, "note", "add", "CASE-2000-0009", "x")
    assert code == 1 and "No case 'CASE-2000-0009'" in err


def test_verify_names_each_problem(capsys, home, tmp_path) -> None:
    run(capsys, home, "case", "new", "--title", "V")
    (tmp_path / "f.bin").write_bytes(b"x" * 1000)
    run(capsys, home, "evidence", "add", "CASE-2026-0001", str(tmp_path / "f.bin"))
    for blob in (home / "vault").glob("*.cav"):
        blob.write_bytes(blob.read_bytes()[:-10])
    code, out, _ = run(capsys, home, "verify", "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert report["problems"][0]["kind"] == "blob-corrupt"
    assert report["problems"][0]["where"].endswith("/E-001")


def _subprocess(home: Path, *args: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEAPP_")}
    env.update({"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
                "CASEAPP_SCRYPT_LOG2N": "10", **env_extra})
    return subprocess.run([sys.executable, "-m", "caseapp", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def test_no_keyring_uses_passphrase_and_wrong_one_exits_3(tmp_path) -> None:
    home = tmp_path / "h"
    none = _subprocess(home, "case", "list", env_extra={})
    assert none.returncode == 3 and "passphrase" in none.stderr and "Traceback" not in none.stderr
    ok = _subprocess(home, "case", "new", "--title", "P", "--json",
                     env_extra={"CASEAPP_PASSPHRASE": "s3cret"})
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["ref"].startswith("CASE-")
    assert (home / "keyfile.json").exists()
    wrong = _subprocess(home, "case", "list", env_extra={"CASEAPP_PASSPHRASE": "nope"})
    assert wrong.returncode == 3 and "Wrong passphrase" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    again = _subprocess(home, "case", "list", "--json", env_extra={"CASEAPP_PASSPHRASE": "s3cret"})
    assert [c["title"] for c in json.loads(again.stdout)] == ["P"]


@pytest.mark.parametrize("args", [["demo"]])
def test_demo_refuses_non_empty_store(capsys, home, args) -> None:
    assert run(capsys, home, *args)[0] == 0
    code, _, err = run(capsys, home, *args)
    assert code == 1 and "empty store" in err


def test_backup_and_restore_cli(capsys, home, tmp_path, monkeypatch) -> None:
    code, _, err = run(capsys, home, "case", "new", "--title", "B")
    recovery = err.split("write it down and keep it apart from this computer): ")[1].split()[0]
    assert run(capsys, home, "backup", str(tmp_path / "bk"))[0] == 0
    new_home = tmp_path / "new"
    code, _, err = run(capsys, new_home, "restore", str(tmp_path / "bk"), "--recovery-code",
                       "WRONG-CODE")
    assert code == 3 and "Wrong recovery code" in err
    code, _, err = run(capsys, new_home, "restore", str(tmp_path / "bk"), "--recovery-code",
                       recovery)
    assert code == 0, err
    code, out, _ = run(capsys, new_home, "case", "list", "--json")
    assert [c["title"] for c in json.loads(out)] == ["B"]

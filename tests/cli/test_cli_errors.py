"""What a terminal user sees when things go wrong: busy store, unexpected errors, closed
pipes, names that hide characters."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from caseapp.services.workspace import open_workspace
from tests.cli.runner import run

ENV = {**os.environ, "CASEAPP_PASSPHRASE": "pw", "CASEAPP_SCRYPT_LOG2N": "10",
       "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def test_busy_store_is_one_line_and_exit_75(capsys, home, monkeypatch) -> None:
    monkeypatch.setenv("CASEAPP_BUSY_TIMEOUT_MS", "200")
    ws = open_workspace(home)
    raw = ws.store.engine.raw_connection()  # type: ignore[attr-defined]
    raw.driver_connection.execute("BEGIN IMMEDIATE")
    try:
        code, out, err = run(capsys, home, "case", "new", "--title", "Blocked")
    finally:
        raw.driver_connection.execute("ROLLBACK")
        raw.close()
        ws.close()
    assert code == 75 and out == ""
    assert err == ("caseapp: the store is busy: another caseapp is writing; nothing was "
                   "changed, try again\n")
    code, out, _err = run(capsys, home, "case", "list", "--json")
    assert code == 0 and json.loads(out) == []


def test_unexpected_error_shows_no_sql_and_no_case_data(capsys, home, monkeypatch) -> None:
    from caseapp.services.cases import cases

    def boom(*_a: object, **_k: object) -> None:
        raise sa.exc.IntegrityError("INSERT INTO case_file (title) VALUES (?)",
                                    ("Secret subject Kim",), Exception("UNIQUE failed"))

    monkeypatch.setattr(cases, "create_case", boom)
    code, out, err = run(capsys, home, "case", "new", "--title", "Secret subject Kim")
    assert code == 1 and out == ""
    assert "IntegrityError" in err and "--debug" in err
    for leak in ("INSERT", "case_file", "Secret", "UNIQUE"):
        assert leak not in err
    code, _out, err = run(capsys, home, "--debug", "case", "new", "--title", "Secret")
    assert code == 1 and "INSERT INTO case_file" in err, "--debug keeps the detail"


def test_piping_into_head_ends_quietly(tmp_path) -> None:
    home = tmp_path / "home"
    exe = [sys.executable, "-m", "caseapp", "--home", str(home)]
    subprocess.run([*exe, "demo"], env=ENV, check=True, capture_output=True)
    reader = subprocess.Popen([*exe, "search", "laptop", "--json"], env=ENV,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.read(5)
    reader.stdout.close()  # what `| head -c 5` does
    err = reader.stderr.read().decode()
    assert reader.wait(timeout=60) == 0
    assert err == ""


@pytest.mark.parametrize("name", ["rtl\u202egpj.exe", "in\u200bvoice.pdf", "a\u2066b\u2069.txt"])
def test_hidden_characters_in_file_names_are_shown_and_flagged(capsys, home, tmp_path,
                                                               name) -> None:
    code, out, _ = run(capsys, home, "case", "new", "--title", "Spoof", "--json")
    ref = json.loads(out)["ref"]
    src = tmp_path / name
    src.write_bytes(b"payload")
    code, out, _ = run(capsys, home, "evidence", "add", ref, str(src), "--json")
    assert code == 0
    added = json.loads(out)[0]
    assert added["name"] == name, "kept exactly as recorded"
    assert added["hidden_characters"] and all(c.startswith("U+") for c in added["hidden_characters"])
    for ch in name:
        if not ch.isprintable():
            assert ch not in out, "raw hidden characters never reach the terminal"
    code, out, _ = run(capsys, home, "evidence", "list", ref)
    assert code == 0 and "⟨U+" in out and "WARNING" in out
    assert all(ch.isprintable() or ch in "\t\n" for ch in out)

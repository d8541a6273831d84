"""Key set-up: keyring, passphrase fallback, recovery code, second instance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseapp.security.keys import KeyManager, keyring_usable
from caseapp.services.cases import cases
from caseapp.services.errors import StoreUnavailable
from caseapp.services.workspace import open_workspace


def test_keyring_mode_creates_store_and_reopens_silently(home: Path, memory_keyring) -> None:
    ws = open_workspace(home)
    assert ws.key_mode == "keyring" and ws.recovery_code
    cases.create_case(ws, "First")
    ws.close()
    assert not (home / "keyfile.json").exists()
    assert len(memory_keyring.secrets) == 1
    again = open_workspace(home)
    assert again.recovery_code is None
    assert [r.title for r in cases.list_cases(again)] == ["First"]
    again.close()


def test_missing_keyring_requires_passphrase_never_plaintext(home: Path, no_keyring) -> None:
    assert not keyring_usable()
    with pytest.raises(StoreUnavailable, match="passphrase"):
        open_workspace(home, None)
    assert not (home / "caseapp.db").exists()
    ws = open_workspace(home, lambda purpose: "correct horse")
    assert ws.key_mode == "passphrase"
    ws.close()
    keyfile = json.loads((home / "keyfile.json").read_text())
    assert keyfile["kdf"] == "scrypt" and "wrapped" in keyfile


def test_wrong_passphrase_is_a_clear_error_not_a_new_store(home: Path, no_keyring) -> None:
    ws = open_workspace(home, lambda p: "right one")
    cases.create_case(ws, "Keep me")
    ws.close()
    with pytest.raises(StoreUnavailable, match="Wrong passphrase"):
        open_workspace(home, lambda p: "wrong one")
    ws = open_workspace(home, lambda p: "right one")
    assert [r.title for r in cases.list_cases(ws)] == ["Keep me"]
    ws.close()


def test_plaintext_keyring_backends_are_unusable(monkeypatch) -> None:
    import keyring

    class PlaintextKeyring:  # stands in for keyrings.alt.file.PlaintextKeyring
        priority = 0.5
    PlaintextKeyring.__module__ = "keyrings.alt.file"
    monkeypatch.setattr(keyring, "get_keyring", lambda: PlaintextKeyring())
    assert not keyring_usable()


def test_lost_keyring_entry_points_to_recovery(home: Path, memory_keyring) -> None:
    ws = open_workspace(home)
    code = ws.recovery_code
    ws.close()
    memory_keyring.secrets.clear()
    with pytest.raises(StoreUnavailable, match="recovery code"):
        open_workspace(home)
    from caseapp.services.maintenance.keys import recover_key

    assert recover_key(home, code.lower()) == "keyring"  # codes are case-insensitive
    open_workspace(home).close()


def test_second_gui_instance_is_refused_until_first_closes(home: Path) -> None:
    first = open_workspace(home, exclusive=True)
    with pytest.raises(StoreUnavailable, match="already open"):
        open_workspace(home, exclusive=True)
    # CLI commands may still run beside the GUI.
    open_workspace(home).close()
    first.close()
    open_workspace(home, exclusive=True).close()


def test_recovery_code_rotation_invalidates_old(home: Path) -> None:
    from caseapp.security.keys import WrongSecret
    from caseapp.services.maintenance.keys import issue_recovery_code

    ws = open_workspace(home)
    old = ws.recovery_code
    new = issue_recovery_code(ws)
    ws.close()
    keys = KeyManager(home)
    assert keys.unlock_with_recovery(new)
    with pytest.raises(WrongSecret):
        keys.unlock_with_recovery(old)


def test_change_passphrase(home: Path, no_keyring) -> None:
    from caseapp.services.maintenance.keys import change_passphrase

    ws = open_workspace(home, lambda p: "old pass")
    change_passphrase(ws, "new pass")
    ws.close()
    with pytest.raises(StoreUnavailable):
        open_workspace(home, lambda p: "old pass")
    open_workspace(home, lambda p: "new pass").close()

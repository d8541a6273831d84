"""The key lifecycle: a new recovery code, a new passphrase, recovering a lost keyring entry."""

from __future__ import annotations

from pathlib import Path

from caseapp.security import audit
from caseapp.security.keys import (
    KeyManager,
    KeyProblem,
    keyring_usable,
)
from caseapp.services.errors import InvalidInput, StoreUnavailable
from caseapp.services.workspace import Workspace


def issue_recovery_code(ws: Workspace) -> str:
    """A new recovery code; the previous one stops working."""
    code = KeyManager(ws.home).issue_recovery_code(ws.master_key)
    with ws.transaction() as session:
        audit.append(session, "key.recovery-code", "store", ws.store_id, {})
    return code


def change_passphrase(ws: Workspace, new_passphrase: str) -> None:
    """Re-wrap the master key under a new passphrase."""
    try:
        KeyManager(ws.home).change_passphrase(ws.master_key, new_passphrase)
    except KeyProblem as exc:
        raise InvalidInput(str(exc)) from None
    with ws.transaction() as session:
        audit.append(session, "key.passphrase-changed", "store", ws.store_id, {})


def recover_key(home: Path, recovery_code: str, new_passphrase: str | None = None) -> str:
    """Unlock with the recovery code and keep the key on this machine; returns the mode."""
    keys = KeyManager(home)
    if not keys.exists():
        raise InvalidInput(f"No caseapp store in {home}.")
    try:
        master = keys.unlock_with_recovery(recovery_code)
        if not keyring_usable() and not new_passphrase:
            raise StoreUnavailable("No usable OS keyring: give a new passphrase too.")
        return keys.adopt(master, None if keyring_usable() else new_passphrase)
    except KeyProblem as exc:
        raise StoreUnavailable(str(exc)) from None

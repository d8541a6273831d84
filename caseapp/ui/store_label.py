"""What the status bar says about the store: which one, how it is reached, how it is keyed.

A team store reached over unencrypted TCP is said plainly (in the error colour), because case
data then crosses the network in clear; evidence is still sealed on this machine.
"""

from __future__ import annotations

from typing import NamedTuple

from caseapp.services.workspace import StoreStatus

_TRANSPORT_WORDS = {"tls": "TLS", "local-socket": "local socket"}


class StoreLabel(NamedTuple):
    """The status-bar text, its tooltip, and whether it is a warning."""

    text: str
    tooltip: str
    warning: bool


def store_label(status: StoreStatus, key_mode: str) -> StoreLabel:
    """The words for ``status``; ``key_mode`` is the home's ("keyring" or "passphrase")."""
    mode = "OS keyring" if key_mode == "keyring" else "passphrase"
    if status.kind == "sqlcipher":
        return StoreLabel(f"Encrypted store · key: {mode}",
                          "The database (SQLCipher) and every exhibit (AES-256-GCM) are "
                          "encrypted at rest.", False)
    evidence = "Every exhibit is encrypted on this machine (AES-256-GCM) before it is stored."
    if status.secure:
        how = _TRANSPORT_WORDS.get(status.transport, status.transport)
        return StoreLabel(f"Team store (PostgreSQL, {how}) · key: {mode}",
                          f"Records on the team's PostgreSQL server {status.location}, reached "
                          f"over {how}. {evidence}", False)
    return StoreLabel("Team store (PostgreSQL) · connection NOT encrypted",
                      f"The connection to {status.location} is not encrypted: case records "
                      "cross the network in clear. Ask the administrator to turn on TLS "
                      f"(ssl = on), or add ?sslmode=require to the store URL. {evidence}", True)

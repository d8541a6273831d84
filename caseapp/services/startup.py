"""Cheap facts about a data home for the app's start-up path.

Nothing here imports the database layer (SQLAlchemy/SQLModel/Alembic), so the desktop app can
find out whether a store exists and how it is unlocked before paying for those imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoreProbe:
    """What the app needs to know before unlocking a data home."""

    home: Path
    exists: bool
    #: "keyring" or "passphrase" for an existing store, else None.
    key_mode: str | None
    #: True when a new store could keep its key in the OS keyring.
    keyring_usable: bool

    @property
    def needs_passphrase(self) -> bool:
        """An existing store that is unlocked with a passphrase."""
        return self.exists and self.key_mode == "passphrase"


def resolve_home(cli_home: str | Path | None = None) -> Path:
    """``--home`` wins, then ``CASEAPP_HOME``, then the platform's user data folder."""
    from caseapp.store.home import resolve_home as _resolve

    return _resolve(cli_home)


def probe_store(home: str | Path | None = None) -> StoreProbe:
    """Whether ``home`` holds a store, its key mode, and whether a keyring is usable here."""
    from caseapp.security.keys import KeyManager, keyring_usable

    path = resolve_home(home)
    keys = KeyManager(path)
    exists = keys.exists()
    mode = keys.manifest().key_mode if exists else None
    return StoreProbe(home=path, exists=exists, key_mode=mode, keyring_usable=keyring_usable())

"""Master-key management: OS keyring, passphrase fallback, recovery code.

A data home has one random 256-bit master key. It lives in the OS keyring (service
``caseapp``, user = the store id) when a usable backend exists; otherwise it is wrapped under a
scrypt-derived key in ``keyfile.json``. It is always also wrapped under a high-entropy recovery
code in ``recovery.json`` so that losing the keyring never means losing the cases. Separate
sub-keys for the database and the vault are derived with HKDF.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from caseapp.store.files import atomic_write_text

KEYRING_SERVICE = "caseapp"
MANIFEST_NAME = "store.json"
KEYFILE_NAME = "keyfile.json"
RECOVERY_NAME = "recovery.json"
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_RECOVERY_GROUPS = 6  # 6 groups x 5 chars x 5 bits = 150 bits


class KeyProblem(Exception):
    """Base class for key errors; messages are shown to the user as they are."""


class WrongSecret(KeyProblem):
    """The passphrase or recovery code does not unlock the key."""


class KeyUnavailable(KeyProblem):
    """No way to obtain the master key (no keyring entry, no passphrase given)."""


@dataclass(frozen=True)
class DerivedKeys:
    database: bytes
    vault: bytes


@dataclass(frozen=True)
class Manifest:
    """Non-secret facts about a data home, kept in ``store.json``."""

    store_id: str
    key_mode: str  # "keyring" or "passphrase"
    created_at: str
    format: int = 1

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, sort_keys=True)


PassphraseProvider = Callable[[str], str | None]
"""Called with a prompt ("new" or "unlock"); returns the passphrase or None to give up."""


def derive_keys(master: bytes) -> DerivedKeys:
    """Derive independent database and vault keys from the master key."""

    def hkdf(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return DerivedKeys(database=hkdf(b"caseapp/sqlcipher/v1"), vault=hkdf(b"caseapp/vault/v1"))


def keyring_usable() -> bool:
    """True when the active keyring backend really stores secrets in an OS keystore."""
    try:
        import keyring

        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - any backend failure means unusable
        return False
    return _backend_usable(backend)


def _backend_usable(backend: Any) -> bool:
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(_backend_usable(b) for b in backend.backends)
    module = type(backend).__module__
    # keyrings.alt's file backends keep secrets in (at best weakly protected) files.
    if module.startswith("keyrings.alt") or module.endswith(".null"):
        return False
    try:
        return float(backend.priority) > 0
    except Exception:  # noqa: BLE001
        return False


def new_recovery_code() -> str:
    """A random recovery code such as ``K7QX2-...`` (150 bits of entropy)."""
    groups = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(5))
        for _ in range(_RECOVERY_GROUPS)
    ]
    return "-".join(groups)


def _canonical_recovery(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def _scrypt_log2n() -> int:
    # Tests lower the cost through this variable; production uses 2^17 (~0.5 s here).
    return int(os.environ.get("CASEAPP_SCRYPT_LOG2N", "17"))


def wrap_with_passphrase(master: bytes, passphrase: str, store_id: str) -> dict[str, Any]:
    """Wrap the master key under a scrypt-derived key."""
    salt = os.urandom(16)
    log2n = _scrypt_log2n()
    kek = Scrypt(salt=salt, length=32, n=2**log2n, r=8, p=1).derive(passphrase.encode("utf-8"))
    nonce = os.urandom(12)
    wrapped = AESGCM(kek).encrypt(nonce, master, store_id.encode("ascii"))
    return {
        "kdf": "scrypt",
        "log2n": log2n,
        "r": 8,
        "p": 1,
        "salt": _b64(salt),
        "nonce": _b64(nonce),
        "wrapped": _b64(wrapped),
    }


def unwrap_with_passphrase(blob: dict[str, Any], passphrase: str, store_id: str) -> bytes:
    """Unwrap a passphrase-wrapped key; raises WrongSecret."""
    kek = Scrypt(
        salt=_unb64(blob["salt"]), length=32, n=2 ** int(blob["log2n"]), r=int(blob["r"]),
        p=int(blob["p"]),
    ).derive(passphrase.encode("utf-8"))
    try:
        return AESGCM(kek).decrypt(_unb64(blob["nonce"]), _unb64(blob["wrapped"]),
                                   store_id.encode("ascii"))
    except InvalidTag:
        raise WrongSecret("Wrong passphrase.") from None


def wrap_with_recovery(master: bytes, code: str, store_id: str) -> dict[str, Any]:
    """Wrap the master key under a recovery code (high entropy, so HKDF suffices)."""
    salt = os.urandom(16)
    kek = HKDF(hashes.SHA256(), 32, salt, b"caseapp/recovery/v1").derive(
        _canonical_recovery(code).encode("ascii"))
    nonce = os.urandom(12)
    wrapped = AESGCM(kek).encrypt(nonce, master, store_id.encode("ascii"))
    return {"kdf": "hkdf-sha256", "salt": _b64(salt), "nonce": _b64(nonce),
            "wrapped": _b64(wrapped)}


def unwrap_with_recovery(blob: dict[str, Any], code: str, store_id: str) -> bytes:
    """Unwrap a recovery-wrapped key; raises WrongSecret."""
    kek = HKDF(hashes.SHA256(), 32, _unb64(blob["salt"]), b"caseapp/recovery/v1").derive(
        _canonical_recovery(code).encode("ascii"))
    try:
        return AESGCM(kek).decrypt(_unb64(blob["nonce"]), _unb64(blob["wrapped"]),
                                   store_id.encode("ascii"))
    except InvalidTag:
        raise WrongSecret("Wrong recovery code.") from None


class KeyManager:
    """Creates, unlocks and re-wraps the master key of one data home."""

    def __init__(self, home: Path) -> None:
        self.home = home

    # -- manifest -----------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.home / MANIFEST_NAME

    def exists(self) -> bool:
        return self.manifest_path.exists()

    def manifest(self) -> Manifest:
        data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        return Manifest(store_id=data["store_id"], key_mode=data["key_mode"],
                        created_at=data["created_at"], format=data.get("format", 1))

    def _write_json(self, name: str, data: dict[str, Any]) -> None:
        atomic_write_text(self.home / name, json.dumps(data, indent=2, sort_keys=True))

    # -- creation -----------------------------------------------------------------------
    def create(self, store_id: str, created_at: str, passphrase: str | None) -> tuple[bytes, str]:
        """Create a master key; keyring when usable and no passphrase given.

        Returns (master key, recovery code). The recovery code is shown to the user once.
        """
        master = os.urandom(32)
        mode = self._store_master(master, store_id, passphrase)
        code = new_recovery_code()
        self._write_json(RECOVERY_NAME, wrap_with_recovery(master, code, store_id))
        manifest = Manifest(store_id=store_id, key_mode=mode, created_at=created_at)
        atomic_write_text(self.manifest_path, manifest.to_json())
        return master, code

    def _store_master(self, master: bytes, store_id: str, passphrase: str | None) -> str:
        if passphrase is None:
            if not keyring_usable():
                raise KeyUnavailable(
                    "No usable OS keyring: choose a passphrase (or set CASEAPP_PASSPHRASE).")
            import keyring

            try:
                keyring.set_password(KEYRING_SERVICE, store_id, _b64(master))
            except Exception as exc:  # noqa: BLE001 - backend-specific failures
                raise KeyUnavailable(f"The OS keyring refused the key ({exc}); "
                                     "choose a passphrase instead.") from exc
            return "keyring"
        if not passphrase:
            raise KeyUnavailable("The passphrase must not be empty.")
        self._write_json(KEYFILE_NAME, wrap_with_passphrase(master, passphrase, store_id))
        return "passphrase"

    # -- unlocking ----------------------------------------------------------------------
    def needs_passphrase(self) -> bool:
        return self.manifest().key_mode == "passphrase"

    def unlock(self, passphrase: str | None = None) -> bytes:
        """Return the master key from the keyring, or from keyfile.json with the passphrase."""
        manifest = self.manifest()
        if manifest.key_mode == "keyring":
            stored = None
            try:
                import keyring

                stored = keyring.get_password(KEYRING_SERVICE, manifest.store_id)
            except Exception:  # noqa: BLE001
                stored = None
            if stored:
                return _unb64(stored)
            raise KeyUnavailable(
                "The key of this store is not in this machine's keyring. Unlock it with the "
                "recovery code: caseapp key recover")
        if passphrase is None:
            raise KeyUnavailable("This store is protected by a passphrase; none was given "
                                 "(set CASEAPP_PASSPHRASE or run on a terminal).")
        blob = json.loads((self.home / KEYFILE_NAME).read_text(encoding="utf-8"))
        return unwrap_with_passphrase(blob, passphrase, manifest.store_id)

    def unlock_with_recovery(self, code: str) -> bytes:
        blob = json.loads((self.home / RECOVERY_NAME).read_text(encoding="utf-8"))
        return unwrap_with_recovery(blob, code, self.manifest().store_id)

    # -- re-wrapping --------------------------------------------------------------------
    def issue_recovery_code(self, master: bytes) -> str:
        """Replace the recovery code; the old one stops working."""
        code = new_recovery_code()
        self._write_json(RECOVERY_NAME, wrap_with_recovery(master, code, self.manifest().store_id))
        return code

    def adopt(self, master: bytes, passphrase: str | None) -> str:
        """Keep ``master`` on this machine (after a restore or recovery); returns the mode."""
        manifest = self.manifest()
        mode = self._store_master(master, manifest.store_id, passphrase)
        if mode == "keyring":
            (self.home / KEYFILE_NAME).unlink(missing_ok=True)
        updated = Manifest(manifest.store_id, mode, manifest.created_at, manifest.format)
        atomic_write_text(self.manifest_path, updated.to_json())
        return mode

    def change_passphrase(self, master: bytes, new_passphrase: str) -> None:
        """Re-wrap the key under a new passphrase (passphrase mode only)."""
        if self.manifest().key_mode != "passphrase":
            raise KeyProblem("This store keeps its key in the OS keyring; it has no passphrase.")
        if not new_passphrase:
            raise KeyProblem("The passphrase must not be empty.")
        self._write_json(KEYFILE_NAME, wrap_with_passphrase(master, new_passphrase,
                                                            self.manifest().store_id))

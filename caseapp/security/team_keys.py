"""Team mode keys: a key pair per member, a data key per case wrapped for each member.

* **Member key pair** (X25519). The private key is kept like a data home's master key
  (:mod:`caseapp.security.keys`): in the OS keyring when one is usable, else wrapped under a
  scrypt-derived passphrase key in ``member_key.json``, and always also wrapped under a
  recovery code. The public key is registered with the team store; its *fingerprint* (first
  16 bytes of its SHA-256, hex) names the member in wrapped keys.
* **Case data key** (32 random bytes; the vault key of that case's evidence), in versions: a
  new version when a member is removed, so new evidence is sealed under a key the removed
  member never had. Every version stays, wrapped for every current member, so old evidence
  stays readable by those who remain.
* **Wrapping** (the construction of age's X25519 recipients, with AES-256-GCM): a fresh
  ephemeral X25519 key pair per wrap; ``kek = HKDF-SHA256(ikm = X25519(eph, member),
  salt = eph_pub || member_pub, info = "caseapp/case-key-wrap/v1")``; the case key is sealed
  with AES-256-GCM under ``kek`` with associated data binding the case, the key version and
  the member, so a wrapped key moved to another case, version or member fails to open.

Pure: no files except :class:`MemberKeyStore`, no database. The team store persists each
:class:`WrappedKey` as a ``case_key_wrap`` row (:func:`to_row`, :func:`state_from_rows`) and
the members' public keys as ``team_member_key`` rows.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from caseapp.domain.team_models import CaseKeyWrap
from caseapp.security.keys import (
    KEYRING_SERVICE,
    KeyProblem,
    KeyUnavailable,
    WrongSecret,
    keyring_usable,
    new_recovery_code,
    unwrap_with_passphrase,
    unwrap_with_recovery,
    wrap_with_passphrase,
    wrap_with_recovery,
)
from caseapp.store.files import atomic_write_text

MEMBER_KEY_NAME = "member_key.json"
_WRAP_INFO = b"caseapp/case-key-wrap/v1"
_AAD_TAG = b"caseapp/case-key/v1"
_RAW = serialization.Encoding.Raw


class TeamKeyError(KeyProblem):
    """A case key cannot be had: not wrapped for this member, or a wrapped key is damaged."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def public_bytes(private: X25519PrivateKey) -> bytes:
    """The raw 32-byte public key of a member's private key."""
    return private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)


def fingerprint(public: bytes) -> str:
    """A member's name in wrapped keys: the first 16 bytes of SHA-256(public key), hex."""
    if len(public) != 32:
        raise TeamKeyError("A member public key is 32 bytes.")
    return hashlib.sha256(public).hexdigest()[:32]


def new_member_key() -> X25519PrivateKey:
    """A fresh member key pair."""
    return X25519PrivateKey.generate()


def new_case_key() -> bytes:
    """A fresh case data key."""
    return os.urandom(32)


@dataclass(frozen=True)
class WrappedKey:
    """One version of a case key, sealed for one member (what the team store keeps)."""

    case_id: str
    version: int
    member: str  # fingerprint of the member's public key
    ephemeral: bytes  # 32-byte ephemeral X25519 public key
    nonce: bytes
    sealed: bytes  # AES-256-GCM ciphertext + tag of the case key

    def to_json(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "version": self.version, "member": self.member,
                "ephemeral": _b64(self.ephemeral), "nonce": _b64(self.nonce),
                "sealed": _b64(self.sealed)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WrappedKey:
        try:
            return cls(str(data["case_id"]), int(data["version"]), str(data["member"]),
                       _unb64(data["ephemeral"]), _unb64(data["nonce"]), _unb64(data["sealed"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise TeamKeyError("A wrapped case key is damaged.") from exc


def _aad(case_id: str, version: int, member: str) -> bytes:
    case = case_id.encode("utf-8")
    return (_AAD_TAG + struct.pack(">I", len(case)) + case + struct.pack(">I", version)
            + bytes.fromhex(member))


def _kek(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=ephemeral + recipient, info=_WRAP_INFO).derive(shared)


def wrap_case_key(case_key: bytes, recipient: bytes, *, case_id: str,
                  version: int) -> WrappedKey:
    """Seal ``case_key`` (version ``version`` of case ``case_id``) for the member whose raw
    public key is ``recipient``."""
    if len(case_key) != 32:
        raise TeamKeyError("A case key is 32 bytes.")
    member = fingerprint(recipient)
    eph = X25519PrivateKey.generate()
    eph_pub = public_bytes(eph)
    try:
        shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient))
    except ValueError as exc:  # a low-order point: not a usable public key
        raise TeamKeyError("That member public key cannot be used.") from exc
    nonce = os.urandom(12)
    sealed = AESGCM(_kek(shared, eph_pub, recipient)).encrypt(
        nonce, case_key, _aad(case_id, version, member))
    return WrappedKey(case_id, version, member, eph_pub, nonce, sealed)


def unwrap_case_key(wrapped: WrappedKey, private: X25519PrivateKey) -> bytes:
    """Open a wrapped case key with the member's private key; raises TeamKeyError."""
    own = public_bytes(private)
    if fingerprint(own) != wrapped.member:
        raise TeamKeyError("This case key was wrapped for another member.")
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(wrapped.ephemeral))
        return AESGCM(_kek(shared, wrapped.ephemeral, own)).decrypt(
            wrapped.nonce, wrapped.sealed, _aad(wrapped.case_id, wrapped.version, wrapped.member))
    except (InvalidTag, ValueError):
        raise TeamKeyError("A wrapped case key failed its integrity check.") from None


@dataclass(frozen=True)
class CaseKeys:
    """Every wrapped version of one case's data key, and who the current members are."""

    case_id: str
    current: int
    members: Mapping[str, bytes]  # fingerprint -> raw public key, current members only
    wrapped: tuple[WrappedKey, ...]

    def versions(self) -> list[int]:
        return sorted({w.version for w in self.wrapped})

    def wrapped_for(self, member: str, version: int) -> WrappedKey:
        for item in self.wrapped:
            if item.member == member and item.version == version:
                return item
        raise TeamKeyError(f"Case key version {version} is not wrapped for this member.")

    def key(self, private: X25519PrivateKey, version: int | None = None) -> bytes:
        """Version ``version`` (default: the current one) of the case key, for this member."""
        member = fingerprint(public_bytes(private))
        return unwrap_case_key(self.wrapped_for(member, self.current if version is None
                                                else version), private)

    def keys(self, private: X25519PrivateKey) -> dict[int, bytes]:
        """Every version this member can open (all of them, for a current member)."""
        member = fingerprint(public_bytes(private))
        return {w.version: unwrap_case_key(w, private) for w in self.wrapped
                if w.member == member}


def _members(publics: Iterable[bytes]) -> dict[str, bytes]:
    members = {fingerprint(p): bytes(p) for p in publics}
    if not members:
        raise TeamKeyError("A case needs at least one member.")
    return members


def new_case_keys(case_id: str, members: Iterable[bytes]) -> tuple[CaseKeys, bytes]:
    """Version 1 of a new case key, wrapped for each member; returns (state, the key)."""
    publics = _members(members)
    key = new_case_key()
    wrapped = tuple(wrap_case_key(key, p, case_id=case_id, version=1) for p in publics.values())
    return CaseKeys(case_id, 1, publics, wrapped), key


def add_member(state: CaseKeys, actor: X25519PrivateKey, public: bytes) -> CaseKeys:
    """Wrap every version of the case key (the current one and those old evidence uses) for a
    new member; ``actor`` is a current member who can open them."""
    member = fingerprint(public)
    if member in state.members:
        return state
    added = tuple(wrap_case_key(key, public, case_id=state.case_id, version=version)
                  for version, key in sorted(state.keys(actor).items()))
    if {w.version for w in added} != set(state.versions()):
        raise TeamKeyError("You cannot open every version of this case key.")
    return replace(state, members={**state.members, member: bytes(public)},
                   wrapped=state.wrapped + added)


def remove_member(state: CaseKeys, actor: X25519PrivateKey,
                  member: str) -> tuple[CaseKeys, bytes]:
    """Drop a member's wrapped keys and rotate: a new current version, wrapped for those who
    remain, seals new evidence. Old versions stay, wrapped for the remaining members.
    Returns (state, the new key). ``member`` is a fingerprint."""
    if member not in state.members:
        raise TeamKeyError("That member is not on this case.")
    if fingerprint(public_bytes(actor)) == member:
        raise TeamKeyError("Another member must remove you from the case.")
    remaining = {fp: p for fp, p in state.members.items() if fp != member}
    state.key(actor)  # the actor must be a member who can open the current key
    key, version = new_case_key(), state.current + 1
    kept = tuple(w for w in state.wrapped if w.member != member)
    fresh = tuple(wrap_case_key(key, p, case_id=state.case_id, version=version)
                  for p in remaining.values())
    return CaseKeys(state.case_id, version, remaining, kept + fresh), key


def case_context(case_pk: int) -> str:
    """What a wrapped key of the team store's case ``case_pk`` is bound to."""
    return f"case_file:{case_pk}"


def to_row(wrapped: WrappedKey, case_pk: int, *, at: datetime, by: str = "") -> CaseKeyWrap:
    """The ``case_key_wrap`` row of a wrapped key of case ``case_pk``."""
    if wrapped.case_id != case_context(case_pk):
        raise TeamKeyError("This wrapped key belongs to another case.")
    return CaseKeyWrap(case_id=case_pk, version=wrapped.version, member=wrapped.member,
                       ephemeral=wrapped.ephemeral, nonce=wrapped.nonce, sealed=wrapped.sealed,
                       created_at=at, created_by=by)


def state_from_rows(case_pk: int, rows: Iterable[CaseKeyWrap],
                    members: Mapping[str, bytes]) -> CaseKeys:
    """A case's key state from its ``case_key_wrap`` rows and its current members' public
    keys (fingerprint -> key). A row moved in from another case fails to open later."""
    wrapped = tuple(WrappedKey(case_context(case_pk), r.version, r.member, bytes(r.ephemeral),
                               bytes(r.nonce), bytes(r.sealed)) for r in rows)
    if not wrapped:
        raise TeamKeyError("This case has no data key yet.")
    return CaseKeys(case_context(case_pk), max(w.version for w in wrapped), dict(members),
                    wrapped)


_HOME_INFO = b"caseapp/member-key/v1"


class MemberKeyStore:
    """A member's private key in a data home, plus its recovery code.

    Three modes: ``home`` (wrapped under a sub-key of the home's master key, so unlocking the
    home unlocks it: it is exactly as protected as the master key, by keyring or passphrase),
    ``keyring`` (in the OS keyring itself) and ``passphrase`` (its own scrypt passphrase).
    ``member_key.json`` holds the public key, the mode, the recovery-wrapped private key and
    the mode's wrapped copy; never the private key in clear.
    """

    def __init__(self, home: Path, store_id: str) -> None:
        self.home, self.store_id = Path(home), store_id

    @property
    def path(self) -> Path:
        return self.home / MEMBER_KEY_NAME

    def _account(self, public: bytes) -> str:
        """The keyring user name: per key, since the homes of a team share one store id and
        several may belong to one OS account."""
        return f"{self.store_id}/member-key/{fingerprint(public)}"

    def _context(self, public: bytes) -> str:
        return f"member:{fingerprint(public)}"

    def exists(self) -> bool:
        return self.path.exists()

    def _load(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyUnavailable("This home has no team member key; run team join.") from None

    def public_key(self) -> bytes:
        return _unb64(self._load()["public"])

    def mode(self) -> str:
        """How the private key is kept: "home", "keyring" or "passphrase"."""
        return str(self._load().get("mode", ""))

    def create(self, passphrase: str | None = None, *,
               master: bytes | None = None) -> tuple[bytes, str]:
        """Make this home's member key pair; returns (public key, recovery code).

        Under the home's ``master`` key when given; else under ``passphrase``; else in the
        keyring when usable (KeyUnavailable otherwise).
        """
        if self.exists():
            raise KeyProblem("This home already has a team member key.")
        private = new_member_key()
        raw = private.private_bytes(_RAW, serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
        public = public_bytes(private)
        context = self._context(public)
        data: dict[str, Any] = {"format": 1, "public": _b64(public)}
        if master is not None:
            nonce = os.urandom(12)
            data["mode"], data["home"] = "home", {"nonce": _b64(nonce), "wrapped": _b64(
                AESGCM(self._home_kek(master)).encrypt(nonce, raw, context.encode("ascii")))}
        elif passphrase is None:
            if not keyring_usable():
                raise KeyUnavailable("No usable OS keyring: choose a passphrase for your team "
                                     "key (or set CASEAPP_PASSPHRASE).")
            import keyring

            try:
                keyring.set_password(KEYRING_SERVICE, self._account(public), _b64(raw))
            except Exception as exc:  # noqa: BLE001 - backend-specific failures
                raise KeyUnavailable("The OS keyring refused the team key; choose a "
                                     "passphrase instead.") from exc
            data["mode"] = "keyring"
        elif not passphrase:
            raise KeyUnavailable("The passphrase must not be empty.")
        else:
            data["mode"] = "passphrase"
            data["passphrase"] = wrap_with_passphrase(raw, passphrase, context)
        code = new_recovery_code()
        data["recovery"] = wrap_with_recovery(raw, code, context)
        atomic_write_text(self.path, json.dumps(data, indent=2, sort_keys=True))
        return public, code

    def unlock(self, passphrase: str | None = None) -> X25519PrivateKey:
        """The private key from the keyring, or from the file with the passphrase."""
        data = self._load()
        public = _unb64(data["public"])
        if data["mode"] == "home":
            raise KeyUnavailable("This team key opens with the home's key (unlock_with_master).")
        if data["mode"] == "keyring":
            stored = None
            try:
                import keyring

                stored = keyring.get_password(KEYRING_SERVICE, self._account(public))
            except Exception:  # noqa: BLE001
                stored = None
            if not stored:
                raise KeyUnavailable("Your team key is not in this machine's keyring; unlock "
                                     "it with its recovery code.")
            raw = _unb64(stored)
        else:
            if passphrase is None:
                raise KeyUnavailable("Your team key is protected by a passphrase; none was "
                                     "given.")
            raw = unwrap_with_passphrase(data["passphrase"], passphrase, self._context(public))
        return self._checked(raw, public)

    @staticmethod
    def _home_kek(master: bytes) -> bytes:
        return HKDF(hashes.SHA256(), 32, salt=None, info=_HOME_INFO).derive(master)

    def unlock_with_master(self, master: bytes) -> X25519PrivateKey:
        """The private key of a ``home``-mode member key, with the home's master key."""
        data = self._load()
        public = _unb64(data["public"])
        if data.get("mode") != "home":
            raise KeyUnavailable("This team key is not kept under the home's key.")
        try:
            raw = AESGCM(self._home_kek(master)).decrypt(
                _unb64(data["home"]["nonce"]), _unb64(data["home"]["wrapped"]),
                self._context(public).encode("ascii"))
        except InvalidTag:
            raise WrongSecret("The home's key does not open this team key.") from None
        return self._checked(raw, public)

    def unlock_with_recovery(self, code: str) -> X25519PrivateKey:
        data = self._load()
        public = _unb64(data["public"])
        raw = unwrap_with_recovery(data["recovery"], code, self._context(public))
        return self._checked(raw, public)

    @staticmethod
    def _checked(raw: bytes, public: bytes) -> X25519PrivateKey:
        private = X25519PrivateKey.from_private_bytes(raw)
        if public_bytes(private) != public:
            raise WrongSecret("The team key does not match its public key.")
        return private

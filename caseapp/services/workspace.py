"""Opening a data home: keys, the encrypted database, the vault, the instance lock."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sqlmodel import Session

from caseapp.domain.models import StoreMeta, utcnow
from caseapp.security import audit
from caseapp.security.keys import KeyManager, KeyProblem, WrongSecret, derive_keys, keyring_usable
from caseapp.security.vault import Vault, VaultError
from caseapp.services.errors import Conflict, StoreUnavailable
from caseapp.store import DB_NAME, StoreOpenError, open_store
from caseapp.store.blobs import (
    BlobBackend,
    BlobStoreError,
    open_backend,
    probe,
    read_location,
    write_location,
)
from caseapp.store.files import private_dir
from caseapp.store.home import HomeLock, HomeLocked, undo_interrupted_restore
from caseapp.store.interface import Store

#: Called with "new" (choose a passphrase) or "unlock"; returns the passphrase or None.
PassphraseProvider = Callable[[str], str | None]

VAULT_DIR = "vault"
OPEN_DIR = "open"


class StoreStatus(NamedTuple):
    """The store a workspace works on, as the status bar shows it."""

    kind: str  # "sqlcipher" (the home's own file) or "postgresql" (a team store)
    location: str  # the data home, or USER@HOST:PORT/DBNAME (never a password)
    transport: str  # "local-file", "tls", "local-socket" or "plain" (unencrypted TCP)
    secure: bool  # False: say so; the connection to the server is not encrypted


@dataclass
class Workspace:
    """An unlocked store: what every service function works on."""

    home: Path
    store_id: str
    key_mode: str
    store: Store
    vault: Vault
    lock: HomeLock | None = None
    #: Set only when this call created the store: show it to the user once.
    recovery_code: str | None = None
    master_key: bytes = field(default=b"", repr=False)

    def session(self) -> Session:
        """A new Session; objects stay usable after commit.

        Inside :meth:`unit_of_work` it is the unit's session (closing it does nothing), so
        reads see the unit's uncommitted writes.
        """
        unit = _UNIT.get()
        if unit is not None and unit[0] is self:
            return _BorrowedSession(unit[1])  # type: ignore[return-value]
        return self.store.session()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any exception.

        Inside :meth:`unit_of_work` it joins the unit: the unit commits or rolls back.
        """
        unit = _UNIT.get()
        if unit is not None and unit[0] is self:
            yield unit[1]
            unit[1].flush()
            return
        with self._write(as_unit=False) as session:
            yield session

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Make several service calls one transaction: all of them land, or none does."""
        if _UNIT.get() is not None:
            raise RuntimeError("units of work do not nest")
        with self._write(as_unit=True) as session:
            yield session

    @contextlib.contextmanager
    def _write(self, *, as_unit: bool) -> Iterator[Session]:
        """A write session committed when the block ends, rolled back (a database refusal as
        Conflict) if it raises; ``as_unit``: the unit other calls join until it ends."""
        with self.store.write_session() as session:
            token = _UNIT.set((self, session)) if as_unit else None
            try:
                yield session
                session.commit()
            except BaseException as exc:
                session.rollback()
                _raise_refusal(self, exc)
                raise
            finally:
                if token is not None:
                    _UNIT.reset(token)

    def store_status(self) -> StoreStatus:
        """Which store this is and how it is reached (for the status bar)."""
        if self.store.kind == "sqlcipher":
            return StoreStatus("sqlcipher", str(self.home), "local-file", True)
        transport = str(getattr(self.store, "transport", "plain"))
        return StoreStatus(self.store.kind, str(getattr(self.store, "location", "")), transport,
                           bool(getattr(self.store, "transport_secure", False)))

    @property
    def open_dir(self) -> Path:
        """Private folder for exhibits decrypted for an external viewer."""
        return private_dir(self.home / OPEN_DIR)

    def wipe_open_dir(self) -> None:
        """Remove every exhibit decrypted for viewing."""
        shutil.rmtree(self.home / OPEN_DIR, ignore_errors=True)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Dispose of connections, wipe decrypted copies, release the lock."""
        self.wipe_open_dir()
        self.store.dispose()
        audit.set_actor(None)  # the next store has its own investigator profile
        if self.lock is not None:
            self.lock.release()
            self.lock = None


#: The unit of work open in this thread/context: (workspace, its session).
_UNIT: ContextVar[tuple[Workspace, Session] | None] = ContextVar("caseapp_unit", default=None)


class _BorrowedSession:
    """The unit's session handed to code that expects its own: closing it is a no-op."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def __enter__(self) -> Session:
        return self._session

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None

    def __getattr__(self, name: str) -> object:
        return getattr(self._session, name)


def store_exists(home: Path) -> bool:
    """True when ``home`` already holds a caseapp store."""
    return KeyManager(home).exists()


#: A team store's database refused a change (row-level security or a grant).
REFUSED = ("The team store refused this change: your access to this case does not allow it "
           "(a viewer reads only; only a case's members change it). Nothing was saved.")


def _raise_refusal(ws: Workspace, exc: BaseException) -> None:
    """On a team store, a refusal by the database (SQLSTATE 42501) as a Conflict."""
    if ws.store.kind != "postgresql":
        return
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError) and str(getattr(exc.orig, "sqlstate", "")) == "42501":
        raise Conflict(REFUSED) from None


def lock_home(home: Path) -> HomeLock:
    """Take the home's exclusive lock (making the private home folder first); raises
    StoreUnavailable while another caseapp holds it. The caller releases it."""
    private_dir(home)
    lock = HomeLock(home)
    try:
        lock.acquire()
    except HomeLocked as exc:
        raise StoreUnavailable(str(exc)) from None
    return lock


def open_workspace(
    home: Path,
    passphrase: PassphraseProvider | None = None,
    *,
    create: bool = True,
    exclusive: bool = False,
    key_mode: str | None = None,
    master_key: bytes | None = None,
    blobs: str | None = None,
    store_url: str | None = None,
) -> Workspace:
    """Unlock (or create) the store in ``home``.

    ``exclusive`` takes the single-GUI lock. ``key_mode`` ("keyring"/"passphrase") forces the
    key storage for a new store; by default the keyring is used when it is usable.
    ``master_key`` opens an existing store with a key already unlocked (the app's quick start,
    so the passphrase's scrypt runs once); a wrong key fails like a wrong passphrase.
    ``blobs`` (new stores only) keeps the evidence in a shared folder or ``s3://BUCKET/PREFIX``
    instead of the home's ``vault/``; it is recorded in the home and used at every open.
    ``store_url`` (None: ``CASEAPP_STORE``; ``""``: the home's own) opens a team store
    (``postgresql://USER@HOST/DB``) instead of the home's own database: the home then keeps
    this investigator's keys, vault and lock, and the records live on the server (see
    :func:`_adopt_store`).
    Raises StoreUnavailable with a user-readable message.
    """
    lock = lock_home(home) if exclusive else None
    try:
        return _open(home, passphrase, create=create, key_mode=key_mode, lock=lock,
                     master_key=master_key, blobs=blobs,
                     store_url=(os.environ.get("CASEAPP_STORE") if store_url is None
                                else store_url) or None)
    except BaseException:
        if lock is not None:
            lock.release()
        raise


def _open(home: Path, passphrase: PassphraseProvider | None, *, create: bool,
          key_mode: str | None, lock: HomeLock | None,
          master_key: bytes | None = None, blobs: str | None = None,
          store_url: str | None = None) -> Workspace:
    if undo_interrupted_restore(home):
        raise StoreUnavailable(f"A restore into {home} was interrupted; what it had copied was "
                               "removed. Run the restore again.")
    keys = KeyManager(home)
    recovery_code: str | None = None
    created = False
    if blobs is not None and keys.exists():
        raise StoreUnavailable("The evidence location is chosen when a store is created; "
                               "this home already has one.")
    backend = _blob_backend(home, blobs)  # before any key is made: a bad location stops here
    try:
        if keys.exists():
            if master_key is not None:
                master = master_key
            else:
                secret = (passphrase("unlock") if keys.needs_passphrase() and passphrase
                          else None)
                master = keys.unlock(secret)
        else:
            if not create:
                raise StoreUnavailable(f"No caseapp store in {home}.")
            if (home / DB_NAME).exists():
                raise StoreUnavailable(f"{home} holds a database but no store.json; refusing "
                                       "to overwrite it.")
            private_dir(home)
            chosen: str | None = None
            use_passphrase = key_mode == "passphrase" or (key_mode is None
                                                            and not keyring_usable())
            if use_passphrase:
                chosen = passphrase("new") if passphrase else None
                if not chosen:
                    raise StoreUnavailable(
                        "No usable OS keyring on this machine: choose a passphrase for the "
                        "new store (set CASEAPP_PASSPHRASE or run on a terminal).")
            master, recovery_code = keys.create(str(uuid.uuid4()), utcnow().isoformat(), chosen)
            created = True
            if blobs is not None:
                write_location(home, blobs)
    except WrongSecret as exc:
        raise StoreUnavailable(str(exc)) from None
    except KeyProblem as exc:
        raise StoreUnavailable(str(exc)) from None

    manifest = keys.manifest()
    derived = derive_keys(master)
    audit.install()
    try:
        store = open_store(home, derived.database, url=store_url)
    except StoreOpenError as exc:
        raise StoreUnavailable(str(exc)) from None
    vault = (Vault(private_dir(home / VAULT_DIR), derived.vault) if backend is None
             else Vault(None, derived.vault, backend=backend))
    workspace = Workspace(
        home=home, store_id=manifest.store_id, key_mode=manifest.key_mode, store=store,
        vault=vault, lock=lock, recovery_code=recovery_code, master_key=master,
    )
    if store_url is not None:
        try:
            _adopt_store(workspace, manifest.created_at)
        except BaseException:
            workspace.close()
            raise
    elif created:
        with workspace.transaction() as session:
            session.add(StoreMeta(key="store_id", value=manifest.store_id))
            session.add(StoreMeta(key="created_at", value=manifest.created_at))
            audit.append(session, "store.created", "store", manifest.store_id,
                         {"key_mode": manifest.key_mode})
    else:
        try:
            _settle(workspace)
        except BaseException:
            workspace.close()
            raise
    if lock is not None:
        # A previous GUI session may have died with decrypted copies around.
        workspace.wipe_open_dir()
    from caseapp.services.evidence.case_keys import install
    from caseapp.services.investigator import apply_profile

    apply_profile(workspace)  # the investigator, not the OS account, acts from here on
    install(workspace)  # team cases: the vault also opens evidence under case keys
    return workspace


def _blob_backend(home: Path, blobs: str | None) -> BlobBackend | None:
    """The backend of a home that keeps its evidence elsewhere; None for its own vault/.
    A new location (``blobs``) is first tried with a small write, read and delete."""
    try:
        location = blobs if blobs is not None else read_location(home)
        backend = None if location is None else open_backend(location)
        if backend is not None and blobs is not None:
            probe(backend)
        return backend
    except BlobStoreError as exc:
        raise StoreUnavailable(f"The evidence location cannot be used: {exc}") from None


def _adopt_store(ws: Workspace, created_at: str) -> bool:
    """A team store has its own identity: the first home to open an empty one gives it this
    home's store id (audited as ``store.created``); every later home takes the store's id.
    Returns True when the store was new (nothing to settle)."""
    with ws.session() as session:
        meta = session.get(StoreMeta, "store_id")
    if meta is None:
        with ws.transaction() as session:  # under the write lock: one first start wins
            meta = session.get(StoreMeta, "store_id")
            if meta is None:
                session.add(StoreMeta(key="store_id", value=ws.store_id))
                session.add(StoreMeta(key="created_at", value=created_at))
                audit.append(session, "store.created", "store", ws.store_id,
                             {"key_mode": ws.key_mode, "store": ws.store.kind})
                return True
    ws.store_id = meta.value
    _settle(ws)
    return False


BASELINE_REASON = ("State hashes start here: this store was written by an earlier caseapp, "
                   "so these entries vouch for every record as it was when it was upgraded.")


def _settle(ws: Workspace) -> None:
    """After opening an existing store: remove what interrupted writes left in the vault,
    and give a store from before state hashes its baseline. Both are audited."""
    try:
        leftovers = ws.vault.remove_leftovers()
    except VaultError:  # the bucket or share is unreachable now: tidy up another time
        leftovers = []
    if leftovers:
        with ws.transaction() as session:
            audit.append(session, "vault.leftovers-removed", "store", ws.store_id, {
                "files": [x.name for x in leftovers],
                "bytes": sum(x.size for x in leftovers),
                "why": "temp files of writes that were interrupted (no exhibit refers to them)"})
    with ws.session() as session:
        pending = session.get(StoreMeta, "state_baseline")
    if pending is None:
        return
    with ws.transaction() as session:
        pending = session.get(StoreMeta, "state_baseline")
        if pending is not None:  # another process may have done it meanwhile
            audit.record_baseline(session, BASELINE_REASON)
            session.delete(pending)

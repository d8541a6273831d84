"""Back up a store (a consistent, still-encrypted copy) and restore one into an empty home."""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path
from typing import Any

from caseapp import faults
from caseapp.domain.models import utcnow
from caseapp.security import anchors, audit
from caseapp.security.anchors import anchor_line
from caseapp.security.keys import (
    KEYFILE_NAME,
    MANIFEST_NAME,
    RECOVERY_NAME,
    KeyManager,
    KeyProblem,
    WrongSecret,
    keyring_usable,
    unwrap_with_passphrase,
)
from caseapp.security.team_keys import MEMBER_KEY_NAME
from caseapp.security.vault import VaultError
from caseapp.services.errors import (
    CaseappError,
    DiskFull,
    InvalidInput,
    StoreUnavailable,
    StoreWriteFailed,
    write_failed,
)
from caseapp.services.workspace import (
    VAULT_DIR,
    PassphraseProvider,
    Workspace,
    lock_home,
    open_workspace,
)
from caseapp.store import DB_NAME
from caseapp.store.blobs.folder_files import BLOB_SUFFIX
from caseapp.store.files import atomic_write_text, fsync_dir, private_dir, sha256_file
from caseapp.store.home import (
    RESTORE_MARKER,
    RESTORE_STAGING,
    begin_restore,
    end_restore,
    undo_interrupted_restore,
)

BACKUP_MANIFEST = "backup.json"


def _sha256_file(path: Path) -> str:
    return sha256_file(path) or ""


def backup(ws: Workspace, dest: Path) -> dict[str, Any]:
    """Write a consistent, still-encrypted copy of the store and vault to an empty folder."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise InvalidInput(f"{dest} is not empty; back up into a new or empty folder.")
    work = dest.with_name(dest.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    private_dir(work / VAULT_DIR)
    try:
        snapshot = ws.store.copy_database(work / DB_NAME)  # consistent, still encrypted
        faults.step("backup.db-copied")
        blob_ids = snapshot.blob_ids  # exactly the blobs the copy refers to
        for blob_id in blob_ids:
            ws.vault.copy_raw(blob_id, work / VAULT_DIR / f"{blob_id}{BLOB_SUFFIX}")
            faults.step("backup.blob")
        # member_key.json: a team member's key (wrapped, never in clear), so the case keys
        # in the copied database open the exhibits of team cases offline too.
        for name in (MANIFEST_NAME, RECOVERY_NAME, KEYFILE_NAME, MEMBER_KEY_NAME):
            if (ws.home / name).exists():
                shutil.copy2(ws.home / name, work / name)
        files = sorted(p for p in work.rglob("*") if p.is_file())
        manifest = {"format": 1, "store_id": ws.store_id, "created_at": utcnow().isoformat(),
                    "blobs": len(blob_ids),
                    "audit_head": {"entry": snapshot.audit_head_id,
                                   "sha256": snapshot.audit_head_hash,
                                   "line": anchor_line(snapshot.audit_head_id,
                                                       snapshot.audit_head_hash)},
                    "files": {str(p.relative_to(work).as_posix()): _sha256_file(p)
                              for p in files}}
        atomic_write_text(work / BACKUP_MANIFEST, json.dumps(manifest, indent=2))
        if dest.exists():
            dest.rmdir()
        faults.step("backup.before-rename")
        work.replace(dest)
        fsync_dir(dest.parent)
    except (OSError, StoreWriteFailed) as exc:
        shutil.rmtree(work, ignore_errors=True)
        if isinstance(exc, OSError):
            raise write_failed("The backup", exc) from None
        raise DiskFull("The backup could not be written: the disk is full, a file-size limit "
                       "was reached or the disk failed. Nothing was changed.") from None
    except VaultError as exc:  # evidence in a bucket that could not be read
        shutil.rmtree(work, ignore_errors=True)
        raise CaseappError(f"The backup could not copy the evidence: {exc}") from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    anchors.append_to_log(ws.home, snapshot.audit_head_id, snapshot.audit_head_hash, "backup")
    with ws.transaction() as session:
        audit.append(session, "store.backup", "store", ws.store_id,
                     {"to": str(dest), "blobs": len(blob_ids),
                      "audit_head": snapshot.audit_head_id})
    return {"path": str(dest), "blobs": len(blob_ids), "files": len(manifest["files"]) + 1,
            "audit_head": {"entry": snapshot.audit_head_id, "sha256": snapshot.audit_head_hash}}


def restore(home: Path, backup_dir: Path, *, recovery_code: str | None = None,
            passphrase: str | None = None, new_passphrase: PassphraseProvider | None = None,
            ) -> Workspace:
    """Restore a backup into an empty home and keep its key on this machine.

    Unlocks with the recovery code, or the backup's passphrase when it was made in passphrase
    mode. The key then goes to this machine's keyring, or under a passphrase from
    ``new_passphrase("new")`` when no keyring is usable.
    """
    backup_dir, home = Path(backup_dir), Path(home)
    if not (backup_dir / MANIFEST_NAME).exists() or not (backup_dir / DB_NAME).exists():
        raise InvalidInput(f"{backup_dir} is not a caseapp backup (no store.json/caseapp.db).")
    undo_interrupted_restore(home)
    if KeyManager(home).exists():
        raise InvalidInput(f"{home} already holds a store; restore into an empty home.")
    _check_backup_files(backup_dir)
    lock = lock_home(home)
    try:
        source_keys = KeyManager(backup_dir)
        master = _unlock_backup(source_keys, recovery_code, passphrase)
        staging = home / RESTORE_STAGING
        begin_restore(home, [])  # before anything is copied: a crash from here on is undone
        shutil.rmtree(staging, ignore_errors=True)
        _copy_tree(backup_dir, staging)
        (staging / BACKUP_MANIFEST).unlink(missing_ok=True)
        faults.step("restore.copied")
        items = list(staging.iterdir())
        begin_restore(home, [item.name for item in items])
        for item in items:
            item.replace(home / item.name)
            faults.step("restore.item")
        staging.rmdir()
        keys = KeyManager(home)
        chosen = None
        if not keyring_usable():
            chosen = new_passphrase("new") if new_passphrase else passphrase
            if not chosen:
                raise StoreUnavailable("No usable OS keyring here: give a passphrase for the "
                                       "restored store (CASEAPP_PASSPHRASE).")
        keys.adopt(master, chosen)
        faults.step("restore.adopted")
        end_restore(home)
    except KeyProblem as exc:
        _undo_restore(home)
        raise StoreUnavailable(str(exc)) from None
    except OSError as exc:
        _undo_restore(home)
        raise write_failed("The restored store", exc) from None
    except BaseException:
        _undo_restore(home)
        raise
    finally:
        lock.release()
    # store_url="": the restored home's own database, whatever CASEAPP_STORE names
    ws = open_workspace(home, lambda _p: chosen, create=False, store_url="")
    with ws.transaction() as session:
        audit.append(session, "store.restored", "store", ws.store_id, {"from": str(backup_dir)})
    return ws


def _copy_tree(src: Path, dest: Path) -> None:
    """Copy a folder, stopping at the first file that cannot be copied with its OSError
    (``shutil.copytree`` would gather them into one ``shutil.Error`` without an errno)."""
    dest.mkdir(parents=True)
    for path in sorted(src.rglob("*")):
        target = dest / path.relative_to(src)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        else:
            shutil.copy2(path, target)


def _undo_restore(home: Path) -> None:
    (home / RESTORE_MARKER).unlink(missing_ok=True)
    for name in (DB_NAME, MANIFEST_NAME, RECOVERY_NAME, KEYFILE_NAME, MEMBER_KEY_NAME,
                 RESTORE_STAGING, VAULT_DIR):
        target = home / name
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                target.unlink()


def _check_backup_files(backup_dir: Path) -> None:
    manifest_path = backup_dir / BACKUP_MANIFEST
    if not manifest_path.exists():
        return
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for rel, expected in manifest.get("files", {}).items():
        path = backup_dir / rel
        if not path.exists() or _sha256_file(path) != expected:
            raise InvalidInput(f"The backup is damaged: {rel} is missing or altered.")


def _unlock_backup(keys: KeyManager, recovery_code: str | None,
                   passphrase: str | None) -> bytes:
    if recovery_code:
        return keys.unlock_with_recovery(recovery_code)
    keyfile = keys.home / KEYFILE_NAME
    if passphrase and keyfile.exists():
        blob = json.loads(keyfile.read_text(encoding="utf-8"))
        return unwrap_with_passphrase(blob, passphrase, keys.manifest().store_id)
    raise WrongSecret("Give the backup's recovery code (or its passphrase if it was made with "
                      "one).")

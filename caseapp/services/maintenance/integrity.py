"""Verify, back up and restore a store; key lifecycle (recovery code, passphrase)."""

from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from caseapp.domain.models import Case, Evidence, utcnow
from caseapp.domain.progress import Cancel, Progress
from caseapp.security import audit
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
from caseapp.security.vault import BlobCorrupt, BlobMissing
from caseapp.services.errors import InvalidInput, StoreUnavailable
from caseapp.services.workspace import VAULT_DIR, PassphraseProvider, Workspace, open_workspace
from caseapp.store import DB_NAME
from caseapp.store.files import atomic_write_text, fsync_dir, private_dir, sha256_file
from caseapp.store.home import HomeLock, HomeLocked

BACKUP_MANIFEST = "backup.json"


@dataclass
class VerifyReport:
    ok: bool
    blobs_checked: int
    audit_entries: int
    problems: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "blobs_checked": self.blobs_checked,
                "audit_entries": self.audit_entries, "problems": self.problems}


def verify_store(ws: Workspace, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> VerifyReport:
    """Re-hash every blob and walk the audit chain; records the run in the audit log."""
    problems: list[dict[str, str]] = []
    with ws.session() as session:
        rows = session.exec(select(Evidence, Case.ref).outerjoin(Case, Evidence.case_id == Case.id)
                            .order_by(col(Evidence.id))).all()
        entries, chain_problems = audit.verify_chain(session)
    checked = 0
    for index, (evidence, case_ref) in enumerate(rows):
        if cancel and cancel():
            break
        where = f"{case_ref}/{evidence.exhibit}" if case_ref else f"tip-attachment/{evidence.id}"
        try:
            sha, size = ws.vault.verify(evidence.blob_id)
            if sha != evidence.sha256 or size != evidence.size:
                problems.append({"kind": "hash-mismatch", "where": where,
                                 "detail": f"recorded {evidence.sha256}, vault has {sha}"})
        except BlobMissing as exc:
            problems.append({"kind": "blob-missing", "where": where, "detail": str(exc)})
        except BlobCorrupt as exc:
            problems.append({"kind": "blob-corrupt", "where": where, "detail": str(exc)})
        checked += 1
        if progress:
            progress(index + 1, len(rows))
    for problem in chain_problems:
        problems.append({"kind": "audit-broken", "where": f"audit#{problem.entry_id}",
                         "detail": problem.detail})
    report = VerifyReport(not problems, checked, entries, problems)
    with ws.transaction() as session:
        audit.append(session, "store.verified", "store", ws.store_id,
                     {"ok": report.ok, "blobs_checked": checked, "problems": len(problems)})
    return report


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
        ws.store.copy_database(work / DB_NAME)  # a consistent snapshot, still encrypted
        with ws.session() as session:
            blob_ids = list(session.exec(select(Evidence.blob_id)).all())
        for blob_id in blob_ids:
            shutil.copy2(ws.vault.path_of(blob_id), work / VAULT_DIR / ws.vault.path_of(blob_id).name)
        for name in (MANIFEST_NAME, RECOVERY_NAME, KEYFILE_NAME):
            if (ws.home / name).exists():
                shutil.copy2(ws.home / name, work / name)
        files = sorted(p for p in work.rglob("*") if p.is_file())
        manifest = {"format": 1, "store_id": ws.store_id, "created_at": utcnow().isoformat(),
                    "blobs": len(blob_ids),
                    "files": {str(p.relative_to(work).as_posix()): _sha256_file(p)
                              for p in files}}
        atomic_write_text(work / BACKUP_MANIFEST, json.dumps(manifest, indent=2))
        if dest.exists():
            dest.rmdir()
        work.replace(dest)
        fsync_dir(dest.parent)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    with ws.transaction() as session:
        audit.append(session, "store.backup", "store", ws.store_id,
                     {"to": str(dest), "blobs": len(blob_ids)})
    return {"path": str(dest), "blobs": len(blob_ids), "files": len(manifest["files"]) + 1}


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
    if KeyManager(home).exists():
        raise InvalidInput(f"{home} already holds a store; restore into an empty home.")
    _check_backup_files(backup_dir)
    private_dir(home)
    lock = HomeLock(home)
    try:
        lock.acquire()
    except HomeLocked as exc:
        raise StoreUnavailable(str(exc)) from None
    try:
        source_keys = KeyManager(backup_dir)
        master = _unlock_backup(source_keys, recovery_code, passphrase)
        staging = home / ".restore-partial"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(backup_dir, staging)
        (staging / BACKUP_MANIFEST).unlink(missing_ok=True)
        for item in staging.iterdir():
            item.replace(home / item.name)
        staging.rmdir()
        keys = KeyManager(home)
        chosen = None
        if not keyring_usable():
            chosen = new_passphrase("new") if new_passphrase else passphrase
            if not chosen:
                raise StoreUnavailable("No usable OS keyring here: give a passphrase for the "
                                       "restored store (CASEAPP_PASSPHRASE).")
        keys.adopt(master, chosen)
    except KeyProblem as exc:
        _undo_restore(home)
        raise StoreUnavailable(str(exc)) from None
    except BaseException:
        _undo_restore(home)
        raise
    finally:
        lock.release()
    ws = open_workspace(home, lambda _p: chosen, create=False)
    with ws.transaction() as session:
        audit.append(session, "store.restored", "store", ws.store_id, {"from": str(backup_dir)})
    return ws


def _undo_restore(home: Path) -> None:
    for name in (DB_NAME, MANIFEST_NAME, RECOVERY_NAME, KEYFILE_NAME, ".restore-partial",
                 VAULT_DIR):
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

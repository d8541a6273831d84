"""CLI: verify, backup, restore, key lifecycle."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from caseapp.cli.common import (
    home_of,
    open_ws,
    passphrase_from_env_or_tty,
    print_json,
    shown,
)
from caseapp.cli.options import Sub, actions, arg, command


def register(sub: Sub) -> None:
    command(sub, "verify", verify_cmd,
            arg("--anchor", metavar="FILE", action="append", default=[], type=Path,
                help="a case-file PDF, production or backup folder, or manifest made "
                "earlier: check the chain still holds its anchor (repeatable)"),
            arg("--repair", action="store_true", help="move orphaned blobs to "
                "vault/quarantine (audited; nothing is deleted)"),
            help="re-hash every exhibit, check the audit chain, every record's state and "
            "the anchors", description="Re-hash every exhibit; check the vault folder, the "
            "audit chain, that every record is as the audit log last recorded it, and that "
            "the chain still holds every anchor in anchors.log and in the files given.")
    command(sub, "backup", backup_cmd, arg("dest", metavar="DEST_DIR", type=Path),
            help="consistent encrypted copy of store and vault")
    command(sub, "restore", restore_cmd, arg("backup_dir", metavar="BACKUP_DIR", type=Path),
            arg("--recovery-code", help="or set CASEAPP_RECOVERY_CODE, or type it"),
            json=False, help="restore a backup into an empty home")

    key_sub = actions(sub, "key", "recovery code and passphrase")
    command(key_sub, "recovery-code", key_recovery_code, json=False,
            help="issue a new recovery code (old one stops working)")
    command(key_sub, "change-passphrase", key_change_passphrase, json=False,
            help="choose a new passphrase")
    command(key_sub, "recover", key_recover, arg("--recovery-code"), json=False,
            help="unlock with the recovery code and keep the key on this machine (lost "
            "keyring)")


def verify_cmd(args: argparse.Namespace) -> int:
    from caseapp.services.maintenance import verify

    with open_ws(args, create=False) as ws:
        report = verify.verify_store(ws, anchor_files=args.anchor, repair=args.repair)
    if args.json:
        print_json(report.to_json())
    else:
        print(f"{'OK' if report.ok else 'PROBLEMS FOUND'}: {report.blobs_checked} exhibits "
              f"re-hashed, {report.records_checked} records and {report.audit_entries} audit "
              f"entries checked, {report.anchors_checked} anchors held")
        for p in report.problems:
            print(f"  {p['kind']}\t{p['where']}\t{p['detail']}")
        if report.quarantined:
            print(f"  moved {len(report.quarantined)} orphaned blob(s) to vault/quarantine")
    return 0 if report.ok else 1


def backup_cmd(args: argparse.Namespace) -> int:
    from caseapp.services.maintenance import backup

    return shown(args, lambda ws: backup.backup(ws, args.dest),
                 lambda result: print(f"Backup written to {result['path']} ({result['blobs']} "
                                      "exhibits). Keep the recovery code: it is needed to open "
                                      "the backup elsewhere."),
                 lambda result: result)


def _secret(arg: str | None, env: str, prompt: str) -> str | None:
    if arg:
        return arg
    if os.environ.get(env):
        return os.environ[env]
    if sys.stdin and sys.stdin.isatty():
        import getpass

        return getpass.getpass(prompt) or None
    return None


def restore_cmd(args: argparse.Namespace) -> int:
    from caseapp.services.maintenance import backup

    code = _secret(args.recovery_code, "CASEAPP_RECOVERY_CODE", "Recovery code: ")
    passphrase = os.environ.get("CASEAPP_PASSPHRASE")
    ws = backup.restore(home_of(args), args.backup_dir, recovery_code=code,
                           passphrase=passphrase, new_passphrase=passphrase_from_env_or_tty)
    ws.close()
    print(f"Restored into {home_of(args)}; the key is now kept on this machine "
          f"({ws.key_mode}).")
    return 0


def key_recovery_code(args: argparse.Namespace) -> int:
    from caseapp.services.maintenance import keys as key_service

    with open_ws(args, create=False) as ws:
        code = key_service.issue_recovery_code(ws)
    print(f"New recovery code (the previous one no longer works): {code}")
    return 0


def key_change_passphrase(args: argparse.Namespace) -> int:
    from caseapp.services.errors import InvalidInput
    from caseapp.services.maintenance import keys as key_service

    new = _secret(None, "CASEAPP_NEW_PASSPHRASE", "New passphrase: ")
    if not new:
        raise InvalidInput("Give the new passphrase (CASEAPP_NEW_PASSPHRASE or a terminal).")
    with open_ws(args, create=False) as ws:
        key_service.change_passphrase(ws, new)
    print("Passphrase changed.")
    return 0


def key_recover(args: argparse.Namespace) -> int:
    from caseapp.services.errors import InvalidInput
    from caseapp.services.maintenance import keys as key_service

    code = _secret(args.recovery_code, "CASEAPP_RECOVERY_CODE", "Recovery code: ")
    if not code:
        raise InvalidInput("Give the recovery code (--recovery-code or CASEAPP_RECOVERY_CODE).")
    mode = key_service.recover_key(home_of(args), code,
                                 os.environ.get("CASEAPP_NEW_PASSPHRASE")
                                 or os.environ.get("CASEAPP_PASSPHRASE"))
    print(f"Key recovered and kept on this machine ({mode}).")
    return 0

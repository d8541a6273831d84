"""Shared plumbing for CLI commands: opening the store, passphrases, output, errors."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

Handler = Callable[[argparse.Namespace], int]


def passphrase_from_env_or_tty(purpose: str) -> str | None:
    """CASEAPP_PASSPHRASE when set; else ask on a terminal (twice for a new one)."""
    env = os.environ.get("CASEAPP_PASSPHRASE")
    if env:
        return env
    if not sys.stdin or not sys.stdin.isatty():
        return None
    if purpose == "new":
        first = getpass.getpass("No OS keyring here. Choose a passphrase for this store: ")
        second = getpass.getpass("Repeat the passphrase: ")
        if first != second:
            print("caseapp: the passphrases differ.", file=sys.stderr)
            return None
        return first
    return getpass.getpass("Passphrase for this case store: ")


def home_of(args: argparse.Namespace) -> Path:
    from caseapp.services.maintenance.startup import resolve_home

    return resolve_home(args.home)


def open_ws(args: argparse.Namespace, *, exclusive: bool = False, create: bool = True) -> Any:
    """Open (or create) the store for a command; announces a new store's recovery code."""
    from caseapp.services.workspace import open_workspace

    ws = open_workspace(home_of(args), passphrase_from_env_or_tty, create=create,
                        exclusive=exclusive)
    if ws.recovery_code:
        print(f"caseapp: created a new encrypted case store in {ws.home}\n"
              f"caseapp: RECOVERY CODE (shown once; write it down and keep it apart from "
              f"this computer): {ws.recovery_code}", file=sys.stderr)
    return ws


def to_jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def print_json(data: Any) -> None:
    """One JSON document on stdout."""
    json.dump(to_jsonable(data), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def run_handler(args: argparse.Namespace) -> int:
    """Run a command handler, mapping errors to messages and contract exit codes."""
    from caseapp.services.errors import CaseappError

    try:
        return int(args.handler(args))
    except CaseappError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"caseapp: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("caseapp: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last line of defence for the user
        if args.debug:
            traceback.print_exc()
        print(f"caseapp: unexpected error: {type(exc).__name__}: {exc} (run with --debug "
              "for details)", file=sys.stderr)
        return 1

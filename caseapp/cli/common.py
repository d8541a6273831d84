"""Shared plumbing for CLI commands: opening the store, passphrases, output, errors."""

from __future__ import annotations

import argparse
import getpass
import io
import json
import os
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

Handler = Callable[[argparse.Namespace], int]
T = TypeVar("T")


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
                        exclusive=exclusive, store_url=getattr(args, "store", None))
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
    """One JSON document on stdout (hidden bidi/zero-width characters as ``\\u`` escapes)."""
    from caseapp.domain.text import json_escape_hidden

    text = json.dumps(to_jsonable(data), ensure_ascii=False, indent=2)
    sys.stdout.write(json_escape_hidden(text) + "\n")


def shown(args: argparse.Namespace, call: Callable[[Any], T], text: Callable[[T], None],
          as_json: Callable[[T], Any]) -> int:
    """Run ``call`` on the existing store (closed before any output), then print its result:
    ``as_json(result)`` as JSON with --json, else through ``text``. Exit status 0."""
    with open_ws(args, create=False) as ws:
        result = call(ws)
    if args.json:
        print_json(as_json(result))
    else:
        text(result)
    return 0


class VisibleText(io.TextIOBase):
    """Wraps stdout/stderr so hidden bidi and zero-width characters print as ``⟨U+XXXX⟩``:
    a terminal must not reorder what the investigator reads."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from caseapp.domain.text import visible

        self._stream.write(visible(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def fileno(self) -> int:
        return self._stream.fileno()

    def isatty(self) -> bool:
        return self._stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding


def run_handler(args: argparse.Namespace) -> int:
    """Run a command handler, mapping errors to messages and contract exit codes."""
    from caseapp.services.errors import Cancelled, CaseappError, StoreError

    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = VisibleText(out), VisibleText(err)
    try:
        return int(args.handler(args))
    except (CaseappError, StoreError) as exc:
        if args.debug:
            traceback.print_exc()
        print(f"caseapp: {exc}", file=sys.stderr)
        return int(getattr(exc, "exit_code", 1))
    except Cancelled as exc:
        print(f"caseapp: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("caseapp: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        quiet_broken_pipe()
        return 0
    except OSError as exc:
        if args.debug:
            traceback.print_exc()
        message, code = os_error_message(exc)
        print(f"caseapp: {message}", file=sys.stderr)
        return code
    except Exception as exc:  # noqa: BLE001 - last line of defence for the user
        if args.debug:
            traceback.print_exc()
        # Only the type: messages of database and library errors can carry SQL text,
        # parameters and so case data, which must not reach terminals and logs.
        print(f"caseapp: unexpected error ({type(exc).__name__}); nothing was shown of it. "
              "Run with --debug for the details.", file=sys.stderr)
        return 1
    finally:
        sys.stdout, sys.stderr = out, err


def os_error_message(exc: OSError) -> tuple[str, int]:
    """One line for a failed file operation and its exit code (74 ``EX_IOERR`` for no room).

    Names only the file's base name and the OS reason: never the full path, which may carry
    case details in folder names, and never library text.
    """
    from caseapp.services.errors import DISK_FULL_ERRNOS

    name = Path(exc.filename).name if isinstance(exc.filename, str | Path) else ""
    where = f"{name}: " if name else ""
    if exc.errno in DISK_FULL_ERRNOS:
        return (f"{where}the disk is full or a file-size limit was reached; the file was not "
                "written and nothing in the store was changed. Free some space and try again",
                74)
    reason = exc.strerror or type(exc).__name__
    return f"{where}{reason}", 1


def quiet_broken_pipe() -> None:
    """The reader of stdout went away (``caseapp search x --json | head``): end quietly.

    Python would report the failed flush of stdout at exit; point stdout at devnull first.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass

"""The ``caseapp`` command line: argparse entry point.

Each command group is a module of :mod:`caseapp.cli` exposing ``register(subparsers)``,
listed once in :data:`COMMAND_GROUPS`; handlers receive the parsed args and return an exit
code. Exact forms and JSON shapes: ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from caseapp.cli import (
    about,
    audit,
    casefile,
    cases,
    discovery,
    evidence,
    exchange,
    maintenance,
    produce,
    profile,
    redflags,
    signals,
    team,
    tips,
)

#: Command-group modules, in help order.
COMMAND_GROUPS = [cases, evidence, redflags, tips, discovery, casefile, produce, exchange,
                  signals, team, maintenance, audit, profile, about]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"caseapp: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every command group registered."""
    parser = _Parser(prog="caseapp", description="Offline case management for investigations "
                     "of remote-IT-worker identity fraud. Without a command, opens the app.")
    parser.add_argument("--home", metavar="DIR", help="data home (default: CASEAPP_HOME or "
                        "the platform's user data folder)")
    parser.add_argument("--store", metavar="URL", help="a team store, postgresql://USER@HOST"
                        "/DBNAME (default: CASEAPP_STORE, else the home's own database); the "
                        "password comes from the OS keyring")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"caseapp {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND",
                                       parser_class=_Parser)
    for group in COMMAND_GROUPS:
        group.register(subparsers)
    return parser


def _version() -> str:
    from caseapp import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if _leading_option(argv) == "--version":  # before building the parser: no imports
        print(f"caseapp {_version()}")
        return 0
    if _wants_gui(argv):
        return _launch_gui(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors (2), --help/--version (0)
        return int(exc.code or 0)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    from caseapp.cli.common import quiet_broken_pipe, run_handler

    code = run_handler(args)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_broken_pipe()
    return code


def _leading_option(argv: list[str]) -> str | None:
    """The first argument after the global options (``--home``, ``--debug``), if any."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--home")
    pre.add_argument("--store")
    pre.add_argument("--debug", action="store_true")
    _known, rest = pre.parse_known_args(argv)
    return rest[0] if rest else None


def _wants_gui(argv: list[str]) -> bool:
    """No command given (only global options), or the explicit ``gui`` command."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--home")
    pre.add_argument("--store")
    pre.add_argument("--debug", action="store_true")
    _known, rest = pre.parse_known_args(argv)
    if any(flag in rest for flag in ("-h", "--help", "--version")):
        return False
    return not rest or rest[0] == "gui" or all(r.startswith("-") for r in rest)


def _launch_gui(argv: list[str]) -> int:
    parser = _Parser(prog="caseapp")
    parser.add_argument("--home", metavar="DIR")
    parser.add_argument("--store", metavar="URL")
    parser.add_argument("--debug", action="store_true")
    parser.add_argument("--version", action="version", version=f"caseapp {_version()}")
    parser.add_argument("gui", nargs="?", help=argparse.SUPPRESS)
    args, qt_args = parser.parse_known_args(argv)
    from caseapp.ui import app

    home = args.home or os.environ.get("CASEAPP_HOME")
    if args.store:  # the app opens its workspace on CASEAPP_STORE
        os.environ["CASEAPP_STORE"] = args.store
    return int(app.run(home=home, qt_args=qt_args, debug=args.debug))


if __name__ == "__main__":
    raise SystemExit(main())

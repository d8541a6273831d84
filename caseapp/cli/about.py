"""CLI: ``caseapp about [--json]``: version, build date and engine versions (no store opened)."""

from __future__ import annotations

import argparse
import dataclasses

from caseapp.cli.common import print_json
from caseapp.cli.options import Sub, command


def register(sub: Sub) -> None:
    command(sub, "about", about_cmd, help="version, build date and the SQLCipher version",
            description="What this copy of caseapp is: version, build date and commit of a "
            "bundle, SQLCipher/SQLite, Python and the system. Opens no store.")


def about_cmd(args: argparse.Namespace) -> int:
    from caseapp.services.maintenance.about import about_info

    info = about_info()
    if args.json:
        print_json(dataclasses.asdict(info))
        return 0
    built = info.built or "none (source install)"
    print(f"caseapp {info.version}\nbuilt {built}" + (f" from {info.commit}" if info.commit
                                                      else "")
          + f"\nSQLCipher {info.sqlcipher} (SQLite {info.sqlite})\nPython {info.python}\n"
          f"System {info.system}")
    return 0

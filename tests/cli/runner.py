"""Run the CLI in-process on a data home, as the CLI tests do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caseapp.cli.main import main


def run(capsys: Any, home: Path, *args: str) -> tuple[int, str, str]:
    """``caseapp --home HOME ARGS...``: (exit code, stdout, stderr)."""
    code = main(["--home", str(home), *args])
    out, err = capsys.readouterr()
    return code, out, err

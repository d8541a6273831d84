"""Fixtures of the CLI tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.runner import run


@pytest.fixture
def demo_home(capsys: Any, home: Path) -> Path:
    """A data home with the demo cases, loaded through ``caseapp demo``."""
    code, _, _ = run(capsys, home, "demo")
    assert code == 0
    return home

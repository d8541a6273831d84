"""Shared fixtures: an in-memory keyring, cheap scrypt, a fresh encrypted store per test."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from memkeyring import MemoryKeyring  # noqa: E402
from store_backends import backend_ws, pg_cluster, pg_url  # noqa: E402, F401 - both stores

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# scrypt at 2^17 costs ~0.5 s; tests use a cheap cost (production default is unchanged).
os.environ["CASEAPP_SCRYPT_LOG2N"] = "10"
os.environ.pop("CASEAPP_PASSPHRASE", None)
os.environ.pop("CASEAPP_HOME", None)
os.environ.pop("CASEAPP_DATABASE_URL", None)
# Every PDF a test makes is checked by pikepdf's PDF/A validator (caseapp.pdf.pdfa).
os.environ["CASEAPP_PDFA_CHECK"] = "1"


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test starts with an empty, usable in-memory OS keyring."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """Simulate a machine without a usable keyring (keyring's fail backend)."""
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A data home path that does not exist yet."""
    return tmp_path / "home"


@pytest.fixture
def ws(home: Path) -> Iterator[object]:
    """A freshly created, unlocked store (keyring mode)."""
    from caseapp.services.workspace import open_workspace

    workspace = open_workspace(home)
    yield workspace
    workspace.close()

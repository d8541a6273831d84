"""A keyring backend for BENCHMARKS ONLY: keeps secrets in a JSON file in the bench folder.

Selected with ``PYTHON_KEYRING_BACKEND=bench_keyring.BenchKeyring`` (``benchmarks/`` on
``PYTHONPATH``) so start-up can be measured in keyring mode on machines without an OS keyring.
It refuses to work unless ``CASEAPP_BENCH_KEYRING_FILE`` names a file inside a folder whose
name contains ``bench``: a plaintext file is not a keyring and must never hold a real key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

ENV = "CASEAPP_BENCH_KEYRING_FILE"


def _path() -> Path:
    value = os.environ.get(ENV)
    if not value:
        raise RuntimeError(f"bench_keyring is for benchmarks only; {ENV} is not set")
    path = Path(value).resolve()
    if "bench" not in path.parent.name.lower():
        raise RuntimeError("bench_keyring only writes inside a benchmark folder")
    return path


class BenchKeyring(KeyringBackend):
    """File-backed keyring used by benchmarks/bench_startup.py."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.path = _path()

    def _load(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        return json.loads(self.path.read_text(encoding="utf-8"))

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\0{username}"] = password
        self.path.write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\0{username}", None) is None:
            raise PasswordDeleteError(username)
        self.path.write_text(json.dumps(data), encoding="utf-8")

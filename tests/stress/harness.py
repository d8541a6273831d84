"""Running real ``caseapp`` processes against one data home, and reading its state back.

Imported by name (tests/stress is put on sys.path by its conftest). Every process runs in
passphrase mode with the OS keyring disabled, as on a machine without one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PASSPHRASE = "stress passphrase"
ENV = {**os.environ, "CASEAPP_PASSPHRASE": PASSPHRASE, "CASEAPP_SCRYPT_LOG2N": "10",
       "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "QT_QPA_PLATFORM": "offscreen"}
ENV.pop("CASEAPP_FAULT_AT", None)


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def caseapp(home: Path, *args: str, fault: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 300, stdin: str | None = None, max_file_size: int | None = None,
            ) -> Run:
    """Run ``python -m caseapp --home HOME ARGS``; ``fault`` kills it at that named step;
    ``max_file_size`` (bytes) makes every write past that size fail as on a full disk."""
    run_env = {**ENV, **(env or {})}
    if fault:
        run_env["CASEAPP_FAULT_AT"] = fault
    limit = None if max_file_size is None else _file_size_limit(max_file_size)
    done = subprocess.run([sys.executable, "-m", "caseapp", "--home", str(home), *args],
                          env=run_env, capture_output=True, text=True, timeout=timeout,
                          input=stdin, preexec_fn=limit)
    return Run(done.returncode, done.stdout, done.stderr)


def _file_size_limit(size: int) -> Any:
    """A pre-exec hook: RLIMIT_FSIZE with SIGXFSZ ignored, so writes fail with EFBIG, which
    the OS, SQLite and Python report exactly as they report a full disk (ENOSPC)."""
    def limit() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


KILLED = -9 if sys.platform != "win32" else 137


def state(home: Path) -> dict[str, Any]:
    """What a user would compare before and after: cases, exhibits, notes, tips, checklist
    answers, exports, and the files in the vault (audit entries of verify runs aside)."""
    cases = caseapp(home, "case", "list", "--json").json()
    out: dict[str, Any] = {"cases": sorted((c["ref"], c["title"], c["status"]) for c in cases)}
    exhibits, flags = {}, {}
    for c in cases:
        listed = caseapp(home, "evidence", "list", c["ref"], "--json").json()
        exhibits[c["ref"]] = sorted((e["exhibit"], e["sha256"]) for e in listed)
        shown = caseapp(home, "flags", "show", c["ref"], "--json")
        if shown.code == 0:
            doc = shown.json()
            flags[c["ref"]] = (doc["template"], doc["version"],
                               sorted((i["id"], i["state"]) for i in doc["items"]
                                      if i["state"] != "not-assessed"))
    out["exhibits"], out["flags"] = exhibits, flags
    tips = caseapp(home, "tips", "list", "--json").json()
    out["tips"] = sorted(t["ref"] for t in tips)
    vault = home / "vault"
    out["blobs"] = sorted(p.name for p in vault.glob("*.cav")) if vault.exists() else []
    return out


def verify(home: Path, *extra: str) -> dict[str, Any]:
    run = caseapp(home, "verify", "--json", *extra)
    assert run.code in (0, 1), run.err
    return run.json()

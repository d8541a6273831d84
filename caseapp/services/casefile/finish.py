"""Finishing productions that were killed part-way (``caseapp productions CASE_REF --finish``).

A production is staged in a hidden ``.NAME.xxxx.part`` folder beside its target, recorded,
then renamed into place (:mod:`caseapp.services.casefile.produce`). Two things can be left:

* killed **after** it was recorded: its numbers are used and its volume is complete in the
  staging folder the record names. :func:`finish_productions` checks that folder against the
  record (the SHA-256 of ``SHA256SUMS`` as recorded, every file listed there by its hash, no
  file that is not listed) and only then renames it into place, with an audit entry;
* killed **before** it was recorded: no number was used and the staging folder is garbage.
  While a production runs it holds an OS lock on ``<staging>.lock`` (released by the OS when
  the process dies), so a staging folder whose lock can be taken, and which no production
  recorded, is stale and is removed. A folder another process is still writing is left alone.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from sqlmodel import col, select

from caseapp.domain.loadfiles import bates_label
from caseapp.domain.models import Production
from caseapp.security import audit
from caseapp.services.casefile.production import file_sha256
from caseapp.services.cases.cases import get_case_in
from caseapp.services.workspace import Workspace
from caseapp.store.files import fsync_dir

SUMS = "SHA256SUMS"
LOCK_SUFFIX = ".lock"


def staging_lock(staging: Path) -> FileLock:
    """The lock a running production holds on its staging folder."""
    return FileLock(str(staging) + LOCK_SUFFIX)


@dataclass
class FinishReport:
    """What ``--finish`` did (the ``productions --finish --json`` shape)."""

    finished: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"finished": self.finished, "problems": self.problems, "removed": self.removed}


def check_staged(staging: Path, recorded_sums: str) -> str | None:
    """Why a staged volume does not match its record (None: every file matches)."""
    sums = staging / SUMS
    if not sums.is_file():
        return f"{SUMS} is missing from the staged volume"
    data = sums.read_bytes()
    if hashlib.sha256(data).hexdigest() != recorded_sums:
        return f"{SUMS} is not the one recorded for this production"
    listed: set[str] = set()
    for line in data.decode("utf-8").splitlines():
        digest, sep, name = line.partition("  ")
        if not sep or ".." in Path(name).parts or Path(name).is_absolute():
            return f"{SUMS} has a line that is not 'hash  path'"
        path = staging / name
        if not path.is_file() or file_sha256(path) != digest:
            return f"{name} is missing or does not match its SHA-256"
        listed.add(name)
    present = {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()}
    extra = sorted(present - listed - {SUMS})
    if extra:
        return f"{extra[0]} is in the staged volume but not in {SUMS}"
    return None


def finish_productions(ws: Workspace, case_ref: str) -> FinishReport:
    """Move the case's recorded-but-staged productions into place after checking them, and
    remove stale staging folders beside the case's production folders."""
    report = FinishReport()
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        rows = list(session.exec(select(Production).where(Production.case_id == case.id)
                                 .order_by(col(Production.number))).all())
        recorded = recorded_stagings(session)
    for p in rows:
        staging = json.loads(p.options or "{}").get("staging")
        target = Path(p.path)
        if not staging or target.is_dir() and any(target.iterdir()) or not Path(staging).is_dir():
            continue
        problem = check_staged(Path(staging), p.manifest_sha256)
        if problem is None and target.exists() and not target.is_dir():
            problem = f"{target} exists and is not a folder"
        if problem is not None:
            report.problems.append({"production": p.number, "staged": staging,
                                    "problem": problem})
            continue
        if target.is_dir():
            target.rmdir()  # empty (checked above)
        os.replace(staging, target)
        with contextlib.suppress(OSError):
            fsync_dir(target.parent)
        with contextlib.suppress(OSError):
            Path(staging + LOCK_SUFFIX).unlink()
        with ws.transaction() as session:
            audit.append(session, "case.production-finished", "case", case.ref,
                         {"production": p.number, "path": str(target), "from": staging,
                          "sha256sums": p.manifest_sha256})
        report.finished.append({"production": p.number, "path": str(target),
                                "from": staging})
    for parent in sorted({Path(p.path).parent for p in rows}):
        report.removed += remove_stale_staging(parent, recorded)
    return report


def recorded_stagings(session: Any) -> set[str]:
    """Every staging folder a production of the store recorded (never removed as stale)."""
    out = set()
    for options in session.exec(select(Production.options)).all():
        staging = json.loads(options or "{}").get("staging")
        if staging:
            out.add(str(staging))
    return out


def remove_stale_staging(parent: Path, recorded: set[str], name: str = "*") -> list[str]:
    """Remove ``.NAME.*.part`` production staging folders in ``parent`` that no production
    recorded and no running production holds; returns what was removed."""
    removed: list[str] = []
    if not parent.is_dir():
        return removed
    pattern = "*" if name == "*" else glob.escape(name)  # a target named "a[1]" is literal
    for folder in sorted(parent.glob(f".{pattern}.*.part")):
        lock_path = Path(str(folder) + LOCK_SUFFIX)
        if not folder.is_dir() or str(folder) in recorded or not lock_path.exists():
            continue  # no lock file: not a production staging folder (an export's, say)
        lock = FileLock(str(lock_path))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue  # a production is writing it now
        try:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
        finally:
            lock.release()
            with contextlib.suppress(OSError):
                lock_path.unlink()
    return removed


def list_productions(ws: Workspace, case_ref: str) -> list[dict[str, Any]]:
    """The case's productions, oldest first (the ``productions --json`` shape)."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        rows = session.exec(select(Production).where(Production.case_id == case.id)
                            .order_by(col(Production.number))).all()
    return [{"production": p.number, "created_at": p.created_at.isoformat(),
             "actor": p.actor, "prefix": p.prefix, "volume": p.volume,
             "bates_first": bates_label(p.prefix, p.bates_first) if p.documents else None,
             "bates_last": bates_label(p.prefix, p.bates_last) if p.documents else None,
             "documents": p.documents, "pages": p.pages, "withheld": p.withheld,
             "path": p.path, "present": Path(p.path).is_dir(),
             "staged": _left_staged(p),
             "sha256sums": p.manifest_sha256, "options": json.loads(p.options or "{}")}
            for p in rows]


def _left_staged(p: Production) -> str | None:
    """Where the volume of a production recorded but never moved into place still is."""
    staging = json.loads(p.options or "{}").get("staging")
    if staging and not Path(p.path).is_dir() and Path(staging).is_dir():
        return str(staging)
    return None

"""The hash-chained audit log.

Each entry's hash is SHA-256 over the previous entry's hash followed by the canonical JSON of
the entry (sorted keys, no whitespace, UTF-8). Changing, removing or reordering any entry
breaks every hash after it; :func:`verify_chain` names the first entry that does not verify.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from caseapp.domain.models import AuditEntry, utcnow

GENESIS = "0" * 64


def current_actor() -> str:
    """The OS user running caseapp."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some systems
        return "unknown"


def canonical_json(data: Any) -> str:
    """Deterministic JSON used for hashing."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def _entry_payload(entry: AuditEntry) -> dict[str, Any]:
    at: datetime = entry.at
    return {
        "id": entry.id,
        "at": at.isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "detail": json.loads(entry.detail),
    }


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """Hash of ``entry`` chained onto ``prev_hash``."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical_json(_entry_payload(entry)).encode("utf-8"))
    return digest.hexdigest()


def head(session: Session) -> AuditEntry | None:
    """The newest audit entry, or None on an empty log."""
    return session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(1)).first()


def append(session: Session, action: str, entity: str = "", entity_id: str | int = "",
           detail: dict[str, Any] | None = None, actor: str | None = None) -> AuditEntry:
    """Append an entry in the caller's transaction (flushes to get its id)."""
    last = head(session)
    prev = last.hash if last else GENESIS
    entry = AuditEntry(
        id=(last.id or 0) + 1 if last else 1,
        at=utcnow(),
        actor=actor or current_actor(),
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        detail=canonical_json(detail or {}),
        prev_hash=prev,
        hash="",
    )
    entry.hash = entry_hash(prev, entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    detail: str


def verify_chain(session: Session, batch: int = 2000) -> tuple[int, list[ChainProblem]]:
    """Walk the whole chain; returns (entries checked, problems)."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_id = 1
    count = 0
    last_id = 0
    while True:
        rows = session.exec(select(AuditEntry).where(col(AuditEntry.id) > last_id)
                            .order_by(col(AuditEntry.id)).limit(batch)).all()
        if not rows:
            break
        for entry in rows:
            count += 1
            assert entry.id is not None
            if entry.id != expected_id:
                problems.append(ChainProblem(entry.id, f"entry {expected_id} is missing"))
            if entry.prev_hash != prev:
                problems.append(ChainProblem(entry.id, "previous-hash link does not match"))
            try:
                recomputed = entry_hash(entry.prev_hash, entry)
            except (ValueError, TypeError):
                recomputed = ""
            if recomputed != entry.hash:
                problems.append(ChainProblem(entry.id, "entry content does not match its hash"))
            prev = entry.hash
            expected_id = entry.id + 1
            last_id = entry.id
    return count, problems

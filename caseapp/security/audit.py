"""The hash-chained audit log.

Each entry's hash is SHA-256 over the previous entry's hash followed by the canonical JSON of
the entry (sorted keys, no whitespace, UTF-8). Changing, removing or reordering any entry
breaks every hash after it; :func:`verify_chain` names the first entry that does not verify.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, text
from sqlmodel import Session, col, select

from caseapp.domain.models import AuditEntry, utcnow
from caseapp.security import record_state

GENESIS = "0" * 64


#: The investigator's name from the store's profile (set when a workspace opens), or None.
_profile_actor: str | None = None


def os_account() -> str:
    """The OS user running caseapp."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some systems
        return "unknown"


def set_actor(name: str | None) -> None:
    """Record ``name`` (the investigator profile) as the actor from now on; None: the OS
    account again. The OS account is then kept beside it in each entry (``os_account``)."""
    global _profile_actor
    _profile_actor = name or None


def current_actor() -> str:
    """Who acts: the investigator profile's name when one is set, else the OS user."""
    return _profile_actor or os_account()


def canonical_json(data: Any) -> str:
    """Deterministic JSON used for hashing."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def _entry_payload(entry: AuditEntry) -> dict[str, Any]:
    at: datetime = entry.at
    payload = {
        "id": entry.id,
        "at": at.isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "detail": json.loads(entry.detail),
    }
    if entry.state is not None:  # entries from before state hashes hash as they always did
        payload["state"] = json.loads(entry.state)
    return payload


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """Hash of ``entry`` chained onto ``prev_hash``."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical_json(_entry_payload(entry)).encode("utf-8"))
    return digest.hexdigest()


def _team_links(session: Session) -> bool:
    """Whether this is a team store whose row-level security may hide audit entries (the
    chain head and links then come from its definer functions, ids and hashes only)."""
    return session.get_bind().dialect.name == "postgresql" and bool(session.execute(text(
        "SELECT to_regprocedure('caseapp_audit_links(integer, integer)') IS NOT NULL")).scalar())


def head(session: Session) -> AuditEntry | None:
    """The newest audit entry, or None on an empty log. On a team store the head may be an
    entry this user cannot read: then only its id and hash are filled in."""
    newest = session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(1)).first()
    if _team_links(session):
        row = session.execute(text("SELECT id, hash FROM caseapp_audit_head()")).first()
        if row is not None and (newest is None or newest.id != row[0]):
            return AuditEntry(id=int(row[0]), hash=str(row[1]), action="", prev_hash="")
    return newest


def database_user(session: Session) -> str | None:
    """The database login role of a team-store (PostgreSQL) session; None on the local store.

    Team stores accept an entry only when its ``detail.db_user`` is that role (a trigger)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return str(session.execute(text("SELECT session_user")).scalar_one())


def append(session: Session, action: str, entity: str = "", entity_id: str | int | None = "",
           detail: dict[str, Any] | None = None, actor: str | None = None,
           state: dict[str, list[str]] | None = None) -> AuditEntry:
    """Append an entry in the caller's transaction (flushes to get its id).

    The caller holds the write lock (every write unit does), so the head read here is the
    head the new entry chains onto. ``state``: record hashes to vouch for explicitly (the
    baseline); ordinarily they are added at commit for whatever the transaction changed.
    """
    last = head(session)
    prev = last.hash if last else GENESIS
    db_user = database_user(session)
    if db_user is not None:  # a team store: the login role is named in every entry
        detail = {**(detail or {}), "db_user": db_user}
    if _profile_actor and actor is None:  # the person, and the OS account as its own field
        detail = {**(detail or {}), "os_account": os_account()}
    entry = AuditEntry(
        id=(last.id or 0) + 1 if last else 1,
        at=utcnow(),
        actor=actor or current_actor(),
        action=action,
        entity=entity,
        entity_id="" if entity_id is None else str(entity_id),  # (None: ids are set by flush)
        detail=canonical_json(detail or {}),
        state=canonical_json(state) if state is not None else None,
        prev_hash=prev,
        hash="",
    )
    entry.hash = entry_hash(prev, entry)
    session.add(entry)
    session.flush()
    session.info[_LAST_ENTRY] = entry
    return entry


_LAST_ENTRY = "caseapp_last_audit_entry"


def _vouch_for_state(session: Session) -> None:
    """Before a commit: put the state hashes of every record the transaction changed into
    its last audit entry (and rehash that entry; it is the chain head, inside the lock)."""
    entry = session.info.pop(_LAST_ENTRY, None)
    changed = record_state.touched(session)
    if entry is None or not changed:
        return
    session.flush()  # the touched set is complete only once everything is flushed
    hashes = record_state.hashes_for(session, sorted(changed))
    if entry.state:
        hashes = {**json.loads(entry.state), **hashes}
    entry.state = canonical_json(hashes)
    entry.hash = entry_hash(entry.prev_hash, entry)
    session.add(entry)
    session.flush()
    changed.clear()


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_LAST_ENTRY, None)


def install() -> None:
    """Register the listeners that record state hashes with each transaction (idempotent)."""
    record_state.track()
    for name, fn in (("before_commit", _vouch_for_state), ("after_rollback", _forget)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    detail: str


@dataclass
class ChainWalk:
    """What walking the whole chain found."""

    entries: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    head_id: int = 0
    head_hash: str = GENESIS
    #: Newest recorded ``record key -> (where, hash, entry id)``.
    states: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    #: Entries (of a team store) about cases this user cannot read: only their links were
    #: checked, not their content.
    hidden: int = 0


_HIDDEN = "\x00hidden"  # detail of an entry known only by its link (never valid JSON)


def verify_chain(session: Session, batch: int = 2000) -> tuple[int, list[ChainProblem]]:
    """Walk the whole chain; returns (entries checked, problems)."""
    walk = walk_chain(session, batch)
    return walk.entries, walk.problems


def walk_chain(session: Session, batch: int = 2000) -> ChainWalk:
    """Check every link and hash, and collect the newest recorded state of each record."""
    walk = ChainWalk()
    prev = GENESIS
    expected_id = 1
    last_id = 0
    team = _team_links(session)
    while True:
        rows = session.exec(select(AuditEntry).where(col(AuditEntry.id) > last_id)
                            .order_by(col(AuditEntry.id)).limit(batch)).all()
        if team:  # entries hidden from this user: their links only (id, prev_hash, hash)
            links = session.execute(text("SELECT id, prev_hash, hash FROM "
                                         "caseapp_audit_links(:a, :n)"),
                                    {"a": last_id, "n": batch}).all()
            seen = {entry.id: entry for entry in rows}
            rows = [seen.get(int(i)) or AuditEntry(id=int(i), prev_hash=str(p), hash=str(h),
                                                  action="", detail=_HIDDEN)
                    for i, p, h in links]
        if not rows:
            break
        for entry in rows:
            if entry.detail == _HIDDEN:
                walk.entries += 1
                walk.hidden += 1
                assert entry.id is not None
                if entry.id != expected_id:
                    walk.problems.append(ChainProblem(entry.id,
                                                      f"entry {expected_id} is missing"))
                if entry.prev_hash != prev:
                    walk.problems.append(ChainProblem(entry.id,
                                                      "previous-hash link does not match"))
                prev, expected_id, last_id = entry.hash, entry.id + 1, entry.id
                walk.head_id, walk.head_hash = entry.id, entry.hash
                continue
            walk.entries += 1
            assert entry.id is not None
            if entry.id != expected_id:
                walk.problems.append(ChainProblem(entry.id, f"entry {expected_id} is missing"))
            if entry.prev_hash != prev:
                walk.problems.append(ChainProblem(entry.id, "previous-hash link does not match"))
            try:
                recomputed = entry_hash(entry.prev_hash, entry)
                states = json.loads(entry.state) if entry.state else {}
            except (ValueError, TypeError):
                recomputed, states = "", {}
            if recomputed != entry.hash:
                walk.problems.append(ChainProblem(entry.id,
                                                  "entry content does not match its hash"))
            for key, value in states.items() if isinstance(states, dict) else ():
                if isinstance(value, list) and len(value) == 2:
                    walk.states[key] = (str(value[0]), str(value[1]), entry.id)
            prev = entry.hash
            expected_id = entry.id + 1
            last_id = entry.id
            walk.head_id, walk.head_hash = entry.id, entry.hash
    return walk


def entry_at(session: Session, entry_id: int) -> AuditEntry | None:
    """The entry with this id, if the chain still has it."""
    return session.get(AuditEntry, entry_id)


BASELINE_CHUNK = 500


def record_baseline(session: Session, reason: str) -> int:
    """Append entries vouching for the current state of every record (an old store's first
    state hashes, or after a change of :data:`record_state.STATE_VERSION`); returns how many
    records. Call inside a write transaction."""
    hashes: dict[str, list[str]] = {}
    for kind in record_state.KINDS:
        for key, (where, digest) in record_state.current_hashes(session, kind).items():
            hashes[key] = [where, digest]
    keys = sorted(hashes)
    parts = max(1, -(-len(keys) // BASELINE_CHUNK))
    for part in range(parts):
        chunk = keys[part * BASELINE_CHUNK:(part + 1) * BASELINE_CHUNK]
        append(session, "audit.baseline", "store", "", {
            "reason": reason, "records": len(chunk), "part": part + 1, "of": parts,
            "state_version": record_state.STATE_VERSION},
            state={k: hashes[k] for k in chunk})
    session.info.pop(_LAST_ENTRY, None)  # nothing more to vouch for at commit
    return len(keys)

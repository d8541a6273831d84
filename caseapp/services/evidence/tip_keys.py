"""The team's tips key: what tip attachments are sealed under in a joined home.

A tip belongs to no case (tips are team-wide), so its attachments cannot use a case key;
sealed under one home's vault key, no colleague could open them. Instead a team store has one
data key of scope ``tips``, wrapped for each member's X25519 key (``team_key_wrap``). The first
member to attach a file draws it; whoever holds it wraps it for every member who has joined
since (``team.tips-key-granted``) at each attachment they add and each ``team member add`` they
run, so a new colleague opens the tips' attachments once a holder has done either. A role outside the team
reads no wrap and no tip. An exhibit made from a tip attachment keeps the attachment's blob,
so a case member opens it with the tips key too.
"""

from __future__ import annotations

from sqlmodel import Session, select

from caseapp.domain.models import utcnow
from caseapp.domain.team_models import TeamKeyWrap, TeamMemberKey
from caseapp.security import audit
from caseapp.security.team_keys import (
    TeamKeyError,
    WrappedKey,
    fingerprint,
    new_case_key,
    public_bytes,
    unwrap_case_key,
    wrap_case_key,
)
from caseapp.services.workspace import Workspace

SCOPE = "tips"
#: What the tips key's wraps are bound to (a case key's context is ``case_file:<id>``).
CONTEXT = "team:tips"


def _wrapped(row: TeamKeyWrap) -> WrappedKey:
    return WrappedKey(CONTEXT, row.version, row.member, bytes(row.ephemeral), bytes(row.nonce),
                      bytes(row.sealed))


def _rows(session: Session) -> list[TeamKeyWrap]:
    return list(session.exec(select(TeamKeyWrap).where(TeamKeyWrap.scope == SCOPE)).all())


def _mine(rows: list[TeamKeyWrap], private) -> dict[int, bytes]:  # noqa: ANN001
    own = fingerprint(public_bytes(private))
    keys: dict[int, bytes] = {}
    for row in rows:
        if row.member == own:
            try:
                keys[row.version] = unwrap_case_key(_wrapped(row), private)
            except TeamKeyError:  # a damaged wrap opens nothing; verify shows the blob
                continue
    return keys


def held_keys(ws: Workspace) -> list[bytes]:
    """Every version of the tips key this member holds, newest first (none: not joined, or
    no holder has wrapped it for them yet)."""
    from caseapp.services.evidence import case_keys

    with ws.session() as session:
        rows = _rows(session)
    if not rows:
        return []
    keys = _mine(rows, case_keys.member_private(ws))
    return [keys[v] for v in sorted(keys, reverse=True)]


def sealing_key(ws: Workspace) -> bytes | None:
    """The key a new tip attachment is sealed under: the tips key in a home that has joined a
    team (drawn on first use, and wrapped for every joined member who lacks it), None in a
    single-user home (its vault key). KeyAccessError when others hold it but not this member."""
    from caseapp.services.evidence import case_keys

    if not case_keys.joined(ws):
        return None
    private = case_keys.member_private(ws)
    with ws.transaction() as session:  # under the write lock: one first key wins
        rows = _rows(session)
        if rows:
            current = max(r.version for r in rows)
            keys = _mine(rows, private)
            if current not in keys:
                raise case_keys.KeyAccessError(
                    "You hold no key for tip attachments yet: it is wrapped for you when a "
                    "colleague who holds it adds a tip attachment or puts you on a case.")
        else:
            current, keys = 1, {1: new_case_key()}
        _grant_missing(ws, session, rows, keys)
        return keys[current]


def share(ws: Workspace) -> list[str]:
    """Wrap the tips key (what this member holds of it) for every joined member who lacks
    it; returns their login roles. A no-op for a member who holds none (or has not joined)."""
    from caseapp.services.evidence import case_keys

    if not case_keys.joined(ws):
        return []
    private = case_keys.member_private(ws)
    with ws.transaction() as session:
        rows = _rows(session)
        keys = _mine(rows, private)
        return _grant_missing(ws, session, rows, keys) if keys else []


def _grant_missing(ws: Workspace, session: Session, rows: list[TeamKeyWrap],
                   keys: dict[int, bytes]) -> list[str]:
    """Wrap each version in ``keys`` for every registered member without it (audited)."""
    have = {(r.version, r.member) for r in rows}
    granted: list[str] = []
    at, by = utcnow(), audit.current_actor()
    for member in session.exec(select(TeamMemberKey)).all():
        for version, key in sorted(keys.items()):
            if (version, member.fingerprint) in have:
                continue
            w = wrap_case_key(key, bytes(member.public_key), case_id=CONTEXT, version=version)
            session.add(TeamKeyWrap(scope=SCOPE, version=version, member=w.member,
                                    ephemeral=w.ephemeral, nonce=w.nonce, sealed=w.sealed,
                                    created_at=at, created_by=by))
            granted.append(member.member)
    if granted:
        session.flush()
        audit.append(session, "team.tips-key-granted", "store", ws.store_id, {
            "version": max(keys), "members": sorted(set(granted)), "new": not rows})
    return sorted(set(granted))

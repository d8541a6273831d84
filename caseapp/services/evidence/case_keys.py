"""Team cases: evidence sealed under a per-case data key wrapped for each member.

A home joins with :func:`join` (a member key pair kept under the home's master key, its public
key registered in ``team_member_key`` under the member's login role). :func:`seal_case` gives
a case its first data key, wrapped for the named members; from then on :func:`ingest_key`
is what new exhibits of that case are sealed under (a joined home seals a case for itself
at its first exhibit), and :func:`install` lets the vault open
them (and older ones, under earlier key versions) for this member. :func:`grant` wraps every
version for a new member; :func:`revoke` drops a member's wraps and rotates the key, so what
is ingested afterwards is sealed under a key they never had. A case that was never sealed
keeps using the home's vault key, as in single-user mode.

Each function is one transaction with its audit entry. Which database rows a member may see
(the case_member policies of a team store) is the store's business; this module never
decides access, it only holds keys for those who have it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from sqlmodel import Session, col, select

from caseapp.domain.models import Case, Evidence, utcnow
from caseapp.domain.team_models import CaseKeyWrap, TeamMemberKey
from caseapp.security import audit
from caseapp.security.keys import KeyProblem
from caseapp.security.team_keys import (
    CaseKeys,
    MemberKeyStore,
    TeamKeyError,
    add_member,
    case_context,
    fingerprint,
    new_case_keys,
    public_bytes,
    remove_member,
    state_from_rows,
    to_row,
    wrap_case_key,
)
from caseapp.security.vault import VaultError
from caseapp.services.cases.cases import get_case_in
from caseapp.services.deletions import delete_rows
from caseapp.services.errors import CaseappError, Conflict, InvalidInput, NotFound
from caseapp.services.workspace import Workspace


class KeyAccessError(CaseappError):
    """This member holds no key for what was asked."""


def _member_store(ws: Workspace) -> MemberKeyStore:
    return MemberKeyStore(ws.home, ws.store_id)


def _private(ws: Workspace):  # noqa: ANN202 - X25519PrivateKey
    """This home's member private key, whichever way it is kept: under the home's key (no
    question asked), in the OS keyring, or under its own passphrase (CASEAPP_PASSPHRASE)."""
    keys = _member_store(ws)
    try:
        if keys.mode() == "home":
            return keys.unlock_with_master(ws.master_key)
        return keys.unlock(os.environ.get("CASEAPP_PASSPHRASE"))
    except KeyProblem as exc:
        raise KeyAccessError(str(exc)) from None


def join(ws: Workspace, role_name: str) -> str:
    """Make this home's member key pair and register its public key for ``role_name``.

    Returns the member key's recovery code (show it once)."""
    role_name = role_name.strip()
    if not role_name:
        raise InvalidInput("Give the member's login role name.")
    keys = _member_store(ws)
    if keys.exists():
        raise Conflict("This home has already joined a team.")
    with ws.session() as session:
        if session.exec(select(TeamMemberKey).where(TeamMemberKey.member == role_name)).first():
            raise Conflict(f"{role_name} already has a registered key.")
    public, code = keys.create(master=ws.master_key)
    try:
        with ws.transaction() as session:
            session.add(TeamMemberKey(fingerprint=fingerprint(public), member=role_name,
                                      public_key=public, registered_at=utcnow()))
            audit.append(session, "team.key-registered", "member", role_name,
                         {"fingerprint": fingerprint(public)})
    except BaseException:
        keys.path.unlink(missing_ok=True)
        raise
    return code


def _state(session: Session, case: Case) -> CaseKeys | None:
    rows = list(session.exec(select(CaseKeyWrap).where(CaseKeyWrap.case_id == case.id)))
    if not rows:
        return None
    current = max(r.version for r in rows)
    holders = {r.member for r in rows if r.version == current}
    members = {m.fingerprint: bytes(m.public_key) for m in session.exec(
        select(TeamMemberKey).where(col(TeamMemberKey.fingerprint).in_(holders)))}
    return state_from_rows(case.id or 0, rows, members)


def case_state(session: Session, case: Case) -> CaseKeys | None:
    """A case's wrapped key versions as this session sees them (None: no case key yet)."""
    return _state(session, case)


def _member_keys(session: Session, roles: Sequence[str]) -> dict[str, TeamMemberKey]:
    found = {m.member: m for m in session.exec(
        select(TeamMemberKey).where(col(TeamMemberKey.member).in_(list(roles))))}
    missing = sorted(set(roles) - set(found))
    if missing:
        raise NotFound(f"No registered team key for: {', '.join(missing)} (run team join).")
    return found


def _save(session: Session, case: Case, before: CaseKeys | None, after: CaseKeys) -> None:
    old = set(before.wrapped) if before else set()
    new = set(after.wrapped)
    at, by = utcnow(), audit.current_actor()
    delete_rows(session, *(session.exec(select(CaseKeyWrap).where(
        CaseKeyWrap.case_id == case.id, CaseKeyWrap.version == gone.version,
        CaseKeyWrap.member == gone.member)).one() for gone in old - new))
    for added in sorted(new - old, key=lambda w: (w.version, w.member)):
        session.add(to_row(added, case.id or 0, at=at, by=by))


def seal_case(ws: Workspace, case_ref: str, members: Sequence[str]) -> int:
    """Give a case its first data key, wrapped for ``members`` (login roles, this home's own
    included). Returns the key version (1)."""
    own = public_bytes(_private(ws))
    with ws.transaction() as session:
        case = get_case_in(session, case_ref)
        if _state(session, case) is not None:
            raise Conflict(f"{case.ref} already has a case key.")
        keys = _member_keys(session, members)
        publics = [bytes(k.public_key) for k in keys.values()]
        if own not in publics:
            raise InvalidInput("Include yourself: you could not add evidence otherwise.")
        state, _key = new_case_keys(case_context(case.id or 0), publics)
        _save(session, case, None, state)
        audit.append(session, "team.case-sealed", "case", case.ref,
                     {"version": state.current, "members": sorted(members)})
        return state.current


def joined(ws: Workspace) -> bool:
    """True once this home has its team member key (``team join``)."""
    return _member_store(ws).exists()


def member_private(ws: Workspace):  # noqa: ANN201 - X25519PrivateKey
    """This home's member private key (see :func:`_private`)."""
    return _private(ws)


def member_public(ws: Workspace) -> bytes:
    """This home's member public key (KeyAccessError: the home has not joined a team)."""
    keys = _member_store(ws)
    if not keys.exists():
        raise KeyAccessError("This home has not joined the team store (caseapp team join).")
    return keys.public_key()


def seal_new_case(session: Session, case: Case, key: bytes, public: bytes) -> int:
    """Wrap ``key`` (drawn by the caller, e.g. to seal evidence before the case row exists)
    as version 1 of a new case's key for the member ``public``, in the caller's transaction
    (a new case: nobody else holds a key of it). Returns the version (1)."""
    wrapped = wrap_case_key(key, public, case_id=case_context(case.id or 0), version=1)
    state = CaseKeys(case_context(case.id or 0), 1, {fingerprint(public): public}, (wrapped,))
    _save(session, case, None, state)
    audit.append(session, "team.case-sealed", "case", case.ref,
                 {"version": 1, "members": [fingerprint(public)]})
    return 1


def _seal_for_self(ws: Workspace, case_ref: str) -> CaseKeys:
    own = public_bytes(_private(ws))
    with ws.transaction() as session:
        case = get_case_in(session, case_ref)
        state = _state(session, case)
        if state is not None:  # another member sealed it meanwhile
            return state
        state, _key = new_case_keys(case_context(case.id or 0), [own])
        _save(session, case, None, state)
        audit.append(session, "team.case-sealed", "case", case.ref,
                     {"version": state.current, "members": [fingerprint(own)]})
        return state


def _rewrap(ws: Workspace, case_ref: str, role_name: str, *, no_key: str,
            change: Callable[[CaseKeys, Any, TeamMemberKey], CaseKeys], action: str,
            detail: Callable[[CaseKeys], dict[str, Any]]) -> int:
    """Apply ``change`` (state, this member's private key, the other member) to a sealed
    case's keys, store the wraps and audit ``action``; returns the current version."""
    private = _private(ws)
    with ws.transaction() as session:
        case = get_case_in(session, case_ref)
        state = _state(session, case)
        if state is None:
            raise NotFound(f"{case.ref} has no case key{no_key}.")
        member = _member_keys(session, [role_name])[role_name]
        try:
            after = change(state, private, member)
        except TeamKeyError as exc:
            raise KeyAccessError(str(exc)) from None
        _save(session, case, state, after)
        audit.append(session, action, "case", case.ref, {"member": role_name, **detail(after)})
        return after.current


def grant(ws: Workspace, case_ref: str, role_name: str) -> int:
    """Wrap every version of a case's key for another member; returns the current version."""
    return _rewrap(ws, case_ref, role_name, no_key="; seal it first",
                   change=lambda state, private, member: add_member(
                       state, private, bytes(member.public_key)),
                   action="team.key-granted", detail=lambda after: {"versions": after.versions()})


def revoke(ws: Workspace, case_ref: str, role_name: str) -> int:
    """Drop a member's wrapped keys and rotate the case key; returns the new version."""
    return _rewrap(ws, case_ref, role_name, no_key="",
                   change=lambda state, private, member: remove_member(
                       state, private, member.fingerprint)[0],
                   action="team.key-revoked", detail=lambda after: {"new_version": after.current})


def ingest_key(ws: Workspace, case_ref: str) -> tuple[bytes | None, int | None]:
    """(key, version) new exhibits of this case are sealed under; (None, None) in a home that
    has not joined a team (the home's vault key). In a joined home a case without a key is
    sealed for this member first, so no team exhibit is ever under one home's own key."""
    with ws.session() as session:
        state = _state(session, get_case_in(session, case_ref))
    if state is None:
        if not _member_store(ws).exists():
            return None, None
        state = _seal_for_self(ws, case_ref)
    try:
        return state.key(_private(ws)), state.current
    except TeamKeyError as exc:
        raise KeyAccessError(f"You hold no key for new evidence of {case_ref}: {exc}") from None


def blob_keys(ws: Workspace, blob_id: str) -> list[bytes]:
    """Every case key version this member holds for the case of ``blob_id``, newest first."""
    if not _member_store(ws).exists():
        return []
    with ws.session() as session:
        owners = session.exec(select(Evidence.case_id, Evidence.tip_id).where(
            Evidence.blob_id == blob_id)).all()
        case_id = next((c for c, _t in owners if c is not None), None)
        case = session.get(Case, case_id) if case_id is not None else None
        state = _state(session, case) if case is not None else None
    found: list[bytes] = []
    if state is not None:
        keys = state.keys(_private(ws))
        found = [keys[v] for v in sorted(keys, reverse=True)]
    if any(t is not None for _c, t in owners):  # a tip attachment (or an exhibit made of one)
        from caseapp.services.evidence import tip_keys

        found += tip_keys.held_keys(ws)
    return found


def install(ws: Workspace) -> None:
    """Let this workspace's vault open evidence sealed under case keys (a no-op until the
    home has joined a team)."""
    def keys_for(blob_id: str) -> list[bytes]:
        try:
            return blob_keys(ws, blob_id)
        except CaseappError as exc:  # e.g. no passphrase for the member key: say so
            raise VaultError(str(exc)) from None

    ws.vault.keys_for = keys_for

"""Joining a team store and managing who is on a case (the database enforces the rest).

* :func:`join_team`: this investigator's data home (created, with evidence at the team's
  location) and their X25519 member key pair, kept under the home's key
  (``caseapp.services.evidence.case_keys.join``); the public key is registered under their
  login role (``session_user``, which the database checks). The recovery code is returned once.
* :func:`add_member` / :func:`remove_member` / :func:`list_members` (a workspace opened on the
  team store): a lead adds a login role as lead, investigator or viewer (every version of the
  case key is wrapped for them: ``case_keys.grant``, or ``seal_case`` for a case without a
  key) or removes one (``case_keys.revoke``: the key rotates, so new evidence is sealed under a
  version the removed member never had). Membership and keys change in one transaction. The
  database refuses a non-lead (RLS); this module only says so plainly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from caseapp.domain.models import Case, StoreMeta, utcnow
from caseapp.domain.team_access_models import ACCESS_LEVELS, CaseMember
from caseapp.domain.team_models import TeamMemberKey
from caseapp.security import audit, team_keys
from caseapp.services.cases.cases import get_case_in
from caseapp.services.deletions import delete_rows
from caseapp.services.errors import Conflict, InvalidInput, NotFound, StoreUnavailable
from caseapp.services.team.admin import BLOBS_META
from caseapp.services.team.db import NOT_ALLOWED, database_user, sqlstate
from caseapp.services.workspace import Workspace

PassphraseProvider = Callable[[str], str | None]
LEAD_ONLY = "Only a lead of this case may change who is on it."
OTHER_HOME = ("Your login role already registered a key from another home; join from that "
              "home, or ask the administrator.")
#: Held in the data home while it joins: a second join of the same home waits, then finds it
#: joined (two at once would each write a key file and one would lose its registration).
JOIN_LOCK = "team-join.lock"
JOIN_WAIT_S = 120.0


@dataclass(frozen=True)
class JoinResult:
    member: str  # the login role
    fingerprint: str
    key_mode: str  # home | keyring | passphrase
    recovery_code: str | None  # None: this home already had its member key
    blobs: str
    home: Path


@dataclass(frozen=True)
class MemberView:
    role_name: str
    access: str
    fingerprint: str | None  # None: the role has not joined (no key registered)
    added_at: datetime
    added_by: str


@contextmanager
def _refusals(message: str) -> Iterator[None]:
    """The database saying no (grant, policy) as Conflict(message), no SQL shown. A policy
    hides the rows an UPDATE/DELETE may not touch, which the ORM reports as stale data."""
    try:
        yield
    except StaleDataError:
        raise Conflict(message) from None
    except DBAPIError as exc:
        if sqlstate(exc) == NOT_ALLOWED:
            raise Conflict(message) from None
        raise


def join_team(home: Path, dsn: str, passphrase: PassphraseProvider) -> JoinResult:
    """Join the team store ``dsn`` as the login role of its URL, from data home ``home``."""
    from caseapp.services.team.db import read_session, team_engine

    engine = team_engine(dsn)
    try:
        with read_session(engine) as session:
            meta = session.get(StoreMeta, BLOBS_META)
    except DBAPIError as exc:
        if sqlstate(exc) == NOT_ALLOWED:
            raise Conflict("This login role is not in the team (ask the administrator to "
                           "grant it caseapp_member).") from None
        raise
    finally:
        engine.dispose()
    if meta is None:
        raise StoreUnavailable("That database is not a team store yet: the administrator runs "
                               "caseapp team init first.")
    from filelock import FileLock, Timeout

    from caseapp.store.files import private_dir

    home = Path(home)
    lock = FileLock(str(private_dir(home) / JOIN_LOCK), timeout=JOIN_WAIT_S)
    try:
        lock.acquire()
    except Timeout:
        raise Conflict("Another team join of this data home is still running; run team join "
                       "again once it has finished.") from None
    try:
        return _join_locked(home, dsn, passphrase, meta.value)
    finally:
        lock.release()


def _join_locked(home: Path, dsn: str, passphrase: PassphraseProvider,
                 blobs: str) -> JoinResult:
    from caseapp.services.evidence import case_keys
    from caseapp.services.workspace import open_workspace, store_exists
    from caseapp.store.blobs import read_location
    from caseapp.store.blobs.base import BlobStoreError

    if any(p.name != JOIN_LOCK for p in home.iterdir()):
        try:
            here = read_location(home)
        except BlobStoreError as exc:
            raise StoreUnavailable(str(exc)) from None
        if here != blobs:
            raise InvalidInput("This data home keeps its evidence elsewhere; join the team "
                               "with a new home (--home NEW_FOLDER).")
    # A home that has joined already keeps its location (checked above): joining again
    # (or a second join that waited for the first) reports it as joined.
    ws = open_workspace(home, passphrase, blobs=None if store_exists(home) else blobs,
                        store_url=dsn)
    try:
        keys = team_keys.MemberKeyStore(ws.home, ws.store_id)
        with ws.session() as session:
            role = database_user(session)
            row = _key_of(session, role)
        code = None
        if not keys.exists():
            if row is not None:
                raise Conflict(OTHER_HOME)
            try:
                with _refusals("This login role may not register a key here."):
                    code = case_keys.join(ws, role)
            except IntegrityError as exc:  # another home registered it since the check
                if sqlstate(exc) != "23505":
                    raise
                raise Conflict(OTHER_HOME) from None
        elif row is None or row.fingerprint != team_keys.fingerprint(keys.public_key()):
            raise Conflict("This home's team key is not the one registered for your login "
                           "role here.")
        return JoinResult(role, team_keys.fingerprint(keys.public_key()), keys.mode(), code,
                          blobs, ws.home)
    finally:
        ws.close()


def _access(value: str) -> str:
    access = value.strip().lower()
    if access not in ACCESS_LEVELS:
        raise InvalidInput("--as is one of lead, investigator, viewer.")
    return access


def _key_of(session: Session, role: str) -> TeamMemberKey | None:
    return session.exec(select(TeamMemberKey).where(TeamMemberKey.member == role)).first()


def _case_state(session: Session, case: Case) -> team_keys.CaseKeys | None:
    from caseapp.services.evidence import case_keys

    return case_keys.case_state(session, case)


def add_member(ws: Workspace, case_ref: str, role: str, access: str) -> MemberView:
    """Put login role ``role`` on the case with ``access`` (or change its access); the case
    key (every version) is wrapped for them in the same transaction."""
    from caseapp.services.evidence import case_keys

    access, role = _access(access), role.strip()
    with _refusals(LEAD_ONLY), ws.unit_of_work() as session:
        case = get_case_in(session, case_ref)
        key = _key_of(session, role)
        if key is None:
            raise NotFound(f"{role!r} has not joined the team store (caseapp team join).")
        member = session.exec(select(CaseMember).where(
            CaseMember.case_id == case.id, CaseMember.role_name == role)).first()
        if member is None:
            member = CaseMember(case_id=case.id or 0, role_name=role, access=access,
                                added_at=utcnow(), added_by=database_user(session))
        member.access = access
        session.add(member)
        session.flush()
        state = _case_state(session, case)
        if state is None:  # the case's first key: for every member on it who has joined
            on_case = session.exec(select(CaseMember.role_name).where(
                CaseMember.case_id == case.id)).all()
            joined = [k.member for k in session.exec(select(TeamMemberKey).where(
                col(TeamMemberKey.member).in_(list(on_case)))).all()]
            version = case_keys.seal_case(ws, case.ref, joined)
        elif key.fingerprint not in state.members:
            version = case_keys.grant(ws, case.ref, role)
        else:
            version = state.current
        from caseapp.services.evidence import tip_keys

        tip_keys.share(ws)  # tips are team-wide: a newcomer also gets the tips key now
        audit.append(session, "team.member-added", "case", case.ref, {
            "member": role, "access": access, "key_version": version,
            "fingerprint": key.fingerprint})
        return MemberView(role, access, key.fingerprint, member.added_at, member.added_by)


def remove_member(ws: Workspace, case_ref: str, role: str) -> int:
    """Take ``role`` off the case; the case key rotates in the same transaction. Returns the
    current key version (0: the case has no key yet)."""
    from caseapp.services.evidence import case_keys

    role = role.strip()
    with _refusals(LEAD_ONLY), ws.unit_of_work() as session:
        case = get_case_in(session, case_ref)
        member = session.exec(select(CaseMember).where(
            CaseMember.case_id == case.id, CaseMember.role_name == role)).first()
        if member is None:
            raise NotFound(f"{role!r} is not on {case.ref}.")
        leads = session.exec(select(CaseMember).where(
            CaseMember.case_id == case.id, CaseMember.access == "lead")).all()
        if member.access == "lead" and len(leads) == 1:
            raise Conflict(f"{role!r} is the only lead of {case.ref}: add another lead first.")
        key = _key_of(session, role)
        state = _case_state(session, case)
        version = state.current if state else 0
        if state is not None and key is not None and key.fingerprint in state.members:
            version = case_keys.revoke(ws, case.ref, role)
        delete_rows(session, member, refused=LEAD_ONLY)
        audit.append(session, "team.member-removed", "case", case.ref, {
            "member": role, "key_version": version})
        return version


def list_members(ws: Workspace, case_ref: str) -> list[MemberView]:
    """Who is on the case (a member of it sees the list; others: no such case)."""
    with ws.session() as session:
        case = get_case_in(session, case_ref)
        rows = session.exec(select(CaseMember).where(CaseMember.case_id == case.id)
                            .order_by(col(CaseMember.role_name))).all()
        keys = {k.member: k.fingerprint for k in session.exec(select(TeamMemberKey)).all()}
        return [MemberView(r.role_name, r.access, keys.get(r.role_name), r.added_at,
                           r.added_by) for r in rows]

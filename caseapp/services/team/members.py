"""Joining a team store and managing who is on a case (the database enforces the rest).

* :func:`join_team`: this investigator's data home (created, with evidence at the team's
  location) and their X25519 member key pair (``caseapp.security.team_keys``); the public key
  is registered under their login role. The recovery code is returned once.
* :func:`add_member` / :func:`remove_member` / :func:`list_members` (a workspace opened on the
  team store): a lead adds a login role as lead, investigator or viewer (every version of the
  case key is wrapped for them) or removes one (the case key rotates: new evidence is sealed
  under a version the removed member never had). The database refuses a non-lead (RLS).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from caseapp.domain.models import StoreMeta, utcnow
from caseapp.domain.team_access_models import ACCESS_LEVELS, CaseMember
from caseapp.domain.team_models import CaseKeyWrap, TeamMemberKey
from caseapp.security import audit, team_keys
from caseapp.security.keys import KeyProblem, keyring_usable
from caseapp.services.cases.cases import get_case_in
from caseapp.services.errors import Conflict, InvalidInput, NotFound, StoreUnavailable
from caseapp.services.team.admin import BLOBS_META
from caseapp.services.team.db import NOT_ALLOWED, database_user, sqlstate
from caseapp.services.workspace import Workspace

PassphraseProvider = Callable[[str], str | None]
LEAD_ONLY = "Only a lead of this case may change who is on it."


@dataclass(frozen=True)
class JoinResult:
    member: str  # the login role
    fingerprint: str
    key_mode: str  # keyring | passphrase
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


def _once(provider: PassphraseProvider) -> PassphraseProvider:
    """The same answer for the home's key and the member key (asked once)."""
    answers: dict[str, str | None] = {}

    def ask(prompt: str) -> str | None:
        if prompt not in answers:
            answers[prompt] = provider(prompt)
        return answers[prompt]
    return ask


def join_team(home: Path, dsn: str, passphrase: PassphraseProvider) -> JoinResult:
    """Join the team store ``dsn`` as the login role of its URL, from data home ``home``."""
    from caseapp.services.team.db import read_session, team_engine
    from caseapp.services.workspace import open_workspace
    from caseapp.store.blobs import read_location
    from caseapp.store.blobs.base import BlobStoreError

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
    home = Path(home)
    if home.exists() and any(home.iterdir()):
        try:
            here = read_location(home)
        except BlobStoreError as exc:
            raise StoreUnavailable(str(exc)) from None
        if here != meta.value:
            raise InvalidInput("This data home keeps its evidence elsewhere; join the team "
                               "with a new home (--home NEW_FOLDER).")
    ask = _once(passphrase)
    ws = open_workspace(home, ask, blobs=meta.value, store_url=dsn)
    try:
        keys = team_keys.MemberKeyStore(ws.home, ws.store_id)
        code = None
        try:
            if keys.exists():
                public = keys.public_key()
            else:
                secret = None if keyring_usable() else ask("new")
                if not keyring_usable() and not secret:
                    raise InvalidInput("No usable OS keyring: a passphrase is needed for your "
                                       "team key (or set CASEAPP_PASSPHRASE).")
                public, code = keys.create(secret)
        except KeyProblem as exc:
            raise InvalidInput(str(exc)) from None
        fingerprint = team_keys.fingerprint(public)
        with _refusals("This login role may not register a key here."), \
                ws.transaction() as session:
            role = database_user(session)
            row = session.exec(select(TeamMemberKey).where(
                TeamMemberKey.member == role)).first()
            if row is not None and row.fingerprint != fingerprint:
                raise Conflict("Your login role already registered another key (from another "
                               "home); join from that home, or ask the administrator.")
            if row is None:
                session.add(TeamMemberKey(fingerprint=fingerprint, member=role,
                                          public_key=public, registered_at=utcnow()))
                session.flush()
                audit.append(session, "team.joined", "member", role,
                             {"fingerprint": fingerprint})
        mode = str(json.loads(keys.path.read_text(encoding="utf-8")).get("mode", ""))
        return JoinResult(role, fingerprint, mode, code, meta.value, ws.home)
    finally:
        ws.close()


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


def _access(value: str) -> str:
    access = value.strip().lower()
    if access not in ACCESS_LEVELS:
        raise InvalidInput("--as is one of lead, investigator, viewer.")
    return access


def _key_of(session: Session, role: str) -> TeamMemberKey | None:
    return session.exec(select(TeamMemberKey).where(TeamMemberKey.member == role)).first()


def _case_state(session: Session, case_pk: int) -> team_keys.CaseKeys | None:
    rows = session.exec(select(CaseKeyWrap).where(CaseKeyWrap.case_id == case_pk)).all()
    if not rows:
        return None
    members = session.exec(select(CaseMember.role_name).where(
        CaseMember.case_id == case_pk)).all()
    keys = session.exec(select(TeamMemberKey).where(
        col(TeamMemberKey.member).in_(list(members)))).all()
    wrapped_for = {r.member for r in rows}
    publics = {k.fingerprint: bytes(k.public_key) for k in keys if k.fingerprint in wrapped_for}
    return team_keys.state_from_rows(case_pk, rows, publics)


def _my_key(ws: Workspace, passphrase: PassphraseProvider) -> team_keys.X25519PrivateKey:
    keys = team_keys.MemberKeyStore(ws.home, ws.store_id)
    try:
        secret = None if keyring_usable() else passphrase("unlock")
        return keys.unlock(secret)
    except KeyProblem as exc:
        raise InvalidInput(str(exc)) from None


def add_member(ws: Workspace, case_ref: str, role: str, access: str,
               passphrase: PassphraseProvider) -> MemberView:
    """Put login role ``role`` on the case with ``access`` (or change its access)."""
    access, role = _access(access), role.strip()
    private = _my_key(ws, passphrase)
    with _refusals(LEAD_ONLY), ws.transaction() as session:
        case = get_case_in(session, case_ref)
        assert case.id is not None
        key = _key_of(session, role)
        if key is None:
            raise NotFound(f"{role!r} has not joined the team store (caseapp team join).")
        member = session.exec(select(CaseMember).where(
            CaseMember.case_id == case.id, CaseMember.role_name == role)).first()
        if member is None:
            member = CaseMember(case_id=case.id, role_name=role, access=access,
                                added_at=utcnow(), added_by=database_user(session))
        member.access = access
        session.add(member)
        state = _case_state(session, case.id)
        public = bytes(key.public_key)
        try:
            if state is None:  # the case's first key: for every member who has joined
                on_case = session.exec(select(CaseMember.role_name).where(
                    CaseMember.case_id == case.id)).all()
                publics = [bytes(k.public_key) for k in session.exec(select(TeamMemberKey)
                           .where(col(TeamMemberKey.member).in_([*on_case, role]))).all()]
                state, _key = team_keys.new_case_keys(team_keys.case_context(case.id), publics)
                fresh = state.wrapped
            else:
                before = set(state.wrapped)
                state = team_keys.add_member(state, private, public)
                fresh = tuple(w for w in state.wrapped if w not in before)
        except KeyProblem as exc:
            raise Conflict(str(exc)) from None
        for wrapped in fresh:
            session.add(team_keys.to_row(wrapped, case.id, at=utcnow(),
                                         by=database_user(session)))
        session.flush()
        audit.append(session, "team.member-added", "case", case.ref, {
            "member": role, "access": access, "key_version": state.current,
            "fingerprint": key.fingerprint})
        return MemberView(role, access, key.fingerprint, member.added_at, member.added_by)


def remove_member(ws: Workspace, case_ref: str, role: str,
                  passphrase: PassphraseProvider) -> int:
    """Take ``role`` off the case; rotates the case key. Returns the new key version (0: the
    case had no key yet)."""
    role = role.strip()
    private = _my_key(ws, passphrase)
    with _refusals(LEAD_ONLY), ws.transaction() as session:
        case = get_case_in(session, case_ref)
        assert case.id is not None
        member = session.exec(select(CaseMember).where(
            CaseMember.case_id == case.id, CaseMember.role_name == role)).first()
        if member is None:
            raise NotFound(f"{role!r} is not on {case.ref}.")
        leads = session.exec(select(CaseMember).where(
            CaseMember.case_id == case.id, CaseMember.access == "lead")).all()
        if member.access == "lead" and len(leads) == 1:
            raise Conflict(f"{role!r} is the only lead of {case.ref}: add another lead first.")
        key = _key_of(session, role)
        state = _case_state(session, case.id)
        version = state.current if state else 0
        if state is not None and key is not None and key.fingerprint in state.members:
            try:
                state, _new = team_keys.remove_member(state, private, key.fingerprint)
            except KeyProblem as exc:
                raise Conflict(str(exc)) from None
            for row in session.exec(select(CaseKeyWrap).where(
                    CaseKeyWrap.case_id == case.id,
                    CaseKeyWrap.member == key.fingerprint)).all():
                session.delete(row)
            for wrapped in state.wrapped:
                if wrapped.version == state.current:
                    session.add(team_keys.to_row(wrapped, case.id, at=utcnow(),
                                                 by=database_user(session)))
            version = state.current
        session.delete(member)
        session.flush()
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

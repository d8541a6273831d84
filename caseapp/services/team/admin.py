"""``caseapp team init``: make a PostgreSQL database a team store (run once, by its owner)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from caseapp.domain.models import StoreMeta, utcnow
from caseapp.security import audit
from caseapp.services.errors import Conflict, InvalidInput, StoreUnavailable
from caseapp.services.team.db import NOT_ALLOWED, sqlstate, team_engine, write_session

BLOBS_META = "team.blobs"


@dataclass(frozen=True)
class TeamInit:
    """What ``team init`` set up."""

    store_id: str
    blobs: str
    schema: str
    roles: tuple[str, ...]
    protected_tables: tuple[str, ...]
    created: bool  # False: an existing team store refreshed


def check_blobs(location: str) -> str:
    """The normalised evidence location (``s3://BUCKET/PREFIX`` or an existing folder),
    checked by opening its backend (S3 settings from the standard AWS variables)."""
    from caseapp.store.blobs import open_backend
    from caseapp.store.blobs.base import BlobStoreError

    location = location.strip()
    if not location:
        raise InvalidInput("--blobs needs s3://BUCKET/PREFIX or a shared folder.")
    try:
        open_backend(location)
    except BlobStoreError as exc:
        raise StoreUnavailable(str(exc)) from None
    if location.startswith("s3://"):
        return location
    from pathlib import Path

    return str(Path(location).resolve())


def init_team(dsn: str, blobs: str) -> TeamInit:
    """Upgrade the schema, create the group roles, grants, row-level security policies and
    triggers, and record where members keep evidence; idempotent (run again after an
    upgrade). Needs the database owner with CREATEROLE, or a superuser."""
    from caseapp.store.errors import StoreOpenError
    from caseapp.store.postgresql import access
    from caseapp.store.postgresql.migrate import upgrade
    from caseapp.store.sqlcipher.engine import HEAD_REVISION

    location = check_blobs(blobs)
    engine = team_engine(dsn)
    try:
        try:
            upgrade(engine)
        except StoreOpenError as exc:
            raise StoreUnavailable(str(exc)) from None
        refused = ("This database role may not set up a team store: run team init as the "
                   "database's owner with CREATEROLE, or as a superuser.")
        try:
            with write_session(engine, refused) as session:
                access.apply(session.connection())
                meta = session.get(StoreMeta, "store_id")
                created = meta is None
                if meta is None:
                    meta = StoreMeta(key="store_id", value=uuid.uuid4().hex)
                    session.add(meta)
                    session.add(StoreMeta(key="created_at", value=utcnow().isoformat()))
                old = session.get(StoreMeta, BLOBS_META)
                if old is None:
                    session.add(StoreMeta(key=BLOBS_META, value=location))
                elif old.value != location:
                    old.value = location
                session.flush()
                audit.append(session, "team.initialised", "store", meta.value, {
                    "blobs": location, "schema": HEAD_REVISION, "created": created})
                store_id = meta.value
        except DBAPIError as exc:
            if sqlstate(exc) == NOT_ALLOWED:
                raise Conflict(refused) from None
            raise
    finally:
        engine.dispose()
    return TeamInit(store_id=store_id, blobs=location, schema=HEAD_REVISION,
                    roles=access.GROUP_ROLES, protected_tables=tuple(access.CASE_SCOPED),
                    created=created)


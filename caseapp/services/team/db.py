"""Sessions on a team store for the team commands, with their errors in the user's words."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from caseapp.services.errors import Conflict, InvalidInput, StoreUnavailable

NOT_ALLOWED = "42501"  # insufficient_privilege: a grant, a policy or our own trigger said no


def team_engine(dsn: str) -> Engine:
    """An engine on the team store ``dsn`` (password from the OS keyring); InvalidInput for a
    store address that is not a PostgreSQL one."""
    from caseapp.store.postgresql.engine import is_postgresql_url, make_engine

    if not is_postgresql_url(dsn):
        raise InvalidInput("A team store is named postgresql://USER@HOST/DBNAME.")
    return make_engine(dsn)


def sqlstate(exc: DBAPIError) -> str:
    return str(getattr(exc.orig, "sqlstate", "") or "")


@contextmanager
def write_session(engine: Engine, refused: str) -> Iterator[Session]:
    """One write unit (the store's write lock) on ``engine``; a refusal by the database
    (privilege, policy) becomes Conflict(``refused``), nothing of the SQL shown."""
    from caseapp.security import audit
    from caseapp.store.postgresql.engine import write_engine

    audit.install()
    try:
        with Session(write_engine(engine), expire_on_commit=False) as session, session.begin():
            yield session
    except IntegrityError as exc:
        if sqlstate(exc) == "23505":
            raise Conflict("That is already recorded in the team store.") from None
        raise Conflict(refused) from None
    except DBAPIError as exc:
        if sqlstate(exc) == NOT_ALLOWED:
            raise Conflict(refused) from None
        if sqlstate(exc).startswith("08"):
            raise StoreUnavailable("The team store's server could not be reached.") from None
        raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def database_user(session: Session) -> str:
    """The login role this session runs as (what the policies check)."""
    from sqlalchemy import text

    return str(session.execute(text("SELECT session_user")).scalar_one())

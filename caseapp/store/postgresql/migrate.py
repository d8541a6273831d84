"""Schema upgrades of a PostgreSQL store: the same Alembic history as the SQLite store."""

from __future__ import annotations

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from caseapp import faults
from caseapp.store.errors import StoreOpenError
from caseapp.store.postgresql.engine import write_engine
from caseapp.store.sqlcipher.engine import HEAD_REVISION


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return _revision(conn)


def _revision(conn: Connection) -> str | None:
    if conn.exec_driver_sql("SELECT to_regclass('alembic_version')").scalar() is None:
        return None
    row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return row[0] if row else None


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (creating it in an empty database).

    Runs under the write lock, so two first starts against one new database cannot both
    create the schema. Raises StoreOpenError for a schema from a newer caseapp or a role that
    may not create it.
    """
    if current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command

    from caseapp.store.migrations.runner import alembic_config, refuse_unknown_revision

    with write_engine(engine).begin() as conn:
        current = _revision(conn)  # again, under the lock: another first start may have run
        if current == HEAD_REVISION:
            return
        refuse_unknown_revision(current, "team store")
        try:
            command.upgrade(alembic_config(conn), "head")
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", "") == "42501":  # insufficient_privilege
                raise StoreOpenError(
                    "This database role may not create caseapp's schema; ask the "
                    "administrator to run the first start as the database owner.") from None
            raise
        faults.step("migrate.before-commit")

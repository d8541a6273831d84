"""Engine factory for the SQLCipher store and schema upgrades.

The raw 32-byte database key is applied with ``PRAGMA key`` on every new connection before
anything else touches the file. Alembic is imported only when the store's revision differs
from :data:`HEAD_REVISION`, which keeps it off the normal start-up path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from caseapp.store.errors import StoreOpenError

#: The newest migration; a test checks it matches Alembic's head.
HEAD_REVISION = "0002_search"


def make_engine(db_path: Path, key: bytes) -> Engine:
    """Engine for an encrypted SQLite (SQLCipher) file keyed with ``key`` (32 bytes)."""
    from caseapp.store.sqlcipher import search_index

    search_index.install()  # keeps the full-text index in step with every ORM flush
    import sqlcipher3

    engine = sa.create_engine(
        "sqlite:///" + str(db_path.resolve()),
        module=sqlcipher3.dbapi2,
        connect_args={"check_same_thread": False, "timeout": 15},
        pool_size=4,
        max_overflow=4,
    )
    hex_key = key.hex()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's implicit transactions would wrap PRAGMAs; use autocommit around them.
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA key = \"x'{hex_key}'\"")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 15000")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return engine


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the store is at, or None for an empty database.

    Raises StoreOpenError when the file cannot be read with this key.
    """
    try:
        with engine.connect() as conn:
            names = {row[0] for row in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in names:
                return None
            row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
            return row[0] if row else None
    except sa.exc.DatabaseError as exc:
        raise StoreOpenError(
            "The case database could not be opened with this key (wrong key, or the file "
            "is not a caseapp store or is damaged).") from exc


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (creating it on an empty store)."""
    if current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command

    from caseapp.store.migrations.runner import alembic_config

    with engine.begin() as conn:
        cfg = alembic_config(conn)
        command.upgrade(cfg, "head")

"""Engine factory for the SQLCipher store and schema upgrades.

The raw 32-byte database key is applied with ``PRAGMA key`` on every new connection before
anything else touches the file. Alembic is imported only when the store's revision differs
from :data:`HEAD_REVISION`, which keeps it off the normal start-up path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from caseapp import faults
from caseapp.store.errors import (
    BUSY_MESSAGE,
    WRITE_FAILED_MESSAGE,
    StoreBusy,
    StoreOpenError,
    StoreWriteFailed,
)

#: The newest migration; a test checks it matches Alembic's head.
HEAD_REVISION = "0014_team_key_wrap"


#: Execution option marking a connection whose transactions take the write lock first.
WRITE_OPTION = "caseapp_write"


#: Page cache of each pooled connection, in KiB (kept decrypted; see make_engine).
PAGE_CACHE_KIB = 65_536


def busy_timeout_ms() -> int:
    """How long a writer waits for another process's write lock (``CASEAPP_BUSY_TIMEOUT_MS``)."""
    try:
        return max(0, int(os.environ.get("CASEAPP_BUSY_TIMEOUT_MS", "10000")))
    except ValueError:
        return 10000


def make_engine(db_path: Path, key: bytes) -> Engine:
    """Engine for an encrypted SQLite (SQLCipher) file keyed with ``key`` (32 bytes).

    Transactions are begun by this engine, not by the driver: ``BEGIN`` for reads, and
    ``BEGIN IMMEDIATE`` on connections of :func:`write_engine`, so a writer holds SQLite's
    write lock before it reads what it allocates (next reference, audit chain head). A writer
    that cannot get the lock within :func:`busy_timeout_ms` gets :class:`StoreBusy`.
    """
    from caseapp.store.sqlcipher import search_index

    search_index.install()  # keeps the full-text index in step with every ORM flush
    from sqlcipher3 import dbapi2 as sqlcipher

    timeout_ms = busy_timeout_ms()
    engine = sa.create_engine(
        "sqlite:///" + str(db_path.resolve()),
        module=sqlcipher,
        connect_args={"check_same_thread": False, "timeout": timeout_ms / 1000},
        pool_size=4,
        max_overflow=4,
        # the most recently used connection first: its page cache is the warm one
        pool_use_lifo=True,
    )
    hex_key = key.hex()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver must not begin transactions itself (it would begin them DEFERRED, after
        # our reads): autocommit at the driver, transactions from the "begin" hook below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA key = \"x'{hex_key}'\"")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # Decrypting pages is what a search at 1,000,000 identifiers spends its time on (an
        # 8 MB cache: ~150 ms a query; 64 MB: ~15 ms). The cache grows only as pages are read.
        cursor.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        writes = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    @event.listens_for(engine, "handle_error")
    def _on_error(context: sa.engine.ExceptionContext) -> BaseException | None:
        if is_busy(context.original_exception):
            return StoreBusy(BUSY_MESSAGE)
        if is_write_failure(context.original_exception):
            return StoreWriteFailed(WRITE_FAILED_MESSAGE)
        return None

    return engine


def write_engine(engine: Engine) -> Engine:
    """The same engine (and pool) whose transactions begin with the write lock."""
    return engine.execution_options(**{WRITE_OPTION: True})


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "busy" after the busy timeout ran out."""
    text = str(exc).lower()
    return type(exc).__name__ == "OperationalError" and (
        "database is locked" in text or "database is busy" in text or "locked" in text)


def is_write_failure(exc: BaseException) -> bool:
    """SQLite's "database or disk is full" / "disk I/O error" (also a file-size limit)."""
    text = str(exc).lower()
    return type(exc).__name__ == "OperationalError" and (
        "disk is full" in text or "disk i/o error" in text)


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
    except DatabaseError as exc:
        raise StoreOpenError(
            "The case database could not be opened with this key (wrong key, or the file "
            "is not a caseapp store or is damaged).") from exc


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (creating it on an empty store)."""
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return
    from alembic import command

    from caseapp.store.migrations.runner import alembic_config, refuse_unknown_revision

    refuse_unknown_revision(current, "case store")
    with write_engine(engine).begin() as conn:
        cfg = alembic_config(conn)
        command.upgrade(cfg, "head")
        faults.step("migrate.before-commit")

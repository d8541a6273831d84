"""Engine factory for the PostgreSQL store: URL, password from the OS keyring, TLS, write lock.

- The URL is ``postgresql://USER@HOST[:PORT]/DBNAME`` (``?sslmode=...`` etc. pass through to
  libpq). A password in the URL is refused: it would sit in shell history and process lists.
  The password is read from the OS keyring, service :data:`KEYRING_SERVICE`, user name
  ``USER@HOST:PORT`` (:func:`keyring_user`); without one libpq's own methods apply (a client
  certificate named in the URL, peer or trust authentication).
- TLS: libpq's default ``sslmode=prefer`` (TLS whenever the server offers it);
  :func:`transport_of` tells which one a connection got.
- Writers: every transaction of :func:`write_engine` takes one transaction-level advisory lock
  before its first statement (the ``BEGIN IMMEDIATE`` of the SQLite store), so what a writer
  reads to allocate (next reference, exhibit number, audit chain head) cannot change under
  it. A writer that waits past ``CASEAPP_BUSY_TIMEOUT_MS`` gets :class:`StoreBusy`, as do
  serialization failures and deadlocks.
- A server that is down or restarted mid-transaction gives :class:`StoreConnectionLost`;
  ``pool_pre_ping`` reconnects the next unit of work after a restart. A server whose disk is
  full (or failed) gives :class:`StoreWriteFailed`, as the local store does.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError

from caseapp.store.errors import (
    BUSY_MESSAGE,
    WRITE_FAILED_MESSAGE,
    StoreBusy,
    StoreConnectionLost,
    StoreOpenError,
    StoreWriteFailed,
)
from caseapp.store.sqlcipher.engine import WRITE_OPTION, busy_timeout_ms

#: The OS keyring service holding team-store passwords (user name: ``USER@HOST:PORT``).
KEYRING_SERVICE = "caseapp-postgresql"
#: ``pg_advisory_xact_lock`` key of the one-writer-at-a-time lock ("caseapp" in ASCII).
WRITE_LOCK_KEY = 0x63617365617070
LOST_MESSAGE = ("the team store's database server could not be reached (it is down, "
                "restarting, or the network dropped); work already saved is safe, and this "
                "change was not saved: try again when the server is back")
#: SQLSTATEs meaning "another writer is in the way; nothing was changed, try again".
_BUSY_STATES = {"55P03", "40001", "40P01", "57014"}
#: SQLSTATE classes / codes meaning the connection or the server went away.
_LOST_STATES = {"57P01", "57P02", "57P03"}
#: SQLSTATEs meaning the server could not write: disk_full, io_error (data_corrupted is not).
_WRITE_FAILED_STATES = {"53100", "58030"}


def is_postgresql_url(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL store."""
    return url.split(":", 1)[0].split("+", 1)[0].lower() in ("postgresql", "postgres")


def parse_url(url: str) -> URL:
    """The SQLAlchemy URL (psycopg 3 driver) of a store URL; raises StoreOpenError."""
    try:
        parsed = make_url(url.replace("postgres://", "postgresql://", 1)
                          if url.startswith("postgres://") else url)
    except ArgumentError:
        raise StoreOpenError("The store address is not a valid postgresql://USER@HOST/DBNAME "
                             "URL.") from None
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        raise StoreOpenError("The store address must look like postgresql://USER@HOST/DBNAME.")
    if parsed.password is not None:
        raise StoreOpenError(
            "The store address contains a password; remove it and keep the password in the "
            f"OS keyring instead (service {KEYRING_SERVICE!r}, user "
            f"'{parsed.username or ''}@{parsed.host or 'localhost'}:{parsed.port or 5432}').")
    return parsed.set(drivername="postgresql+psycopg")


def keyring_user(url: URL) -> str:
    """The keyring user name of a store URL's password: ``USER@HOST:PORT``."""
    return f"{url.username or ''}@{url.host or 'localhost'}:{url.port or 5432}"


def keyring_password(url: URL) -> str | None:
    """The password kept in the OS keyring for this role and server, if any."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_user(url))
    except KeyringError:
        return None


def safe_location(url: URL) -> str:
    """``USER@HOST:PORT/DBNAME`` for messages (never a password)."""
    return f"{keyring_user(url)}/{url.database}"


def make_engine(url: str) -> Engine:
    """Engine for a PostgreSQL store URL (see the module docstring); raises StoreOpenError."""
    from caseapp.store.postgresql import search_index

    search_index.install()  # keeps the full-text index in step with every ORM flush
    parsed = parse_url(url)
    password = keyring_password(parsed)
    if password is not None:
        parsed = parsed.set(password=password)
    connect_args: dict[str, Any] = {"connect_timeout": 10, "application_name": "caseapp"}
    if "options" not in parsed.query:
        # The app's statements are small and interactive: starting parallel workers costs
        # more (~20 ms a search, measured) than the work they would share.
        connect_args["options"] = "-c max_parallel_workers_per_gather=0"
    if "sslmode" not in parsed.query:
        connect_args["sslmode"] = "prefer"
    engine = sa.create_engine(parsed, connect_args=connect_args, pool_size=4, max_overflow=8,
                              pool_pre_ping=True)
    timeout_ms = busy_timeout_ms()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(timeout_ms)}")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    @event.listens_for(engine, "handle_error")
    def _on_error(context: sa.engine.ExceptionContext) -> BaseException | None:
        if context.is_pre_ping:
            return None
        original = context.original_exception
        if is_busy(original):
            return StoreBusy(BUSY_MESSAGE)
        if context.is_disconnect or is_lost(original):
            context.is_disconnect = True
            return StoreConnectionLost(LOST_MESSAGE)
        if _sqlstate(original) in _WRITE_FAILED_STATES:  # the server's text names the file
            return StoreWriteFailed(WRITE_FAILED_MESSAGE)
        return None

    return engine


def write_engine(engine: Engine) -> Engine:
    """The same engine (and pool) whose transactions begin with the write lock."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _sqlstate(exc: BaseException) -> str:
    return str(getattr(exc, "sqlstate", "") or "")


def is_busy(exc: BaseException) -> bool:
    """Lock timeout, serialization failure, deadlock or statement timeout."""
    return _sqlstate(exc) in _BUSY_STATES


def is_lost(exc: BaseException) -> bool:
    """The server shut down, is starting, or the connection failed."""
    state = _sqlstate(exc)
    if state in _LOST_STATES or state.startswith("08"):
        return True
    import psycopg

    return isinstance(exc, psycopg.OperationalError) and not state


def transport_of(engine: Engine) -> str:
    """``"tls"``, ``"local-socket"`` or ``"plain"`` for a new connection of ``engine``."""
    with engine.connect() as conn:
        pgconn = conn.connection.driver_connection.pgconn  # type: ignore[union-attr]
        if pgconn.ssl_in_use:
            return "tls"
        host = (pgconn.host or b"").decode()
        return "local-socket" if host.startswith("/") else "plain"

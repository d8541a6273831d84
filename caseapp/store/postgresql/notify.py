"""Hearing a team store's committed changes (LISTEN/NOTIFY): :class:`PostgresChangeListener`.

Triggers (migration 0013) send ``pg_notify(CHANNEL, payload)`` in every transaction that
writes case data, the payload being the case's integer id or ``*`` (team-wide); PostgreSQL
delivers them to listeners only when the transaction commits, from whichever client wrote.
A listener may hear the id of a case it is not allowed to see: ids say nothing about a case,
and the receiver re-reads under its own rights (row-level security hides the rest).

The listener holds one connection of its own, taken out of the store's pool (same URL,
keyring password and TLS), in autocommit mode. :meth:`~PostgresChangeListener.wait` blocks
in psycopg's ``notifies()`` for at most its timeout, so a thread calling it in a loop stops
within that time. :meth:`~PostgresChangeListener.stop` is final and may come from another
thread, even while that thread is still connecting (a server that does not answer after the
app re-opened on another store): the connection it then gets is closed at once, not kept.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from caseapp.store.errors import StoreConnectionLost
from caseapp.store.interface import Changes
from caseapp.store.postgresql.engine import LOST_MESSAGE

if TYPE_CHECKING:
    import psycopg

CHANNEL = "caseapp_changes"
STORE_WIDE = "*"
#: Tables whose writes notify (migration 0013's CASE_OF; a test keeps the two in step).
NOTIFIED_TABLES = frozenset({
    "case_file", "case_member", "subject", "note", "tip_case_link", "checklist",
    "export_record", "production", "signal_import", "signal_observation", "signal_finding",
    "evidence", "identifier", "custody_event", "note_revision", "checklist_answer", "tip",
    "watchlist", "watchlist_entry", "template_blob"})


def parse_payloads(payloads: list[str]) -> Changes:
    """The changes named by notification payloads (ids, ``*``; anything else: store-wide)."""
    ids: set[int] = set()
    wide = False
    for payload in payloads:
        if payload.isdigit():
            ids.add(int(payload))
        else:
            wide = True
    return Changes(frozenset(ids), wide)


class PostgresChangeListener:
    """:class:`caseapp.store.interface.ChangeListener` over LISTEN/NOTIFY (see the module)."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._conn: psycopg.Connection[Any] | None = None  # while listening
        self._proxy: Any = None
        self._missed = False  # a connection was lost: report a store-wide change once back
        self._lock = threading.Lock()  # stop() may come from another thread
        self._stopped = False

    def start(self) -> None:
        if self._conn is not None:
            return
        if self._stopped:
            raise StoreConnectionLost(LOST_MESSAGE)
        try:
            proxy = self._engine.raw_connection()
        except (DBAPIError, StoreConnectionLost):
            self._missed = True
            raise StoreConnectionLost(LOST_MESSAGE) from None
        conn: psycopg.Connection[Any] = proxy.driver_connection  # type: ignore[assignment]
        proxy.detach()  # ours for as long as we listen; the pool no longer counts it
        try:
            conn.rollback()
            conn.autocommit = True
            conn.execute(f"LISTEN {CHANNEL}")
        except Exception:  # noqa: BLE001 - any failure here is a connection that went away
            proxy.invalidate()
            self._missed = True
            raise StoreConnectionLost(LOST_MESSAGE) from None
        with self._lock:
            if not self._stopped:
                self._proxy, self._conn = proxy, conn
                return
        with contextlib.suppress(Exception):  # stopped while connecting: not ours to keep
            proxy.close()
        raise StoreConnectionLost(LOST_MESSAGE)

    def wait(self, timeout: float) -> Changes:
        if self._conn is None:
            self.start()  # raises while the server is away
        conn = self._conn
        if conn is None:  # stopped from another thread meanwhile
            raise StoreConnectionLost(LOST_MESSAGE)
        payloads: list[str] = []
        try:
            # stop_after, not a break: leaving the generator early drops the rest of a packet
            payloads.extend(n.payload for n in conn.notifies(timeout=timeout, stop_after=1))
            if payloads:  # take whatever else has arrived, without waiting again
                payloads.extend(n.payload for n in conn.notifies(timeout=0))
        except Exception:  # noqa: BLE001 - psycopg raises OperationalError on a dropped link
            self._drop()
            raise StoreConnectionLost(LOST_MESSAGE) from None
        changes = parse_payloads(payloads)
        if self._missed:
            self._missed = False
            return Changes(changes.case_ids, True)
        return changes

    def _drop(self) -> None:
        with self._lock:
            proxy, self._proxy, self._conn = self._proxy, None, None
        self._missed = True
        if proxy is not None:
            with contextlib.suppress(Exception):  # the connection is gone either way
                proxy.invalidate()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            proxy, self._proxy, self._conn = self._proxy, None, None
        if proxy is not None:
            with contextlib.suppress(Exception):  # closing a dead connection
                proxy.close()

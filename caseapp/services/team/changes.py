"""Colleagues' changes to a team store, as case refs this investigator may see.

:func:`open_change_feed` gives a :class:`ChangeFeed` when the workspace's store can tell
(:class:`caseapp.store.interface.ChangeListener`; a team store does, the local store does not).
The store hears case *ids* from every client; the feed turns them into refs by reading
``case_file`` under the investigator's own rights, so a case hidden from them (row-level
security) yields nothing. A case they could see before and no longer can (deleted, or they were
taken off it) is still reported, by the ref they knew, so the case list drops it. After a
store-wide change (which refreshes everything anyway) the visible cases are read again at most
every :data:`REREAD_S`, so a busy team does not make each client re-read its whole list.

Used from one background thread: :meth:`ChangeFeed.wait` blocks at most its timeout.
:meth:`ChangeFeed.stop` may come from another thread (the app closing the workspace while that
thread still connects); the feed then reads nothing more through the workspace.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlmodel import col, select

from caseapp.domain.models import Case
from caseapp.store.errors import StoreConnectionLost

__all__ = ["STORE_WIDE", "ChangeFeed", "StoreConnectionLost", "open_change_feed"]

if TYPE_CHECKING:
    from caseapp.services.workspace import Workspace
    from caseapp.store.interface import ChangeListener

#: What :meth:`ChangeFeed.wait` reports for a change that is not one case's.
STORE_WIDE = ""
#: After a store-wide change, the visible cases are read again at most this often (seconds):
#: ~0.35 s for 50,000 visible cases of 100,000 under row-level security (measured).
REREAD_S = 30.0


class ChangeFeed:
    """Refs of the cases other clients changed (see the module docstring)."""

    def __init__(self, ws: Workspace, listener: ChangeListener) -> None:
        self._ws = ws
        self._listener = listener
        self._known: dict[int, str] = {}  # every case this investigator could see, id -> ref
        self._known_at = 0.0
        self._stale = False  # a store-wide change: read _known again (at most every REREAD_S)
        self._stopped = False

    def start(self) -> None:
        """Connect, listen, and note the cases visible now; raises StoreConnectionLost."""
        self._listener.start()
        if not self._stopped:  # not through a workspace that is being closed
            self._reread()

    def wait(self, timeout: float) -> list[str]:
        """Refs changed since the last call (``STORE_WIDE`` first when anything else did),
        waiting up to ``timeout`` seconds; raises StoreConnectionLost (call again to
        reconnect)."""
        changes = self._listener.wait(timeout)
        if self._stopped:
            return []
        if self._stale and time.monotonic() - self._known_at >= REREAD_S:
            self._reread()
        if not changes:
            return []
        found = self._refs(changes.case_ids) if changes.case_ids else {}
        refs = sorted({*found.values(), *(self._known[i] for i in changes.case_ids
                                          if i not in found and i in self._known)})
        for case_id in changes.case_ids:
            if case_id in found:
                self._known[case_id] = found[case_id]
            else:
                self._known.pop(case_id, None)
        if changes.store_wide:
            self._stale = True
            return [STORE_WIDE, *refs]
        return refs

    def stop(self) -> None:
        """Stop listening for good (idempotent)."""
        self._stopped = True
        self._listener.stop()

    def _reread(self) -> None:
        self._known = self._refs(None)
        self._known_at, self._stale = time.monotonic(), False

    def _refs(self, ids: Iterable[int] | None) -> dict[int, str]:
        stmt = select(Case.id, Case.ref)
        if ids is not None:
            stmt = stmt.where(col(Case.id).in_(sorted(ids)))
        with self._ws.session() as session:
            return {int(i): str(r) for i, r in session.exec(stmt) if i is not None}


def open_change_feed(ws: Workspace) -> ChangeFeed | None:
    """The feed of the workspace's store, not yet started; None when the store cannot tell."""
    make = getattr(ws.store, "change_listener", None)
    if make is None:
        return None
    return ChangeFeed(ws, make())

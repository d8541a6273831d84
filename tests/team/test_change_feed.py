"""Change notifications on a team store (``team init``, row-level security), real cluster:
every notifying table names the right case; a member hears only ids and learns the ref of a
case only once they may see it; taken off a case, they are told by the ref they knew."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg
from team.test_rls import insert, one_case

from caseapp.services.team.changes import ChangeFeed, open_change_feed
from caseapp.services.workspace import open_workspace
from caseapp.store.postgresql.access import MEMBER
from caseapp.store.postgresql.notify import CHANNEL, NOTIFIED_TABLES

_BOUND_S = 15.0
_TEAM_WIDE = {"tip", "watchlist", "watchlist_entry", "template_blob"}


def _heard(conn: psycopg.Connection[Any]) -> list[str]:
    got = [n.payload for n in conn.notifies(timeout=_BOUND_S, stop_after=1)]
    return got + [n.payload for n in conn.notifies(timeout=0.2)]


def test_every_notifying_table_names_its_case(team_db: Any) -> None:
    with team_db.connect() as admin, team_db.connect() as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        ids = one_case(admin, 1)
        insert(admin, "case_member", case_id=ids["case"], role_name="someone", access="lead")
        list_id = insert(admin, "watchlist", name="w")["id"]
        insert(admin, "watchlist_entry", watchlist_id=list_id, kind="email")
        insert(admin, "template_blob", template_id="t", version=1)
        _heard(listener)  # the inserts
        for table in sorted(NOTIFIED_TABLES):
            admin.execute(f"UPDATE {table} SET id = id")  # one row each (and the case's)
            want = "*" if table in _TEAM_WIDE else str(ids["case"])
            assert _heard(listener) == [want], table


def _feed_until(feed: ChangeFeed, wanted: str) -> set[str]:
    seen: set[str] = set()
    deadline = time.monotonic() + _BOUND_S
    while wanted not in seen and time.monotonic() < deadline:
        seen |= set(feed.wait(0.2))
    return seen


def test_a_member_learns_a_ref_only_for_a_case_they_may_see(team_db: Any,
                                                            tmp_path: Path) -> None:
    alice = team_db.role("alice", MEMBER)
    bob = team_db.role("bob", MEMBER)
    a = open_workspace(tmp_path / "alice", store_url=team_db.dsn_as(alice))
    b = open_workspace(tmp_path / "bob", store_url=team_db.dsn_as(bob))
    from caseapp.services.cases import cases, notes

    feed = open_change_feed(b)
    assert feed is not None
    feed.start()
    try:
        secret = cases.create_case(a, "Alice's case, not Bob's").ref
        bobs = cases.create_case(b, "Bob's own case").ref
        seen = _feed_until(feed, bobs)
        assert bobs in seen and secret not in seen  # the id came, but Bob cannot read it
        with team_db.connect(alice) as raw:  # Alice, the lead, puts Bob on her case
            case_id = raw.execute("SELECT id FROM case_file WHERE ref = %s",
                                  (secret,)).fetchone()[0]
            insert(raw, "case_member", case_id=case_id, role_name=bob, access="viewer")
        assert secret in _feed_until(feed, secret)
        notes.add_note(a, secret, "Bob now hears of this")
        assert secret in _feed_until(feed, secret)
        with team_db.connect(alice) as raw:
            raw.execute("DELETE FROM case_member WHERE case_id = %s AND role_name = %s",
                        (case_id, bob))
        assert secret in _feed_until(feed, secret)  # by the ref Bob knew: his list drops it
        assert secret not in {c.ref for c in cases.list_cases(b)}
        notes.add_note(a, secret, "no longer Bob's business")
        control = cases.create_case(b, "Bob's control case").ref
        seen = _feed_until(feed, control)
        assert control in seen and secret not in seen
    finally:
        feed.stop()
        a.close()
        b.close()


def _sessions_of(team_db: Any, role: str) -> int:
    with team_db.connect() as admin:
        return int(admin.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s",
                                 (role,)).fetchone()[0])


def _until_sessions(team_db: Any, role: str, want: int) -> int:
    """The role's server sessions, polled (a closed client's backend ends a moment later)."""
    deadline = time.monotonic() + _BOUND_S
    got = _sessions_of(team_db, role)
    while got != want and time.monotonic() < deadline:
        time.sleep(0.05)
        got = _sessions_of(team_db, role)
    return got


def test_a_feed_stopped_while_it_connects_keeps_no_connection(team_db: Any,
                                                              tmp_path: Path) -> None:
    import threading

    from sqlalchemy import event

    from caseapp.store.errors import StoreConnectionLost

    carol = team_db.role("carol", MEMBER)
    ws = open_workspace(tmp_path / "carol", store_url=team_db.dsn_as(carol))
    feed = open_change_feed(ws)
    assert feed is not None
    engine = ws.store.engine  # type: ignore[attr-defined]
    engine.dispose()  # nothing pooled: the feed's start must connect
    entered, gate = threading.Event(), threading.Event()

    def held(*_args: Any) -> None:  # a server slow to answer, until the gate opens
        entered.set()
        gate.wait(_BOUND_S)

    event.listen(engine, "do_connect", held)
    outcome: list[str] = []

    def start() -> None:
        try:
            feed.start()
            outcome.append("started")
        except StoreConnectionLost:
            outcome.append("lost")

    thread = threading.Thread(target=start)
    thread.start()
    try:
        assert entered.wait(_BOUND_S)
        feed.stop()  # the app re-opens elsewhere while the thread still connects
        ws.close()
    finally:
        gate.set()
        thread.join(_BOUND_S)
    event.remove(engine, "do_connect", held)
    assert outcome == ["lost"]
    assert _until_sessions(team_db, carol, 0) == 0
    # Control: a feed left to connect listens on a connection of its own, closed at stop.
    again = open_workspace(tmp_path / "carol", store_url=team_db.dsn_as(carol))
    control = open_change_feed(again)
    assert control is not None
    again.store.engine.dispose()  # type: ignore[attr-defined]
    control.start()
    try:
        assert _sessions_of(team_db, carol) >= 1
    finally:
        control.stop()
        again.close()
    assert _until_sessions(team_db, carol, 0) == 0

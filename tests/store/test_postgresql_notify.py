"""A team store tells other clients what changed (LISTEN/NOTIFY), on the real test cluster:
two workspaces on one database, one writes, the other's listener hears the case id."""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pg_cluster import ADMIN_PASSWORD

from caseapp.services.cases import cases, notes
from caseapp.services.team.changes import STORE_WIDE, open_change_feed
from caseapp.services.tips import tips
from caseapp.services.workspace import Workspace, open_workspace
from caseapp.store.errors import StoreConnectionLost
from caseapp.store.interface import Changes
from caseapp.store.postgresql.notify import CHANNEL, NOTIFIED_TABLES, PostgresChangeListener

_BOUND_S = 15.0  # a bounded wait: a delivery normally takes milliseconds


@pytest.fixture
def two(pg_url: str, tmp_path: Path) -> Iterator[tuple[Workspace, Workspace]]:
    """Two investigators' workspaces (own homes) on one team store."""
    first = open_workspace(tmp_path / "a", store_url=pg_url)
    second = open_workspace(tmp_path / "b", store_url=pg_url)
    yield first, second
    first.close()
    second.close()


def _listener(ws: Workspace) -> PostgresChangeListener:
    listener = ws.store.change_listener()  # type: ignore[attr-defined]
    assert isinstance(listener, PostgresChangeListener)
    listener.start()
    return listener


def _collect(listener: PostgresChangeListener, until: object) -> Changes:
    """Everything heard until ``until(changes)`` holds, or the bound passes."""
    ids: set[int] = set()
    wide = False
    deadline = time.monotonic() + _BOUND_S
    while time.monotonic() < deadline:
        got = listener.wait(0.2)
        ids |= got.case_ids
        wide = wide or got.store_wide
        if until(Changes(frozenset(ids), wide)):  # type: ignore[operator]
            break
    return Changes(frozenset(ids), wide)


def _case_id(ws: Workspace, ref: str) -> int:
    case_id = cases.get_case(ws, ref).id
    assert case_id is not None
    return case_id


def test_a_colleagues_committed_write_is_heard_by_case_id(
        two: tuple[Workspace, Workspace]) -> None:
    writer, reader = two
    listener = _listener(reader)
    try:
        assert not listener.wait(0.05)  # nothing yet
        ref = cases.create_case(writer, "Written by the colleague").ref
        case_id = _case_id(writer, ref)
        heard = _collect(listener, lambda c: case_id in c.case_ids)
        assert heard.case_ids == {case_id} and not heard.store_wide
        other = cases.create_case(writer, "Another case").ref
        _collect(listener, lambda c: _case_id(writer, other) in c.case_ids)
        notes.add_note(writer, ref, "A note on the first case only")
        heard = _collect(listener, lambda c: case_id in c.case_ids)
        assert heard.case_ids == {case_id}
        tips.create_tip(writer, content="A tip is team-wide", channel="hotline")
        assert _collect(listener, lambda c: c.store_wide).store_wide
    finally:
        listener.stop()
        listener.stop()  # idempotent


def test_a_rolled_back_write_is_not_heard(two: tuple[Workspace, Workspace]) -> None:
    writer, reader = two
    ref = cases.create_case(writer, "Exists before").ref
    case_id = _case_id(writer, ref)
    listener = _listener(reader)
    try:
        with pytest.raises(RuntimeError), writer.unit_of_work():
            notes.add_note(writer, ref, "never committed")
            raise RuntimeError("abandon the unit")
        control = cases.create_case(writer, "Committed after the rollback").ref
        control_id = _case_id(writer, control)
        heard = _collect(listener, lambda c: control_id in c.case_ids)
        assert heard.case_ids == {control_id}  # the rolled-back note's case is not there
        assert case_id not in heard.case_ids
    finally:
        listener.stop()


def test_payloads_are_ids_only_and_many_cases_at_once_are_one_store_wide_change(
        pg_url: str, two: tuple[Workspace, Workspace]) -> None:
    writer, _reader = two
    raw = psycopg.connect(pg_url.replace("caseapp_admin@", f"caseapp_admin:{ADMIN_PASSWORD}@"),
                          autocommit=True)
    try:
        raw.execute(f"LISTEN {CHANNEL}")
        ref = cases.create_case(writer, "Title that must not travel").ref
        subject = cases.get_case(writer, ref)
        assert subject.id is not None
        payloads = [n.payload for n in raw.notifies(timeout=_BOUND_S, stop_after=1)]
        payloads += [n.payload for n in raw.notifies(timeout=0.2)]
        assert payloads and all(p == str(subject.id) for p in payloads)
        assert not any(ref in p or "Title" in p for p in payloads)
        with psycopg.connect(pg_url.replace("caseapp_admin@",
                                            f"caseapp_admin:{ADMIN_PASSWORD}@")) as bulk:
            bulk.execute("UPDATE case_file SET summary = summary")  # one case: its id
            bulk.commit()
            raw_ids = [n.payload for n in raw.notifies(timeout=_BOUND_S, stop_after=1)]
            assert raw_ids == [str(subject.id)]
            for n in range(60):
                cases.create_case(writer, f"Bulk {n}")
            for _ in raw.notifies(timeout=0.5):
                pass  # drain the 60 single-case notifications
            bulk.execute("UPDATE case_file SET summary = summary")  # 61 cases in one statement
            bulk.commit()
            assert [n.payload for n in raw.notifies(timeout=_BOUND_S, stop_after=1)] == ["*"]
            notes_sql = ("INSERT INTO note (case_id, occurred_at, occurred_tz, recorded_at, "
                         "updated_at, author, text, version) SELECT %s, now(), 'UTC', now(), "
                         "now(), 'bench', 'n', 1 FROM generate_series(1, %s)")
            bulk.execute(notes_sql, (subject.id, 10_000))  # one case, 10,000 rows: its id
            bulk.commit()
            assert [n.payload for n in raw.notifies(timeout=_BOUND_S, stop_after=1)] == [
                str(subject.id)]
            bulk.execute(notes_sql, (subject.id, 10_001))  # past the bulk cap: store-wide
            bulk.commit()
            assert [n.payload for n in raw.notifies(timeout=_BOUND_S, stop_after=1)] == ["*"]
    finally:
        raw.close()


def test_the_listener_reconnects_after_a_server_restart_and_reports_a_store_wide_change(
        pg_cluster, two: tuple[Workspace, Workspace]) -> None:  # noqa: ANN001
    writer, reader = two
    listener = _listener(reader)
    try:
        pg_cluster.restart()
        with pytest.raises(StoreConnectionLost) as info:
            deadline = time.monotonic() + _BOUND_S
            while time.monotonic() < deadline:
                listener.wait(0.2)
        assert "could not be reached" in str(info.value) and "LISTEN" not in str(info.value)
        back = listener.wait(0.2)  # the server is up again: reconnects
        assert back.store_wide  # what happened while away was not heard
        ref = cases.create_case(writer, "After the restart").ref
        case_id = _case_id(writer, ref)
        assert case_id in _collect(listener, lambda c: case_id in c.case_ids).case_ids
    finally:
        listener.stop()


def test_the_feed_names_refs_and_a_deleted_case_by_the_ref_it_had(
        pg_url: str, two: tuple[Workspace, Workspace]) -> None:
    writer, reader = two
    kept = cases.create_case(writer, "Seen by both").ref
    feed = open_change_feed(reader)
    assert feed is not None
    feed.start()
    try:
        new = cases.create_case(writer, "New from the colleague").ref
        assert _refs_until(feed, new) >= {new}
        with psycopg.connect(pg_url.replace("caseapp_admin@",
                                            f"caseapp_admin:{ADMIN_PASSWORD}@")) as admin:
            admin.execute("DELETE FROM case_file WHERE ref = %s", (kept,))
            admin.commit()
        assert kept in _refs_until(feed, kept)  # gone now, still named so the list drops it
        tips.create_tip(writer, content="team-wide", channel="hotline")
        assert STORE_WIDE in _refs_until(feed, STORE_WIDE)
    finally:
        feed.stop()


def test_cases_made_visible_by_a_store_wide_change_are_named_when_they_go(
        pg_url: str, two: tuple[Workspace, Workspace], monkeypatch: pytest.MonkeyPatch) -> None:
    from caseapp.services.team import changes

    monkeypatch.setattr(changes, "REREAD_S", 0.0)
    writer, reader = two
    feed = open_change_feed(reader)
    assert feed is not None
    feed.start()
    url = pg_url.replace("caseapp_admin@", f"caseapp_admin:{ADMIN_PASSWORD}@")
    try:
        with psycopg.connect(url) as admin:  # 60 cases in one statement: one store-wide '*'
            admin.execute(
                "INSERT INTO case_file (ref, year, seq, title, summary, key_facts, status, "
                "priority, tags, opened_at, updated_at, version) SELECT 'CASE-2030-' || "
                "lpad(g::text, 4, '0'), 2030, g, 'bulk', '', '', 'open', 'medium', '[]', "
                "now(), now(), 1 FROM generate_series(1, 60) g")
            admin.commit()
            assert STORE_WIDE in _refs_until(feed, STORE_WIDE)
            feed.wait(0.05)  # the visible cases are read again here
            admin.execute("DELETE FROM case_file WHERE ref = 'CASE-2030-0007'")
            admin.commit()
        assert "CASE-2030-0007" in _refs_until(feed, "CASE-2030-0007")
    finally:
        feed.stop()


def _refs_until(feed: object, wanted: str) -> set[str]:
    seen: set[str] = set()
    deadline = time.monotonic() + _BOUND_S
    while wanted not in seen and time.monotonic() < deadline:
        seen |= set(feed.wait(0.2))  # type: ignore[attr-defined]
    return seen


def test_a_local_store_has_no_feed(home: Path) -> None:
    ws = open_workspace(home, store_url="")
    try:
        assert open_change_feed(ws) is None
    finally:
        ws.close()


def test_the_notified_tables_are_the_migrations() -> None:
    migration = importlib.import_module(
        "caseapp.store.migrations.versions.0013_change_notify")
    assert set(migration.CASE_OF) == NOTIFIED_TABLES

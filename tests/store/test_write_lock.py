"""Serialised writes: every write unit takes the write lock first; a writer that cannot get it
in time is told the store is busy, with nothing changed and no SQL text."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import func, select

from caseapp.domain.models import AuditEntry, Case
from caseapp.security import audit
from caseapp.services.cases import cases, notes
from caseapp.services.errors import StoreBusy
from caseapp.services.workspace import Workspace, open_workspace


def _openings(home: Path, monkeypatch: pytest.MonkeyPatch,
              busy_timeout_ms: int) -> Iterator[tuple[Workspace, Workspace]]:
    """Two independent openings of one data home (as two processes would have)."""
    monkeypatch.setenv("CASEAPP_BUSY_TIMEOUT_MS", str(busy_timeout_ms))
    first = open_workspace(home)
    second = open_workspace(home, create=False)
    yield first, second
    first.close()
    second.close()


@pytest.fixture
def two(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Workspace, Workspace]]:
    """Two openings that give up on the write lock after 300 ms."""
    yield from _openings(home, monkeypatch, 300)


@contextmanager
def _write_lock_held(ws: Workspace) -> Iterator[None]:
    """Hold the store's write lock on a raw connection of ``ws`` for the block."""
    raw = ws.store.engine.raw_connection()  # type: ignore[attr-defined]
    raw.driver_connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        raw.driver_connection.execute("ROLLBACK")
        raw.close()


def test_a_writer_waits_then_is_told_busy_and_nothing_changes(two) -> None:
    first, second = two
    ref = cases.create_case(first, "Held").ref
    with _write_lock_held(first), pytest.raises(StoreBusy) as info:
        notes.add_note(second, ref, "never written")
    message = str(info.value)
    assert message == ("the store is busy: another caseapp is writing; nothing was changed, "
                       "try again")
    assert info.value.exit_code == 75
    assert notes.list_notes(second, ref) == []
    notes.add_note(second, ref, "written once the lock is free")
    assert [n.text for n in notes.list_notes(first, ref)] == ["written once the lock is free"]


def test_reads_go_on_while_another_process_writes(two) -> None:
    first, second = two
    cases.create_case(first, "Readable")
    with _write_lock_held(first):
        assert [c.title for c in cases.list_cases(second)] == ["Readable"]


@pytest.fixture
def two_patient(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Workspace, Workspace]]:
    """Two openings that wait as long as the app does (10 s), so a loaded machine does not
    turn lock waits into busy errors: this test is about allocation, not the timeout."""
    yield from _openings(home, monkeypatch, 10000)


def test_concurrent_writers_allocate_gap_free_refs_and_one_chain(two_patient) -> None:
    first, second = two_patient
    errors: list[BaseException] = []

    def make(ws: Workspace, tag: str) -> None:
        try:
            for i in range(15):
                cases.create_case(ws, f"{tag}{i}")
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=make, args=(ws, tag)) for ws, tag in
               ((first, "a"), (second, "b"), (first, "c"), (second, "d"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with first.session() as session:
        seqs = sorted(session.exec(select(Case.seq)).all())
        created = session.exec(select(func.count()).select_from(AuditEntry)
                               .where(AuditEntry.action == "case.created")).one()
        _count, problems = audit.verify_chain(session)
    assert seqs == list(range(1, 61)), "refs are allocated inside the lock: no gap, no clash"
    assert created == 60 and problems == []

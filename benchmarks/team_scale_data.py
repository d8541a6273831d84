"""The data of ``bench_team_scale.py``: N cases with one subject and one note each, the same
rows into a team store (as its owner, triggers off) and into a local SQLCipher store, then the
search index built by each store's own ``rebuild``. Untimed, one-off; everything is fictional.

Each case has two members among the investigators ``inv01``...: a lead (round-robin) and
the next one as investigator, so each of 20 investigators sees a tenth of the cases.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from generate_scale import FIRST, LAST, WORDS

if TYPE_CHECKING:
    from caseapp.store.interface import SearchIndex

STATUSES = ("open", "open", "open", "in-review", "escalated", "closed")
PRIORITIES = ("low", "medium", "medium", "high", "critical")
BATCH = 5_000


def investigators(count: int) -> list[str]:
    return [f"inv{i:02d}" for i in range(1, count + 1)]


def _cases(cases: int, seed: int) -> Iterator[tuple[dict[str, Any], dict[str, Any],
                                                    dict[str, Any]]]:
    """(case, subject, note) rows; ids 1..cases for all three."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(1, cases + 1):
        when = start + timedelta(minutes=rng.randint(0, 480_000))
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        case = {"id": i, "ref": f"CASE-2026-{i:06d}", "year": 2026, "seq": i,
                "title": f"{' '.join(rng.choices(WORDS, k=3))} {name}",
                "summary": " ".join(rng.choices(WORDS, k=12)), "status": rng.choice(STATUSES),
                "priority": rng.choice(PRIORITIES), "opened_at": when, "updated_at": when}
        subject = {"id": i, "case_id": i, "name": name, "created_at": when,
                   "hiring_platform": rng.choice(("upwork", "toptal", "direct", "agency"))}
        note = {"id": i, "case_id": i, "occurred_at": when, "recorded_at": when,
                "updated_at": when, "author": "bench",
                "text": " ".join(rng.choices(WORDS, k=rng.randint(8, 20)))}
        yield case, subject, note


def _insert(conn: sa.Connection, cases: int, seed: int) -> None:
    from caseapp.domain.models import Case, Note, Subject

    tables = [Case.__table__, Subject.__table__, Note.__table__]  # type: ignore[attr-defined]
    batches: list[list[dict[str, Any]]] = [[], [], []]
    for rows in _cases(cases, seed):
        for batch, row in zip(batches, rows, strict=True):
            batch.append(row)
        if len(batches[0]) >= BATCH:
            for table, batch in zip(tables, batches, strict=True):
                conn.execute(table.insert(), batch)
                batch.clear()
    for table, batch in zip(tables, batches, strict=True):
        if batch:
            conn.execute(table.insert(), batch)


def load_team(url: str, cases: int, people: list[str], seed: int = 17) -> dict[str, int]:
    """Fill the team store at ``url`` (its owner's URL); returns the index rebuild's counts."""
    from caseapp.store.postgresql.store import open_postgresql

    store = open_postgresql(url)
    try:
        with store.engine.begin() as conn:
            # the owner loads around the app: no notify or creator-is-lead trigger per row
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            _insert(conn, cases, seed)
            members = [{"case_id": i, "role_name": people[(i + k) % len(people)],
                        "access": access, "added_at": datetime.now(UTC), "added_by": "bench"}
                       for i in range(1, cases + 1)
                       for k, access in ((0, "lead"), (1, "investigator"))]
            conn.execute(sa.text("INSERT INTO case_member (case_id, role_name, access, "
                                 "added_at, added_by) VALUES (:case_id, :role_name, :access, "
                                 ":added_at, :added_by)"), members)
            for table in ("case_file", "subject", "note"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"{cases})")
        return cast("SearchIndex", store.search).rebuild()
    finally:
        store.dispose()


def load_local(db_path: Any, key: bytes, cases: int, seed: int = 17) -> dict[str, int]:
    """The same cases into a new local store; returns the index rebuild's counts."""
    from caseapp.store.sqlcipher.store import SqlcipherStore

    store = SqlcipherStore(Path(db_path), key)
    try:
        store.upgrade()
        with store.engine.begin() as conn:
            _insert(conn, cases, seed)
        return cast("SearchIndex", store.search).rebuild()
    finally:
        store.dispose()

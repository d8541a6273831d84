"""The team store's page-at-a-time case list (PostgresCaseListReader), real cluster, read as
members under row-level security: the server sorts, filters and joins the filter texts of the
member's own cases only; a member of another case and a member of none see none of them."""

from __future__ import annotations

from typing import Any

import pytest
from team.test_rls import insert

from caseapp.services.cases.caselist_source import CaseListSource, RowsReader, open_case_list
from caseapp.services.workspace import open_workspace
from caseapp.store.case_list import ORDER_KEYS
from caseapp.store.postgresql.access import MEMBER
from caseapp.store.postgresql.case_list import PostgresCaseListReader
from caseapp.store.postgresql.store import open_postgresql

#: (seq, title, status, priority, minutes ago updated, subjects, exhibits, withdrawn exhibits)
_CASES = ((1, "bravo\nline two", "open", "high", 5, 2, 1, 1),
          (2, "Alpha", "closed", "low", 1, 0, 3, 0),
          (3, "Charlie", "open", "critical", 3, 1, 0, 0),
          (4, "alpha two", "in-review", "medium", 9, 0, 0, 2),
          (5, "Delta (bob's)", "open", "high", 2, 1, 1, 0))


def _seed(team_db: Any, alice: str, bob: str) -> dict[int, int]:
    """The cases above as the superuser; Alice on 1-4, Bob on 5. seq -> case id."""
    ids: dict[int, int] = {}
    with team_db.connect() as admin:
        for seq, title, status, priority, ago, subjects, exhibits, withdrawn in _CASES:
            case = insert(admin, "case_file", ref=f"CASE-2026-{seq:04d}", year=2026, seq=seq,
                          title=title, status=status, priority=priority)["id"]
            admin.execute("UPDATE case_file SET updated_at = now() - %s * interval '1 minute' "
                          "WHERE id = %s", (ago, case))
            for _ in range(subjects):
                insert(admin, "subject", case_id=case)
            for n in range(exhibits + withdrawn):
                insert(admin, "evidence", case_id=case, number=n + 1,
                       withdrawn_at="2026-01-02 00:00:00" if n >= exhibits else None)
            insert(admin, "case_member", case_id=case, role_name=bob if seq == 5 else alice,
                   access="lead")
            ids[seq] = case
    return ids


@pytest.fixture
def seeded(team_db: Any) -> dict[str, Any]:
    alice = team_db.role("alice", MEMBER)
    bob = team_db.role("bob", MEMBER)
    carol = team_db.role("carol", MEMBER)  # a member of the team, on no case
    return {"alice": alice, "bob": bob, "carol": carol, "ids": _seed(team_db, alice, bob)}


def test_the_reader_answers_for_the_members_own_cases_only(team_db: Any,
                                                          seeded: dict[str, Any]) -> None:
    ids = seeded["ids"]
    mine = [ids[s] for s in (1, 2, 3, 4)]
    with team_db.connect() as admin:  # control: the hidden case exists for the server
        assert admin.execute("SELECT count(*) FROM case_file").fetchone()[0] == 5
    store = open_postgresql(team_db.dsn_as(seeded["alice"]))
    try:
        reader = store.case_list_reader()
        assert isinstance(reader, PostgresCaseListReader)
        # sorted by the server, ties by id (both reversed when descending)
        assert reader.order("updated", True) == [ids[2], ids[3], ids[1], ids[4]]
        assert reader.order("title", False) == [ids[2], ids[4], ids[1], ids[3]]
        assert reader.order("status", False) == [ids[1], ids[3], ids[4], ids[2]]
        assert reader.order("subjects", True) == [ids[1], ids[3], ids[4], ids[2]]
        assert reader.order("exhibits", True) == [ids[2], ids[1], ids[4], ids[3]]
        assert reader.order("ref", True, status="open") == [ids[3], ids[1]]
        # the same order as the rows-based fallback over the same visible rows, every key
        fallback = RowsReader(store.case_rows)
        fallback.data_version()
        for key in ORDER_KEYS:
            for descending in (False, True):
                assert reader.order(key, descending) == fallback.order(key, descending), key
        texts = reader.texts()
        assert texts == {ids[1]: "CASE-2026-0001 bravo line two open high",
                         ids[2]: "CASE-2026-0002 Alpha closed low",
                         ids[3]: "CASE-2026-0003 Charlie open critical",
                         ids[4]: "CASE-2026-0004 alpha two in-review medium"}
        assert reader.texts(after=ids[1], limit=2) == {i: texts[i] for i in (ids[2], ids[3])}
        rows = {r[0]: r for r in reader.rows([*mine, ids[5], 10**9])}
        assert set(rows) == set(mine)  # Bob's case and an unknown id: skipped
        assert rows == {r[0]: r for r in fallback.rows(mine)}
        assert (rows[ids[1]][7], rows[ids[1]][8]) == (2, 1)  # withdrawn exhibit not counted
        assert reader.id_of("CASE-2026-0002") == ids[2]
        assert reader.id_of("CASE-2026-0005") is None  # exists, but not Alice's
    finally:
        store.dispose()
    for outsider, visible in ((seeded["carol"], []), (seeded["bob"], [ids[5]])):
        other = open_postgresql(team_db.dsn_as(outsider))
        try:
            reader = other.case_list_reader()
            assert reader.order("updated", True) == visible
            assert list(reader.texts()) == visible
            assert [r[0] for r in reader.rows(mine + [ids[5]])] == visible
            assert reader.id_of("CASE-2026-0001") is None
        finally:
            other.dispose()


def test_data_version_moves_after_a_colleagues_commit_and_the_list_follows(
        team_db: Any, seeded: dict[str, Any]) -> None:
    store = open_postgresql(team_db.dsn_as(seeded["alice"]))
    try:
        reader = store.case_list_reader()
        before = reader.data_version()
        assert len(reader.order("ref", False)) == 4
        with team_db.connect() as admin:
            case = insert(admin, "case_file", ref="CASE-2026-0006", year=2026, seq=6,
                          title="Echo")["id"]
            insert(admin, "case_member", case_id=case, role_name=seeded["alice"],
                   access="investigator")
        assert reader.data_version() != before
        assert reader.order("ref", False)[-1] == case
    finally:
        store.dispose()


def test_a_team_workspace_lists_through_the_servers_reader(team_db: Any, tmp_path: Any,
                                                          seeded: dict[str, Any]) -> None:
    ws = open_workspace(tmp_path / "alice", store_url=team_db.dsn_as(seeded["alice"]))
    try:
        source = open_case_list(ws)
        try:
            assert isinstance(source, CaseListSource)
            assert isinstance(source._reader, PostgresCaseListReader)  # noqa: SLF001
            ids = seeded["ids"]
            assert source.order(1, False) == [ids[2], ids[4], ids[1], ids[3]]  # title column
            hay = source.haystack()
            assert set(hay) == {ids[s] for s in (1, 2, 3, 4)}
            assert "charlie" in hay[ids[3]]  # case-folded by the source
        finally:
            source.close()
    finally:
        ws.close()

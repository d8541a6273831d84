"""Search on the team store answers like the local store: the same records, written through
the services into each, give the same hits for the same queries (accents, stems, prefixes,
phrases, CJK inside longer runs, identifiers, filters); text that looks like tsquery syntax is
only ever text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from caseapp.services.cases import cases, notes, subjects
from caseapp.services.cases.subjects import IdentifierInput
from caseapp.services.discovery import search
from caseapp.services.errors import InvalidInput
from caseapp.services.tips import tips
from caseapp.services.workspace import open_workspace


def _fill(ws: Any) -> None:
    first = cases.create_case(ws, "Laptop farm in Dallas", summary="Résumé reused by O'Brien; "
                              "payroll to a reshipper")
    subjects.add_subject(ws, first.ref, "김민준", aliases=["Kim Min-jun", "Иван Петров"],
                         identifiers=[IdentifierInput("email", "alice.w@mailbox.example"),
                                      IdentifierInput("phone", "+1 555 0100")])
    notes.add_note(ws, first.ref, "Handler said: ship the laptops to 北朝鮮 via the reshipper")
    second = cases.create_case(ws, "Second: 平壤 front company", priority="high")
    notes.add_note(ws, second.ref, "Interview with 김민준씨 about the resume")
    cases.set_status(ws, second.ref, "escalated")
    tips.create_tip(ws, "Hotline: a laptop farm near Dallas, contact alice.w@mailbox.example",
                    channel="hotline")


@pytest.fixture
def both(pg_url: str, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    local = open_workspace(tmp_path / "local", store_url="")
    team = open_workspace(tmp_path / "team", store_url=pg_url)
    _fill(local)
    _fill(team)
    yield local, team
    local.close()
    team.close()


QUERIES = [
    "laptop", "laptops", "lapt*", "resume", "résumé", "RESUME", "obrien", "o'brien", "brien",
    '"ship the laptops"', '"laptops ship"', "김민준", "민준", "김*", "北朝鮮", "朝鮮", "平*",
    "Иван", "петров", "alice.w@mailbox.example", "mailbox", "email:alice.w@mailbox.example",
    "phone:+15550100", "dallas type:tip", "dallas type:case", "status:escalated",
    "priority:high", "laptop status:open", "reshipper payroll", "nothing-matches-this",
]
#: Text that would be tsquery syntax if it ever reached to_tsquery raw.
HOSTILE = ["a & b | !c", "':*", "\\", "laptop:*", "'laptop'", "(laptop", "laptop <-> farm",
           "laptop'  &  '", "%", "laptop\\'"]


def _hits(ws: Any, query: str) -> list[tuple[str, str]] | str:
    try:
        return sorted((h.type, h.ref) for h in search.search(ws, query))
    except InvalidInput as exc:  # the parser's message, the same for both stores
        return str(exc)


def test_the_same_queries_find_the_same_records(both: tuple[Any, Any]) -> None:
    local, team = both
    for query in QUERIES:
        assert _hits(team, query) == _hits(local, query), query
    assert _hits(team, "laptops") and _hits(team, "민준") and _hits(team, "résumé")
    assert _hits(team, "nothing-matches-this") == []


def test_text_that_looks_like_query_syntax_is_only_text(both: tuple[Any, Any]) -> None:
    local, team = both
    for query in HOSTILE:
        assert _hits(team, query) == _hits(local, query), query


def test_results_are_ranked_title_first_with_a_positive_score(both: tuple[Any, Any]) -> None:
    _local, team = both
    hits = search.search(team, "laptop")
    assert hits[0].type in ("case", "tip") and all(h.score > 0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

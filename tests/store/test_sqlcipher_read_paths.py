"""Read paths of the SQLCipher store that run on every search or case-list refresh (issue 18):
the index check is made once, not per search; the case-list reader reads what it should."""

from __future__ import annotations

from typing import Any

import pytest

from caseapp.services.cases import cases
from caseapp.services.discovery import search
from caseapp.store.sqlcipher import search_index
from caseapp.store.sqlcipher.engine import PAGE_CACHE_KIB


def test_index_is_checked_once_not_on_every_search(ws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    cases.create_case(ws, "Laptop farm")
    calls: list[int] = []
    check = search_index.ensure_current
    monkeypatch.setattr(search_index, "ensure_current",
                        lambda conn: (calls.append(1), check(conn))[1])
    first = search.search(ws, "laptop")
    for _ in range(3):
        assert search.search(ws, "laptop") == first
    assert len(calls) <= 1  # the first search may check; later ones must not (write lock)


def test_pooled_connections_get_the_larger_page_cache(ws: Any) -> None:
    with ws.store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -PAGE_CACHE_KIB


def test_case_list_reader_orders_filters_and_reads_rows(ws: Any) -> None:
    refs = [cases.create_case(ws, title).ref for title in
            ("beta\nsplit title", "Alpha", "gamma")]
    cases.set_status(ws, refs[2], "escalated")
    reader = ws.store.case_list_reader()
    ids = reader.order("title", False)
    assert [reader.rows([i])[0][1] for i in ids] == [refs[1], refs[0], refs[2]]
    assert reader.order("title", True) == ids[::-1]
    assert [reader.rows([i])[0][1] for i in reader.order("status", False, "escalated")] == \
        [refs[2]]
    texts = reader.texts()
    assert len(texts) == 3 and all("\n" not in t for t in texts.values())
    assert texts[reader.id_of(refs[0])].startswith(f"{refs[0]} beta")
    low, high = sorted(texts)[:2], sorted(texts)[2:]  # a part at a time, by id
    assert reader.texts(0, 2) == {i: texts[i] for i in low}
    assert reader.texts(low[-1], 2) == {i: texts[i] for i in high}
    assert reader.texts(max(texts), 2) == {}
    assert reader.id_of("CASE-1999-0001") is None and reader.rows([10**9]) == []
    version = reader.data_version()
    assert reader.data_version() == version  # nothing written in between
    cases.update_case(ws, refs[1], title="Alpha renamed")
    assert reader.data_version() != version


def test_case_list_reader_is_none_without_the_file_or_with_another_key(ws: Any,
                                                                       tmp_path: Any) -> None:
    from caseapp.store.sqlcipher.quick import open_case_list_reader, read_case_list

    ref = cases.create_case(ws, "Keyed").ref
    path, key = ws.store.db_path, ws.store._key  # noqa: SLF001
    assert open_case_list_reader(tmp_path / "absent.db", key) is None
    assert open_case_list_reader(path, bytes(32)) is None
    assert read_case_list(path, bytes(32)) is None
    reader = open_case_list_reader(path, key)  # control: the right key reads the list
    assert reader is not None
    try:
        assert [row[1] for row in reader.rows(reader.order("updated", True))] == [ref]
    finally:
        reader.close()
    assert [row[1] for row in read_case_list(path, key) or []] == [ref]

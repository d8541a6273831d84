"""The case list model (issue 18): sorted and filtered by the store, rows fetched a batch at a
time. A model test without a view, then the page through the real widgets."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from caseapp.services.cases import cases, subjects
from caseapp.services.cases.caselist_source import open_case_list, rows_source
from caseapp.ui.cases.case_list_model import ROW_ROLE, CaseListModel

ROOT = QModelIndex()
TITLES = ["Alpha laptop farm", "beta payroll redirect", "Gamma laptop proxy", "delta VPN logins",
          "Épsilon laptop résumé", "Zeta payroll laptop", "eta camera off", "Theta 김민준 laptop",
          "Iota wallet", "kappa laptop courier", "Lambda references"]


@pytest.fixture
def many(ui_ws: Any) -> list[str]:
    """Eleven cases; the third escalated, the fifth with two subjects (refs in creation order)."""
    refs = [cases.create_case(ui_ws, title, priority=("low", "high", "critical")[i % 3]).ref
            for i, title in enumerate(TITLES)]
    cases.set_status(ui_ws, refs[2], "escalated")
    subjects.add_subject(ui_ws, refs[4], "A")
    subjects.add_subject(ui_ws, refs[4], "B")
    return refs


def _model(ws: Any, batch: int = 4) -> CaseListModel:
    model = CaseListModel()
    model.BATCH = batch
    model.set_source(open_case_list(ws))
    return model


def _all_refs(model: CaseListModel) -> list[str]:
    while model.canFetchMore(ROOT):
        model.fetchMore(ROOT)
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_rows_are_fetched_a_batch_at_a_time(ui_ws: Any, many: list[str]) -> None:
    model = _model(ui_ws)
    assert model.rowCount() == 4 and model.total() == 11 and model.matching() == 11
    assert model.canFetchMore(ROOT)
    assert model.index(3, 0).data() and model.data(model.index(4, 0)) is None
    model.fetchMore(ROOT)
    assert model.rowCount() == 8
    model.fetchMore(ROOT)
    assert model.rowCount() == 11 and not model.canFetchMore(ROOT)
    # newest activity first: the two cases changed last lead
    refs = [model.index(r, 0).data() for r in range(11)]
    assert refs[:2] == [many[4], many[2]] and sorted(refs) == sorted(many)
    row = model.index(0, 0).data(ROW_ROLE)
    assert row.ref == many[4] and row.subjects == 2 and model.index(0, 5).data() == "2"


def test_sorting_by_every_column_is_done_by_the_store(ui_ws: Any, many: list[str]) -> None:
    model = _model(ui_ws)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert _all_refs(model) == many
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == 11 and _all_refs(model) == many[::-1]
    model.sort(1, Qt.SortOrder.AscendingOrder)  # title, case-insensitive
    titles = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert titles == sorted(TITLES, key=str.lower)
    model.sort(2, Qt.SortOrder.DescendingOrder)  # status rank: escalated before open
    assert model.index(0, 0).data() == many[2] and model.index(0, 2).data() == "Escalated"
    model.sort(3, Qt.SortOrder.DescendingOrder)  # priority rank, ties by id (descending)
    assert _all_refs(model)[:4] == [many[8], many[5], many[2], many[10]]
    model.sort(5, Qt.SortOrder.DescendingOrder)  # subjects
    assert model.index(0, 0).data() == many[4]


def test_filter_every_word_any_case_and_narrowing_keystrokes(ui_ws: Any, many: list[str]) -> None:
    model = _model(ui_ws)
    model.set_filter("LAPTOP")
    laptop = {many[i] for i in (0, 2, 4, 5, 7, 9)}
    assert model.matching() == 6 and model.rowCount() == 4 and set(_all_refs(model)) == laptop
    model.set_filter("laptop payroll")  # narrower: filters what "laptop" kept
    assert _all_refs(model) == [many[5]]
    model.set_filter("lap")  # wider again: from every case
    assert set(_all_refs(model)) == laptop
    model.set_filter("김민준")
    assert _all_refs(model) == [many[7]]
    model.set_filter("résumé")
    assert _all_refs(model) == [many[4]]
    model.set_filter("", "escalated")
    assert _all_refs(model) == [many[2]] and model.total() == 11
    model.set_filter("laptop", "open")
    assert set(_all_refs(model)) == laptop - {many[2]}
    model.set_filter("no such words", None)
    assert model.rowCount() == 0 and model.matching() == 0 and not model.canFetchMore(ROOT)


def test_reload_shows_changes_and_sort_keeps_selected_rows(ui_ws: Any, many: list[str]) -> None:
    model = _model(ui_ws)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert model.index(0, 1).data() == TITLES[0]
    cases.update_case(ui_ws, many[0], title="Alpha renamed")
    assert model.index(0, 1).data() == TITLES[0]  # nothing read until reload
    model.reload()
    assert model.index(0, 1).data() == "Alpha renamed"
    model.set_filter("renamed")
    assert _all_refs(model) == [many[0]]
    model.set_filter("")
    persistent = QPersistentModelIndex(model.index(1, 0))
    model.sort(0, Qt.SortOrder.DescendingOrder)  # many[1] moves to row 9, past the batch
    assert persistent.isValid() and persistent.row() == 9 and model.rowCount() >= 10
    assert model.index(persistent.row(), 0).data() == many[1]


def test_filter_texts_follow_changes_named_or_not(ui_ws: Any, many: list[str]) -> None:
    model = _model(ui_ws)
    model.set_filter("laptop")
    assert many[1] not in _all_refs(model)
    cases.update_case(ui_ws, many[1], title="beta laptop now")
    model.reload({many[1]})  # only this case's text is read again
    assert many[1] in _all_refs(model) and model.matching() == 7
    cases.update_case(ui_ws, many[3], title="delta laptop too")
    new = cases.create_case(ui_ws, "Nu laptop").ref
    model.reload()  # not said which: every text is read again
    assert {many[3], new} <= set(_all_refs(model)) and model.matching() == 9
    cases.update_case(ui_ws, many[0], title="Alpha no longer")
    model.reload({many[0]})
    assert many[0] not in _all_refs(model) and model.total() == 12


def test_risk_follows_the_named_case_and_sorts(ui_ws: Any, many: list[str]) -> None:
    from caseapp.services.redflags import checklists

    model = _model(ui_ws)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert model.index(1, 4).data() == "not assessed"
    checklists.start_checklist(ui_ws, many[1])
    checklists.set_item(ui_ws, many[1], "identity.shared-contact", "confirmed")
    asked: list[Any] = []
    source = model.source
    assert source is not None
    read = source._risks_of  # white box: which cases' risks the reload reads
    assert read is not None
    source._risks_of = lambda ids: (asked.append(ids), read(ids))[1]
    model.reload({many[1]})  # only this case's risk is read again
    assert len(asked) == 1 and asked[0] is not None and len(asked[0]) == 1
    risk = model.index(1, 4).data()
    assert risk != "not assessed" and model.index(1, 0).data(ROW_ROLE).risk is not None
    model.sort(4, Qt.SortOrder.DescendingOrder)
    assert model.index(0, 0).data() == many[1]
    band = model.index(0, 0).data(ROW_ROLE).risk_band
    if band:  # the band is a filter word too
        model.set_filter(band)
        assert many[1] in _all_refs(model)


def test_rows_source_gives_the_same_list(ui_ws: Any, many: list[str]) -> None:
    from caseapp.services.cases.caselist import case_list

    model = CaseListModel()
    model.set_source(rows_source(case_list(ui_ws)))
    reference = _model(ui_ws)
    assert _all_refs(model) == _all_refs(reference)
    model.set_filter("laptop payroll")
    assert _all_refs(model) == [many[5]]


# -- the page -------------------------------------------------------------------------------

def _panel(window: Any) -> Any:
    panel = window.show_page("cases").list
    panel.model.BATCH = 4
    panel.reload()
    return panel


def test_page_keeps_the_selected_case_across_refresh_and_filter(qtbot, window,
                                                                 many: list[str]) -> None:
    panel = _panel(window)
    assert panel.count.text() == "11 cases"
    assert panel.select_ref(many[0])  # the oldest: beyond the first batch, fetched up to it
    assert panel.selected_ref() == many[0] and panel.model.rowCount() == 11
    cases.create_case(window.ctx.ws, "Mu laptop new")
    window.ctx.notify_changed("")
    qtbot.waitUntil(lambda: panel.model.total() == 12)
    assert panel.selected_ref() == many[0] and panel.count.text() == "12 cases"
    qtbot.keyClicks(panel.filter, "laptop")
    assert panel.selected_ref() == many[0] and panel.count.text() == "7 of 12 cases"
    panel.filter.clear()
    qtbot.keyClicks(panel.filter, "payroll")
    assert panel.selected_ref() in (many[1], many[5])  # the first match once it was gone


def test_page_keyboard_reaches_rows_past_the_first_batch(qtbot, window, many: list[str]) -> None:
    panel = _panel(window)
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    for _ in range(10):
        qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    assert panel.table.currentIndex().row() == 10 and panel.model.rowCount() == 11
    opened: list[str] = []
    panel.open_case.connect(opened.append)
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert opened == [panel.selected_ref()] and opened[0] == many[0]

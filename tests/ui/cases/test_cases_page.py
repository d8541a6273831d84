"""Cases page: create a case through the dialog, filter, sort, open with Enter/double-click."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from uihelpers import type_text

from caseapp.services.cases import cases


def _page(window: Any) -> Any:
    return window.show_page("cases")


def test_create_case_with_inline_validation(qtbot, window) -> None:
    page = _page(window)
    qtbot.mouseClick(page.list.new_button, Qt.MouseButton.LeftButton)
    dialog = page.new_case_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible(), "an empty title must not close the dialog"
    assert dialog.title_error.isVisible() and "needs a title" in dialog.title_error.text()
    qtbot.keyClicks(dialog.title_edit, "Laptop shipped to a forwarding address")
    assert not dialog.title_error.isVisible()
    dialog.priority.setCurrentIndex(dialog.priority.findData("high"))
    qtbot.keyClicks(dialog.tags, "laptop farm, vpn")
    type_text(dialog.subject, "김민준")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    rows = cases.list_cases(window.ctx.ws)
    assert len(rows) == 1 and rows[0].priority == "high" and rows[0].subjects == 1
    case = cases.get_case(window.ctx.ws, rows[0].ref)
    assert '"vpn"' in case.tags
    view = page.current_case_view()
    assert view is not None and view.case_ref == rows[0].ref
    assert view.header.title_edit.text() == "Laptop shipped to a forwarding address"
    assert page.list.model.rowCount() == 1


def _three(ws: Any) -> list[str]:
    refs = [cases.create_case(ws, "Alpha laptop farm", priority="low").ref,
            cases.create_case(ws, "Beta payroll redirect", priority="critical").ref,
            cases.create_case(ws, "감마 interview proxy", priority="medium").ref]
    cases.set_status(ws, refs[1], "escalated")
    return refs


def _visible_refs(page: Any) -> list[str]:
    model = page.list.model
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_filter_as_you_type_and_status_filter(qtbot, window) -> None:
    refs = _three(window.ctx.ws)
    page = _page(window)
    page.list.reload()
    assert len(_visible_refs(page)) == 3
    qtbot.keyClicks(page.list.filter, "lap")
    assert _visible_refs(page) == [refs[0]]
    assert page.list.count.text() == "1 of 3 cases"
    page.list.filter.clear()
    type_text(page.list.filter, "감마")
    assert _visible_refs(page) == [refs[2]]
    page.list.filter.clear()
    qtbot.keyClicks(page.list.filter, "PAYROLL beta")  # all words, any order, any case
    assert _visible_refs(page) == [refs[1]]
    page.list.filter.clear()
    page.list.status.setCurrentIndex(page.list.status.findData("escalated"))
    assert _visible_refs(page) == [refs[1]]
    page.list.status.setCurrentIndex(page.list.status.findData("open"))
    assert sorted(_visible_refs(page)) == sorted([refs[0], refs[2]])
    qtbot.keyClicks(page.list.filter, "nothing matches this")
    assert _visible_refs(page) == [] and page.list.count.text() == "0 of 3 cases"


def test_sort_by_any_column_keeps_selection(qtbot, window) -> None:
    refs = _three(window.ctx.ws)
    page = _page(window)
    page.list.reload()
    table = page.list.table
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert _visible_refs(page) == refs
    page.list.select_ref(refs[1])
    table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert _visible_refs(page) == refs[::-1]
    assert page.list.selected_ref() == refs[1]
    table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # priority: critical first
    assert _visible_refs(page)[0] == refs[1]
    table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # title
    assert _visible_refs(page) == refs
    qtbot.mouseClick(table.horizontalHeader().viewport(), Qt.MouseButton.LeftButton,
                     pos=_section_center(table, 2))  # click the Status header
    assert table.horizontalHeader().sortIndicatorSection() == 2
    statuses = [page.list.model.index(r, 2).data() for r in range(3)]
    assert statuses in (["Open", "Open", "Escalated"], ["Escalated", "Open", "Open"])


def _section_center(table: Any, column: int) -> Any:
    from PySide6.QtCore import QPoint

    header = table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    return QPoint(x, header.height() // 2)


def test_enter_and_double_click_open_the_case_once(qtbot, window) -> None:
    refs = _three(window.ctx.ws)
    page = _page(window)
    page.list.reload()
    page.list.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    page.list.select_ref(refs[0])
    page.list.table.setFocus()
    qtbot.keyClick(page.list.table, Qt.Key.Key_Return)
    assert page.current_case_view().case_ref == refs[0]
    page.show_list()
    page.list.select_ref(refs[2])
    index = page.list.table.currentIndex()
    rect = page.list.table.visualRect(index)
    # A real double-click is press, release, double-click event, release.
    qtbot.mouseClick(page.list.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.list.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.current_case_view().case_ref == refs[2]
    page.show_list()
    page.list.select_ref(refs[0])
    qtbot.keyClick(page.list.table, Qt.Key.Key_Enter)
    assert [v.case_ref for v in page.views()] == [refs[0], refs[2]]
    assert page.current_case_view().case_ref == refs[0]
    assert page.close_current() and [v.case_ref for v in page.views()] == [refs[2]]
    assert not page.close_tab(0), "the case list tab cannot be closed"


def test_enter_in_filter_opens_the_first_match(qtbot, window) -> None:
    refs = _three(window.ctx.ws)
    page = _page(window)
    page.list.reload()
    qtbot.keyClicks(page.list.filter, "beta")
    qtbot.keyClick(page.list.filter, Qt.Key.Key_Return)
    assert page.current_case_view().case_ref == refs[1]


def test_case_header_status_transitions_and_priority(qtbot, window) -> None:
    ref = cases.create_case(window.ctx.ws, "Status case").ref
    view = window.open_case(ref)
    header = view.header
    options = [header.status.itemData(i) for i in range(header.status.count())]
    assert options == ["open", "in-review", "escalated", "closed"]
    header.status.setCurrentIndex(options.index("escalated"))
    header.status.activated.emit(options.index("escalated"))
    assert cases.get_case(window.ctx.ws, ref).status == "escalated"
    options = [header.status.itemData(i) for i in range(header.status.count())]
    assert options == ["escalated", "in-review", "closed"]  # escalated cannot go back to open
    header.priority.setCurrentIndex(header.priority.findData("critical"))
    header.priority.activated.emit(header.priority.currentIndex())
    assert cases.get_case(window.ctx.ws, ref).priority == "critical"
    header.title_edit.clear()
    header.title_edit.editingFinished.emit()
    assert header.error.isVisible() and "title" in header.error.text()
    assert header.title_edit.text() == "Status case", "the stored title is shown again"

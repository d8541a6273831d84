"""The Search page over the demo data: search as you type, grouped results with marked
snippets, Enter goes to the results and Enter there opens the item, inline syntax errors, Ctrl+K from anywhere."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QTextDocument
from PySide6.QtWidgets import QApplication, QLineEdit
from uihelpers import type_text

from caseapp.services.cases import cases
from caseapp.services.discovery.search import Hit
from caseapp.services.maintenance import demo
from caseapp.ui.discovery.search_model import HIT_ROLE, HTML_ROLE, hit_markup, snippet_markup

CASE1 = "CASE-2026-0001"


@pytest.fixture
def page(window: Any) -> Any:
    demo.load_demo(window.ctx.ws)
    window.show_page("cases").list.reload()
    return window.show_page("search")


def _settle(qtbot: Any, page: Any, text: str | None = None) -> None:
    """Wait until the debounce has fired and the search for the box's text is shown."""
    want = page.box.text() if text is None else text
    qtbot.waitUntil(lambda: not page._debounce.isActive() and page.handle is None
                    and page.query == want, timeout=15_000)


def _rows(page: Any) -> dict[str, list[Any]]:
    model = page.model
    found: dict[str, list[Any]] = {}
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        found[group.data()] = [model.index(r, 0, group).data(HIT_ROLE)
                               for r in range(model.rowCount(group))]
    return found


def test_typing_shows_grouped_ranked_results_with_counts(qtbot, page, monkeypatch) -> None:
    from caseapp.services.discovery import search as search_service

    calls: list[str] = []
    real = search_service.search
    monkeypatch.setattr(search_service, "search",
                        lambda ws, q, limit=50: calls.append(q) or real(ws, q, limit))
    qtbot.keyClicks(page.box, "laptop*")
    _settle(qtbot, page, "laptop*")
    assert 1 <= len(calls) < len("laptop*"), "typing is debounced, not one search a key"
    assert calls[-1] == "laptop*"
    groups = _rows(page)
    assert set(groups) == {"Identifiers (1)", "Cases (1)", "Tips (2)"}
    assert [h.ref for h in groups["Tips (2)"]] == ["TIP-2026-0002", "TIP-2026-0001"]
    assert groups["Cases (1)"][0].ref == CASE1
    # groups keep the service's ranking: the group of the best hit comes first
    first = page.model.index(0, 0)
    assert page.model.index(0, 0, first).data(HIT_ROLE).score == max(
        h.score for hits in groups.values() for h in hits)
    assert "Identifiers 1" in page.status.text() and "Tips 2" in page.status.text()
    assert page.status.text().startswith("4 results")
    case_index = next(page.model.index(0, 0, page.model.index(g, 0))
                      for g in range(page.model.rowCount())
                      if page.model.index(g, 0).data() == "Cases (1)")
    assert "<b>laptop</b>" in case_index.data(HTML_ROLE)
    assert not page.error.isVisible()
    assert page.view.currentIndex().data(HIT_ROLE) is not None, "the best hit is selected"


def test_korean_query_typed_through_the_input_method(qtbot, page) -> None:
    type_text(page.box, "김민준")
    assert page.box.text() == "김민준"
    _settle(qtbot, page)
    groups = _rows(page)
    assert list(groups) == ["Subjects (1)"]
    hit = groups["Subjects (1)"][0]
    assert (hit.ref, hit.title) == (CASE1, "Daniel Park")
    assert "<b>김민준</b>" in snippet_markup(hit)


def test_enter_shows_the_results_then_opens_the_selected_one(qtbot, page, window) -> None:
    qtbot.keyClicks(page.box, "type:case park")
    qtbot.keyClick(page.box, Qt.Key.Key_Return)  # before the debounce has fired
    _settle(qtbot, page)
    qtbot.waitUntil(lambda: page.view.hasFocus(), timeout=15_000)
    # the list is in view, with the best hit selected; nothing opened yet
    assert window.current_page_key() == "search" and page.view.isVisible()
    assert page.current_hit().ref == CASE1
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert window.current_page_key() == "cases"
    view = window.current_case_view()
    assert view.case_ref == CASE1 and view.current_key == "overview"


def test_keyboard_opens_a_note_and_an_exhibit_on_their_tabs(qtbot, page, window) -> None:
    qtbot.keyClicks(page.box, "type:note Austin neighbourhoods")
    _settle(qtbot, page)
    hit = _rows(page)["Notes (1)"][0]
    qtbot.keyClick(page.box, Qt.Key.Key_Down)
    assert page.view.hasFocus() and page.current_hit() == hit
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    view = window.current_case_view()
    assert view.case_ref == CASE1 and view.current_key == "timeline"
    assert view.tab("timeline").selected().note_id == hit.id

    window.actions_.find.trigger()  # Ctrl+F on the Cases page: the case filter, not search
    assert window.current_page_key() == "cases"
    window.show_page("search").focus_find()
    page.box.clear()
    qtbot.keyClicks(page.box, "type:exhibit vpn")
    _settle(qtbot, page)
    hits = _rows(page)["Exhibits (2)"]
    assert [(h.ref, h.exhibit) for h in hits] == [("CASE-2026-0002", "E-003"), (CASE1, "E-003")]
    qtbot.keyClick(page.box, Qt.Key.Key_Down)
    qtbot.keyClick(page.view, Qt.Key.Key_Down)  # the second hit: CASE1's E-003
    qtbot.keyClick(page.view, Qt.Key.Key_Enter)
    view = window.current_case_view()
    assert view.case_ref == CASE1 and view.current_key == "evidence"
    assert view.tab("evidence").selected().exhibit == "E-003"
    assert view.tab("evidence").selected().id == hits[1].id


def test_identifier_and_tip_hits(qtbot, page, window) -> None:
    qtbot.keyClicks(page.box, "type:identifier linkedin park")
    _settle(qtbot, page)
    hit = _rows(page)["Identifiers (1)"][0]
    page.open_index(page.model.first_hit_index())
    view = window.current_case_view()
    assert view.current_key == "subjects"
    tab = view.tab("subjects")
    assert tab.current_view().subject.name == "Daniel Park"
    assert tab.model.record(tab.table.currentIndex().row()).id == hit.id

    window.show_page("search")
    page.box.clear()
    qtbot.keyClicks(page.box, "type:tip Larkspur")
    _settle(qtbot, page)
    assert [h.ref for h in _rows(page)["Tips (1)"]] == ["TIP-2026-0001"]
    qtbot.keyClick(page.box, Qt.Key.Key_Return)
    assert window.current_page_key() == "search" and page.view.hasFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert window.current_page_key() == "tips"
    assert window.pages["tips"].editor.ref == "TIP-2026-0001"


@pytest.mark.parametrize(("query", "message"), [
    ("foo:bar", "Unknown filter 'foo:'"),
    ('park "forwarding', "Unbalanced quote"),
    ("status:sleeping", "Unknown status"),
])
def test_bad_syntax_is_an_inline_message(qtbot, page, dialogs, query, message) -> None:
    qtbot.keyClicks(page.box, "park")
    _settle(qtbot, page)
    assert page.model.hit_count() == 4
    page.box.clear()
    qtbot.keyClicks(page.box, query)
    qtbot.waitUntil(lambda: page.error.isVisible(), timeout=5_000)
    assert message in page.error.text()
    assert page.model.rowCount() == 0 and page.status.text() == ""
    qtbot.keyClick(page.box, Qt.Key.Key_Return)  # Enter on a bad query opens nothing
    assert window_key(page) == "search"
    assert dialogs.calls == [], "a bad query never opens a dialog"
    page.box.clear()
    qtbot.keyClicks(page.box, "Larkspur")
    _settle(qtbot, page)
    assert not page.error.isVisible() and page.model.hit_count() == 4


def window_key(page: Any) -> str:
    return page.window().current_page_key()


def test_ctrl_k_focuses_search_from_anywhere_and_ctrl_f_keeps_working(qtbot, page,
                                                                       window) -> None:
    cases_page = window.show_page("cases")
    cases_page.focus_find()
    assert cases_page.list.filter.hasFocus()
    page.box.setText("old query")
    qtbot.keyClick(cases_page.list.filter, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key() == "search"
    assert page.box.hasFocus() and page.box.selectedText() == "old query"
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.box.hasFocus(), "Ctrl+F on the Search page focuses the search box"
    qtbot.keyClick(page.box, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.show_page("cases"), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key() == "cases" and cases_page.list.filter.hasFocus()


class ClaimsCtrlK(QLineEdit):
    """A line edit that claims Ctrl+K as X11's do (delete to the end of the line)."""

    def event(self, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_K
                and event.modifiers() == Qt.KeyboardModifier.ControlModifier):
            event.accept()
            return True
        return super().event(event)


def test_ctrl_k_wins_over_a_text_field_that_claims_it(qtbot, page, window) -> None:
    cases_page = window.show_page("cases")
    field = ClaimsCtrlK("some text")
    cases_page.list.layout().addWidget(field)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=5_000)
    qtbot.keyClick(field, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key() == "search" and page.box.hasFocus()
    # outside this window (another top-level) the field keeps its own Ctrl+K
    other = ClaimsCtrlK("elsewhere")
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    other.activateWindow()
    other.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is other, timeout=5_000)
    assert page.guard._watched is None


def test_snippets_and_titles_render_user_text_literally(qtbot, page, window) -> None:
    ws = window.ctx.ws
    cases.create_case(ws, "<img src=x> & <b>bold</b> Quillfeather",
                      summary="Seen at <script>alert(1)</script> Quillfeather Lane")
    qtbot.keyClicks(page.box, "quillfeather")
    _settle(qtbot, page)
    hit = _rows(page)["Cases (1)"][0]
    doc = QTextDocument()
    doc.setHtml(hit_markup(hit, "#777777"))
    text = doc.toPlainText()
    assert "<img src=x> & <b>bold</b> Quillfeather" in text
    assert "<script>alert(1)</script>" in text
    marked = snippet_markup(hit)
    assert "<b>Quillfeather</b>" in marked and "&lt;script&gt;" in marked
    # a snippet_html that is not plain escaped text with <b> marks is not trusted
    forged = Hit("case", "CASE-1", 1, "t", "a «b» <i>c</i>", 1.0, None, "a <b>b</b> <i>c</i>")
    assert snippet_markup(forged) == "a <b>b</b> &lt;i&gt;c&lt;/i&gt;"


def test_results_follow_changes_to_the_store(qtbot, page, window) -> None:
    qtbot.keyClicks(page.box, "Zephyrine")
    _settle(qtbot, page)
    assert page.model.rowCount() == 0 and page.status.text().startswith("No results")
    ref = cases.create_case(window.ctx.ws, "Zephyrine payroll redirect").ref
    window.ctx.notify_changed(ref)
    qtbot.waitUntil(lambda: page.model.hit_count() == 1, timeout=15_000)
    assert _rows(page)["Cases (1)"][0].ref == ref

"""Red flags tab driven through its widgets: keyboard states, score/band/coverage, notes,
exhibit links, filters, suggestions, template import and upgrade, the case list's Risk."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QComboBox, QMessageBox
from uihelpers import type_text, wait_task

from caseapp.domain.enums import ChecklistState
from caseapp.services.cases import cases
from caseapp.services.errors import InvalidInput
from caseapp.services.evidence import evidence
from caseapp.services.maintenance import demo
from caseapp.services.redflags import checklists, templates
from caseapp.ui import theme
from caseapp.ui.redflags.header import BAND_COLOURS, KEYS_HELP, upgrade_summary
from caseapp.ui.redflags.model import COLUMNS, STATE_COLUMN
from caseapp.ui.redflags.templates import TemplatesDialog

CASE1, CASE2, CASE3 = "CASE-2026-0001", "CASE-2026-0002", "CASE-2026-0003"
TEMPLATE = Path(__file__).parents[3] / "resources" / "redflags" / "dprk-remote-it-worker-v2.toml"


@pytest.fixture
def demo_window(window: Any) -> Any:
    demo.load_demo(window.ctx.ws)
    window.show_page("cases").list.reload()
    return window


def _tab(window: Any, ref: str) -> Any:
    return window.open_case(ref).show_tab("redflags")


def _stored(window: Any, ref: str, item_id: str) -> Any:
    return checklists.get_checklist(window.ctx.ws, ref).item(item_id)


def _row_texts(tab: Any, item_id: str) -> list[str]:
    index = tab.model.index_of(item_id)
    return [index.siblingAtColumn(c).data() for c in range(len(COLUMNS))]


def _risk_cell(window: Any, ref: str) -> str:
    model = window.show_page("cases").list.model
    return model.index(model.row_of(ref), 4).data()


def test_keyboard_sets_states_and_the_score_band_coverage_follow(qtbot, window) -> None:
    ref = cases.create_case(window.ctx.ws, "Unassessed case").ref
    tab = _tab(window, ref)
    items = [i.item for i in checklists.get_checklist(window.ctx.ws, ref).items]
    assert tab.header.band_label.text() == "UNASSESSED"
    assert tab.header.score_label.text() == "Risk 0 / 100"
    assert tab.header.coverage_label.text() == f"Coverage 0 of {len(items)} items assessed (0%)"
    assert tab.header.caution.isVisible() and "Nothing assessed" in tab.header.caution.text()
    assert tab.header.keys_label.text() == KEYS_HELP and "3 confirmed" in tab.tree.toolTip()
    assert tab.header.template_label.text().endswith("version 2")
    assert not tab.header.upgrade_button.isVisible()
    # The first item is selected; "3" confirms it.
    first = items[0]
    assert tab.current_item_id() == first.id
    qtbot.keyClick(tab.tree, Qt.Key.Key_3)
    assert _stored(window, ref, first.id).state == ChecklistState.CONFIRMED
    expected = checklists.get_checklist(window.ctx.ws, ref).score
    assert expected.score > 0 and expected.band != "unassessed"
    assert tab.header.score_label.text() == f"Risk {expected.score} / 100"
    assert tab.header.band_label.text() == expected.band.upper()
    assert tab.header.coverage_label.text().startswith(f"Coverage 1 of {len(items)} items")
    assert "does not mean the case is clean" in tab.header.caution.text()
    assert _row_texts(tab, first.id)[STATE_COLUMN] == "Confirmed"
    assert tab.panel.state_buttons["confirmed"].isChecked()
    # Down moves to the next item; "2" (keypad too) marks it suspected; "1" not observed.
    qtbot.keyClick(tab.tree, Qt.Key.Key_Down)
    assert tab.current_item_id() == items[1].id
    qtbot.keyClick(tab.tree, Qt.Key.Key_2, Qt.KeyboardModifier.KeypadModifier)
    assert _stored(window, ref, items[1].id).state == ChecklistState.SUSPECTED
    before = tab.header.score_label.text()
    qtbot.keyClick(tab.tree, Qt.Key.Key_Down)
    qtbot.keyClick(tab.tree, Qt.Key.Key_1)
    assert _stored(window, ref, items[2].id).state == ChecklistState.NOT_OBSERVED
    assert tab.header.score_label.text() == before  # not observed does not dilute the score
    assert tab.header.coverage_label.text().startswith(f"Coverage 3 of {len(items)}")
    # F2 opens the state list of the current row; choosing "Not applicable" saves it.
    qtbot.keyClick(tab.tree, Qt.Key.Key_Down)
    qtbot.keyClick(tab.tree, Qt.Key.Key_F2)
    editor = tab.tree.findChild(QComboBox)
    assert editor is not None and editor.currentData() == "not-assessed"
    editor.setCurrentIndex(editor.findData("not-applicable"))
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits through the event loop
    qtbot.waitUntil(lambda: _stored(window, ref, items[3].id).state
                    == ChecklistState.NOT_APPLICABLE)
    assert _row_texts(tab, items[3].id)[STATE_COLUMN] == "Not applicable"
    # "0" takes the first item back to not assessed.
    tab.select_item(first.id)
    qtbot.keyClick(tab.tree, Qt.Key.Key_0)
    assert _stored(window, ref, first.id).state == ChecklistState.NOT_ASSESSED
    # On a category row a digit changes nothing and says why.
    tab.tree.setCurrentIndex(tab.proxy.index(0, 0))
    qtbot.keyClick(tab.tree, Qt.Key.Key_3)
    assert "Select an item" in window.message_label.text()
    assert _stored(window, ref, first.id).state == ChecklistState.NOT_ASSESSED


def test_note_is_saved_and_shown_literally(qtbot, demo_window) -> None:
    tab = _tab(demo_window, CASE3)
    item_id = "identity.borrowed-photo"
    assert tab.select_item(item_id)
    qtbot.keyClick(tab.tree, Qt.Key.Key_Return)  # Enter goes to the note
    note = "Фото из стокового банка <b>не</b> его; 김 — see E-002\nsecond line"
    type_text(tab.panel.note, note)
    assert tab.panel.note_state.text() == "Unsaved changes"
    tab.refresh()  # a refresh of the same item keeps what is being typed
    assert tab.panel.note.toPlainText() == note
    qtbot.keyClick(tab.panel.note, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert _stored(demo_window, CASE3, item_id).note == note
    assert tab.panel.note_state.text() == "" and not tab.panel.save_note_button.isEnabled()
    assert _row_texts(tab, item_id)[4] == note.splitlines()[0]
    tooltip = tab.model.index_of(item_id, 4).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;не&lt;/b&gt;" in tooltip and "<b>не" not in tooltip
    # Typing then moving to another item saves on the way (no Save click).
    type_text(tab.panel.note, " (checked)")
    tab.select_item("identity.stolen-identity")
    assert _stored(demo_window, CASE3, item_id).note == note + " (checked)"
    assert tab.panel.note.toPlainText() == _stored(demo_window, CASE3,
                                                   "identity.stolen-identity").note
    # Esc in the note goes back to the list.
    tab.panel.note.setFocus()
    qtbot.keyClick(tab.panel.note, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: tab.tree.hasFocus())


def test_link_and_unlink_exhibits(qtbot, demo_window) -> None:
    tab = _tab(demo_window, CASE1)
    item_id = "logistics.ship-to-mismatch"
    tab.select_item(item_id)
    ex = tab.panel.exhibits
    labels = [ex.model().index(r).data() for r in range(ex.model().rowCount())]
    assert [lbl.split()[0] for lbl in labels][:3] == ["E-001", "E-002", "E-003"]
    ex.setFocus()
    ex.setCurrentIndex(ex.model().index(1))
    qtbot.keyClick(ex, Qt.Key.Key_Space)
    assert _stored(demo_window, CASE1, item_id).exhibits == ["E-002"]
    assert _row_texts(tab, item_id)[3] == "E-002"
    assert ex.model().index(1).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    qtbot.keyClick(ex, Qt.Key.Key_Space)
    assert _stored(demo_window, CASE1, item_id).exhibits == []
    # A withdrawn exhibit cannot be linked, but an existing link is shown as withdrawn.
    evidence.withdraw(demo_window.ctx.ws, CASE1, "E-003", "Wrong account's log")
    tab.refresh()
    tab.select_item(item_id)
    assert not ex.model().flags(ex.model().index(2)) & Qt.ItemFlag.ItemIsEnabled
    assert _row_texts(tab, "technical.vpn-unusual-asn")[3] == "E-003 (withdrawn)"
    # An error from the service is shown inline under the list.
    tab.toggle_exhibit(item_id, "E-099", True)
    assert tab.panel.exhibit_error.isVisible()
    assert "has no exhibit E-099" in tab.panel.exhibit_error.text()


def test_filters_and_keyboard_triage(qtbot, demo_window) -> None:
    tab = _tab(demo_window, CASE1)
    stored = checklists.get_checklist(demo_window.ctx.ws, CASE1)
    all_ids = [i.item.id for i in stored.items]
    assert tab.visible_item_ids() == all_ids
    tab.header.filter.setCurrentIndex(tab.header.filter.findData("flagged"))
    flagged = [i.item.id for i in stored.items if i.state in (ChecklistState.SUSPECTED,
                                                               ChecklistState.CONFIRMED)]
    assert tab.visible_item_ids() == flagged and len(flagged) == 5
    shown_categories = {tab.proxy.index(r, 0).data() for r in range(tab.proxy.rowCount())}
    assert "Payment and finance" not in shown_categories
    tab.header.filter.setCurrentIndex(tab.header.filter.findData("suggested"))
    assert tab.visible_item_ids() == [i.item.id for i in stored.items if i.suggestion]
    tab.header.filter.setCurrentIndex(tab.header.filter.findData("not-assessed"))
    todo = [i.item.id for i in stored.items if i.state == ChecklistState.NOT_ASSESSED]
    assert tab.visible_item_ids() == todo
    # Triage: the answered item leaves the filter and the next one is selected.
    tab.select_item(todo[0])
    qtbot.keyClick(tab.tree, Qt.Key.Key_1)
    assert tab.visible_item_ids() == todo[1:]
    assert tab.current_item_id() == todo[1]
    qtbot.keyClick(tab.tree, Qt.Key.Key_4)
    assert tab.current_item_id() == todo[2]
    assert _stored(demo_window, CASE1, todo[1]).state == ChecklistState.NOT_APPLICABLE
    tab.header.filter.setCurrentIndex(tab.header.filter.findData("all"))
    assert tab.visible_item_ids() == all_ids and tab.current_item_id() == todo[2]


def test_suggestions_open_accept_and_dismiss(qtbot, demo_window) -> None:
    tab = _tab(demo_window, CASE1)
    open_ = sum(1 for i in tab.view.items if i.suggestion is not None)
    assert open_ >= 13
    assert tab.header.suggestions_label.text().startswith(f"{open_} item(s) with open suggestions")
    item_id = "payment.third-party-name"
    tab.select_item(item_id)
    panel = tab.panel
    assert panel.suggestion_box.isVisible()
    assert "also in CASE-2026-0002 (subject Alex Morgan)" in panel.reason.text()
    # The item's sources and evidence hint: in its tooltip and in the panel.
    stored = _stored(demo_window, CASE1, item_id)
    tip = tab.model.index_of(item_id).data(Qt.ItemDataRole.ToolTipRole)
    sources = {s.id: s for s in checklists.get_checklist(demo_window.ctx.ws, CASE1)
               .template.sources}
    for sid in stored.item.sources:
        src = sources[sid]
        for part in (src.title, src.publisher, src.date, src.url):
            assert html.escape(part, quote=False) in tip
            assert html.escape(part, quote=False) in panel.sources.text()
    assert html.escape(stored.item.evidence_hint, quote=False) in tip
    assert panel.hint.text() == f"What supports it: {stored.item.evidence_hint}"
    assert _row_texts(tab, item_id)[5] == "◆ CASE-2026-0002"
    assert [b.text() for b in panel.link_buttons] == [f"Open {CASE2}"]
    qtbot.mouseClick(panel.link_buttons[0], Qt.MouseButton.LeftButton)
    assert demo_window.current_case_view().case_ref == CASE2
    tab = _tab(demo_window, CASE1)
    tab.select_item(item_id)
    qtbot.mouseClick(tab.panel.accept_confirmed, Qt.MouseButton.LeftButton)
    item = _stored(demo_window, CASE1, item_id)
    assert item.state == ChecklistState.CONFIRMED and item.suggestion is None
    assert not tab.panel.suggestion_box.isVisible() and _row_texts(tab, item_id)[5] == ""
    assert "suggestion accepted" in demo_window.message_label.text()
    # Dismiss keeps the state and hides the suggestion.
    qtbot.keyClick(tab.tree, Qt.Key.Key_N)  # the next item with a suggestion
    dismissed = tab.current_item_id()
    assert dismissed == "payment.crypto-or-prc"
    qtbot.mouseClick(tab.panel.dismiss_button, Qt.MouseButton.LeftButton)
    item = _stored(demo_window, CASE1, dismissed)
    assert item.suggestion is None and item.state == ChecklistState.NOT_ASSESSED
    assert tab.header.suggestions_label.text().startswith(f"{open_ - 2} item(s)")
    # A confirmed item's suggestion can only be dismissed; a tip link is not a button.
    tab.select_item("logistics.ship-to-mismatch")
    assert not tab.panel.accept_suspected.isEnabled()
    assert not tab.panel.accept_confirmed.isEnabled() and tab.panel.dismiss_button.isEnabled()
    # The shared address links CASE-2026-0002 (a button) and TIP-2026-0001 (text only).
    assert [b.text() for b in tab.panel.link_buttons] == [f"Open {CASE2}"]
    assert "TIP-2026-0001" in tab.panel.reason.text()
    assert "Already confirmed" in tab.panel.accept_note.text()


def _template_v2(tmp_path: Path) -> Path:
    text = TEMPLATE.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version = 2$", "version = 3", text, count=1)
    block = re.compile(r'  \[\[categories\.items\]\]\n  id = "interview\.avoids-video"\n.*?\n\n',
                       re.S)
    text, removed = block.subn("", text)
    assert removed == 1
    text += ('\n  [[categories.items]]\n  id = "behaviour.new-indicator"\n'
             '  label = "Uses <b>bold</b> & “quotes” in chat"\n  weight = 1\n'
             '  sources = ["S4"]\n')
    path = tmp_path / "dprk-v2.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _import_action(window: Any) -> QAction:
    (action,) = [a for a in window.findChildren(QAction)
                 if a.text() == "Import red-flag &template…"]
    return action


def test_import_v3_template_then_upgrade(qtbot, demo_window, dialogs, tmp_path) -> None:
    tab = _tab(demo_window, CASE1)
    assert not tab.header.upgrade_button.isVisible()
    dialogs.queue("getOpenFileNames", ([str(_template_v2(tmp_path))], ""))
    _import_action(demo_window).trigger()
    dialog = demo_window.findChild(TemplatesDialog)
    assert dialog is not None and dialog.isVisible()
    wait_task(qtbot, dialog.import_handle)
    assert not dialog.error.isVisible()
    assert dialog.result_label.text().startswith("Imported dprk-remote-it-worker v3")
    rows = [(dialog.model.index(r, 1).data(), dialog.model.index(r, 5).data())
            for r in range(dialog.model.rowCount())]
    assert sorted(rows) == [("v1", ""), ("v2", ""), ("v3", "yes")]
    qtbot.waitUntil(lambda: tab.header.upgrade_button.isVisible())
    assert tab.header.upgrade_button.text() == "&Upgrade to v3…"
    # Answering No changes nothing.
    qtbot.mouseClick(tab.header.upgrade_button, Qt.MouseButton.LeftButton)
    assert "question" in dialogs.names()
    assert checklists.get_checklist(demo_window.ctx.ws, CASE1).template.version == 2
    dialogs.queue("question", QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(tab.header.upgrade_button, Qt.MouseButton.LeftButton)
    view = checklists.get_checklist(demo_window.ctx.ws, CASE1)
    assert view.template.version == 3 and view.newer_version is None
    text = tab.banner.text()
    assert text.startswith("Upgraded from v2 to v3. Kept 5 answer(s).")
    assert ("Dropped 1 answer(s) to items v3 no longer has: interview.avoids-video "
            "(not-observed; note “Camera on throughout the interview.”)") in text
    assert "New items to assess: behaviour.new-indicator." in text
    assert tab.banner.kind == "warn"
    assert tab.header.template_label.text().endswith("version 3")
    assert not tab.header.upgrade_button.isVisible()
    assert "interview.avoids-video" not in tab.visible_item_ids()
    # The new item's label (markup-like text) is shown literally and escaped in its tooltip.
    assert tab.select_item("behaviour.new-indicator")
    label = "Uses <b>bold</b> & “quotes” in chat"
    assert tab.panel.title.text() == label
    assert tab.panel.title.textFormat() == Qt.TextFormat.PlainText
    assert _row_texts(tab, "behaviour.new-indicator")[0] == label
    tip = tab.model.index_of("behaviour.new-indicator").data(Qt.ItemDataRole.ToolTipRole)
    assert "Uses &lt;b&gt;bold&lt;/b&gt; &amp;" in tip and "[S4]" in tip


def test_import_error_is_shown_precisely(qtbot, demo_window, dialogs, tmp_path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text(TEMPLATE.read_text(encoding="utf-8").replace("weight = 3", "weight = 7", 1),
                   encoding="utf-8")
    with pytest.raises(InvalidInput) as expected:
        templates.import_template(demo_window.ctx.ws, bad)
    assert "broken.toml" in str(expected.value)
    dialogs.queue("getOpenFileNames", ([str(bad)], ""))
    _import_action(demo_window).trigger()
    dialog = demo_window.findChild(TemplatesDialog)
    wait_task(qtbot, dialog.import_handle)
    assert dialog.error.isVisible()
    assert dialog.error.text() == f"Not imported: {expected.value}"
    assert not dialog.result_label.isVisible()
    assert sorted(dialog.model.index(r, 1).data()
                  for r in range(dialog.model.rowCount())) == ["v1", "v2"]
    # The window's Import button retries; a cancelled file dialog changes nothing.
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialogs.names().count("getOpenFileNames") == 2 and dialog.error.isVisible()


def test_risk_column_follows_changes(qtbot, demo_window) -> None:
    before = checklists.get_checklist(demo_window.ctx.ws, CASE3).score
    assert _risk_cell(demo_window, CASE3) == f"{before.score} {before.band}"
    tab = _tab(demo_window, CASE3)
    tab.select_item("identity.shared-contact")
    qtbot.keyClick(tab.tree, Qt.Key.Key_3)
    after = checklists.get_checklist(demo_window.ctx.ws, CASE3).score
    assert after.score > before.score
    qtbot.waitUntil(lambda: _risk_cell(demo_window, CASE3) == f"{after.score} {after.band}")


def test_colours_are_readable_in_both_palettes(qapp, demo_window) -> None:
    for band, (bg, fg) in BAND_COLOURS.items():
        assert theme.contrast_ratio(QColor(bg), QColor(fg)) >= 4.5, band
    checklists.set_item(demo_window.ctx.ws, CASE1, "identity.borrowed-photo",
                        state="not-applicable")
    tab = _tab(demo_window, CASE1)
    states = {i.state for i in checklists.get_checklist(demo_window.ctx.ws, CASE1).items}
    assert states == set(ChecklistState)
    for mode in ("light", "dark"):
        theme.apply_theme(qapp, mode)
        base = qapp.palette().color(QPalette.ColorRole.Base)
        for iv in tab.view.items:
            colour = tab.model.index_of(iv.item.id, STATE_COLUMN).data(
                Qt.ItemDataRole.ForegroundRole)
            if colour is not None:
                assert theme.contrast_ratio(colour, base) >= 4.5, (mode, iv.state)
        # The panel follows a live palette switch, and its unticked exhibit boxes stay
        # visible (Fusion's own outline all but vanishes on the dark base).
        text = qapp.palette().color(QPalette.ColorRole.Text)
        qapp.processEvents()
        assert tab.panel.title.palette().color(QPalette.ColorRole.WindowText) == text
        assert _indicator_contrast(tab.panel.exhibits, base) >= 3, mode


def _indicator_contrast(view: Any, base: QColor) -> float:
    """Best contrast against ``base`` inside the check box of the first (unticked) row."""
    assert view.model().index(0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    rect = view.visualRect(view.model().index(0))
    image = view.viewport().grab().toImage()
    return max(theme.contrast_ratio(image.pixelColor(x, y), base)
               for x in range(rect.left(), rect.left() + rect.height())
               for y in range(rect.top(), rect.bottom()))


def test_upgrade_on_the_newest_version_says_so(window) -> None:
    ref = cases.create_case(window.ctx.ws, "Newest template").ref
    result = checklists.upgrade_checklist(window.ctx.ws, ref)
    assert upgrade_summary(result) == "Already on the newest version (v2)."


@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_item_names_are_readable_at_1280x800(qtbot, qapp, demo_window, scale) -> None:
    """Every item name is shown whole (wrapped, never cut), at 1280x800 and with 150% text."""
    from PySide6.QtGui import QFontMetrics

    font = qapp.font()
    if scale != 1.0:
        bigger = qapp.font()
        bigger.setPointSizeF(font.pointSizeF() * scale)
        qapp.setFont(bigger)
    try:
        demo_window.resize(1280, 800)
        tab = _tab(demo_window, CASE1)
        qtbot.wait(50)
        tree = tab.tree
        assert tree.header().sectionSize(0) >= 15 * tree.fontMetrics().horizontalAdvance("m")
        metrics = QFontMetrics(tree.font())
        checked = 0
        for item_id in tab.visible_item_ids():
            index = tab.proxy.mapFromSource(tab.model.index_of(item_id))
            tree.scrollTo(index)
            rect = tree.visualRect(index)
            label = index.data()
            lines = max(1, rect.height() // metrics.lineSpacing())
            # the row has room for the whole name on the lines it is given
            assert metrics.horizontalAdvance(label) <= lines * (rect.width() - 6), label
            checked += 1
        assert checked == len(tab.view.items) == 48
        # the detail pane fits its viewport (its title is not cut at the right edge) and
        # can be collapsed to give the list the whole width
        assert tab.panel.width() <= tab.detail_scroll.viewport().width()
        assert tab.splitter.isCollapsible(1)
    finally:
        qapp.setFont(font)

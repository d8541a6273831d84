"""The edit-conflict dialog: a colleague (or a CLI) saved the note the user was editing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from caseapp.security import audit
from caseapp.services.cases import cases, notes
from caseapp.services.errors import EditConflict, StoredVersion
from caseapp.services.workspace import open_workspace
from caseapp.ui.widgets.conflict_dialog import BOTH, MINE, THEIRS, ConflictDialog

THEIRS_TEXT = "Colleague: <b>camera</b> off & answers read out"
MINE_TEXT = "Mine: the voice did not match the <i>interview</i>"


def _activate(qtbot: Any, dialog: Any) -> None:
    """Make the dialog the active window (its mnemonics work only there); the save's
    refresh may raise the main window once more after the dialog opened."""
    def active() -> bool:
        dialog.activateWindow()
        QTest.qWait(5)
        return bool(dialog.isActiveWindow())

    qtbot.waitUntil(active)


def _edit_with_a_colleague_saving_first(qtbot: Any, window: Any) -> tuple[Any, int]:
    """Open the note's editor, let a second client save it, then save ours."""
    ref = cases.create_case(window.ctx.ws, "Conflict case").ref
    note = notes.add_note(window.ctx.ws, ref, "first draft")
    window.show_page("cases").list.reload()
    tab = window.open_case(ref).show_tab("timeline")
    tab.table.selectRow(1)
    editor = tab.edit_note()
    colleague = open_workspace(window.ctx.ws.home)  # a CLI beside the app
    try:
        audit.set_actor("Bob Colleague")
        notes.edit_note(colleague, note.id or 0, text=THEIRS_TEXT)
    finally:
        audit.set_actor(None)
        colleague.close()
    editor.text.setPlainText(MINE_TEXT)
    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    assert tab.conflict is not None and tab.conflict.isVisible()
    _activate(qtbot, tab.conflict)
    return tab, note.id or 0


def test_a_conflicting_save_shows_both_versions_as_plain_text_and_keeps_both(
        qtbot, window, tmp_path: Path) -> None:
    tab, note_id = _edit_with_a_colleague_saving_first(qtbot, window)
    dialog = tab.conflict
    shot = Path(os.environ.get("CASEAPP_SHOT_DIR", tmp_path)) / "conflict-note.png"
    assert dialog.grab().save(str(shot))
    assert THEIRS_TEXT in dialog.theirs.toPlainText()
    assert MINE_TEXT in dialog.mine.toPlainText()
    assert "≠ differs" in dialog.mine.toPlainText()
    assert "Bob Colleague" in dialog.intro.text() and "version 2" in dialog.intro.text()
    assert dialog.keep_both is not None and dialog.keep_both.isDefault()
    # both texts are already stored: theirs current, mine as the conflicting copy
    stored = {n.text: n.conflict_of for n in notes.list_notes(window.ctx.ws, tab.case_ref)}
    assert stored == {THEIRS_TEXT: None, MINE_TEXT: note_id}
    kinds = [tab.model.index(r, 1).data() for r in range(tab.model.rowCount())]
    assert "Conflicting copy" in kinds
    QTest.keyClick(dialog, Qt.Key.Key_Return)  # Enter: the default, keep both
    assert dialog.choice == BOTH and not dialog.isVisible()
    stored = {n.text: n.conflict_of for n in notes.list_notes(window.ctx.ws, tab.case_ref)}
    assert stored == {THEIRS_TEXT: None, MINE_TEXT: None}


def test_save_mine_over_theirs_by_keyboard_keeps_theirs_in_the_history(qtbot, window) -> None:
    tab, note_id = _edit_with_a_colleague_saving_first(qtbot, window)
    dialog = tab.conflict
    QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())  # a mnemonic clicks after a short flash
    assert dialog.choice == MINE
    (current,) = notes.list_notes(window.ctx.ws, tab.case_ref)
    assert (current.id, current.text) == (note_id, MINE_TEXT)
    history = [r.text for r in notes.note_history(window.ctx.ws, note_id)]
    assert history == ["first draft", THEIRS_TEXT]


def test_keep_theirs_and_escape(qtbot, window) -> None:
    tab, note_id = _edit_with_a_colleague_saving_first(qtbot, window)
    QTest.keyClick(tab.conflict, Qt.Key.Key_Escape)  # decide later: the copy stays
    assert tab.conflict.choice is None
    assert len(notes.list_notes(window.ctx.ws, tab.case_ref)) == 2
    copy = next(n for n in notes.list_notes(window.ctx.ws, tab.case_ref) if n.conflict_of)
    conflict = EditConflict("note #1", "note", note_id, 1,
                            StoredVersion(2, {"Text": THEIRS_TEXT}), {"Text": MINE_TEXT},
                            kept_copy=copy.id)
    from caseapp.ui.widgets.conflict_dialog import settle_conflict

    dialog = settle_conflict(window.ctx, tab, conflict, done=tab._settled)
    _activate(qtbot, dialog)
    QTest.keyClick(dialog, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.choice == THEIRS
    assert [n.text for n in notes.list_notes(window.ctx.ws, tab.case_ref)] == [THEIRS_TEXT]


def test_a_record_without_a_copy_offers_theirs_or_mine(qtbot, tmp_path: Path) -> None:
    conflict = EditConflict("case CASE-2026-0001", "case", 1, 3,
                            StoredVersion(4, {"Title": "Theirs", "Summary": "same"},
                                          by="Alice"),
                            {"Title": "Mine", "Summary": "same"})
    dialog = ConflictDialog(conflict)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.keep_both is None and dialog.keep_theirs.isDefault()
    assert "Your change was not saved" in dialog.intro.text()
    mine = dialog.mine.toPlainText()
    assert "Title:  ≠ differs\nMine" in mine and "Summary:\nsame" in mine
    shot = Path(os.environ.get("CASEAPP_SHOT_DIR", tmp_path)) / "conflict-case.png"
    assert dialog.grab().save(str(shot))


def test_tip_editor_save_after_a_cli_edit_opens_the_dialog_and_can_save_mine(
        qtbot, window) -> None:
    from caseapp.services.tips import tips

    ref = tips.create_tip(window.ctx.ws, "A tip about a laptop farm", channel="email").tip.ref
    page = window.show_page("tips")
    page.reload()
    assert page._select(ref)
    editor = page.editor
    tips.update_tip(window.ctx.ws, ref, programme="Set by the CLI")  # after the editor loaded
    qtbot.keyClicks(editor.reference, "MY-REF")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    dialog = editor.conflict
    assert dialog is not None and dialog.isVisible() and dialog.keep_both is None
    assert "Set by the CLI" in dialog.theirs.toPlainText()
    assert "MY-REF" in dialog.mine.toPlainText()
    assert tips.get_tip(window.ctx.ws, ref).reference == ""  # nothing written over theirs
    assert editor.reference.text() == "MY-REF"  # the form keeps my edit meanwhile
    _activate(qtbot, dialog)
    QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    stored = tips.get_tip(window.ctx.ws, ref)
    # mine saved over theirs: the whole form, so the CLI's programme is replaced by the form's
    assert (stored.reference, stored.programme) == ("MY-REF", "")
    assert editor.tip is not None and editor.tip.version == stored.version


def test_subject_edit_after_a_colleague_saved_shows_both_and_saves_mine(qtbot, window) -> None:
    from caseapp.services.cases import subjects

    ref = cases.create_case(window.ctx.ws, "Subject conflict").ref
    sid = subjects.add_subject(window.ctx.ws, ref, "Ivan Petrov").subject.id or 0
    window.show_page("cases").list.reload()
    tab = window.open_case(ref).show_tab("subjects")
    tab.refresh()
    editor = tab.edit_subject()
    subjects.update_subject(window.ctx.ws, sid, role_applied="Set by a colleague")
    editor.name.setText("Ivan P. Petrov")
    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    dialog = tab.conflict
    assert dialog is not None and dialog.isVisible()
    assert "Set by a colleague" in dialog.theirs.toPlainText()
    assert "Ivan P. Petrov" in dialog.mine.toPlainText()
    assert subjects.list_subjects(window.ctx.ws, ref)[0].subject.name == "Ivan Petrov"
    _activate(qtbot, dialog)
    QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    stored = subjects.list_subjects(window.ctx.ws, ref)[0].subject
    assert stored.name == "Ivan P. Petrov" and stored.version == 3


def test_case_overview_and_header_conflict_only_on_the_fields_they_edit(qtbot, window) -> None:
    ws = window.ctx.ws
    ref = cases.create_case(ws, "Header title", summary="base summary").ref
    window.show_page("cases").list.reload()
    view = window.open_case(ref)
    tab = view.show_tab("overview")
    tab.summary.setPlainText("my summary")
    cases.update_case(ws, ref, title="Title by a colleague")  # another field: no conflict
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.conflict is None
    stored = cases.get_case(ws, ref)
    assert (stored.title, stored.summary) == ("Title by a colleague", "my summary")
    tab.refresh()
    tab.summary.setPlainText("my second summary")
    cases.update_case(ws, ref, summary="colleague's summary")  # the same field: conflict
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    dialog = tab.conflict
    assert dialog is not None and dialog.isVisible() and dialog.keep_both is None
    assert "colleague's summary" in dialog.theirs.toPlainText()
    assert "my second summary" in dialog.mine.toPlainText()
    _activate(qtbot, dialog)
    QTest.keyClick(dialog, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert tab.summary.toPlainText() == "colleague's summary" and not tab.is_dirty()
    assert cases.get_case(ws, ref).summary == "colleague's summary"
    # the header: loaded before the colleague's title change below
    header = view.header
    header.load()
    cases.update_case(ws, ref, priority="high")  # another field: saved without asking
    header.title_edit.setText("My title")
    header._save_title()
    assert header.conflict is None and cases.get_case(ws, ref).title == "My title"
    cases.update_case(ws, ref, title="Their title")
    header.title_edit.setText("My other title")
    header._save_title()
    assert header.conflict is not None and header.conflict.isVisible()
    assert "Their title" in header.conflict.theirs.toPlainText()
    _activate(qtbot, header.conflict)
    QTest.keyClick(header.conflict, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not header.conflict.isVisible())
    assert cases.get_case(ws, ref).title == "My other title"
    assert header.title_edit.text() == "My other title"


def test_red_flag_answer_conflicts_only_on_the_field_changed_meanwhile(qtbot, window) -> None:
    from caseapp.services.redflags import checklists

    ws = window.ctx.ws
    ref = cases.create_case(ws, "Flags conflict").ref
    window.show_page("cases").list.reload()
    tab = window.open_case(ref).show_tab("redflags")
    item = tab.view.items[0].item.id
    checklists.set_item(ws, ref, item, note="colleague's note")  # the tab still shows v0
    tab.set_state(item, "suspected")  # the state was not changed meanwhile: saved
    assert tab.conflict is None
    stored = checklists.get_checklist(ws, ref).item(item)
    assert (stored.state.value, stored.note, stored.version) == ("suspected", "colleague's note", 2)
    checklists.set_item(ws, ref, item, state="confirmed")  # tab's view is at version 2
    tab.set_state(item, "not-observed")
    dialog = tab.conflict
    assert dialog is not None and dialog.isVisible()
    assert "confirmed" in dialog.theirs.toPlainText()
    assert "not-observed" in dialog.mine.toPlainText()
    assert checklists.get_checklist(ws, ref).item(item).state.value == "confirmed"
    _activate(qtbot, dialog)
    QTest.keyClick(dialog, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)  # keep theirs
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert tab.view.item(item).state.value == "confirmed"


def test_a_colleagues_change_does_not_overwrite_the_title_being_typed(qtbot, window) -> None:
    ws = window.ctx.ws
    ref = cases.create_case(ws, "Header start").ref
    window.show_page("cases").list.reload()
    view = window.open_case(ref)
    header = view.header
    header.title_edit.selectAll()
    qtbot.keyClicks(header.title_edit, "Typed title")
    cases.update_case(ws, ref, priority="high")  # a colleague's change arrives
    view.refresh()
    assert header.title_edit.text() == "Typed title"  # not reloaded under the user's hands
    assert header.priority.currentData() == "high"  # the rest of the header is
    qtbot.keyClick(header.title_edit, Qt.Key.Key_Return)
    assert header.conflict is None
    stored = cases.get_case(ws, ref)
    assert (stored.title, stored.priority) == ("Typed title", "high")
    cases.update_case(ws, ref, priority="low")  # not being typed in: reloaded
    view.refresh()
    assert header.title_edit.text() == "Typed title" and header.priority.currentData() == "low"
    # typing while a colleague changes the title itself: the save still conflicts
    header.title_edit.selectAll()
    qtbot.keyClicks(header.title_edit, "Second typed")
    cases.update_case(ws, ref, title="Colleague's title")
    view.refresh()
    assert header.title_edit.text() == "Second typed"
    qtbot.keyClick(header.title_edit, Qt.Key.Key_Return)
    dialog = header.conflict
    assert dialog is not None and dialog.isVisible()
    assert "Colleague's title" in dialog.theirs.toPlainText()
    assert cases.get_case(ws, ref).title == "Colleague's title"
    _activate(qtbot, dialog)
    QTest.keyClick(dialog, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)  # keep theirs
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert header.title_edit.text() == "Colleague's title"

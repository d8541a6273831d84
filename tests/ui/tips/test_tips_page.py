"""The Tips page and the case Tips tab, driven through their widgets (offscreen)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox
from uihelpers import type_text, wait_task

from caseapp.services.cases import cases, subjects
from caseapp.services.cases.subjects import IdentifierInput
from caseapp.services.maintenance import auditlog
from caseapp.services.tips import casework, tips
from caseapp.ui import theme

KOREAN = "김민준"
LAPTOP_TIP = ("A recruiter at jobs.example says the contractor 'Daniel Park' asked for his "
              "company laptop to be shipped to a forwarding address in Millbrook and writes "
              "from daniel.park.dev@mailbox.example; pay goes to a third-party company.")


def _page(window: Any) -> Any:
    page = window.show_page("tips")
    page.reload()
    return page


def _cells(model: Any, roles: tuple[int, ...] = (Qt.ItemDataRole.DisplayRole,
                                                 Qt.ItemDataRole.ToolTipRole)) -> str:
    return "\n".join(str(model.index(r, c).data(role) or "") for r in range(model.rowCount())
                     for c in range(model.columnCount()) for role in roles)


def _queue_refs(page: Any) -> list[str]:
    return [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())]


def _select(page: Any, ref: str) -> None:
    assert page._select(ref), ref
    assert page.editor.ref == ref


def _new_tip_via_editor(qtbot: Any, page: Any, content: str, **kwargs: Any) -> str:
    page.new_tip()
    editor = page.editor
    editor.content.setPlainText(content)
    if "channel" in kwargs:
        editor.channel.setCurrentIndex(editor.channel.findData(kwargs["channel"]))
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.error.isVisible(), editor.error.text()
    assert editor.ref is not None
    return editor.ref


def test_page_replaces_placeholder_and_menu_shortcuts(qtbot, window) -> None:
    page = _page(window)
    assert type(page).__name__ == "TipsPage"
    texts = {a.text(): a for a in window.findChildren(QAction)}
    new_tip = texts["New &tip…"]
    assert new_tip.shortcut() == QKeySequence("Ctrl+Shift+T")
    assert texts["&Import tips from CSV…"].shortcut() == QKeySequence("Ctrl+Shift+I")
    assert "Ctrl+Shift+T" in window.shortcut_text() and "Ctrl+S" in window.shortcut_text()
    window.show_page("cases")
    page.editor.content.setPlainText("half-typed")
    page.editor._set_dirty(False)
    window.activateWindow()
    qtbot.keyClick(window.pages["cases"].list.table, Qt.Key.Key_T,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.current_page_key() == "tips"
    assert page.editor.ref is None and page.editor.content.toPlainText() == ""
    assert page.editor.content.hasFocus()


def test_keyboard_enter_opens_escape_returns_and_menu_lists_shortcuts(qtbot, window) -> None:
    ws = window.ctx.ws
    first = tips.create_tip(ws, "First tip.", channel="email").tip.ref
    second = tips.create_tip(ws, "Second tip.", channel="hotline").tip.ref
    page = _page(window)
    page.table.setFocus()
    page.table.setCurrentIndex(page.proxy.index(0, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    assert page.editor.ref == _queue_refs(page)[1]
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.editor.content.hasFocus()
    qtbot.keyClick(page.editor.content, Qt.Key.Key_Escape)
    assert page.table.hasFocus()
    qtbot.keyClicks(page.filter, "first")
    qtbot.keyClick(page.filter, Qt.Key.Key_Return)
    assert page.editor.ref == first and page.editor.content.hasFocus()
    assert second not in _queue_refs(page)
    menu = {a.text(): a.shortcut().toString() for a in page.menu_button.menu().actions()}
    assert menu["New tip…"] == "Ctrl+Shift+T" and menu["Save tip"] == "Ctrl+S"
    assert menu["Link to case…"] == "Ctrl+L" and menu["Find duplicates"] == "Ctrl+D"
    assert menu["Reveal tipster identity (audited)"] == "Ctrl+Shift+R"


def test_queue_order_overdue_flag_and_active_only(qtbot, window) -> None:
    ws = window.ctx.ws
    now = datetime.now(UTC)
    new_old = tips.create_tip(ws, "Old new tip about a laptop farm in Millbrook.",
                              channel="hotline", received_at=now - timedelta(days=10)).tip.ref
    overdue = tips.create_tip(ws, "Tip with a follow-up that is late.", channel="email",
                              received_at=now - timedelta(days=2), reliability="B",
                              credibility="2",
                              follow_up_due=now - timedelta(days=1)).tip.ref
    tips.set_tip_status(ws, overdue, "in-triage")
    later = tips.create_tip(ws, "Actionable tip due next week.", channel="web-form",
                            received_at=now - timedelta(days=20),
                            follow_up_due=now + timedelta(days=7)).tip.ref
    tips.set_tip_status(ws, later, "actionable")
    closed = tips.create_tip(ws, "Closed tip, nothing in it.", channel="internal",
                             received_at=now - timedelta(days=30)).tip.ref
    tips.set_tip_status(ws, closed, "closed")
    page = _page(window)
    assert _queue_refs(page) == [overdue, new_old, later]
    model = page.proxy
    due = model.index(0, 5)
    assert "OVERDUE" in due.data()
    assert due.data(Qt.ItemDataRole.ForegroundRole) == theme.accent("error")
    assert due.data(Qt.ItemDataRole.FontRole).bold()
    assert "OVERDUE" not in (model.index(2, 5).data() or "")
    assert model.index(2, 5).data(Qt.ItemDataRole.ForegroundRole) is None
    grade = model.index(0, 2)
    assert grade.data() == "B2"
    assert "Usually reliable" in grade.data(Qt.ItemDataRole.ToolTipRole)
    assert "Probably true" in grade.data(Qt.ItemDataRole.ToolTipRole)
    assert "1 overdue" in page.count.text() and "3 active tips" in page.count.text()
    page.active_only.setChecked(False)
    assert _queue_refs(page) == [overdue, new_old, later, closed]
    # Sorting by a column and back to the triage order.
    page.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    assert _queue_refs(page)[0] == closed
    page.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    assert _queue_refs(page) == [overdue, new_old, later, closed]


def test_filter_never_matches_tipster_identity(qtbot, window) -> None:
    ws = window.ctx.ws
    a = tips.create_tip(ws, LAPTOP_TIP, channel="reward-programme", programme="RFJ pilot",
                        tipster_name=KOREAN, tipster_contact="secret@tipster.example").tip.ref
    b = tips.create_tip(ws, "Payroll to a shell company in another country.",
                        channel="referral", reference="REF-77").tip.ref
    page = _page(window)
    qtbot.keyClicks(page.filter, "laptop")
    assert _queue_refs(page) == [a]
    page.filter.clear()
    qtbot.keyClicks(page.filter, "ref-77")
    assert _queue_refs(page) == [b]
    page.filter.clear()
    qtbot.keyClicks(page.filter, "rfj")
    assert _queue_refs(page) == [a]
    page.filter.clear()
    type_text(page.filter, KOREAN)
    assert page.filter.text() == KOREAN and _queue_refs(page) == []
    assert "0 of 2" in page.count.text()
    page.filter.clear()
    qtbot.keyClicks(page.filter, "secret@tipster")
    assert _queue_refs(page) == []


def test_create_tip_korean_tipster_masked_until_reveal(qtbot, window) -> None:
    ws = window.ctx.ws
    page = _page(window)
    page.new_tip()
    editor = page.editor
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert "needs its content" in editor.error.text()
    assert tips.list_tips(ws) == []
    editor.content.setFocus()
    qtbot.keyClicks(editor.content, LAPTOP_TIP)
    editor.channel.setCurrentIndex(editor.channel.findData("reward-programme"))
    qtbot.keyClicks(editor.programme, "IT-worker reward programme")
    qtbot.keyClicks(editor.reference, "RWD-0099")
    editor.reliability.set_value("B")
    editor.credibility.set_value("2")
    assert editor.grade.text() == "B2 — Usually reliable / Probably true"
    assert editor.reliability.itemText(2) == "B — Usually reliable"
    assert editor.credibility.itemText(6) == "6 — Truth cannot be judged"
    editor.reward.setCurrentIndex(editor.reward.findData("potentially-eligible"))
    editor.tabs.setCurrentWidget(editor.tipster)
    type_text(editor.tipster.name, KOREAN)
    qtbot.keyClicks(editor.tipster.contact, "+82 10-5555-0199")
    type_text(editor.tipster.relationship, "Ex-colleague (전 동료)")
    qtbot.waitUntil(lambda: bool(editor.identifiers.suggested))
    suggested = {(r.kind, r.raw) for r in editor.identifiers.suggested}
    assert ("email", "daniel.park.dev@mailbox.example") in suggested
    editor.tabs.setCurrentWidget(editor.identifiers)
    qtbot.mouseClick(editor.identifiers.confirm_all_button, Qt.MouseButton.LeftButton)
    assert editor.identifiers.suggested == []
    assert ("email", "daniel.park.dev@mailbox.example") in {
        (r.kind, r.raw) for r in editor.identifiers.pending}
    qtbot.keyClick(editor.content, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not editor.error.isVisible(), editor.error.text()
    ref = editor.ref
    assert ref is not None and ref.startswith("TIP-")
    stored = tips.get_tip(ws, ref)
    assert stored.has_identity and stored.identity_masked and stored.grade == "B2"
    assert stored.channel == "reward-programme" and stored.reference == "RWD-0099"
    assert stored.reward_status == "potentially-eligible"
    assert "daniel.park.dev@mailbox.example" in {i.raw for i in stored.identifiers}
    # Masked in the queue and in the editor until Reveal.
    assert _queue_refs(page) == [ref]
    queue_text = _cells(page.model)
    assert KOREAN not in queue_text and "5555-0199" not in queue_text
    assert "Identity hidden" in queue_text
    box = editor.tipster
    assert box.masked and box.name.text() == "" and box.contact.text() == ""
    assert box.name.isReadOnly() and "hidden" in box.name.placeholderText()
    assert not [r for r in auditlog.list_audit(ws) if r.action == "tip.tipster-revealed"]
    editor.tabs.setCurrentWidget(box)
    qtbot.mouseClick(box.reveal_button, Qt.MouseButton.LeftButton)
    assert box.name.text() == KOREAN and box.contact.text() == "+82 10-5555-0199"
    assert box.relationship.text() == "Ex-colleague (전 동료)"
    reveals = [r for r in auditlog.list_audit(ws) if r.action == "tip.tipster-revealed"]
    assert [r.entity_id for r in reveals] == [ref]
    assert KOREAN not in str(reveals[0].detail)
    assert KOREAN not in _cells(page.model)
    qtbot.mouseClick(box.reveal_button, Qt.MouseButton.LeftButton)  # Hide again
    assert box.masked and box.name.text() == ""


def test_received_at_zone_status_transitions_and_edit(qtbot, window) -> None:
    ws = window.ctx.ws
    page = _page(window)
    page.new_tip()
    editor = page.editor
    assert not editor.status.isEnabled() and editor.status.currentText() == "New"
    editor.content.setPlainText("Walk-in visitor describes a laptop farm.")
    editor.channel.setCurrentIndex(editor.channel.findData("walk-in"))
    assert editor.received.set_zone("Asia/Seoul")
    editor.received.edit.setDateTime(QDateTime(QDate(2026, 3, 2), QTime(10, 15)))
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    ref = editor.ref
    stored = tips.get_tip(ws, ref)
    assert stored.received_at.astimezone(UTC) == datetime(2026, 3, 2, 1, 15, tzinfo=UTC)
    assert ref.startswith("TIP-2026-")
    options = [editor.status.itemData(i) for i in range(editor.status.count())]
    assert options == ["new", "in-triage", "actionable", "not-actionable", "closed"]
    editor.status.setCurrentIndex(options.index("in-triage"))
    editor.due.enabled.setChecked(True)
    assert editor.dirty and editor.save_button.isEnabled()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    stored = tips.get_tip(ws, ref)
    assert stored.status == "in-triage" and stored.follow_up_due is not None
    assert stored.received_at.astimezone(UTC) == datetime(2026, 3, 2, 1, 15, tzinfo=UTC)
    options = [editor.status.itemData(i) for i in range(editor.status.count())]
    assert options == ["in-triage", "actionable", "not-actionable", "closed"]
    assert not editor.dirty


def test_unsaved_edits_are_not_dropped_silently(qtbot, window, dialogs) -> None:
    ws = window.ctx.ws
    first = tips.create_tip(ws, "First tip about a shipped laptop.", channel="email").tip.ref
    second = tips.create_tip(ws, "Second tip about payroll.", channel="email").tip.ref
    page = _page(window)
    _select(page, first)
    page.editor.content.setPlainText("First tip, edited but not saved.")
    assert page.editor.dirty
    page.table.setCurrentIndex(page.proxy.index(_queue_refs(page).index(second), 0))
    assert dialogs.names() == ["question"]
    assert page.editor.ref == first and page.editor.dirty
    dialogs.queue("question", QMessageBox.StandardButton.Yes)
    page.table.setCurrentIndex(page.proxy.index(_queue_refs(page).index(second), 0))
    assert page.editor.ref == second and not page.editor.dirty
    assert tips.get_tip(ws, first).content == "First tip about a shipped laptop."


def test_duplicate_panel_keep_separate_and_mark_duplicate(qtbot, window) -> None:
    ws = window.ctx.ws
    original = tips.create_tip(ws, LAPTOP_TIP, channel="email").tip.ref
    page = _page(window)
    second = _new_tip_via_editor(qtbot, page, LAPTOP_TIP.replace("company laptop",
                                                                 "work laptop"))
    panel = page.editor.duplicates
    assert panel.isVisible()
    assert [c.ref for c in panel.model.records] == [original]
    why = panel.model.index(0, 3).data()
    assert "similar content" in why and int(panel.model.index(0, 2).data()) >= 88
    assert "duplicate" in page.editor.banner.text()
    qtbot.mouseClick(panel.keep_button, Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 0 and "kept separate" in panel.title.text()
    assert tips.duplicate_candidates(ws, second) == []
    assert original in tips.get_tip(ws, second).kept_separate
    third = _new_tip_via_editor(qtbot, page, LAPTOP_TIP + " Same again.")
    refs = [c.ref for c in panel.model.records]
    assert set(refs) == {original, second}
    panel.table.selectRow(refs.index(original))
    qtbot.mouseClick(panel.mark_button, Qt.MouseButton.LeftButton)
    stored = tips.get_tip(ws, third)
    assert stored.status == "duplicate" and stored.duplicate_of == original
    assert "duplicate of " + original in panel.title.text()
    assert third not in _queue_refs(page)  # active only hides duplicates
    assert page.editor.ref == third and page.editor.status.currentText().startswith("Duplicate")
    # A tip with nothing alike shows no panel.
    _new_tip_via_editor(qtbot, page, "Completely unrelated: a phishing kit sold online.")
    assert not panel.isVisible() and "No likely duplicates" in page.editor.banner.text()


def test_link_to_case_shows_in_case_tips_tab_and_unlink(qtbot, window) -> None:
    ws = window.ctx.ws
    case = cases.create_case(ws, "Laptop farm in Millbrook").ref
    other = cases.create_case(ws, "Unrelated case").ref
    subjects.add_subject(ws, case, "Daniel Park", identifiers=[
        IdentifierInput("email", "daniel.park.dev@mailbox.example")])
    ref = tips.create_tip(ws, LAPTOP_TIP, channel="email", tipster_name=KOREAN,
                          identifiers=[IdentifierInput(
                              "email", "Daniel.Park.Dev@Mailbox.Example")]).tip.ref
    page = _page(window)
    _select(page, ref)
    editor = page.editor
    editor.tabs.setCurrentWidget(editor.cases)
    dialog = editor.cases.link_case()
    assert [r.ref for r in dialog.related_model.records] == [case]
    assert "email" in dialog.related_model.index(0, 2).data()
    assert dialog.choice == case
    assert dialog.select_case(other) and dialog.choice == other
    # the All cases filter narrows the list (every word must occur); Enter picks the first
    dialog.filter.setText("UNRELATED case")
    assert [dialog.model.row_at(r).ref for r in range(dialog.model.rowCount())] == [other]
    dialog.filter.setText("unrelated zzz")
    assert dialog.model.rowCount() == 0 and not dialog.select_case(other)
    dialog.filter.setText("millbrook")
    dialog.filter.returnPressed.emit()
    assert dialog.choice == case
    dialog.filter.clear()
    assert dialog.model.rowCount() == 2
    dialog.related.selectRow(0)
    qtbot.keyClicks(dialog.note, "shares the e-mail")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert dialog.model.source is None, "the dialog's case-list connection is closed"
    stored = tips.get_tip(ws, ref)
    assert stored.cases == (case,) and stored.status == "linked"
    assert [t.ref for t in casework.tips_for_case(ws, case)] == [ref]
    assert editor.cases.model.rowCount() == 1
    assert editor.cases.model.index(0, 1).data() == "Laptop farm in Millbrook"
    again = editor.cases.link_case()
    assert again.select_case(case) and not again.ok_button.isEnabled(), "already linked"
    assert "already linked" in again.chosen.text()
    again.reject()
    assert again.model.source is None, "Cancel closes the dialog's case-list connection"
    assert page.proxy.index(0, 6).data() == case
    view = window.open_case(case)
    tab = view.show_tab("tips")
    assert [t.ref for t in tab.model.records] == [ref]
    text = _cells(tab.model)
    assert KOREAN not in text and "Identity hidden" in text
    page_from_tab = tab.open_selected()
    assert page_from_tab is True and window.current_page_key() == "tips"
    assert page.editor.ref == ref
    view = window.open_case(case)
    tab = view.show_tab("tips")
    qtbot.mouseClick(tab.unlink_button, Qt.MouseButton.LeftButton)
    assert tab.model.rowCount() == 0 and tab.empty.isVisible()
    assert tips.get_tip(ws, ref).cases == ()
    assert "no longer linked" in tab.banner.text()


def test_create_case_from_tip_opens_it(qtbot, window) -> None:
    ws = window.ctx.ws
    ref = tips.create_tip(ws, LAPTOP_TIP, channel="reward-programme", tipster_name=KOREAN,
                          identifiers=[IdentifierInput("phone", "+1 (512) 555-0142")]).tip.ref
    page = _page(window)
    _select(page, ref)
    editor = page.editor
    editor.tabs.setCurrentWidget(editor.cases)
    dialog = editor.cases.create_case()
    dialog.title_edit.clear()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "needs a title" in dialog.error.text()
    type_text(dialog.title_edit, "Millbrook forwarding address — 노트북")
    qtbot.keyClicks(dialog.subject, "Daniel Park")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert window.current_page_key() == "cases"
    view = window.current_case_view()
    assert view is not None and view.title == "Millbrook forwarding address — 노트북"
    new_case = view.case_ref
    people = subjects.list_subjects(ws, new_case)
    assert [p.subject.name for p in people] == ["Daniel Park"]
    assert [i.raw for i in people[0].identifiers] == ["+1 (512) 555-0142"]
    assert tips.get_tip(ws, ref).cases == (new_case,)
    assert KOREAN not in str(cases.get_case(ws, new_case).summary)
    tab = view.show_tab("tips")
    assert [t.ref for t in tab.model.records] == [ref]


def test_anonymous_checkbox_removes_identity(qtbot, window) -> None:
    ws = window.ctx.ws
    page = _page(window)
    page.new_tip()
    editor = page.editor
    box = editor.tipster
    editor.tabs.setCurrentWidget(box)
    qtbot.keyClicks(box.contact, "someone@tipster.example")
    box.anonymous.setChecked(True)
    assert not box.name.isVisibleTo(box) and not box.contact.isVisibleTo(box)
    assert box.contact.text() == ""
    editor.content.setPlainText("Anonymous hotline call about a laptop farm.")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    anon = tips.get_tip(ws, editor.ref)
    assert anon.anonymous and not anon.has_identity
    assert not box._reveal_row.isVisibleTo(box)
    # An identified tip made anonymous: warned, then the identity is erased on save.
    named = tips.create_tip(ws, "Named tip about a payroll redirect.", channel="email",
                            tipster_name=KOREAN).tip.ref
    page.reload()
    _select(page, named)
    assert box._reveal_row.isVisibleTo(box)
    box.anonymous.setChecked(True)
    assert box.warning.isVisible() and "erases" in box.warning.text()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    stored = tips.get_tip(ws, named)
    assert stored.anonymous and not stored.has_identity
    assert not [r for r in auditlog.list_audit(ws) if r.action == "tip.tipster-revealed"]


def test_identifiers_add_remove_on_save(qtbot, window) -> None:
    ws = window.ctx.ws
    ref = tips.create_tip(ws, "Tip naming two wallets.", channel="email", identifiers=[
        IdentifierInput("handle", "@dpark_dev")]).tip.ref
    page = _page(window)
    _select(page, ref)
    panel = page.editor.identifiers
    dialog = panel.add_identifier()
    dialog.row.kind.setCurrentIndex(dialog.row.kind.findData("wallet"))
    qtbot.keyClicks(dialog.row.value, "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert [r.state for r in panel.model.records] == ["saved", "pending"]
    panel.table.selectRow(0)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert panel.model.records[0].state == "removed"
    assert panel.model.index(0, 0).data(Qt.ItemDataRole.FontRole).strikeOut()
    assert page.editor.dirty
    qtbot.mouseClick(page.editor.save_button, Qt.MouseButton.LeftButton)
    stored = tips.get_tip(ws, ref)
    assert [(i.kind, i.raw) for i in stored.identifiers] == [
        ("wallet", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh")]
    assert [r.state for r in panel.model.records] == ["saved"]


def test_attachment_added_in_background(qtbot, window, tmp_path) -> None:
    ws = window.ctx.ws
    ref = tips.create_tip(ws, "Tip with a screenshot.", channel="web-form").tip.ref
    page = _page(window)
    page.new_tip()
    assert not page.editor.attachments.add_button.isEnabled()
    _select(page, ref)
    panel = page.editor.attachments
    page.editor.tabs.setCurrentWidget(panel)
    assert panel.add_button.isEnabled()
    data = b"fake screenshot bytes\n" * 5000
    path = tmp_path / "chat.png"
    path.write_bytes(data)
    panel.add_files([path])
    assert panel.progress_dialog is not None
    wait_task(qtbot, panel.handle)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert panel.model.index(0, 4).data() == hashlib.sha256(data).hexdigest()
    assert "Attached chat.png" in panel.banner.text()
    assert len(tips.get_tip(ws, ref).attachments) == 1
    assert "Attach&ments (1)" in page.editor.tabs.tabText(3)


CSV = (
    "received_at,channel,programme,reference,anonymous,tipster_name,tipster_contact,content,"
    "identifiers,reliability,credibility,colour\n"
    "2026-03-02T10:15:00+00:00,reward programme,RFJ,R-1,false,Kim,kim@t.example,"
    "\"Laptops shipped to Millbrook, collected weekly\",email:a@b.example,B,2,blue\n"
    "not-a-date,email,,,,,,Bad date row,,,,\n"
    "2026-03-03T09:00:00,hotline,,,yes,Named Person,,Anonymous but named,,,,\n"
    "2026-03-04T09:00:00Z,web-form,,,no,,,\"=HYPERLINK(\"\"http://x.example\"\",\"\"x\"\")\","
    ",C,9,\n"
    "2026-03-05T09:00:00Z,web-form,,,no,,,\"=HYPERLINK(\"\"http://x.example\"\",\"\"x\"\")\","
    ",C,3,\n"
)


def test_csv_import_report_inline(qtbot, window, tmp_path) -> None:
    ws = window.ctx.ws
    path = tmp_path / "tips.csv"
    path.write_text(CSV, encoding="utf-8")
    page = _page(window)
    assert not page.report.isVisible()
    handle = page.import_files([path])
    wait_task(qtbot, handle)
    report = page.report
    assert report.isVisible()
    summary = report.summary.text()
    assert "Imported 2 tips" in summary and "3 row errors" in summary
    rows = [(i.line, i.kind, i.message) for i in report.model.records]
    errors = [(line, msg) for line, kind, msg in rows if kind == "Row error"]
    assert [line for line, _ in errors] == [3, 4, 5]
    assert "anonymous" in errors[1][1].lower() and "Named Person" not in errors[1][1]
    assert any(kind == "Warning" and "colour" in msg for _, kind, msg in rows)
    assert report.kind == "error"
    assert report.model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole) == \
        theme.accent("error")
    assert all(t.ref in summary for t in tips.list_tips(ws))
    contents = {t.content for t in tips.list_tips(ws)}
    assert '=HYPERLINK("http://x.example","x")' in contents
    assert len(_queue_refs(page)) == 2
    # Importing the same file again skips what is already there.
    wait_task(qtbot, page.import_files([path]))
    assert "Imported 0 tips, skipped 2 already imported" in report.summary.text()
    # A file in another encoding is refused as a whole, shown in the same report.
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("received_at,channel,content\n2026-03-02T10:15:00Z,email,caf\xe9\n"
                      .encode("latin-1"))
    wait_task(qtbot, page.import_files([latin]))
    assert "1 file refused" in report.summary.text()
    assert report.model.records[0].kind == "File refused"


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_overdue_and_status_colours_readable(qtbot, window, qapp, mode) -> None:
    theme.apply_theme(qapp, mode)
    ws = window.ctx.ws
    tips.create_tip(ws, "Late tip.", channel="email",
                    follow_up_due=datetime.now(UTC) - timedelta(hours=1))
    page = _page(window)
    base = qapp.palette().base().color()
    for column in (1, 5):
        colour = page.proxy.index(0, column).data(Qt.ItemDataRole.ForegroundRole)
        assert theme.contrast_ratio(colour, base) >= 4.5


def test_user_text_shown_literally(qtbot, window) -> None:
    ws = window.ctx.ws
    text = "<b>Boss</b> & <i>team</i>\n=HYPERLINK(\"http://x.example\")"
    ref = tips.create_tip(ws, text, channel="email", programme="<u>Prog</u>").tip.ref
    page = _page(window)
    content = page.proxy.index(0, 8)
    assert content.data() == "<b>Boss</b> & <i>team</i>"
    tooltip = content.data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;Boss&lt;/b&gt; &amp; &lt;i&gt;" in tooltip and "<b>" not in tooltip
    assert "&lt;u&gt;Prog&lt;/u&gt;" in page.proxy.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
    _select(page, ref)
    assert page.editor.content.toPlainText() == text


def test_page_opens_on_a_hint_not_an_empty_new_tip_form(qtbot, window) -> None:
    ws = window.ctx.ws
    ref = tips.create_tip(ws, "A tip about laptops.", channel="email").tip.ref
    page = _page(window)
    page.refresh()
    assert not page.editor_shown() and page.placeholder.isVisible()
    assert "New tip (Ctrl+Shift+T)" in page.placeholder.text()
    assert not page.editor.isVisible()
    _select(page, ref)
    assert page.editor_shown() and page.editor.heading.text() == ref
    page.new_tip()
    assert page.editor_shown() and page.editor.heading.text() == "New tip"

"""Case-view tabs driven through their widgets: subjects, evidence, timeline, overview."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from uihelpers import type_text, wait_task

from caseapp.services.cases import cases, notes, subjects
from caseapp.services.evidence import evidence


def _open(window: Any, title: str = "Tabs case") -> Any:
    ref = cases.create_case(window.ctx.ws, title).ref
    window.show_page("cases").list.reload()
    return window.open_case(ref)


def _add_with_nothing_filled_in(qtbot, window: Any, tab_name: str) -> tuple[Any, Any, Any]:  # type: ignore[no-untyped-def]
    """A new case's ``tab_name`` tab, its Add dialog open and OK clicked with nothing typed:
    (case view, tab, dialog)."""
    view = _open(window)
    tab = view.show_tab(tab_name)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    return view, tab, dialog


def test_add_subject_with_korean_name_and_identifiers(qtbot, window) -> None:
    view, tab, dialog = _add_with_nothing_filled_in(qtbot, window, "subjects")
    assert dialog.isVisible() and dialog.name_error.isVisible()
    type_text(dialog.name, "김민준")
    type_text(dialog.aliases, "Daniel Park")
    first = dialog.rows[0]
    first.kind.setCurrentIndex(first.kind.findData("email"))
    qtbot.keyClicks(first.value, "Daniel.Park+jobs@Mailbox.Example")
    assert first.preview.text().startswith("→ ")
    second = dialog.add_row()
    second.kind.setCurrentIndex(second.kind.findData("phone"))
    qtbot.keyClicks(second.value, "12")
    assert "not normalised" in second.preview.text()
    third = dialog.add_row()
    qtbot.keyClicks(third.value, "to be removed")
    qtbot.mouseClick(third.remove, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    stored = subjects.list_subjects(window.ctx.ws, view.case_ref)
    assert len(stored) == 1 and stored[0].subject.name == "김민준"
    assert stored[0].aliases == ["Daniel Park"]
    assert [(i.kind, i.raw) for i in stored[0].identifiers] == [
        ("email", "Daniel.Park+jobs@Mailbox.Example"), ("phone", "12")]
    model = tab.model
    assert model.rowCount() == 2
    cells = [[model.index(r, c).data() for c in range(4)] for r in range(2)]
    assert cells[0][1] == "Daniel.Park+jobs@Mailbox.Example"
    assert cells[0][2] == stored[0].identifiers[0].normalized != cells[0][1]
    assert cells[0][3] == "normalised" and cells[1][3].startswith("not normalised")
    assert "could not be normalised" in tab.banner.text()
    assert tab.list.count() == 1 and "김민준" in tab.list.item(0).text()


def test_add_and_remove_identifier(qtbot, window, dialogs) -> None:
    view = _open(window)
    subjects.add_subject(window.ctx.ws, view.case_ref, "Ivan Petrov")
    tab = view.show_tab("subjects")
    tab.refresh()
    dialog = tab.add_identifier()
    dialog.row.kind.setCurrentIndex(dialog.row.kind.findData("wallet"))
    qtbot.keyClicks(dialog.row.value, "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert tab.model.rowCount() == 1
    tab.table.selectRow(0)
    dialogs.queue("question", QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(tab.remove_ident_button, Qt.MouseButton.LeftButton)
    assert "question" in dialogs.names()
    assert tab.model.rowCount() == 0
    assert subjects.list_subjects(window.ctx.ws, view.case_ref)[0].identifiers == []


def _drop(widget: Any, paths: list[Path]) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = widget.rect().center()
    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)  # QPoint: PySide6 6.11 and 6.12
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop


def test_drop_files_ingests_in_background(qtbot, window, tmp_path) -> None:
    view = _open(window)
    tab = view.show_tab("evidence")
    a = tmp_path / "résumé 김.pdf"
    a.write_bytes(b"%PDF-1.4 fake resume" * 1000)
    b = tmp_path / "chat.txt"
    b.write_text("hello", encoding="utf-8")
    dup = tmp_path / "copy of chat.txt"
    dup.write_text("hello", encoding="utf-8")
    drop = _drop(tab, [a, b, dup, tmp_path / "missing.bin"])
    assert drop.isAccepted()
    assert tab.ingest_handle is not None and tab.progress_dialog.isVisible()
    wait_task(qtbot, tab.ingest_handle)
    assert tab.ingest_handle is None
    stored = evidence.list_evidence(window.ctx.ws, view.case_ref)
    assert [e.exhibit for e in stored] == ["E-001", "E-002"]
    assert stored[0].sha256 == hashlib.sha256(a.read_bytes()).hexdigest()
    text = tab.banner.text()
    assert "Added E-001, E-002." in text and "same as E-002" in text
    assert "missing.bin" in text and tab.banner.kind == "error"
    assert tab.model.rowCount() == 2 and tab.model.index(1, 0).data() == "E-002"
    assert tab.sha.text() == stored[1].sha256
    actions = [tab.custody_model.index(r, 1).data() for r in range(tab.custody_model.rowCount())]
    assert actions == ["acquired", "ingested"]


def test_dragging_text_is_refused(window) -> None:
    tab = _open(window).show_tab("evidence")
    mime = QMimeData()
    mime.setText("not a file")
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, enter)
    assert not enter.isAccepted()


def test_cancel_an_ingest(qtbot, window, tmp_path) -> None:
    view = _open(window)
    tab = view.show_tab("evidence")
    big = tmp_path / "disk-image.raw"
    with big.open("wb") as handle:
        handle.truncate(2 << 30)  # sparse: 2 GiB to hash and encrypt, far longer than a click
    tab.add_files([big])
    handle = tab.ingest_handle
    with qtbot.waitSignal(handle.progressed, timeout=10_000):
        pass
    qtbot.mouseClick(tab.progress_dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert handle.cancel_requested
    wait_task(qtbot, handle, timeout=60_000)
    assert "Cancelled" in tab.banner.text()
    assert evidence.list_evidence(window.ctx.ws, view.case_ref) == []
    leftovers = [p.name for p in (window.ctx.ws.home / "vault").rglob("*") if p.is_file()]
    assert leftovers == [], leftovers


def _ingest(window: Any, ref: str, tmp_path: Path, name: str = "payslip.txt") -> Any:
    src = tmp_path / name
    src.write_text(f"content of {name}", encoding="utf-8")
    return evidence.ingest_file(window.ctx.ws, ref, src)


def test_withdraw_with_reason(qtbot, window, tmp_path) -> None:
    view = _open(window)
    _ingest(window, view.case_ref, tmp_path)
    tab = view.show_tab("evidence")
    tab.refresh()
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.withdraw_button, Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "why" in dialog.error.text()
    type_text(dialog.reason, "Wrong file: belongs to another applicant — 다른 사람")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    ev = evidence.list_evidence(window.ctx.ws, view.case_ref)[0]
    assert ev.withdrawn_reason == "Wrong file: belongs to another applicant — 다른 사람"
    assert tab.model.index(0, 6).data().startswith("Withdrawn")
    assert not tab.withdraw_button.isEnabled()
    last = tab.custody_model.rowCount() - 1
    assert tab.custody_model.index(last, 1).data() == "withdrawn"
    assert "다른 사람" in tab.custody_model.index(last, 3).data()


def test_open_export_and_verify_exhibit(qtbot, window, tmp_path, dialogs) -> None:
    view = _open(window)
    ev = _ingest(window, view.case_ref, tmp_path, "bank letter.txt")
    tab = view.show_tab("evidence")
    tab.refresh()
    tab.table.selectRow(0)
    tab.open_selected()
    qtbot.waitUntil(lambda: len(dialogs.opened_urls) == 1, timeout=10_000)
    opened = Path(dialogs.opened_urls[0])
    assert opened.read_text(encoding="utf-8") == "content of bank letter.txt"
    assert window.ctx.ws.home / "open" in opened.parents
    target = tmp_path / "out" / "exported.txt"
    target.parent.mkdir()
    dialogs.queue("getSaveFileName", (str(target), ""))
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: target.exists() and "Exported" in tab.banner.text(), timeout=10_000)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == ev.sha256
    qtbot.mouseClick(tab.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "SHA-256 matches" in tab.banner.text(), timeout=10_000)
    blob = window.ctx.ws.vault.path_of(ev.blob_id)
    data = bytearray(blob.read_bytes())
    data[-5] ^= 0xFF
    blob.write_bytes(bytes(data))
    qtbot.mouseClick(tab.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.banner.kind == "error", timeout=10_000)
    actions = [tab.custody_model.index(r, 1).data() for r in range(tab.custody_model.rowCount())]
    assert actions[-4:] == ["opened", "exported", "verified", "verified"]


def test_copy_sha(qtbot, window, tmp_path) -> None:
    view = _open(window)
    ev = _ingest(window, view.case_ref, tmp_path)
    tab = view.show_tab("evidence")
    tab.refresh()
    tab.copy_sha()
    assert QApplication.clipboard().text() == ev.sha256


def test_timeline_add_and_edit_note(qtbot, window) -> None:
    view, tab, dialog = _add_with_nothing_filled_in(qtbot, window, "timeline")
    assert dialog.isVisible() and dialog.error.isVisible()
    type_text(dialog.text, "Interview: camera off, answers read from a script. 카메라 꺼짐")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    stored = notes.list_notes(window.ctx.ws, view.case_ref)
    assert len(stored) == 1 and stored[0].text.endswith("카메라 꺼짐")
    kinds = [tab.model.index(r, 1).data() for r in range(tab.model.rowCount())]
    assert kinds == ["Event", "Note"]  # "Case opened", then the note
    tab.table.selectRow(1)
    edit = tab.edit_note()
    edit.text.setPlainText("Interview: camera off (edited)")
    qtbot.mouseClick(edit.ok_button, Qt.MouseButton.LeftButton)
    stored = notes.list_notes(window.ctx.ws, view.case_ref)
    assert stored[0].text == "Interview: camera off (edited)" and stored[0].version == 2
    assert stored[0].occurred_at == notes.note_history(window.ctx.ws, stored[0].id)[0].occurred_at
    assert tab.model.index(1, 1).data() == "Note (edited)"


def test_overview_saves_summary_and_key_facts(qtbot, window) -> None:
    view = _open(window)
    tab = view.show_tab("overview")
    assert not tab.save_button.isEnabled()
    type_text(tab.summary, "Summary with Кириллица and <b>markup</b>")
    assert tab.save_button.isEnabled() and tab.state.text() == "Unsaved changes"
    tab.key_facts.setPlainText("Laptop shipped to NJ (E-001)")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    case = cases.get_case(window.ctx.ws, view.case_ref)
    assert case.summary == "Summary with Кириллица and <b>markup</b>"
    assert case.key_facts == "Laptop shipped to NJ (E-001)"
    assert not tab.save_button.isEnabled()


def test_acquisition_details_go_into_the_chain_of_custody(qtbot, window, tmp_path) -> None:
    view = _open(window)
    tab = view.show_tab("evidence")
    assert tab.acquisition.acquired_by.text(), "defaults to the OS user"
    tab.acquisition.acquired_by.setText("J. Rivera")
    type_text(tab.acquisition.acquired_from, "HR 시스템 export")
    tab.acquisition.method.setText("CSV export")
    src = tmp_path / "hr.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    tab.add_files([src])
    wait_task(qtbot, tab.ingest_handle)
    [exhibit] = evidence.list_evidence(window.ctx.ws, view.case_ref)
    assert (exhibit.acquired_by, exhibit.acquired_from, exhibit.acquisition_method) == (
        "J. Rivera", "HR 시스템 export", "CSV export")
    acquired = evidence.custody_log(window.ctx.ws, exhibit.id)[0]
    assert acquired.action == "acquired" and "HR 시스템 export" in acquired.detail

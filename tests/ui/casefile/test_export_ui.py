"""Export PDF UI over the demo data: dialog, inline validation, export in the background with
progress and Cancel, preview with hash/pages/Bates, history tab, production folder."""

from __future__ import annotations

import getpass
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from uihelpers import type_text, wait_task

from caseapp.services.casefile import exports
from caseapp.services.evidence import evidence
from caseapp.services.maintenance import demo
from caseapp.ui.casefile.dialog import ExportDialog
from caseapp.ui.casefile.preview import ExportPreview

CASE1, CASE2 = "CASE-2026-0001", "CASE-2026-0002"
RECIPIENT = "Outside counsel — Kim & Partners (김앤장)"


@pytest.fixture
def demo_window(window: Any) -> Any:
    demo.load_demo(window.ctx.ws)
    window.show_page("cases").list.reload()
    return window


def _open_dialog(qtbot: Any, window: Any, ref: str = CASE1, *,
                 keyboard: bool = False) -> ExportDialog:
    view = window.open_case(ref)
    if keyboard:  # the window must be active: offscreen, closing a dialog leaves none active
        qtbot.keyClick(view.tabs, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    else:
        next(a for a in window.actions_.case_actions if "PDF" in a.text()).trigger()
    dialog = next(d for d in view.findChildren(ExportDialog) if d.isVisible())
    qtbot.waitExposed(dialog)
    return dialog


def _fill(dialog: ExportDialog, out: Path, recipient: str = RECIPIENT) -> None:
    type_text(dialog.form.recipient, recipient)
    dialog.form.out_path.setText(str(out))


def _export(qtbot: Any, dialog: ExportDialog) -> Any:
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    handle = dialog.handle
    assert handle is not None, dialog.error.text() or "the export did not start"
    wait_task(qtbot, handle)
    return handle


def _text(path: Path, password: str | None = None) -> str:
    reader = PdfReader(path)
    if password is not None:
        reader.decrypt(password)
    return "\n".join(page.extract_text() for page in reader.pages)


def test_ctrl_e_opens_the_dialog_with_defaults(qtbot, demo_window) -> None:
    dialog = _open_dialog(qtbot, demo_window, keyboard=True)
    form = dialog.form
    assert dialog.windowTitle() == f"Export PDF case file — {CASE1}"
    assert dialog.focusWidget() is form.recipient
    assert form.classification.currentText() == "CONFIDENTIAL"
    assert form.prepared_by.text() == getpass.getuser()
    assert form.bates_prefix.text() == CASE1 and form.bates_start.text() == "1"
    assert form.bates_preview.text() == f"The first page is numbered {CASE1}-000001."
    assert all(box.isChecked() for box in form.section_boxes.values())
    assert len(form.section_boxes) == 10
    assert form.legend.text() == ""
    qtbot.mouseClick(form.legend_button, Qt.MouseButton.LeftButton)
    assert form.legend.text().startswith("Privileged & Confidential")
    assert dialog.focusWidget() is form.legend
    assert not form.use_password.isChecked() and not form.password.isEnabled()
    assert not form.use_package.isChecked() and not form.package_path.isEnabled()
    # A second Ctrl+E brings the same dialog forward instead of stacking another one.
    view = demo_window.current_case_view()
    again = next(a for a in demo_window.actions_.case_actions if "PDF" in a.text())
    again.trigger()
    assert [d for d in view.findChildren(ExportDialog) if d.isVisible()] == [dialog]


def test_redaction_checkboxes_are_off_by_default(qtbot, demo_window) -> None:
    form = _open_dialog(qtbot, demo_window).form
    assert not form.reveal_tipsters.isChecked() and not form.reveal_accounts.isChecked()
    assert "[REDACTED]" in " ".join(label.text() for label in form.findChildren(QLabel))
    assert form.reveal_warning.isHidden()
    form.reveal_tipsters.setChecked(True)
    assert form.reveal_warning.isVisible() and "tipster identities" in form.reveal_warning.text()


def test_recipient_and_passwords_are_validated_inline(qtbot, demo_window, tmp_path) -> None:
    dialog = _open_dialog(qtbot, demo_window)
    form = dialog.form
    form.out_path.setText(str(tmp_path / "out.pdf"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.handle is None
    assert form.recipient_error.isVisible() and "who receives" in form.recipient_error.text()
    assert dialog.focusWidget() is form.recipient
    type_text(form.recipient, "   ")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.handle is None and form.recipient_error.isVisible(), "blank is not a name"
    form.recipient.clear()
    type_text(form.recipient, RECIPIENT)
    form.recipient_error.clear_error()
    qtbot.keyClick(form.use_password, Qt.Key.Key_Space)
    assert form.use_password.isChecked() and form.password.isEnabled()
    qtbot.keyClicks(form.password, "s3cret-pass")
    qtbot.keyClicks(form.password2, "s3cret-pasz")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.handle is None and "differ" in form.password_error.text()
    assert form.recipient_error.isHidden()
    form.bates_prefix.setText("bad prefix!")
    assert form.bates_error.isVisible() and form.bates_preview.text() == ""
    form.bates_prefix.setText("ACME-PROD")
    form.bates_start.setText("1000000")
    assert form.bates_preview.text().endswith("ACME-PROD-1000000.")
    form.out_path.setText(str(tmp_path / "missing" / "out.pdf"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "does not exist" in form.out_error.text()
    assert not (tmp_path / "out.pdf").exists() and not (tmp_path / "missing").exists()


def test_full_export_writes_the_pdf_and_shows_the_preview(qtbot, demo_window, dialogs,
                                                          tmp_path) -> None:
    dialog = _open_dialog(qtbot, demo_window)
    out = tmp_path / "case file"  # no suffix: the dialog adds .pdf
    _fill(dialog, out)
    dialog.form.use_standard_legend()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    handle, progress = dialog.handle, dialog.progress
    shown: list[str] = []  # what the progress dialog said at each update
    handle.progressed.connect(lambda *_a: shown.append(progress.labelText()))
    wait_task(qtbot, handle)
    assert handle.error is None
    assert "Reading and re-hashing exhibits" in shown, shown
    result = handle.result
    pdf = tmp_path / "case file.pdf"
    assert result.path == pdf and pdf.is_file()
    reader = PdfReader(pdf)
    assert len(reader.pages) == result.pages > 0
    first = reader.pages[0].extract_text()
    assert RECIPIENT in first and "Privileged & Confidential" in first
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert not dialog.isVisible()
    preview = dialog.preview
    assert isinstance(preview, ExportPreview) and preview.isVisible()
    assert preview.sha_edit.text() == digest == result.sha256
    assert preview.sha_edit.isReadOnly()
    assert preview.pages_label.text() == str(result.pages)
    assert preview.bates_edit.text() == f"{CASE1}-000001 to {CASE1}-{result.pages:06d}"
    assert preview.document.status() == QPdfDocument.Status.Ready
    assert preview.document.pageCount() == result.pages
    assert preview.page_count.text() == f"of {result.pages}"
    preview.page_spin.setValue(3)
    qtbot.waitUntil(lambda: preview.view.pageNavigator().currentPage() == 2)
    wait_task(qtbot, preview.check_handle)
    assert preview.check_label.text() == "The file matches the recorded SHA-256."
    qtbot.mouseClick(preview.copy_sha, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == digest
    qtbot.mouseClick(preview.folder_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(preview.viewer_button, Qt.MouseButton.LeftButton)
    assert dialogs.opened_urls == [str(tmp_path), str(pdf)]
    assert f"{result.pages} pages" in demo_window.message_label.text()
    preview.close()


def test_password_protected_export_previews_with_the_password(qtbot, demo_window,
                                                              tmp_path) -> None:
    dialog = _open_dialog(qtbot, demo_window)
    _fill(dialog, tmp_path / "locked.pdf")
    dialog.form.use_password.setChecked(True)
    type_text(dialog.form.password, "пароль-2026")
    type_text(dialog.form.password2, "пароль-2026")
    handle = _export(qtbot, dialog)
    assert handle.error is None
    reader = PdfReader(tmp_path / "locked.pdf")
    assert reader.is_encrypted and reader.decrypt("пароль-2026")
    assert len(reader.pages) == handle.result.pages
    preview = dialog.preview
    assert preview.document.status() == QPdfDocument.Status.Ready
    assert preview.document.pageCount() == handle.result.pages
    assert preview.password_bar.isHidden()
    preview.close()
    # From the history the password is asked for inline.
    tab = demo_window.current_case_view().show_tab("exports")
    later = tab.preview_selected()
    assert later.password_bar.isVisible() and later.document.pageCount() == 0
    type_text(later.password, "wrong")
    qtbot.mouseClick(later.unlock_button, Qt.MouseButton.LeftButton)
    assert "does not open" in later.password_error.text()
    later.password.clear()
    type_text(later.password, "пароль-2026")
    qtbot.mouseClick(later.unlock_button, Qt.MouseButton.LeftButton)
    assert later.password_bar.isHidden()
    assert later.document.pageCount() == handle.result.pages
    later.close()


def test_cancel_during_export_leaves_no_file(qtbot, demo_window, tmp_path) -> None:
    dialog = _open_dialog(qtbot, demo_window)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "cancelled.pdf"
    _fill(dialog, out)
    dialog.form.use_package.setChecked(True)
    dialog.form.package_path.setText(str(folder / "production"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    handle, progress = dialog.handle, dialog.progress
    assert progress.isVisible() and progress.labelText()
    assert not dialog.export_button.isEnabled()
    qtbot.mouseClick(progress.cancel_button, Qt.MouseButton.LeftButton)
    wait_task(qtbot, handle)
    assert type(handle.error).__name__ == "Cancelled"
    assert not out.exists() and list(folder.iterdir()) == []
    assert dialog.isVisible() and "cancelled" in dialog.error.text()
    assert dialog.export_button.isEnabled() and dialog.preview is None
    assert exports.export_history(demo_window.ctx.ws, CASE1) == []


def test_history_tab_lists_the_export(qtbot, demo_window, dialogs, tmp_path) -> None:
    view = demo_window.open_case(CASE1)
    tab = view.show_tab("exports")
    assert tab.model.rowCount() == 0 and tab.empty.isVisible()
    assert not tab.preview_button.isEnabled()
    dialog = tab.export_pdf()
    _fill(dialog, tmp_path / "for-counsel.pdf")
    result = _export(qtbot, dialog).result
    dialog.preview.close()
    assert view.current_key == "exports"
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)  # the views refresh on data_changed
    assert not tab.empty.isVisible()
    cells = [tab.model.index(0, c).data() for c in range(tab.model.columnCount())]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d ", cells[0])
    assert cells[1:6] == [RECIPIENT, str(result.pages),
                          f"{result.bates_first} to {result.bates_last}", result.sha256,
                          str(tmp_path / "for-counsel.pdf")]
    assert "redacted" in cells[7]
    assert tab.sha.text() == result.sha256 and tab.sha.isReadOnly()
    details = tab.details.text()
    assert f"For {RECIPIENT}" in details and "Tipster identities redacted" in details
    assert "All sections" in details
    preview = tab.preview_selected()
    assert preview.sha_edit.text() == result.sha256
    wait_task(qtbot, preview.check_handle)
    assert "matches" in preview.check_label.text()
    preview.close()
    qtbot.mouseClick(tab.viewer_button, Qt.MouseButton.LeftButton)
    assert dialogs.opened_urls[-1] == str(tmp_path / "for-counsel.pdf")
    # A changed file is noticed by the preview's check.
    (tmp_path / "for-counsel.pdf").write_bytes(b"%PDF-1.4 tampered")
    changed = tab.preview_selected()
    wait_task(qtbot, changed.check_handle)
    assert "changed since the export" in changed.check_label.text()
    changed.close()


def test_reveal_tipsters_reaches_the_pdf(qtbot, demo_window, tmp_path) -> None:
    dialog = _open_dialog(qtbot, demo_window, CASE2)
    _fill(dialog, tmp_path / "redacted.pdf")
    assert _export(qtbot, dialog).error is None
    dialog.preview.close()
    text = _text(tmp_path / "redacted.pdf")
    assert "[REDACTED]" in text and "Sam Okafor" not in text
    assert "[REDACTED] …7890" in text
    dialog = _open_dialog(qtbot, demo_window, CASE2)
    _fill(dialog, tmp_path / "revealed.pdf")
    qtbot.keyClick(dialog.form.reveal_tipsters, Qt.Key.Key_Space)
    qtbot.keyClick(dialog.form.reveal_accounts, Qt.Key.Key_Space)
    assert _export(qtbot, dialog).error is None
    dialog.preview.close()
    text = _text(tmp_path / "revealed.pdf")
    assert "Sam Okafor" in text and "US00 FICT 0000 1234 5678 90" in text
    newest, older = exports.export_history(demo_window.ctx.ws, CASE2)
    assert '"reveal_tipsters": true' in newest.options
    assert '"reveal_accounts": true' in newest.options
    assert '"reveal_tipsters": false' in older.options


def test_production_folder_writes_sha256sums(qtbot, demo_window, dialogs, tmp_path) -> None:
    dialog = _open_dialog(qtbot, demo_window)
    _fill(dialog, tmp_path / "case.pdf")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "other.txt").write_text("x", encoding="utf-8")
    dialogs.queue("getExistingDirectory", str(busy))
    qtbot.mouseClick(dialog.form.use_package, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.form.package_browse, Qt.MouseButton.LeftButton)
    package = busy / f"{CASE1}-production"
    assert dialog.form.package_path.text() == str(package)
    assert "not empty" in dialog.form.package_error.text()
    result = _export(qtbot, dialog).result
    assert result.package == package
    sums = (package / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in sums}
    exhibits = evidence.list_evidence(demo_window.ctx.ws, CASE1)
    natives = sorted(name for name in listed if name.startswith("natives/"))
    assert [n.split("/")[1].split("_")[0] for n in natives] == [e.exhibit for e in exhibits]
    assert {"case.pdf", "manifest.csv", "AUDIT-HEAD.txt"} == set(listed) - set(natives)
    assert "natives/E-001_interview-notes.txt" in natives
    for name, digest in listed.items():
        assert hashlib.sha256((package / name).read_bytes()).hexdigest() == digest
    assert (package / "manifest.csv").is_file()
    preview = dialog.preview
    qtbot.mouseClick(preview.folder_button, Qt.MouseButton.LeftButton)
    assert dialogs.opened_urls == [str(package)]
    preview.close()


def test_service_errors_are_shown_inline_and_the_app_keeps_running(qtbot, demo_window,
                                                                   tmp_path) -> None:
    dialog = _open_dialog(qtbot, demo_window)
    _fill(dialog, tmp_path / "x.pdf")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x", encoding="utf-8")
    dialog.form.use_package.setChecked(True)
    dialog.form.package_path.setText(str(busy))  # typed, not picked: the service refuses
    handle = _export(qtbot, dialog)
    assert type(handle.error).__name__ == "Conflict"
    assert dialog.isVisible() and "not an empty folder" in dialog.form.package_error.text()
    assert not (tmp_path / "x.pdf").exists()
    # An exhibit that no longer verifies stops the export; the reason is shown inline.
    dialog.form.use_package.setChecked(False)
    first = evidence.list_evidence(demo_window.ctx.ws, CASE1)[0]
    blob = demo_window.ctx.ws.vault.path_of(first.blob_id)
    data = bytearray(blob.read_bytes())
    data[-5] ^= 0xFF
    blob.write_bytes(bytes(data))
    handle = _export(qtbot, dialog)
    assert type(handle.error).__name__ == "IntegrityProblem"
    assert "E-001" in dialog.error.text() and dialog.isVisible()
    assert not (tmp_path / "x.pdf").exists()
    assert demo_window.isVisible() and "Export PDF" in demo_window.message_label.text()


def test_existing_file_is_replaced_only_when_confirmed(qtbot, demo_window, dialogs,
                                                       tmp_path) -> None:
    out = tmp_path / "old.pdf"
    out.write_bytes(b"earlier file")
    dialog = _open_dialog(qtbot, demo_window)
    _fill(dialog, out)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.handle is None and "already exists" in dialog.form.out_error.text()
    assert out.read_bytes() == b"earlier file"
    handle = _export(qtbot, dialog)  # the second click confirms
    assert handle.error is None and PdfReader(out).pages
    dialog.preview.close()
    # Chosen with the file dialog (which asks before replacing): no second confirmation.
    dialog = _open_dialog(qtbot, demo_window)
    type_text(dialog.form.recipient, RECIPIENT)
    dialogs.queue("getSaveFileName", (str(tmp_path / "old"), "PDF files (*.pdf)"))
    qtbot.mouseClick(dialog.form.out_browse, Qt.MouseButton.LeftButton)
    assert dialog.form.out_path.text() == str(out)
    before = out.read_bytes()
    assert _export(qtbot, dialog).error is None
    assert out.read_bytes() != before
    dialog.preview.close()


def _mnemonics(widget: Any) -> list[str]:
    texts = [w.text() for w in widget.findChildren(QAbstractButton) + widget.findChildren(QLabel)]
    return [m.group(1).lower() for t in texts if (m := re.search(r"&(\w)", t))]


def test_every_control_has_a_unique_mnemonic(qtbot, demo_window, tmp_path) -> None:
    dialog = _open_dialog(qtbot, demo_window)
    keys = _mnemonics(dialog)
    assert len(keys) >= 16 and len(keys) == len(set(keys)), keys
    _fill(dialog, tmp_path / "keys.pdf")
    qtbot.keyClick(dialog.form.recipient, Qt.Key.Key_Return)  # Enter exports
    wait_task(qtbot, dialog.handle)
    keys = _mnemonics(dialog.preview)
    assert len(keys) >= 8 and len(keys) == len(set(keys)), keys
    dialog.preview.close()
    tab = demo_window.current_case_view().show_tab("exports")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    keys = _mnemonics(tab)
    assert len(keys) >= 4 and len(keys) == len(set(keys)), keys
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)  # Enter on a row previews it, once
    previews = [p for p in tab.findChildren(ExportPreview) if p.isVisible()]
    assert len(previews) == 1
    previews[0].close()
    cell = tab.table.visualRect(tab.model.index(0, 1)).center()
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)  # as a user:
    qtbot.mouseDClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)  # then double
    previews = [p for p in tab.findChildren(ExportPreview) if p.isVisible()]
    assert len(previews) == 1, "a double-click opens one preview"
    previews[0].close()


def test_inline_error_leaves_no_gap_once_cleared(qtbot, demo_window) -> None:
    """The dialog grows for an inline error and shrinks back once it is cleared."""
    dialog = _open_dialog(qtbot, demo_window)
    form = dialog.form
    QApplication.processEvents()
    before = dialog.height()
    form.classification_error.show_error("Choose a classification. " * 12)
    form.recipient_error.show_error("A recipient is required. " * 12)
    form.messages_changed.emit()
    QApplication.processEvents()
    assert dialog.height() > before
    form.classification_error.clear_error()
    form.recipient_error.clear_error()
    form.messages_changed.emit()
    QApplication.processEvents()
    assert dialog.height() == before

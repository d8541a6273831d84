"""Tools > Investigator profile: edited in a dialog, then used as the export's prepared-by."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from uihelpers import type_text

from caseapp.services import investigator
from caseapp.services.cases import cases
from caseapp.ui.casefile.dialog import ExportDialog
from caseapp.ui.investigator import ProfileDialog


def test_profile_dialog_saves_and_export_defaults_to_it(qtbot, window) -> None:
    window.actions_.by_key["investigator-profile"].trigger()
    dialog = next(d for d in window.findChildren(ProfileDialog) if d.isVisible())
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert investigator.os_account() in texts  # the OS account is shown, kept apart
    type_text(dialog.name, "김민정")
    dialog.organisation.setText("Acme Investigations")
    dialog.badge.setText("E-4711")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    profile = investigator.get_profile(window.ctx.ws)
    assert profile is not None and profile.actor == "김민정 (Acme Investigations)"
    assert profile.badge == "E-4711" and "김민정" in window.message_label.text()
    ref = cases.create_case(window.ctx.ws, "Export case").ref
    view = window.open_case(ref)
    next(a for a in window.actions_.case_actions if "PDF" in a.text()).trigger()
    export = next(d for d in view.findChildren(ExportDialog) if d.isVisible())
    assert export.form.prepared_by.text() == "김민정 (Acme Investigations)"
    export.reject()

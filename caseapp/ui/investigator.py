"""The investigator profile dialog: asked once when a store is created, editable later from
Tools > Investigator profile. The name is what the audit log, custody and exports record
(the OS account is recorded beside it)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.context import AppContext
from caseapp.ui.widgets.common import ErrorLabel, open_dialog


class ProfileDialog(QDialog):
    """Name (required), organisation, role and badge or employee id."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 first_run: bool = False) -> None:
        from caseapp.services import investigator

        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Investigator profile")
        layout = QVBoxLayout(self)
        intro = QLabel("Who works in this store? The name is recorded in the audit log, the "
                       "chain of custody and as 'prepared by' on exports, with this computer's "
                       f"account ({investigator.os_account()}) beside it."
                       + (" You can change it later under Tools > Investigator profile."
                          if first_run else ""))
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.name = QLineEdit(placeholderText="Required, e.g. Jane Doe")
        self.organisation = QLineEdit(placeholderText="e.g. Acme Investigations")
        self.role = QLineEdit(placeholderText="e.g. Senior investigator")
        self.badge = QLineEdit(placeholderText="Optional")
        for text, widget in (("&Name:", self.name), ("&Organisation:", self.organisation),
                             ("&Role:", self.role), ("&Badge / employee id:", self.badge)):
            form.addRow(text, widget)
        layout.addLayout(form)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.later_button = buttons.addButton("&Later" if first_run else "Cancel",
                                              QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        current = investigator.get_profile(ctx.ws)
        if current is not None:
            self.name.setText(current.name)
            self.organisation.setText(current.organisation)
            self.role.setText(current.role)
            self.badge.setText(current.badge)
        self.name.setFocus()
        self.resize(max(520, self.sizeHint().width()), self.sizeHint().height())

    def save(self) -> None:
        """Save through the service; errors stay inline."""
        from caseapp.services import investigator

        try:
            profile = investigator.set_profile(
                self.ctx.ws, self.name.text(), organisation=self.organisation.text(),
                role=self.role.text(), badge=self.badge.text())
        except Exception as exc:  # noqa: BLE001 - shown inline; the dialog stays open
            self.error.show_error(self.ctx.report_error(exc, "Saving the profile"))
            return
        self.ctx.show_message(f"Investigator profile: {profile.actor}.")
        self.accept()


def edit_profile(ctx: AppContext, parent: QWidget) -> ProfileDialog:
    """Tools > Investigator profile…"""
    return open_dialog(ProfileDialog(ctx, parent), delete_on_close=True)


def prepared_by_default(ctx: AppContext | None) -> str:
    """The investigator's name for an export's "prepared by" ('' when there is none)."""
    from caseapp.services import investigator

    if ctx is None:
        return ""
    profile = investigator.get_profile(ctx.ws)
    return profile.actor if profile else ""

"""File > Connect to team store…: where the team's PostgreSQL store is, and the switch to it.

The dialog edits a :class:`~caseapp.services.team.connection.TeamAddress` (host, port,
database, role, TLS mode, optional client certificate and key) and a password that goes only
to the OS keyring (service ``caseapp-postgresql``, user ``ROLE@HOST:PORT``). *Test connection*
and *Connect* try the address on a worker thread and say what they found, in our own words.
*Connect* then keeps the password in the keyring, remembers the URL (without password) in the
app's settings and re-opens the app on that store (:func:`~caseapp.ui.team.reopen.reopen`);
*Use local store* forgets it and re-opens on the data home's own database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui import theme
from caseapp.ui.context import AppContext
from caseapp.ui.errors import user_message
from caseapp.ui.widgets.common import ErrorLabel

if TYPE_CHECKING:
    from caseapp.services.team.connection import TeamAddress, Tried

_TLS_LABELS = {"prefer": "prefer: TLS when the server offers it",
               "require": "require: always TLS (server not verified)",
               "verify-full": "verify-full: always TLS, certificate and host name checked"}

#: How long typing in the host, port or role must pause before the keyring is asked.
HINT_DELAY_MS = 300


class ConnectDialog(QDialog):
    """The team store's address and password; see the module docstring."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        from caseapp.services.team.connection import TLS_MODES, address_of

        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Connect to team store")
        #: The URL chosen (set when the dialog is accepted): "" for the local store.
        self.chosen_url: str | None = None
        self._busy = False
        layout = QVBoxLayout(self)
        intro = QLabel("Open the team's PostgreSQL store instead of this computer's own. The "
                       "password is kept in the OS keyring, never in a file; the address is "
                       "remembered for the next start.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(intro)
        form = QFormLayout()
        self.host = QLineEdit()
        self.host.setPlaceholderText("db.example.org")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit()
        self.database.setPlaceholderText("caseteam")
        self.role = QLineEdit()
        self.role.setPlaceholderText("your database login role")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.tls = QComboBox()
        for mode in TLS_MODES:
            self.tls.addItem(_TLS_LABELS[mode], mode)
        self.cert = QLineEdit()
        self.key = QLineEdit()
        for label, widget in (("&Host:", self.host), ("&Port:", self.port),
                              ("&Database:", self.database), ("&Role name:", self.role),
                              ("Pass&word:", self.password), ("&TLS:", self.tls)):
            form.addRow(label, widget)
        form.addRow("Client &certificate:", self._with_browse(self.cert, "certificate"))
        form.addRow("Client &key:", self._with_browse(self.key, "key"))
        layout.addLayout(form)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome.setAccessibleName("Connection result")
        self.outcome.hide()
        layout.addWidget(self.outcome)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        box = QDialogButtonBox()
        role = QDialogButtonBox.ButtonRole
        self.test_button = box.addButton("T&est connection", role.ActionRole)
        self.local_button = box.addButton("Use &local store", role.ResetRole)
        self.connect_button = box.addButton("C&onnect", role.AcceptRole)
        self.connect_button.setDefault(True)
        box.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.test_button.clicked.connect(lambda: self._try(connect=False))
        self.connect_button.clicked.connect(lambda: self._try(connect=True))
        self.local_button.clicked.connect(self._use_local)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        status = ctx.ws.store_status()
        self.local_button.setEnabled(status.kind != "sqlcipher")
        current = address_of(str(getattr(ctx.ws.store, "url", "")))
        if current is not None:
            self.set_address(current)
        self._update_password_hint()
        # The keyring is asked once typing pauses, not at every keystroke (a D-Bus round trip
        # on the UI thread each time).
        self._hint_timer = QTimer(self, singleShot=True, interval=HINT_DELAY_MS)
        self._hint_timer.timeout.connect(self._update_password_hint)
        for widget in (self.host, self.role):
            widget.textChanged.connect(self._hint_timer.start)
        self.port.valueChanged.connect(self._hint_timer.start)
        self.resize(560, self.sizeHint().height())

    def _with_browse(self, line: QLineEdit, what: str) -> QWidget:
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        line.setPlaceholderText(f"optional: the client {what} file (PEM)")
        lay.addWidget(line, 1)
        button = QPushButton("Browse…")
        button.setAccessibleName(f"Browse for the client {what}")
        button.clicked.connect(lambda: self._browse(line, what))
        lay.addWidget(button)
        return row

    def _browse(self, line: QLineEdit, what: str) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, f"Client {what}", line.text(),
                                                    "PEM files (*.pem *.crt *.key);;All (*)")
        if path:
            line.setText(path)

    # -- the address ---------------------------------------------------------------------
    def set_address(self, address: TeamAddress) -> None:
        """Fill the fields in."""
        self.host.setText(address.host)
        self.port.setValue(address.port)
        self.database.setText(address.database)
        self.role.setText(address.role)
        self.tls.setCurrentIndex(max(0, self.tls.findData(address.tls)))
        self.cert.setText(address.cert)
        self.key.setText(address.key)

    def address(self) -> TeamAddress:
        from caseapp.services.team.connection import TeamAddress

        return TeamAddress(self.host.text(), self.database.text(), self.role.text(),
                           self.port.value(), str(self.tls.currentData()), self.cert.text(),
                           self.key.text())

    def _update_password_hint(self) -> None:
        from caseapp.services.team.connection import has_saved_password

        saved = has_saved_password(self.address())
        self.password.setPlaceholderText(
            "saved in the OS keyring; type to replace it" if saved else
            "kept in the OS keyring (empty: client certificate or no password)")

    # -- actions -------------------------------------------------------------------------
    def _try(self, *, connect: bool) -> None:
        from caseapp.services.team.connection import try_address

        if self._busy:
            return
        self.error.clear_error()
        try:
            address = self.address().checked()
            address.url()
        except Exception as exc:  # noqa: BLE001 - InvalidInput, shown inline
            self.error.show_error(user_message(exc))
            return
        password = self.password.text()
        self._set_busy(True)
        self._show_result("Trying the connection…", ok=None)
        handle = self.ctx.runner.submit(lambda _c: try_address(address, password or None),
                                        name="team-connect-test")
        handle.succeeded.connect(lambda tried: self._tried(address, password, tried, connect))
        handle.failed.connect(self._failed)

    def _tried(self, address: TeamAddress, password: str, tried: Tried, connect: bool) -> None:
        from caseapp.services.team.connection import save_password

        self._set_busy(False)
        self._show_result(tried.text, ok=tried.secure)  # in clear: in the warning colour
        if not connect:
            return
        if password:
            try:
                save_password(address, password)
            except Exception as exc:  # noqa: BLE001 - StoreUnavailable, shown inline
                self.error.show_error(user_message(exc))
                return
        self.chosen_url = address.url()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.outcome.hide()
        self.error.show_error(user_message(exc))

    def _use_local(self) -> None:
        self.chosen_url = ""
        self.accept()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.test_button, self.connect_button, self.local_button):
            button.setEnabled(not busy and (button is not self.local_button
                                            or self.ctx.ws.store_status().kind != "sqlcipher"))

    def _show_result(self, text: str, ok: bool | None) -> None:
        self.outcome.setText(text)
        self.outcome.setStyleSheet("" if ok is None else
                                  f"color: {theme.accent('ok' if ok else 'error').name()};")
        self.outcome.show()


def open_connect_dialog(ctx: AppContext, parent: QWidget) -> ConnectDialog:
    """File > Connect to team store… (a window action): on OK the app re-opens on the store."""
    from caseapp.ui.team.reopen import reopen

    dialog = ConnectDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def chosen() -> None:
        if dialog.chosen_url is not None:
            reopen(parent, ctx, dialog.chosen_url)

    dialog.accepted.connect(chosen)
    dialog.open()
    return dialog

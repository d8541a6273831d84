"""Opening the store after the window has painted: first-run set-up, unlock, demo offer.

Everything slow (keyring, scrypt, the database imports, migrations) runs on a worker thread;
dialogs are opened with ``open()`` (never a nested ``exec()``) so the window stays live.
``CASEAPP_PASSPHRASE`` supplies the passphrase for automation, as on the command line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from caseapp.ui.context import AppContext
from caseapp.ui.dialogs.keys import KeySetupDialog, RecoveryCodeDialog, UnlockDialog
from caseapp.ui.errors import log_event, setup_log
from caseapp.ui.main_window import MainWindow
from caseapp.ui.workers import TaskControl, TaskRunner

#: Service modules warmed up on the worker thread while the store opens.
_WARM = ("caseapp.services.cases", "caseapp.services.subjects", "caseapp.services.evidence",
         "caseapp.services.notes", "caseapp.services.auditlog", "caseapp.services.integrity",
         "caseapp.services.caselist", "caseapp.services.risk")


def _open(home: Path, passphrase: str | None, create: bool, key_mode: str | None) -> Any:
    import importlib

    from caseapp.services.workspace import open_workspace

    ws = open_workspace(home, lambda _purpose: passphrase, create=create, exclusive=True,
                        key_mode=key_mode)
    try:
        for name in _WARM:
            importlib.import_module(name)
    except BaseException:
        ws.close()
        raise
    return ws


class StartupController(QObject):
    """Drives probe -> (set-up | unlock) -> open -> recovery code -> attach -> demo offer."""

    #: Emitted with the AppContext once the window shows the store.
    ready = Signal(object)
    #: Emitted when the user gives up (Quit in a dialog).
    abandoned = Signal()

    def __init__(self, window: MainWindow, home: str | Path | None,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.home_arg = home
        self.runner = runner or TaskRunner(window)
        self.probe: Any = None
        self.setup_dialog: KeySetupDialog | None = None
        self.unlock_dialog: UnlockDialog | None = None
        self.recovery_dialog: RecoveryCodeDialog | None = None
        self.ctx: AppContext | None = None
        self.created = False
        self._env_tried = False

    def start(self) -> None:
        """Find out what the data home holds (off the UI thread)."""
        from caseapp.services.startup import probe_store

        self.window.show_start("Opening the encrypted case store…")
        handle = self.runner.submit(lambda _c: probe_store(self.home_arg), name="probe")
        handle.succeeded.connect(self._probed)
        handle.failed.connect(lambda exc: self._fail(exc))

    def _probed(self, probe: Any) -> None:
        self.probe = probe
        setup_log(probe.home)
        log_event("app.start", store_exists=int(probe.exists), key_mode=probe.key_mode or "none")
        self.window.set_location(str(probe.home))
        env = os.environ.get("CASEAPP_PASSPHRASE") or None
        if not probe.exists:
            if env and not probe.keyring_usable:
                self._submit(env, create=True, key_mode="passphrase")
            else:
                self._ask_setup()
        elif probe.needs_passphrase:
            if env and not self._env_tried:
                self._env_tried = True
                self._submit(env, create=False, key_mode=None)
            else:
                self._ask_passphrase()
        else:
            self._submit(None, create=False, key_mode=None)

    # -- dialogs -----------------------------------------------------------------------------
    def _ask_setup(self) -> None:
        dialog = KeySetupDialog(self.probe.home, self.probe.keyring_usable, self.window)
        self.setup_dialog = dialog
        dialog.accepted.connect(lambda: self._submit(dialog.passphrase(), create=True,
                                                     key_mode=dialog.mode))
        dialog.rejected.connect(self._gave_up)
        self.window.show_start("Set up the encrypted case store to begin.")
        dialog.open()

    def _ask_passphrase(self, error: str = "") -> None:
        if self.unlock_dialog is None:
            dialog = UnlockDialog(self.probe.home, self.window)
            self.unlock_dialog = dialog
            dialog.submitted.connect(lambda text: self._submit(text, create=False,
                                                               key_mode=None))
            dialog.rejected.connect(self._gave_up)
            self.window.show_start("The case store is locked.")
            dialog.open()
        if error:
            self.unlock_dialog.show_error(error)

    def _gave_up(self) -> None:
        log_event("app.unlock-abandoned")
        self.window.show_start("The case store was not opened.", button="Try again",
                               callback=self.start)
        self.unlock_dialog = None
        self.abandoned.emit()

    # -- opening -----------------------------------------------------------------------------
    def _submit(self, passphrase: str | None, *, create: bool, key_mode: str | None) -> None:
        self.window.show_start("Unlocking…" if not create else "Creating the encrypted store…")
        home = self.probe.home

        def work(_control: TaskControl) -> Any:
            return _open(home, passphrase, create, key_mode)

        handle = self.runner.submit(work, name="open-store")
        handle.succeeded.connect(self._opened)
        handle.failed.connect(self._open_failed)

    def _open_failed(self, exc: BaseException) -> None:
        from caseapp.ui.errors import is_expected, user_message

        log_event("store.open-failed", error=type(exc).__name__)
        if not is_expected(exc):
            self._fail(exc)
            return
        message = user_message(exc)
        if self.probe is not None and self.probe.needs_passphrase:
            self._ask_passphrase(message)
        elif self.setup_dialog is not None and not self.probe.exists:
            self.window.show_start(message, error=True, button="Try again", callback=self.start)
        else:
            self.window.show_start(message, error=True, button="Try again", callback=self.start)

    def _fail(self, exc: BaseException) -> None:
        from caseapp.ui.errors import is_expected, user_message

        if not is_expected(exc):
            self.window.show_unexpected(exc)
        self.window.show_start(user_message(exc), error=True, button="Try again",
                               callback=self.start)

    def _opened(self, ws: Any) -> None:
        log_event("store.opened", key_mode=ws.key_mode, created=int(ws.recovery_code is not None))
        if self.unlock_dialog is not None:
            self.unlock_dialog.accept()
            self.unlock_dialog = None
        self.created = ws.recovery_code is not None
        self.window.on_close(ws.close)
        if ws.recovery_code:
            code, ws.recovery_code = ws.recovery_code, None
            dialog = RecoveryCodeDialog(code, self.window)
            self.recovery_dialog = dialog
            dialog.accepted.connect(lambda: self._attach(ws))
            dialog.open()
        else:
            self._attach(ws)

    def _attach(self, ws: Any) -> None:
        self.recovery_dialog = None
        ctx = AppContext(ws, self.runner, self.window)
        self.ctx = ctx
        self.window.attach(ctx)
        self.ready.emit(ctx)
        if self.created:
            self.offer_demo()

    def offer_demo(self) -> None:
        """Ask whether to load the demo cases into the new, empty store."""
        answer = QMessageBox.question(
            self.window, "Load demo data?",
            "The new store is empty. Load three fictional demo cases (with subjects, notes "
            "and exhibits) to look around? You can also do this later from the File menu, "
            "while the store is empty.")
        if answer == QMessageBox.StandardButton.Yes:
            self.window.actions_.load_demo()

"""Opening the store after the window has painted: first-run set-up, unlock, demo offer.

Everything slow runs on worker threads and in two steps, so the case list shows early:

1. ``probe_store`` + ``quick_open`` (keyring or passphrase, then the case list read straight
   from the encrypted file; no SQLAlchemy) -> the window shows a preview of the case list;
2. ``open_workspace(master_key=...)`` (SQLAlchemy, migrations, the vault, the GUI lock) -> the
   registered pages replace the preview, keeping its filter, sort and selection.

A new store goes through the key set-up dialog and a full open. Dialogs are opened with
``open()`` (never a nested ``exec()``), so the window stays live. ``CASEAPP_PASSPHRASE``
supplies the passphrase for automation, as on the command line; a wrong one leads to the
passphrase dialog.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from caseapp.ui.context import AppContext
from caseapp.ui.errors import is_expected, log_event, setup_log, user_message
from caseapp.ui.main_window import MainWindow
from caseapp.ui.maintenance.key_dialogs import KeySetupDialog, RecoveryCodeDialog, UnlockDialog
from caseapp.ui.workers import TaskControl, TaskRunner

if TYPE_CHECKING:
    from caseapp.services.errors import StoreUnavailable
    from caseapp.services.maintenance.startup import QuickOpen, StoreProbe
    from caseapp.services.workspace import Workspace
    from caseapp.ui.investigator import ProfileDialog
    from caseapp.ui.team.refresh import ChangeWatcher

    Probed = tuple[StoreProbe, QuickOpen | None, StoreUnavailable | None]


def _probe_and_unlock(home: str | Path | None, env_passphrase: str | None,
                      team: bool = False) -> Probed:
    """(probe, quick open or None, StoreUnavailable or None). ``team``: the records are on a
    team store, so the home's own case list is no preview of them."""
    import dataclasses

    from caseapp.services.errors import StoreUnavailable
    from caseapp.services.maintenance.startup import probe_store, quick_open

    probe = probe_store(home)
    if not probe.exists or (probe.needs_passphrase and not env_passphrase):
        return probe, None, None
    try:
        quick = quick_open(probe.home, env_passphrase)
    except StoreUnavailable as exc:
        return probe, None, exc
    if team and quick.source is not None:
        quick.source.close()
        quick = dataclasses.replace(quick, source=None)
    return probe, quick, None


def _open(home: Path, passphrase: str | None, create: bool, key_mode: str | None,
          master_key: bytes | None = None, store_url: str | None = None) -> Workspace:
    from caseapp.services.workspace import open_workspace

    ws = open_workspace(home, lambda _purpose: passphrase, create=create, exclusive=True,
                        key_mode=key_mode, master_key=master_key, store_url=store_url)
    try:
        _warm_up()
    except BaseException:
        ws.close()
        raise
    return ws


def _warm_up() -> None:
    """Import what the first screens use while still on the worker thread."""
    from caseapp.services.cases import caselist, cases, notes, subjects  # noqa: F401
    from caseapp.services.evidence import evidence  # noqa: F401
    from caseapp.services.maintenance import auditlog, verify  # noqa: F401
    from caseapp.services.redflags import risk  # noqa: F401


def _preload() -> None:
    """Import the database layer, the services and the feature modules and configure the ORM
    (modules only: no widget or other Qt object is made) on a worker: while a passphrase is
    typed, or beside the full open once the case list shows. Imports hold the GIL, so it is
    not started before the preview (it would only delay the list)."""
    import caseapp.services.workspace  # noqa: F401 - SQLAlchemy, SQLModel, the models
    from caseapp.services.maintenance.startup import preload_database_layer
    from caseapp.ui.features import app_features

    preload_database_layer()
    _warm_up()
    app_features()


class StartupController(QObject):
    """Drives probe -> (set-up | unlock) -> preview -> open -> recovery code -> attach."""

    #: Emitted with the AppContext once the window shows the store.
    ready = Signal(object)
    #: Emitted when the user gives up (Quit in a dialog).
    abandoned = Signal()

    def __init__(self, window: MainWindow, home: str | Path | None,
                 runner: TaskRunner | None = None, store_url: str | None = None) -> None:
        from caseapp.ui.team.store_choice import chosen_store

        super().__init__(window)
        self.window = window
        self.home_arg = home
        #: The store to open: "" the home's own, else a team store's URL (see store_choice).
        self.store_url = chosen_store(window.settings, store_url)
        self.watcher: ChangeWatcher | None = None
        self.runner = runner or TaskRunner(window)
        self.probe: StoreProbe | None = None
        self.setup_dialog: KeySetupDialog | None = None
        self.unlock_dialog: UnlockDialog | None = None
        self.recovery_dialog: RecoveryCodeDialog | None = None
        self.profile_dialog: ProfileDialog | None = None
        self.ctx: AppContext | None = None
        self.created = False
        self._master_key: bytes | None = None
        self._preloading = False

    @property
    def known_probe(self) -> StoreProbe:
        """What :meth:`start` found (every later step runs after it)."""
        assert self.probe is not None, "start() probes the data home first"
        return self.probe

    def start(self) -> None:
        """Find out what the data home holds and unlock it if no one needs to type anything."""
        self.window.show_start("Opening the encrypted case store…")
        env = os.environ.get("CASEAPP_PASSPHRASE") or None
        team = bool(self.store_url)
        handle = self.runner.submit(lambda _c: _probe_and_unlock(self.home_arg, env, team),
                                    name="probe")
        handle.succeeded.connect(self._probed)
        handle.failed.connect(self._fail)

    def _probed(self, result: Probed) -> None:
        probe, quick, error = result
        self.probe = probe
        setup_log(probe.home)
        log_event("app.start", store_exists=int(probe.exists), key_mode=probe.key_mode or "none")
        self.window.set_location(str(probe.home))
        if not probe.exists:
            env = os.environ.get("CASEAPP_PASSPHRASE") or None
            if env and not probe.keyring_usable:
                self._create(env, "passphrase")
            else:
                self._ask_setup()
        elif quick is not None:
            self._unlocked(quick)
        elif error is not None:
            log_event("store.open-failed", error=type(error).__name__)
            if probe.needs_passphrase:
                self._ask_passphrase(user_message(error))
            else:
                self._fail(error)
        else:
            self._preload()  # while the passphrase is typed
            self._ask_passphrase()

    # -- dialogs -----------------------------------------------------------------------------
    def _ask_setup(self) -> None:
        dialog = KeySetupDialog(self.known_probe.home, self.known_probe.keyring_usable, self.window)
        self.setup_dialog = dialog
        dialog.accepted.connect(lambda: self._create(dialog.passphrase(), dialog.mode))
        dialog.rejected.connect(self._gave_up)
        self.window.show_start("Set up the encrypted case store to begin.")
        dialog.open()

    def _ask_passphrase(self, error: str = "") -> None:
        if self.unlock_dialog is None:
            dialog = UnlockDialog(self.known_probe.home, self.window)
            self.unlock_dialog = dialog
            dialog.submitted.connect(self._try_passphrase)
            dialog.rejected.connect(self._gave_up)
            self.window.show_start("The case store is locked.")
            dialog.open()
        if error:
            self.unlock_dialog.show_error(error)

    def _try_passphrase(self, passphrase: str) -> None:
        from caseapp.services.maintenance.startup import quick_open

        home = self.known_probe.home
        handle = self.runner.submit(lambda _c: quick_open(home, passphrase), name="unlock")
        handle.succeeded.connect(self._unlocked)
        handle.failed.connect(self._open_failed)

    def _gave_up(self) -> None:
        log_event("app.unlock-abandoned")
        self.window.show_start("The case store was not opened.", button="Try again",
                               callback=self.start)
        self.unlock_dialog = None
        self.abandoned.emit()

    # -- opening -----------------------------------------------------------------------------
    def _unlocked(self, quick: QuickOpen) -> None:
        """The key is known: show the case list now, open everything else behind it."""
        if self.unlock_dialog is not None:
            self.unlock_dialog.accept()
            self.unlock_dialog = None
        self._master_key = quick.master_key
        if quick.source is None:
            self._full_open()
            return
        self.window.cases_painted.connect(self._full_open_once)
        self.window.show_preview(quick.source, str(quick.home))

    def _full_open_once(self, _rows: int) -> None:
        self.window.cases_painted.disconnect(self._full_open_once)
        self._preload()  # the feature modules beside the open (not before the list: GIL)
        self._full_open()

    def _preload(self) -> None:
        """Start :func:`_preload` once (its errors surface in the open that follows)."""
        if not self._preloading:
            self._preloading = True
            self.runner.submit(lambda _c: _preload(), name="preload")

    def _full_open(self) -> None:
        home, key, url = self.known_probe.home, self._master_key, self.store_url
        handle = self.runner.submit(lambda _c: _open(home, None, False, None, key, url),
                                    name="open-store")
        handle.succeeded.connect(self._opened)
        handle.failed.connect(self._open_failed)

    def _create(self, passphrase: str | None, key_mode: str) -> None:
        self.window.show_start("Creating the encrypted store…")
        home = self.known_probe.home

        def work(_control: TaskControl) -> Workspace:
            return _open(home, passphrase, True, key_mode, store_url=self.store_url)

        handle = self.runner.submit(work, name="create-store")
        handle.succeeded.connect(self._opened)
        handle.failed.connect(self._open_failed)

    def _open_failed(self, exc: BaseException) -> None:
        log_event("store.open-failed", error=type(exc).__name__)
        if not is_expected(exc):
            self._fail(exc)
        elif self.unlock_dialog is not None:
            self.unlock_dialog.show_error(user_message(exc))
        else:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        if not is_expected(exc):
            self.window.show_unexpected(exc)
        self.window.discard_preview()
        # A remembered team store that cannot be opened must not lock the user out of the
        # home's own records: the Connect dialog is reachable only once a store is open.
        local = ("Use &local store", self._use_local) if self.store_url else None
        self.window.show_start(user_message(exc), error=True, button="Try again",
                               callback=self.start, other=local)

    def _use_local(self) -> None:
        """Forget the team store and open the data home's own database instead."""
        from caseapp.ui.team.store_choice import remember_store

        log_event("team.use-local")
        remember_store(self.window.settings, "")
        self.store_url = ""
        self.start()

    def _opened(self, ws: Workspace) -> None:
        log_event("store.opened", key_mode=ws.key_mode, created=int(ws.recovery_code is not None))
        self._master_key = None
        self.created = ws.recovery_code is not None
        self.window.on_close(lambda: self._close(ws))
        if ws.recovery_code:
            code, ws.recovery_code = ws.recovery_code, None
            dialog = RecoveryCodeDialog(code, self.window)
            self.recovery_dialog = dialog
            dialog.accepted.connect(lambda: self._attach(ws))
            dialog.open()
        else:
            self._attach(ws)

    def _close(self, ws: Workspace) -> None:
        """The window closes: stop following the team store, then close the workspace."""
        watcher, self.watcher = self.watcher, None
        if watcher is not None:
            watcher.stop()
        ws.close()

    def _attach(self, ws: Workspace) -> None:
        from caseapp.ui.team.refresh import watch_changes

        self.recovery_dialog = None
        ctx = AppContext(ws, self.runner, self.window)
        self.ctx = ctx
        self.window.attach(ctx)
        self.watcher = watch_changes(ctx)  # a team store: lists follow colleagues' changes
        self.ready.emit(ctx)
        if self.created:
            self.ask_profile(ctx)

    def ask_profile(self, ctx: AppContext) -> None:
        """First run: who investigates here (Later is fine); then the demo offer."""
        from caseapp.ui.investigator import ProfileDialog

        dialog = ProfileDialog(ctx, self.window, first_run=True)
        self.profile_dialog = dialog
        dialog.finished.connect(self._profile_done)
        dialog.open()

    def _profile_done(self, _result: int) -> None:
        self.profile_dialog = None
        self.offer_demo()

    def offer_demo(self) -> None:
        """Ask whether to load the demo cases into the new, empty store."""
        answer = QMessageBox.question(
            self.window, "Load demo data?",
            "The new store is empty. Load three fictional demo cases (with subjects, notes "
            "and exhibits) to look around? You can also do this later from the File menu, "
            "while the store is empty.")
        if answer == QMessageBox.StandardButton.Yes:
            self.window.actions_.action("load-demo").trigger()

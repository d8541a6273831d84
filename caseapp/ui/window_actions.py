"""Menus, toolbar and keyboard shortcuts of the main window."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QToolBar

from caseapp.ui import registry
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event

if TYPE_CHECKING:
    from caseapp.ui.main_window import MainWindow


class WindowActions(QObject):
    """Creates every window action; those needing a store are enabled by :meth:`attach`."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.ctx: AppContext | None = None
        self._pending_shortcuts: list[tuple[QAction, Any]] = []
        bar = window.menuBar()
        self.menus: dict[str, QMenu] = {name: bar.addMenu(f"&{name}") for name in
                                        ("File", "Edit", "View", "Case", "Tools", "Help")}
        self.toolbar = QToolBar("Main toolbar")
        self.toolbar.setObjectName("main-toolbar")
        window.addToolBar(self.toolbar)
        m = self.menus
        self.new_case = self._action("&New case…", m["File"], "Ctrl+N", self._new_case, True)
        self.demo = self._action("Load &demo data…", m["File"], None, self.load_demo)
        self.backup = self._action("&Back up store…", m["File"], "Ctrl+Shift+B", self.backup_store)
        m["File"].addSeparator()
        self.file_extra = m["File"].addSeparator()
        self.quit = self._action("&Quit", m["File"], "Ctrl+Q", window.close,
                                 needs_store=False)
        self.find = self._action("&Find…", m["Edit"], "Ctrl+F", self._find,
                                 True)
        self.page_menu = m["View"]
        self.page_actions: list[QAction] = []
        self.refresh = self._action("&Refresh", m["View"], "F5",
                                    self._refresh)
        theme_menu = m["View"].addMenu("&Theme")
        self.theme_group = QActionGroup(self)
        current = str(window.settings.value("view/theme", "system"))
        for mode in ("system", "light", "dark"):
            act = theme_menu.addAction(mode.capitalize())
            act.setCheckable(True)
            act.setChecked(mode == current)
            act.triggered.connect(lambda _c=False, md=mode: window.set_theme(md))
            self.theme_group.addAction(act)
        self.add_subject = self._action("Add &subject…", m["Case"], "Ctrl+Shift+S",
                                        lambda: self._case_tab("subjects", "add_subject"))
        self.add_evidence = self._action("Add &evidence…", m["Case"], "Ctrl+I",
                                         lambda: self._case_tab("evidence", "choose_files"), True)
        self.add_note = self._action("Add &note…", m["Case"], "Ctrl+Shift+N",
                                     lambda: self._case_tab("timeline", "add_note"))
        m["Case"].addSeparator()
        self.case_extra_separator = m["Case"].addSeparator()
        self.close_tab = self._action("&Close case tab", m["Case"], "Ctrl+W",
                                      self._close_tab)
        self.verify = self._action("&Verify store", m["Tools"], "Ctrl+Shift+V", self._verify,
                                   True)
        self._action("&Keyboard shortcuts", m["Help"], "F1", self._shortcuts, needs_store=False)
        self._action("&About caseapp", m["Help"], None, self._about, needs_store=False)
        self.case_actions = [self.add_subject, self.add_evidence, self.add_note, self.close_tab]
        self.registered_case_actions: list[QAction] = []
        for act in self.findChildren(QAction):
            if act.property("needs_store"):
                act.setEnabled(False)

    def _action(self, text: str, menu: QMenu, shortcut: Any, slot: Any, toolbar: bool = False,
                needs_store: bool = True) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            self._pending_shortcuts.append((act, shortcut))
        act.triggered.connect(lambda _checked=False: slot())
        act.setProperty("needs_store", needs_store)
        menu.addAction(act)
        if toolbar:
            self.toolbar.addAction(act)
        return act

    def apply_shortcuts(self) -> None:
        """Install the shortcuts; done after the first paint, since building the key
        sequences creates every ``Qt`` enum (~25 ms)."""
        for act, shortcut in self._pending_shortcuts:
            act.setShortcut(QKeySequence(shortcut))
        self._pending_shortcuts.clear()

    # -- after unlock ------------------------------------------------------------------------
    def attach(self, ctx: AppContext, pages: list[tuple[str, str]]) -> None:
        """Enable store actions; add page, registered case and window actions."""
        self.apply_shortcuts()
        self.ctx = ctx
        for act in self.findChildren(QAction):
            if act.property("needs_store"):
                act.setEnabled(True)
        first = self.page_menu.actions()[0] if self.page_menu.actions() else None
        for number, (key, title) in enumerate(pages, start=1):
            act = QAction(f"Go to {title}", self)
            if number <= 9:
                act.setShortcut(QKeySequence(f"Ctrl+{number}"))
            act.triggered.connect(lambda _c=False, k=key: self.window.show_page(k))
            self.page_menu.insertAction(first, act)
            self.page_actions.append(act)
        self.page_menu.insertSeparator(first)
        for spec in registry.case_actions():
            act = QAction(spec.text, self)
            if spec.shortcut:
                act.setShortcut(QKeySequence(spec.shortcut))
            act.setToolTip(spec.tip or spec.text)
            act.triggered.connect(lambda _c=False, s=spec: self._run_case_action(s))
            self.menus["Case"].insertAction(self.case_extra_separator, act)
            if spec.toolbar:
                self.toolbar.addAction(act)
            self.registered_case_actions.append(act)
        for spec in registry.window_actions():
            act = QAction(spec.text, self)
            if spec.shortcut:
                act.setShortcut(QKeySequence(spec.shortcut))
            act.triggered.connect(lambda _c=False, s=spec: self._run_window_action(s))
            menu = self.menus[spec.menu]
            if spec.menu == "File":
                menu.insertAction(self.file_extra, act)
            else:
                menu.addAction(act)
        self.sync_case_actions()

    def sync_case_actions(self) -> None:
        """Case actions are enabled while a case view is in front."""
        has_case = self.ctx is not None and self.window.current_case_view() is not None
        for act in self.case_actions + self.registered_case_actions:
            act.setEnabled(has_case)

    def _run_case_action(self, spec: registry.ActionSpec) -> None:
        view = self.window.current_case_view()
        if view is None or self.ctx is None:
            return
        try:
            spec.callback(self.ctx, view.case_ref, view)
        except Exception as exc:  # noqa: BLE001 - the app keeps running
            self.ctx.report_error(exc, spec.text.replace("&", "").rstrip("…"))

    def _run_window_action(self, spec: registry.ActionSpec) -> None:
        if self.ctx is None:
            return
        try:
            spec.callback(self.ctx, self.window)
        except Exception as exc:  # noqa: BLE001
            self.ctx.report_error(exc, spec.text.replace("&", "").rstrip("…"))

    # -- slots -------------------------------------------------------------------------------
    def _cases_page(self) -> Any:
        return self.window.show_page("cases")

    def _new_case(self) -> None:
        self._cases_page().new_case()

    def _find(self) -> None:
        page = self.window.pages.get(self.window.current_page_key())
        if page is None or not callable(getattr(page, "focus_find", None)):
            page = self._cases_page()
        page.focus_find()

    def _refresh(self) -> None:
        page = self.window.pages.get(self.window.current_page_key())
        if page is not None and callable(getattr(page, "refresh", None)):
            page.refresh()
        self.window.update_counts()

    def _case_tab(self, key: str, method: str) -> Any:
        view = self.window.current_case_view()
        if view is None:
            return None
        return getattr(view.show_tab(key), method)()

    def _close_tab(self) -> None:
        page = self.window.pages.get("cases")
        if page is not None:
            page.close_current()

    def _verify(self) -> None:
        self.window.show_page("audit").verify()

    def load_demo(self) -> None:
        """Load the fictional demo cases into an empty store, in the background."""
        from caseapp.ui.widgets.common import run_with_progress

        if self.ctx is None:
            return
        ctx = self.ctx

        def work(_control: Any) -> Any:
            from caseapp.services.maintenance import demo

            return demo.load_demo(ctx.ws)

        def done(result: dict[str, Any]) -> None:
            log_event("demo.loaded", cases=len(result["cases"]))
            ctx.show_message(f"Loaded {len(result['cases'])} demo cases.")
            ctx.notify_changed("")

        run_with_progress(ctx, self.window, "Loading demo data", work, name="demo",
                          on_done=done, cancellable=False)

    def backup_store(self) -> None:
        """Back up the (still encrypted) store into a new folder chosen by the user."""
        from caseapp.ui.widgets.common import run_with_progress

        if self.ctx is None:
            return
        ctx = self.ctx
        parent = QFileDialog.getExistingDirectory(self.window, "Back up into which folder?")
        if not parent:
            return
        dest = Path(parent) / f"caseapp-backup-{datetime.now():%Y%m%d-%H%M%S}"

        def work(_control: Any) -> Any:
            from caseapp.services.maintenance import integrity

            return integrity.backup(ctx.ws, dest)

        def done(result: dict[str, Any]) -> None:
            log_event("store.backup", blobs=result["blobs"])
            ctx.show_message(f"Backed up to {result['path']} ({result['blobs']} exhibit files).")

        run_with_progress(ctx, self.window, "Backing up the store", work, name="backup",
                          on_done=done, cancellable=False)

    def _shortcuts(self) -> None:
        QMessageBox.information(self.window, "Keyboard shortcuts", self.window.shortcut_text())

    def _about(self) -> None:
        from caseapp import __version__

        QMessageBox.about(self.window, "About caseapp",
                          f"caseapp {__version__}\nOffline case management for investigations "
                          "of remote-IT-worker identity fraud.\nEverything stays on this "
                          "computer, encrypted.")

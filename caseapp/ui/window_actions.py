"""Menus, toolbar and keyboard shortcuts of the main window.

The window's own actions (quit, find, refresh, theme, help) exist from the start; the features'
actions (:mod:`caseapp.ui.features`) are added by :meth:`WindowActions.attach` once a store is
open. The window is seen through :class:`ActionHost`, so this module does not import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from caseapp.ui.features import MENUS, CaseActionSpec, Features, WindowActionSpec

if TYPE_CHECKING:
    from caseapp.ui.cases.case_view import CaseView
    from caseapp.ui.context import AppContext
    from caseapp.ui.widgets.panes import Page


class ActionHost(Protocol):
    """What the actions need of the main window."""

    settings: QSettings

    def current_page(self) -> Page | None: ...

    def show_page_key(self, key: str) -> Page: ...

    def current_case_view(self) -> CaseView | None: ...

    def set_theme(self, mode: str) -> None: ...

    def update_counts(self) -> None: ...

    def show_shortcuts(self) -> None: ...

    def show_about(self) -> None: ...


class WindowActions(QObject):
    """Creates the window's actions; :meth:`attach` adds the features' ones."""

    def __init__(self, window: QMainWindow, host: ActionHost) -> None:
        super().__init__(window)
        self.window = window
        self.host = host
        self.ctx: AppContext | None = None
        self._pending_shortcuts: list[tuple[QAction, str]] = []
        bar = window.menuBar()
        self.menus: dict[str, QMenu] = {name: bar.addMenu(f"&{name}") for name in MENUS}
        self.toolbar = QToolBar("Main toolbar")
        self.toolbar.setObjectName("main-toolbar")
        window.addToolBar(self.toolbar)
        m = self.menus
        self.file_end = m["File"].addSeparator()
        self.quit = self._action("&Quit", m["File"], "Ctrl+Q", window.close)
        self.find = self._action("&Find…", m["Edit"], "Ctrl+F", self._find)
        self.page_menu = m["View"]
        self.page_actions: list[QAction] = []
        self.refresh = self._action("&Refresh", m["View"], "F5", self._refresh)
        theme_menu = m["View"].addMenu("&Theme")
        self.theme_group = QActionGroup(self)
        current = str(host.settings.value("view/theme", "system"))
        for mode in ("system", "light", "dark"):
            act = theme_menu.addAction(mode.capitalize())
            act.setCheckable(True)
            act.setChecked(mode == current)
            act.triggered.connect(lambda _c=False, md=mode: host.set_theme(md))
            self.theme_group.addAction(act)
        self._action("&Keyboard shortcuts", m["Help"], "F1", host.show_shortcuts)
        self._action("&About caseapp", m["Help"], None, host.show_about)
        for act in (self.find, self.refresh):
            act.setEnabled(False)
        #: Feature actions by key, once attached.
        self.by_key: dict[str, QAction] = {}
        self.case_actions: list[QAction] = []

    def _action(self, text: str, menu: QMenu, shortcut: str | None,
                slot: object) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            self._pending_shortcuts.append((act, shortcut))
        act.triggered.connect(lambda _checked=False: slot())  # type: ignore[operator]
        menu.addAction(act)
        return act

    def apply_shortcuts(self) -> None:
        """Install the shortcuts; done after the first paint, since building the key
        sequences creates every ``Qt`` enum (~25 ms)."""
        for act, shortcut in self._pending_shortcuts:
            act.setShortcut(QKeySequence(shortcut))
        self._pending_shortcuts.clear()

    def action(self, key: str) -> QAction:
        """The feature action listed as ``key``."""
        return self.by_key[key]

    # -- after unlock ------------------------------------------------------------------------
    def attach(self, ctx: AppContext, features: Features) -> None:
        """Enable the window's actions; add page actions and the features' actions."""
        self.apply_shortcuts()
        self.ctx = ctx
        for act in (self.find, self.refresh):
            act.setEnabled(True)
        first = self.page_menu.actions()[0] if self.page_menu.actions() else None
        for number, page in enumerate(features.pages, start=1):
            act = QAction(f"Go to {page.title}", self)
            if number <= 9:
                act.setShortcut(QKeySequence(f"Ctrl+{number}"))
            act.triggered.connect(lambda _c=False, k=page.key: self.host.show_page_key(k))
            if first is None:
                self.page_menu.addAction(act)
            else:
                self.page_menu.insertAction(first, act)
            self.page_actions.append(act)
        if first is None:
            self.page_menu.addSeparator()
        else:
            self.page_menu.insertSeparator(first)
        for spec in features.window_actions:
            self._add_window_action(spec)
        case_menu = self.menus["Case"]
        for spec in features.case_actions:
            if spec.separated:
                case_menu.addSeparator()
            act = self._feature_action(spec.key, spec.text, spec.shortcut, spec.tip)
            act.triggered.connect(lambda _c=False, s=spec: self._run_case_action(s))
            case_menu.addAction(act)
            if spec.toolbar:
                self.toolbar.addAction(act)
            self.case_actions.append(act)
        self.sync_case_actions()

    def _feature_action(self, key: str, text: str, shortcut: str | None, tip: str) -> QAction:
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.setToolTip(tip or text.replace("&", ""))
        self.by_key[key] = act
        return act

    def _add_window_action(self, spec: WindowActionSpec) -> None:
        act = self._feature_action(spec.key, spec.text, spec.shortcut, spec.tip)
        act.triggered.connect(lambda _c=False, s=spec: self._run_window_action(s))
        if spec.menu == "File":
            self.menus["File"].insertAction(self.file_end, act)
        else:
            self.menus[spec.menu].addAction(act)
        if spec.toolbar:
            self.toolbar.addAction(act)

    def sync_case_actions(self) -> None:
        """Case actions are enabled while a case view is in front."""
        has_case = self.ctx is not None and self.host.current_case_view() is not None
        for act in self.case_actions:
            act.setEnabled(has_case)

    def _run_case_action(self, spec: CaseActionSpec) -> None:
        view = self.host.current_case_view()
        if view is None or self.ctx is None:
            return
        try:
            spec.callback(self.ctx, view.case_ref, view)
        except Exception as exc:  # noqa: BLE001 - the app keeps running
            self.ctx.report_error(exc, spec.text.replace("&", "").rstrip("…"))

    def _run_window_action(self, spec: WindowActionSpec) -> None:
        if self.ctx is None:
            return
        try:
            spec.callback(self.ctx, self.window)
        except Exception as exc:  # noqa: BLE001
            self.ctx.report_error(exc, spec.text.replace("&", "").rstrip("…"))

    # -- the window's own slots --------------------------------------------------------------
    def _find(self) -> None:
        page = self.host.current_page()
        if page is None:
            page = self.host.show_page_key("cases")
        page.focus_find()

    def _refresh(self) -> None:
        page = self.host.current_page()
        if page is not None:
            page.refresh()
        self.host.update_counts()

"""Extension points of the desktop app: navigation pages, case-view tabs, actions.

A feature module registers itself at import time and is imported from ONE place,
:mod:`caseapp.ui.plugins` (add one ``import`` line there). Example, a Tips page::

    # caseapp/ui/tips/page.py
    from caseapp.ui.registry import register_page

    class TipsPage(QWidget):
        def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None: ...

    register_page("tips", "Tips", TipsPage, order=20)

and a case-view tab or a case action::

    register_case_tab("redflags", "Red flags", RedFlagsTab, order=25)
    register_case_action("export-pdf", "Export PDF…", export_pdf, order=10, shortcut="Ctrl+E")

Factories and callbacks receive the :class:`caseapp.ui.context.AppContext` (``ctx.ws`` is the
open :class:`~caseapp.services.workspace.Workspace`, ``ctx.runner`` runs background tasks,
``ctx.open_case(ref)`` opens a case, ``ctx.notify_changed(ref)`` tells every view to refresh,
``ctx.show_message(text, error=False)`` writes to the status area):

* page factory ``(ctx, parent) -> QWidget``;
* case-tab factory ``(ctx, case_ref, parent) -> QWidget``;
* case action ``(ctx, case_ref, parent_widget) -> None``;
* window action ``(ctx, parent_widget) -> None``.

Optional methods the frame calls on pages and tabs when present: ``refresh()`` (data changed
or the widget became visible again), ``focus_find()`` (Ctrl+F on a page), ``title()`` is not
used - titles come from the registration. Pages get Ctrl+1..9 in ``order``.

A registration marked ``placeholder=True`` (Tips and Search until their issues land) is
replaced by a real registration of the same key whatever the import order; two real
registrations of one key are an error. Registration order does not matter: items are shown by
``order`` then key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PageFactory = Callable[[Any, Any], Any]
CaseTabFactory = Callable[[Any, str, Any], Any]
CaseActionCallback = Callable[[Any, str, Any], None]
WindowActionCallback = Callable[[Any, Any], None]


@dataclass(frozen=True)
class PageSpec:
    """A page in the navigation list."""

    key: str
    title: str
    factory: PageFactory
    order: int
    placeholder: bool = False


@dataclass(frozen=True)
class CaseTabSpec:
    """A tab of every case view."""

    key: str
    title: str
    factory: CaseTabFactory
    order: int


@dataclass(frozen=True)
class ActionSpec:
    """A menu action: on the current case (``Case`` menu) or window-wide."""

    key: str
    text: str
    callback: Callable[..., None]
    order: int
    shortcut: str | None = None
    menu: str = "Case"
    toolbar: bool = False
    tip: str = ""


_lock = threading.Lock()
_pages: dict[str, PageSpec] = {}
_case_tabs: dict[str, CaseTabSpec] = {}
_case_actions: dict[str, ActionSpec] = {}
_window_actions: dict[str, ActionSpec] = {}


def _check_key(key: str) -> None:
    if not key or not key.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"registry keys are short ASCII words, got {key!r}")


def register_page(key: str, title: str, factory: PageFactory, order: int = 100, *,
                  placeholder: bool = False) -> None:
    """Add a navigation page; ``factory(ctx, parent)`` builds it after the store is open."""
    _check_key(key)
    spec = PageSpec(key, title, factory, order, placeholder)
    with _lock:
        current = _pages.get(key)
        if current is not None and current.factory is not factory:
            if placeholder:
                return  # a real page already holds this key
            if not current.placeholder:
                raise ValueError(f"page {key!r} is already registered")
        _pages[key] = spec


def register_case_tab(key: str, title: str, factory: CaseTabFactory, order: int = 100) -> None:
    """Add a tab to every case view; ``factory(ctx, case_ref, parent)`` builds it."""
    _check_key(key)
    with _lock:
        current = _case_tabs.get(key)
        if current is not None and current.factory is not factory:
            raise ValueError(f"case tab {key!r} is already registered")
        _case_tabs[key] = CaseTabSpec(key, title, factory, order)


def register_case_action(key: str, text: str, callback: CaseActionCallback, order: int = 100,
                         *, shortcut: str | None = None, toolbar: bool = False,
                         tip: str = "") -> None:
    """Add an action on the current case to the Case menu (and the toolbar if asked)."""
    _check_key(key)
    with _lock:
        current = _case_actions.get(key)
        if current is not None and current.callback is not callback:
            raise ValueError(f"case action {key!r} is already registered")
        _case_actions[key] = ActionSpec(key, text, callback, order, shortcut, "Case", toolbar,
                                        tip)


def register_window_action(key: str, text: str, callback: WindowActionCallback,
                           order: int = 100, *, menu: str = "Tools",
                           shortcut: str | None = None, tip: str = "") -> None:
    """Add a window-wide action to ``menu`` ("File", "View" or "Tools")."""
    _check_key(key)
    if menu not in ("File", "View", "Tools"):
        raise ValueError(f"menu must be File, View or Tools, got {menu!r}")
    with _lock:
        current = _window_actions.get(key)
        if current is not None and current.callback is not callback:
            raise ValueError(f"window action {key!r} is already registered")
        _window_actions[key] = ActionSpec(key, text, callback, order, shortcut, menu, False, tip)


def _sorted(items: dict[str, Any]) -> list[Any]:
    with _lock:
        return sorted(items.values(), key=lambda s: (s.order, s.key))


def pages() -> list[PageSpec]:
    """Registered pages in display order."""
    return _sorted(_pages)


def case_tabs() -> list[CaseTabSpec]:
    """Registered case-view tabs in display order."""
    return _sorted(_case_tabs)


def case_actions() -> list[ActionSpec]:
    """Registered case actions in menu order."""
    return _sorted(_case_actions)


def window_actions() -> list[ActionSpec]:
    """Registered window actions in menu order."""
    return _sorted(_window_actions)

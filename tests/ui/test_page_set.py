"""The window builds the Cases page at attach and every other page when it is first needed."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from caseapp.ui.context import AppContext
from caseapp.ui.discovery.search_page import SearchPage
from caseapp.ui.features import Features, PageSpec
from caseapp.ui.main_window import MainWindow
from caseapp.ui.tips.page import TipsPage
from caseapp.ui.widgets.panes import FailedPage, Page
from caseapp.ui.workers import TaskRunner


def _built(window: Any) -> list[str]:
    return [key for key in window.pages if window.pages.built(key) is not None]


def test_pages_are_built_when_first_needed(qtbot, window) -> None:
    assert list(window.pages) == ["cases", "tips", "search", "audit"]
    assert window.current_page_key() == "cases" and _built(window) == ["cases"]
    features = window.ctx.features
    # the window's actions work from the start (load-demo follows the case count)
    assert all(window.actions_.action(spec.key).isEnabled()
               for spec in features.window_actions if spec.key != "load-demo")
    window.actions_.action("search-everywhere").trigger()  # an action that needs its page
    assert window.current_page_key() == "search"
    assert isinstance(window.pages.built("search"), SearchPage)
    assert window.stack.currentWidget() is window.pages["search"]
    window.nav.setCurrentRow(list(window.pages).index("tips"))  # brought forward
    assert isinstance(window.pages.built("tips"), TipsPage)
    assert window.stack.currentWidget() is window.pages["tips"]
    assert _built(window) == ["cases", "tips", "search"]
    tips = window.pages["tips"]
    window.show_page("cases")
    assert window.show_page("tips") is tips, "a page is built once"


class _Broken(Page):
    def __init__(self, ctx: AppContext) -> None:
        raise RuntimeError("broken page")


def test_a_page_that_fails_to_build_is_reported_when_first_shown(qtbot, ui_ws, dialogs,
                                                                 monkeypatch) -> None:
    reported: list[BaseException] = []
    monkeypatch.setattr(MainWindow, "show_unexpected", lambda _self, exc: reported.append(exc))
    window = MainWindow(features=Features(pages=(
        PageSpec("plain", "Plain", lambda _ctx: _Plain()), PageSpec("broken", "Broken", _Broken),
        PageSpec("other", "Other", lambda _ctx: _Other()),
    )))
    qtbot.addWidget(window)
    ctx = AppContext(ui_ws, TaskRunner(window), window)
    window.attach(ctx)
    assert reported == [] and _built(window) == ["plain"]
    with pytest.raises(KeyError):
        ctx.page(_Broken)
    assert [str(e) for e in reported] == ["broken page"]
    assert isinstance(window.pages["broken"], FailedPage)
    assert window.pages.built("other") is None
    assert window.pages.key_of(_Other) == "other"  # found by building it: a lambda's page
    assert isinstance(window.pages.built("other"), _Other)


class _Plain(Page):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def refresh(self) -> None:
        pass

    def focus_find(self) -> None:
        pass


class _Other(_Plain):
    pass

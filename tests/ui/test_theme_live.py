"""Switching the theme from the View menu repaints every part of the window live, both ways:
the navigation sidebar, the toolbar, a case's tabs and accent-coloured messages."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QToolBar, QWidget

from caseapp.services.cases import cases
from caseapp.ui import theme
from caseapp.ui.widgets.common import Banner, ErrorLabel


def _painted(widget: QWidget) -> QColor:
    """The colour actually painted near the bottom-right corner (past any items)."""
    image = widget.grab().toImage()
    return image.pixelColor(image.width() - 6, image.height() - 6)


def _menu_theme(window: Any, name: str) -> None:
    action = next(a for a in window.theme_group().actions() if a.text() == name)
    action.trigger()


def _close(a: QColor, b: QColor) -> bool:
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()),
               abs(a.blue() - b.blue())) <= 12


def test_sidebar_toolbar_and_messages_follow_the_theme_both_ways(qtbot, qapp, window) -> None:
    ref = cases.create_case(window.ctx.ws, "Theme case").ref
    window.open_case(ref)
    toolbar = window.findChildren(QToolBar)[0]
    error = ErrorLabel(window)
    error.show_error("Something failed")
    banner = Banner(window)
    banner.show_text("Saved", "ok")
    for mode in ("dark", "light", "dark", "light"):
        _menu_theme(window, mode.capitalize())
        qapp.processEvents()
        pal = qapp.palette()
        base, win_colour = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Window)
        assert theme.current() == mode
        nav = _painted(window.nav)
        assert _close(nav, base), (mode, nav.name(), base.name())
        assert window.nav.palette().color(QPalette.ColorRole.Base) == base
        assert window.nav.palette().color(QPalette.ColorRole.Text) == pal.color(
            QPalette.ColorRole.Text)
        bar = _painted(toolbar)
        assert _close(bar, win_colour) or _close(bar, pal.color(QPalette.ColorRole.Button)), \
            (mode, bar.name())
        # accent colours are the ones of the palette now in use
        assert error.palette().color(QPalette.ColorRole.WindowText) == theme.accent("error")
        assert banner.label.palette().color(QPalette.ColorRole.WindowText) == theme.accent("ok")

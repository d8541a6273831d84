"""Light and dark palettes (Fusion style), chosen from the system or the View menu.

Colours used for case status, errors and success are picked per palette so that text stays
readable (WCAG contrast >= 4.5 against the base colour; a test checks it).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

THEMES = ("system", "light", "dark")

_LIGHT = {
    "window": "#f3f4f6", "window_text": "#1f2328", "base": "#ffffff", "alt_base": "#f6f8fa",
    "text": "#1f2328", "button": "#eceff3", "button_text": "#1f2328", "highlight": "#0b5cad",
    "highlight_text": "#ffffff", "link": "#0a58ca", "tooltip_base": "#fffbe6",
    "tooltip_text": "#1f2328", "placeholder": "#6b7280", "disabled": "#8b949e",
    "mid": "#c9ced6", "dark": "#9aa1ab", "light": "#ffffff",
}
_DARK = {
    "window": "#1e2227", "window_text": "#e6e8eb", "base": "#16191d", "alt_base": "#1f2329",
    "text": "#e6e8eb", "button": "#2a2f36", "button_text": "#e6e8eb", "highlight": "#2f6fb3",
    "highlight_text": "#ffffff", "link": "#7cb7ff", "tooltip_base": "#2a2f36",
    "tooltip_text": "#e6e8eb", "placeholder": "#9aa4b1", "disabled": "#8a929c",
    "mid": "#3a414b", "dark": "#111316", "light": "#3a414b",
}

#: Accent colours readable on the palette's base colour.
ACCENTS = {
    "light": {"open": "#0f6e2f", "in-review": "#8a5300", "escalated": "#b3261e",
              "closed": "#57606a", "error": "#b3261e", "ok": "#0f6e2f", "warn": "#8a5300"},
    "dark": {"open": "#5fd38a", "in-review": "#f0b35a", "escalated": "#ff8a80",
             "closed": "#a8b1bb", "error": "#ff8a80", "ok": "#5fd38a", "warn": "#f0b35a"},
}

_current = "light"
_system_dark: bool | None = None
#: Widgets whose style sheet is built from the palette's accents: rebuilt on a theme change.
_styled: weakref.WeakKeyDictionary[QWidget, Callable[[], str]] = weakref.WeakKeyDictionary()


def _palette(colours: dict[str, str]) -> QPalette:
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: "window", QPalette.ColorRole.WindowText: "window_text",
        QPalette.ColorRole.Base: "base", QPalette.ColorRole.AlternateBase: "alt_base",
        QPalette.ColorRole.Text: "text", QPalette.ColorRole.Button: "button",
        QPalette.ColorRole.ButtonText: "button_text", QPalette.ColorRole.Highlight: "highlight",
        QPalette.ColorRole.HighlightedText: "highlight_text", QPalette.ColorRole.Link: "link",
        QPalette.ColorRole.ToolTipBase: "tooltip_base",
        QPalette.ColorRole.ToolTipText: "tooltip_text",
        QPalette.ColorRole.PlaceholderText: "placeholder", QPalette.ColorRole.Mid: "mid",
        QPalette.ColorRole.Dark: "dark", QPalette.ColorRole.Light: "light",
        QPalette.ColorRole.BrightText: "highlight_text",
    }
    for role, key in roles.items():
        pal.setColor(role, QColor(colours[key]))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(colours["disabled"]))
    return pal


def light_palette() -> QPalette:
    """The light palette."""
    return _palette(_LIGHT)


def dark_palette() -> QPalette:
    """The dark palette."""
    return _palette(_DARK)


def system_prefers_dark(app: QApplication) -> bool:
    """True when the platform's own palette is dark (Windows/macOS/desktop dark modes).

    Reads the default window colour rather than ``styleHints().colorScheme()``: returning a
    ``Qt`` enum builds the whole ``Qt`` namespace, which would cost ~25 ms before the first paint.
    """
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


def resolve(mode: str, system_dark: bool) -> str:
    """'system' -> 'light' or 'dark'; unknown modes mean 'light'."""
    if mode == "system":
        return "dark" if system_dark else "light"
    return mode if mode in ("light", "dark") else "light"


def apply_theme(app: QApplication, mode: str = "system") -> str:
    """Apply Fusion with the light or dark palette; returns the palette used."""
    global _current, _system_dark
    if _system_dark is None:  # read once, before our own palette replaces the platform's
        _system_dark = system_prefers_dark(app)
    _current = resolve(mode, _system_dark)
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if _current == "dark" else light_palette())
    _restyle(app)
    return _current


def style_with(widget: QWidget, build: Callable[[], str]) -> None:
    """Give ``widget`` the style sheet ``build()`` now and again after every theme change
    (``build`` reads :func:`accent`, so the colours follow the palette)."""
    _styled[widget] = build
    widget.setStyleSheet(build())


def _restyle(app: QApplication) -> None:
    """Re-apply every widget's style sheet after a palette change.

    A widget with a style sheet keeps the palette it was polished with (the navigation list
    stayed white in dark mode); setting the sheet again re-polishes it with the new palette.
    Sheets registered with :func:`style_with` are rebuilt with the new accents.
    """
    for widget in app.allWidgets():
        build = _styled.get(widget)
        sheet = build() if build is not None else widget.styleSheet()
        if sheet:
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)


def current() -> str:
    """'light' or 'dark', whichever was applied last."""
    return _current


def accent(name: str) -> QColor:
    """An accent colour ('open', 'escalated', 'error', 'ok', ...) for the current palette."""
    return QColor(ACCENTS[_current].get(name, ACCENTS[_current]["closed"]))


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio between two colours (1..21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)

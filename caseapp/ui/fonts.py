"""Bundled fonts as UI fallbacks: names in Hangul and Chinese render even where the OS has no
CJK font (the PDF embeds the same fonts; the UI used to show empty boxes).

Registered after the first paint (:func:`caseapp.ui.app.run`): reading the font files costs a
few milliseconds that the first paint should not wait for.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontInfo
from PySide6.QtWidgets import QApplication

#: Bundled files tried after the platform's own font, in this order (Hangul, then the rest
#: of CJK); see resources/fonts/README.md for their licences.
FALLBACK_FILES = ("NanumGothic.ttf", "DroidSansFallbackFull.ttf")

_registered: list[str] = []


def register_fallbacks(app: QApplication) -> list[str]:
    """Load the bundled CJK fonts and put them behind the application font's family.

    Returns the fallback families (empty when none could be loaded); safe to call twice.
    """
    from caseapp.resources_access import resource

    if not _registered:
        for name in FALLBACK_FILES:
            try:
                data = resource("fonts", name).read_bytes()
            except OSError:
                continue
            font_id = QFontDatabase.addApplicationFontFromData(data)
            if font_id >= 0:
                _registered.extend(f for f in QFontDatabase.applicationFontFamilies(font_id)
                                   if f not in _registered)
    if _registered:
        # A substitution (unlike a new application font) also reaches the widgets and fonts
        # made before this call: Qt uses substitutes for the glyphs the family lacks.
        font = app.font()
        # only the family actually used: a substitution for an alias such as "Sans Serif"
        # would replace the platform's choice for every glyph
        for family in {QFontInfo(font).family()}:
            if family and family not in _registered:
                have = {f.casefold() for f in QFont.substitutes(family)}
                missing = [f for f in _registered if f.casefold() not in have]
                QFont.insertSubstitutions(family, missing)
    return list(_registered)


def fallbacks_of(family: str) -> list[str]:
    """The families Qt falls back to for ``family``, case-folded (Qt folds them)."""
    return [f.casefold() for f in QFont.substitutes(family)]

"""Bundled CJK fonts are the UI's fallbacks: Hangul and Chinese names never show as boxes."""

from __future__ import annotations

from PySide6.QtGui import QFontInfo, QImage
from PySide6.QtWidgets import QLabel

from caseapp.services.cases import cases, subjects
from caseapp.ui.fonts import fallbacks_of, register_fallbacks


def _picture(text: str, font) -> QImage:
    label = QLabel(text)
    label.setFont(font)
    label.resize(120, 40)
    return label.grab().toImage()


def test_hangul_and_chinese_render_with_the_bundled_fallbacks(qapp, window) -> None:
    families = register_fallbacks(qapp)
    folded = [f.casefold() for f in families]
    assert "NanumGothic" in families and len(families) == 2
    assert register_fallbacks(qapp) == families  # twice is harmless
    font = qapp.font()
    assert fallbacks_of(QFontInfo(font).family())[-2:] == folded
    missing = _picture("\ue000", font)  # a private-use code point: drawn as the "no glyph" box
    for text in ("김", "王"):
        assert _picture(text, font) != missing, text
    # the real widget: a subject with a Hangul alias on the Subjects tab
    ref = cases.create_case(window.ctx.ws, "Font case").ref
    subjects.add_subject(window.ctx.ws, ref, "Kim", aliases=["김민준"])
    tab = window.open_case(ref).show_tab("subjects")
    tab.refresh()
    assert set(folded) <= set(fallbacks_of(QFontInfo(tab.font()).family()))
    # a widget made before the fonts were registered (the window) renders Hangul too
    label = QLabel("김민준", window)
    label.resize(120, 40)
    boxes = QLabel("\ue000\ue000\ue000", window)
    boxes.resize(120, 40)
    assert label.grab().toImage() != boxes.grab().toImage()

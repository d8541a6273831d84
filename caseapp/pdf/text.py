"""User text -> safe reportlab Paragraph markup rendered with embedded, script-covering fonts.

No Qt, no database. ``register_fonts()`` registers the TrueType fonts vendored in
``resources/fonts`` (see its README) and ``markup()`` turns arbitrary user text into
Paragraph markup:

* NFC-normalised (so macOS-style decomposed Hangul renders as syllables), ``& < > " '``
  escaped, so user text can never inject tags;
* ``\\n`` (and other line breaks) -> ``<br/>``, ``\\t`` -> a space; reportlab collapses runs
  of spaces as usual;
* other control characters, lone surrogates and characters that no vendored font has are
  replaced by U+FFFD (never dropped) and counted (:func:`replacement_count`);
* split into runs by glyph coverage: characters the base font lacks are grouped and each
  group is set in the first fallback font that has *every* glyph of the group (so ``王伟``
  stays in one font), wrapped in ``<font name=...>``.

Wrapping: nothing is inserted into the text. reportlab does not break at U+200B (its word
split is ``str.split()``) and the character would end up in the extracted text, so instead
we rely on ``ParagraphStyle.splitLongWords`` (on by default): a word wider than the line
is split at the character where the line is full. Hashes and URLs therefore wrap inside
fixed-width table cells, and pypdf extracts them with only line breaks between the pieces.
Give tables explicit ``colWidths``; reportlab's ``uriWasteReduce`` must stay off (it splits
a URL once and then lets the tail overflow).

For a PDF with only embedded fonts, also pass ``initialFontName=FontSet.body`` to the doc
template and ``("FONTNAME", (0, 0), (-1, -1), FontSet.body)`` to every TableStyle; otherwise
reportlab adds an unused, unembedded Helvetica to the page resources.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from dataclasses import dataclass

from reportlab.lib.fonts import addMapping
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

from caseapp.domain.text import visible
from caseapp.resources_access import resource

__all__ = [
    "FontSet",
    "markup",
    "plain_cell",
    "register_fonts",
    "replacement_count",
    "reset_replacement_count",
]

REPLACEMENT = "\ufffd"

# reportlab font name -> vendored file
_FONT_FILES: dict[str, str] = {
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "DejaVuSansMono": "DejaVuSansMono.ttf",
    "NanumGothic": "NanumGothic.ttf",
    "NanumGothicBold": "NanumGothicBold.ttf",
    "DroidSansFallbackFull": "DroidSansFallbackFull.ttf",
}
# family -> (regular, bold); no italics are vendored, so <i> renders upright.
_FAMILIES: dict[str, tuple[str, str]] = {
    "DejaVuSans": ("DejaVuSans", "DejaVuSans-Bold"),
    "DejaVuSansMono": ("DejaVuSansMono", "DejaVuSansMono"),
    "NanumGothic": ("NanumGothic", "NanumGothicBold"),
    "DroidSansFallbackFull": ("DroidSansFallbackFull", "DroidSansFallbackFull"),
}

_LINE_BREAKS = {"\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"}
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}


@dataclass(frozen=True)
class FontSet:
    """Registered reportlab font names and the per-character fallback chains."""

    body: str
    bold: str
    mono: str
    fallback: tuple[str, ...]  # tried in order after body (or mono) for missing glyphs
    bold_fallback: tuple[str, ...]  # the same for bold text

    def chain(self, *, bold: bool = False, mono: bool = False) -> tuple[str, ...]:
        """The full lookup chain, base font first."""
        if mono:
            return (self.mono, self.bold if bold else self.body,
                    *(self.bold_fallback if bold else self.fallback))
        if bold:
            return (self.bold, *self.bold_fallback)
        return (self.body, *self.fallback)


_FONTSET = FontSet(
    body="DejaVuSans",
    bold="DejaVuSans-Bold",
    mono="DejaVuSansMono",
    fallback=("NanumGothic", "DroidSansFallbackFull"),
    bold_fallback=("NanumGothicBold", "DroidSansFallbackFull"),
)

_lock = threading.Lock()
_registered = False
_coverage: dict[str, frozenset[str]] = {}  # font name -> characters it has a glyph for
_pref_cache: dict[tuple[str, ...], dict[str, int]] = {}  # chain -> char -> index (-1: none)
_replaced = 0


def _patch_to_unicode_cmap() -> None:
    """Make reportlab's ToUnicode CMaps correct for characters beyond the BMP.

    reportlab 4.x writes ``<%04X>`` per code point, which for e.g. U+1D4D9 (styled
    "fancy text" letters) or emoji is five hex digits: invalid, and the character is lost
    on text extraction. PDF wants UTF-16BE there (a surrogate pair). Patched only when the
    installed reportlab still shows the bug, so a fixed release disables this.
    """
    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "_caseapp_patched", False) or "<1F600>" not in original("probe", [0x1F600]):
        return

    def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
        cmap = original(fontname, [cp if cp <= 0xFFFF else 0xFFFD for cp in subset])
        for i, cp in enumerate(subset):
            if cp > 0xFFFF:
                utf16 = chr(cp).encode("utf-16-be").hex().upper()
                cmap = cmap.replace(f"\n<{i:02X}> <FFFD>\n", f"\n<{i:02X}> <{utf16}>\n", 1)
        return cmap

    to_unicode_cmap._caseapp_patched = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = to_unicode_cmap


def _fix_trailing_advances(face: ttfonts.TTFontFile) -> None:
    """Put back the advance widths reportlab 5.1 garbles for glyphs past ``numberOfHMetrics``.

    A font may list full metrics for its first glyphs only; the rest share the last advance.
    reportlab reads those glyphs' advance already scaled to 1/1000 em and writes that number
    into the subset it embeds as if it were in font units (DejaVu Sans Mono: 602 instead of
    1233), so the embedded program disagrees with the PDF's /Widths (PDF/A rule 6.2.11.5).
    The widths reportlab lays text out with (``charWidths``) are right and stay as they are.
    """
    hhea = face.get_table("hhea")
    full = int.from_bytes(hhea[34:36], "big")
    metrics = face.hmetrics
    if not 0 < full < len(metrics):
        return
    advance = metrics[full - 1][0]
    face.hmetrics = metrics[:full] + [(advance, lsb) for _aw, lsb in metrics[full:]]


def register_fonts() -> FontSet:
    """Register the vendored TrueType fonts and families with reportlab (idempotent)."""
    global _registered
    if _registered:
        return _FONTSET
    with _lock:
        if _registered:
            return _FONTSET
        _patch_to_unicode_cmap()
        for name, filename in _FONT_FILES.items():
            data = resource("fonts", filename).read_bytes()
            if data[:4] != b"\x00\x01\x00\x00":  # 'OTTO' would be CFF, which reportlab can't embed
                raise RuntimeError(f"{filename} is not a TrueType (glyf) font")
            font = TTFont(name, io.BytesIO(data))
            _fix_trailing_advances(font.face)
            pdfmetrics.registerFont(font)
            _coverage[name] = frozenset(
                chr(cp) for cp, gid in font.face.charToGlyph.items() if gid
            )
        for family, (regular, bold) in _FAMILIES.items():
            # ps2tt() keeps the *last* mapping added per font name, so add italics first and
            # the upright faces last: <b> and <font name=...> then resolve as expected.
            addMapping(family, 0, 1, regular)
            addMapping(family, 1, 1, bold)
            addMapping(family, 1, 0, bold)
            addMapping(family, 0, 0, regular)
        _registered = True
    return _FONTSET


def replacement_count() -> int:
    """How many characters markup() replaced by U+FFFD since the last reset (process-wide).

    Log this number, never the characters: they are case content.
    """
    return _replaced


def reset_replacement_count() -> None:
    """Reset the counter behind :func:`replacement_count`."""
    global _replaced
    _replaced = 0


def _preference(chain: tuple[str, ...]) -> dict[str, int]:
    table = _pref_cache.get(chain)
    if table is None:
        table = _pref_cache.setdefault(chain, {})
    return table


def _pref(ch: str, chain: tuple[str, ...], table: dict[str, int]) -> int:
    """Index of the first font in ``chain`` with a glyph for ``ch`` (-1: none), cached."""
    idx = table.get(ch)
    if idx is None:
        idx = -1
        if unicodedata.category(ch) not in ("Cc", "Cs"):  # controls, lone surrogates
            for i, name in enumerate(chain):
                if ch in _coverage[name]:
                    idx = i
                    break
        table[ch] = idx
    return idx


def _clean_line(line: str, chain: tuple[str, ...], table: dict[str, int]) -> tuple[str, list[int]]:
    """Replace unrenderable characters; return the line and each character's preference."""
    global _replaced
    out: list[str] = []
    prefs: list[int] = []
    for ch in line:
        if ch == "\t":
            ch = " "
        p = _pref(ch, chain, table)
        if p < 0:
            _replaced += 1
            ch = REPLACEMENT
            p = _pref(ch, chain, table)
        out.append(ch)
        prefs.append(p)
    return "".join(out), prefs


def _runs(line: str, prefs: list[int], chain: tuple[str, ...]) -> list[tuple[int, str]]:
    """Split a line into (font index in chain, text) runs."""
    # 1. maximal segments of characters the base font has / lacks
    segments: list[tuple[bool, int, int]] = []  # (needs fallback, start, end)
    start = 0
    for i in range(1, len(line) + 1):
        if i == len(line) or (prefs[i] > 0) != (prefs[start] > 0):
            segments.append((prefs[start] > 0, start, i))
            start = i
    # 2. one fallback font for the whole segment if one has every glyph, else per character
    runs: list[tuple[int, str]] = []
    for needs_fallback, s, e in segments:
        text = line[s:e]
        if not needs_fallback:
            runs.append((0, text))
            continue
        chars = set(text)
        for k in range(1, len(chain)):
            if chars <= _coverage[chain[k]]:
                runs.append((k, text))
                break
        else:
            for i in range(s, e):
                if runs and runs[-1][0] == prefs[i]:
                    runs[-1] = (prefs[i], runs[-1][1] + line[i])
                else:
                    runs.append((prefs[i], line[i]))
    # 3. fold whitespace between two runs of the same fallback font into them
    merged: list[tuple[int, str]] = []
    i = 0
    while i < len(runs):
        k, text = runs[i]
        if (
            k == 0 and text.isspace() and merged and i + 1 < len(runs)
            and merged[-1][0] == runs[i + 1][0] != 0
            and set(text) <= _coverage[chain[merged[-1][0]]]
        ):
            merged[-1] = (merged[-1][0], merged[-1][1] + text + runs[i + 1][1])
            i += 2
            continue
        if merged and merged[-1][0] == k:
            merged[-1] = (k, merged[-1][1] + text)
        else:
            merged.append((k, text))
        i += 1
    return merged


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def _split_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n")
    lines: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch in _LINE_BREAKS:
            lines.append("".join(current))
            current = []
        else:
            current.append(ch)
    lines.append("".join(current))
    return lines


def markup(text: str, *, bold: bool = False, mono: bool = False) -> str:
    """Turn user text into safe Paragraph markup with per-run font fallback.

    Base-font runs are left unwrapped, so use a ParagraphStyle whose ``fontName`` is
    ``FontSet.body`` (``bold=True`` wraps the text in ``<b>``; ``mono=True`` wraps it in
    ``<font name=FontSet.mono>`` and works with any style font).
    """
    fonts = register_fonts()
    chain = fonts.chain(bold=bold, mono=mono)
    table = _preference(chain)
    # Hidden bidi/zero-width characters are shown, not obeyed: "rtl\u202egpj.exe" must not
    # read as "rtlexe.jpg" in a court exhibit.
    text = visible(unicodedata.normalize("NFC", text).strip())
    parts: list[str] = []
    for line in _split_lines(text):
        cleaned, prefs = _clean_line(line, chain, table)
        pieces = []
        for k, run in _runs(cleaned, prefs, chain) if cleaned else []:
            if k == 0:
                pieces.append(_escape(run))
            else:
                pieces.append(f'<font name="{chain[k]}">{_escape(run)}</font>')
        parts.append("".join(pieces))
    body = "<br/>".join(parts)
    if bold:
        body = f"<b>{body}</b>"
    if mono:
        body = f'<font name="{fonts.mono}">{body}</font>'
    return body


def plain_cell(text: str, style: ParagraphStyle) -> Paragraph:
    """``Paragraph(markup(text), style)``; bold/mono follow the style's font.

    The style's ``fontName`` must be one of ``FontSet.body``, ``.bold`` or ``.mono``.
    """
    fonts = register_fonts()
    if style.fontName not in (fonts.body, fonts.bold, fonts.mono):
        raise ValueError(
            f"style {style.name!r} uses font {style.fontName!r}; use a FontSet font "
            f"({fonts.body}, {fonts.bold} or {fonts.mono}) so fallback runs match"
        )
    return Paragraph(
        markup(text, bold=style.fontName == fonts.bold, mono=style.fontName == fonts.mono),
        style,
    )

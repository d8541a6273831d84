"""Page geometry and styles of the case file, and its building blocks: cached paragraphs,
headings that feed the clickable contents and the PDF outline, page markers for Bates
ranges, and the table of contents. The doc template is in :mod:`caseapp.pdf.doc`."""

from __future__ import annotations

from ast import literal_eval
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.tableofcontents import TableOfContents, drawPageNumbers
from reportlab.platypus.tables import TableStyle

from caseapp.pdf.text import FontSet, markup, register_fonts

PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 20 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#9aa5b1")
ACCENT = colors.HexColor("#243b53")
ALERT = colors.HexColor("#b42318")
SHADE = colors.HexColor("#eef1f4")


@dataclass(frozen=True)
class Styles:
    """Paragraph styles of the case file, all on the embedded fonts."""

    fonts: FontSet
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_head: ParagraphStyle
    mono: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    cover_label: ParagraphStyle
    cover_title: ParagraphStyle
    cover_ref: ParagraphStyle
    caption: ParagraphStyle
    header: ParagraphStyle
    header_right: ParagraphStyle
    legend: ParagraphStyle
    footer: ParagraphStyle
    footer_right: ParagraphStyle


def make_styles() -> Styles:
    """The style sheet (fonts registered on first use)."""
    f = register_fonts()

    def style(name: str, font: str, size: float, leading: float, **kw: Any) -> ParagraphStyle:
        kw.setdefault("textColor", INK)
        # No space shrinkage: reportlab would otherwise let left-aligned lines run up to 5%
        # of their spaces' width past the column (and past the page margin).
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading,
                              spaceShrinkage=0, **kw)

    return Styles(
        fonts=f,
        body=style("body", f.body, 9, 12.5, spaceAfter=4),
        small=style("small", f.body, 7.5, 9.5, textColor=MUTED),
        cell=style("cell", f.body, 7.8, 9.8),
        cell_bold=style("cell_bold", f.bold, 7.8, 9.8),
        cell_head=style("cell_head", f.bold, 7.5, 9.5, textColor=colors.white),
        mono=style("mono", f.mono, 7, 9),
        h1=style("h1", f.bold, 15, 19, spaceAfter=8, textColor=ACCENT, keepWithNext=1),
        h2=style("h2", f.bold, 11, 14, spaceBefore=8, spaceAfter=4, textColor=ACCENT,
                 keepWithNext=1),
        h3=style("h3", f.bold, 9, 12, spaceBefore=6, spaceAfter=3, keepWithNext=1),
        cover_label=style("cover_label", f.bold, 16, 20, alignment=TA_CENTER,
                          textColor=ALERT),
        cover_title=style("cover_title", f.bold, 20, 26, spaceAfter=6, textColor=ACCENT),
        cover_ref=style("cover_ref", f.bold, 13, 17, spaceAfter=10, textColor=MUTED),
        caption=style("caption", f.body, 7.5, 9.5, textColor=MUTED, spaceBefore=3),
        header=style("header", f.bold, 8, 10, textColor=ALERT),
        header_right=style("header_right", f.bold, 8, 10, alignment=TA_RIGHT,
                           textColor=MUTED),
        legend=style("legend", f.body, 6.5, 8, textColor=ALERT),
        footer=style("footer", f.mono, 8, 10),
        footer_right=style("footer_right", f.body, 8, 10, alignment=TA_RIGHT,
                           textColor=MUTED),
    )


def table_style(styles: Styles, *, header: bool = True, zebra: bool = True,
                extra: list[tuple[Any, ...]] | None = None) -> TableStyle:
    """Grid style used by every table; sets FONTNAME so no unembedded font sneaks in."""
    cell = styles.cell
    commands: list[tuple[Any, ...]] = [
        # Plain-string cells (see sections_base.cell) use these; Paragraph cells their style.
        ("FONTNAME", (0, 0), (-1, -1), styles.fonts.body),
        ("FONTSIZE", (0, 0), (-1, -1), cell.fontSize),
        ("LEADING", (0, 0), (-1, -1), cell.leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), cell.textColor),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]
    if header:
        head = styles.cell_head
        commands += [("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                     ("FONTNAME", (0, 0), (-1, 0), styles.fonts.bold),
                     ("FONTSIZE", (0, 0), (-1, 0), head.fontSize),
                     ("LEADING", (0, 0), (-1, 0), head.leading),
                     ("TEXTCOLOR", (0, 0), (-1, 0), head.textColor)]
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, 1 if header else 0), (-1, -1),
                         [colors.white, SHADE]))
    return TableStyle(commands + (extra or []))


_ASCII_OK = frozenset(chr(c) for c in range(0x20, 0x7F)) | {"\n", "\t"}
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})


def mk(text: str, *, bold: bool = False, mono: bool = False) -> str:
    """:func:`~caseapp.pdf.text.markup` with a fast path for plain printable ASCII
    (the bulk of a case file: hashes, dates, labels), producing the same markup."""
    if not _ASCII_OK.issuperset(text):
        return markup(text, bold=bold, mono=mono)
    body = "<br/>".join(line.replace("\t", " ").translate(_ESCAPE)
                        for line in text.strip().split("\n"))
    if bold:
        body = f"<b>{body}</b>"
    if mono:
        body = f'<font name="{register_fonts().mono}">{body}</font>'
    return body


class Para(Paragraph):
    """A Paragraph that remembers its line breaking for the last width it was wrapped to.

    Tables wrap each cell several times (sizing, splitting, drawing); the text and style
    never change, so the same width gives the same lines. (``split`` may drop ``blPara``;
    then it is computed again.)
    """

    _wrapped_at: float | None = None

    def wrap(  # pyright: ignore[reportIncompatibleMethodOverride] - untyped base
            self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if availWidth == self._wrapped_at and "blPara" in self.__dict__:
            self.width = availWidth
            return self.width, self.height
        result = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth
        return result


#: Characters every base font (DejaVu Sans, Bold, Mono) has: ASCII, Latin-1, a few marks.
PLAIN_CHARS = (frozenset(chr(c) for c in range(0x20, 0x7F))
               | frozenset(chr(c) for c in range(0xA0, 0x100))
               | frozenset("\n—–·…×→“”‘’•€"))


class PlainLines(Flowable):
    """A few lines of base-font text drawn as they are when they fit the width (no markup
    parsing, no line breaking: most captions and notes of a big case file); otherwise the
    paragraph from ``make_para`` does the work. Left-aligned styles only."""

    def __init__(self, text: str, style: ParagraphStyle,
                 make_para: Callable[[], Paragraph]) -> None:
        super().__init__()
        self.style = style
        self.lines = [" ".join(line.split()) for line in text.strip().split("\n")]
        self._make_para = make_para
        self._para: Paragraph | None = None
        self._widest: float | None = None

    def _fits(self, width: float) -> bool:
        if self._widest is None:
            s = self.style
            self._widest = max(stringWidth(line, s.fontName, s.fontSize) for line in self.lines)
        return self._widest <= width - self.style.leftIndent - self.style.rightIndent

    def wrap(  # pyright: ignore[reportIncompatibleMethodOverride] - untyped base
            self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._para is None and self._fits(availWidth):
            self.width, self.height = availWidth, len(self.lines) * self.style.leading
            return self.width, self.height
        if self._para is None:
            self._para = self._make_para()
        return self._para.wrap(availWidth, availHeight)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        if self._para is None and self._fits(availWidth):
            return []  # a few short lines: they move to the next frame together
        if self._para is None:
            self._para = self._make_para()
        return self._para.split(availWidth, availHeight)

    def draw(self) -> None:
        if self._para is not None:
            self._para.drawOn(self.canv, 0, 0)
            return
        s, canv = self.style, self.canv
        canv.setFont(s.fontName, s.fontSize)
        canv.setFillColor(s.textColor)
        y = self.height - s.fontSize
        for line in self.lines:
            canv.drawString(s.leftIndent, y, line)
            y -= s.leading


class Heading(PlainLines):
    """A heading that becomes a PDF bookmark, an outline entry and (``toc``) a contents line.

    ``style`` must use the bold base font; text the base font cannot draw on one line is
    set as a bold paragraph with script fallback fonts.
    """

    def __init__(self, text: str, style: ParagraphStyle, *, key: str, level: int,
                 toc: bool = True) -> None:
        text = " ".join(text.split())
        super().__init__(text, style, lambda: Para(mk(text, bold=True), style))
        if not PLAIN_CHARS.issuperset(text):
            self._para = self._make_para()
        self.plain = text
        self.key = key
        self.level = level
        self.toc = toc
        self.mark: str | None = None  # also record the page it lands on under this name


class PageMark(Flowable):
    """Zero-size marker recording the page it lands on into ``sink`` (also inside cells)."""

    _ZEROSIZE = 1

    def __init__(self, name: str, sink: dict[str, int]) -> None:
        super().__init__()
        self.name = name
        self.sink = sink
        self.width = self.height = 0

    def wrap(  # pyright: ignore[reportIncompatibleMethodOverride] - untyped base
            self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:
        self.sink[self.name] = self.canv.getPageNumber()


class Late(Flowable):
    """Text that depends on the page total (``make`` reads it): laid out with the total the
    doc assumes during the pass, drawn into a deferred form with the final one."""

    def __init__(self, make: Callable[[], Flowable]) -> None:
        super().__init__()
        self.make = make
        self._avail = (0.0, 0.0)

    def wrap(  # pyright: ignore[reportIncompatibleMethodOverride] - untyped base
            self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._avail = (availWidth, availHeight)
        self.width, self.height = self.make().wrapOn(self.canv, availWidth, availHeight)
        return self.width, self.height

    def draw(self) -> None:
        laid_out, avail = (self.width, self.height), self._avail

        def final(form: Canvas) -> bool:
            inner = self.make()
            size = inner.wrapOn(form, *avail)
            inner.drawOn(form, 0, 0)
            return tuple(size) == laid_out

        self.canv._doctemplate.defer(self.canv, final)  # pyright: ignore[reportAttributeAccessIssue]


class Contents(TableOfContents):
    """The table of contents, its page numbers (and the dots up to them) drawn into
    deferred forms: an entry's line takes the same room whatever its page number, so the
    entries known before the build (see :meth:`CaseFileDoc.multiBuild`) lay it out."""

    _entries: list[tuple[Any, ...]]  # (level, text, page, key) of this pass
    _lastEntries: list[tuple[Any, ...]]  # those laid out in this pass  # noqa: N815

    def isSatisfied(self) -> bool:  # noqa: N802 - reportlab hook
        def unnumbered(entries: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
            return [(level, text, key) for level, text, _page, key in entries]

        return unnumbered(self._entries) == unnumbered(self._lastEntries)

    def wrap(  # pyright: ignore[reportIncompatibleMethodOverride] - untyped base
            self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        size = super().wrap(availWidth, availHeight)

        def entry_end(canvas: Canvas, _kind: str | None, label: str) -> None:
            parts = label.split(",")
            level, key = int(parts[1]), literal_eval(parts[2])
            style = self.getLevelStyle(level)
            dot = " . " if 0 <= self.dotsMinLevel <= level else ""
            x, y = canvas._curr_tx_info["cur_x"], canvas._curr_tx_info["cur_y"]  # pyright: ignore[reportAttributeAccessIssue]
            if key:  # the page number's link: over the room it is drawn in
                canvas.linkRect("", key, (x, y, availWidth, y + style.leading), relative=1)

            def number(form: Canvas) -> bool:
                pages = {k: page for _level, _text, page, k in self._entries}
                form._curr_tx_info = {"cur_x": 0, "cur_y": 0}  # pyright: ignore[reportAttributeAccessIssue]
                drawPageNumbers(form, style, [(pages.get(key, 0), None)], availWidth - x,
                                availHeight, dot)
                return True

            canvas.saveState()
            canvas.translate(x, y)
            canvas._doctemplate.defer(canvas, number)  # pyright: ignore[reportAttributeAccessIssue]
            canvas.restoreState()

        self.canv.setNamedCB("drawTOCEntryEnd", entry_end)
        return size


def make_toc(styles: Styles) -> Contents:
    """Clickable table of contents (level 0 sections, level 1 indented)."""
    f = styles.fonts
    level0 = ParagraphStyle("toc0", fontName=f.body, fontSize=10, leading=15, leftIndent=0,
                            textColor=INK, spaceShrinkage=0)
    level1 = ParagraphStyle("toc1", fontName=f.body, fontSize=8.5, leading=11.5,
                            leftIndent=12 * mm, textColor=MUTED, spaceShrinkage=0)
    toc = Contents(levelStyles=[level0, level1], dotsMinLevel=0)
    toc.tableStyle = TableStyle([("FONTNAME", (0, 0), (-1, -1), f.body),
                                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    return toc

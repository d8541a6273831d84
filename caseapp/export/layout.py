"""Page layout of the case file: styles, the doc template, headers and footers, headings
that feed the clickable contents and the PDF outline, and page markers for Bates ranges.

Every page (the cover too) carries the classification and case ref in the header and the
Bates number and ``Page X of Y`` in the footer. ``multiBuild`` repeats the layout until the
contents, the page total and every page marker are the same in two passes in a row, so the
totals printed on the pages are those of the final document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph
from reportlab.platypus.tableofcontents import TableOfContents
from reportlab.platypus.tables import TableStyle

from caseapp.export.text import FontSet, markup, register_fonts

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


class BuildCancelled(Exception):
    """The caller's cancel callback asked to stop; nothing was written to the target."""


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
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), styles.fonts.body),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                     ("FONTNAME", (0, 0), (-1, 0), styles.fonts.bold)]
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, 1 if header else 0), (-1, -1),
                         [colors.white, SHADE]))
    return TableStyle(commands + (extra or []))


class Heading(Paragraph):
    """A heading that becomes a PDF bookmark, an outline entry and (``toc``) a contents line."""

    def __init__(self, text: str, style: ParagraphStyle, *, key: str, level: int,
                 toc: bool = True) -> None:
        super().__init__(markup(text, bold=True), style)
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

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:
        self.sink[self.name] = self.canv.getPageNumber()


class Late(Flowable):
    """A flowable made at layout time (for text that depends on the page total)."""

    def __init__(self, make: Callable[[], Flowable]) -> None:
        super().__init__()
        self.make = make
        self._inner: Flowable | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._inner = self.make()
        return self._inner.wrapOn(self.canv, availWidth, availHeight)

    def draw(self) -> None:
        assert self._inner is not None
        self._inner.drawOn(self.canv, 0, 0)


def make_toc(styles: Styles) -> TableOfContents:
    """Clickable table of contents (level 0 sections, level 1 indented)."""
    f = styles.fonts
    level0 = ParagraphStyle("toc0", fontName=f.body, fontSize=10, leading=15, leftIndent=0,
                            textColor=INK, spaceShrinkage=0)
    level1 = ParagraphStyle("toc1", fontName=f.body, fontSize=8.5, leading=11.5,
                            leftIndent=12 * mm, textColor=MUTED, spaceShrinkage=0)
    toc = TableOfContents(levelStyles=[level0, level1], dotsMinLevel=0)
    toc.tableStyle = TableStyle([("FONTNAME", (0, 0), (-1, -1), f.body),
                                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    return toc


Hook = Callable[[int, int], None]


class CaseFileDoc(BaseDocTemplate):
    """A4 doc template with the case-file page decorations.

    ``bates(page)`` labels a page; ``on_flowable(done, total)`` is called after each
    top-level flowable (progress and cancellation); ``pdf_date`` is the metadata date
    string (``D:YYYYMMDDHHmmSS+HH'mm'``) so everything else stays deterministic.
    """

    def __init__(self, target: Any, *, styles: Styles, classification: str,
                 case_ref: str, legend: str, bates: Callable[[int], str], pdf_date: str,
                 on_flowable: Hook | None = None, **kw: Any) -> None:
        super().__init__(target, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                         topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
                         initialFontName=styles.fonts.body, invariant=1, **kw)
        self.styles = styles
        self.classification = classification
        self.case_ref = case_ref
        self.legend = legend
        self.bates = bates
        self.pdf_date = pdf_date
        self.on_flowable = on_flowable
        self.marks: dict[str, int] = {}
        self.page_total: int | None = None
        self.passes = 0
        self._previous: tuple[Any, ...] | None = None
        self._story_len = 0
        self._done = 0
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
                      id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])

    # --- multi-pass bookkeeping -------------------------------------------------------
    def build(self, flowables: list[Flowable], *args: Any, **kw: Any) -> None:  # type: ignore[override]
        self._story_len = len(flowables)
        self._done = 0
        self.passes += 1
        self.marks.clear()
        super().build(flowables, *args, **kw)

    def _allSatisfied(self) -> bool:  # noqa: N802 - reportlab hook
        indexes_ok = super()._allSatisfied()
        state = (self.page, tuple(sorted(self.marks.items())))
        stable = state == self._previous
        self._previous = state
        self.page_total = self.page
        return bool(indexes_ok) and stable

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - reportlab hook
        if isinstance(flowable, Heading):
            if flowable.mark:
                self.marks[flowable.mark] = self.page
            canv = self.canv
            canv.bookmarkPage(flowable.key)
            canv.addOutlineEntry(flowable.plain, flowable.key, level=flowable.level,
                                 closed=flowable.level > 0)
            if flowable.toc:
                self.notify("TOCEntry", (flowable.level, markup(flowable.plain), self.page,
                                         flowable.key))
        self._done += 1
        if self.on_flowable is not None:
            self.on_flowable(min(self._done, self._story_len), self._story_len)

    # --- page decorations ---------------------------------------------------------------
    def _decorate(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        s = self.styles
        page = canv.getPageNumber()
        if page == 1:
            canv.setDateFormatter(lambda *_: self.pdf_date)
        canv.saveState()
        top = PAGE_H - 10 * mm
        half = CONTENT_W / 2
        _place(canv, Paragraph(markup(self.classification, bold=True), s.header),
               MARGIN_X, top, half + 30 * mm)
        _place(canv, Paragraph(markup(self.case_ref, bold=True), s.header_right),
               MARGIN_X + half + 30 * mm, top, half - 30 * mm)
        line_y = PAGE_H - MARGIN_TOP + 4 * mm
        if self.legend:
            _place(canv, Paragraph(markup(self.legend), s.legend), MARGIN_X, top - 10.5,
                   CONTENT_W)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN_X, line_y, PAGE_W - MARGIN_X, line_y)
        foot_rule = MARGIN_BOTTOM - 5 * mm
        canv.line(MARGIN_X, foot_rule, PAGE_W - MARGIN_X, foot_rule)
        total = str(self.page_total) if self.page_total else "?"
        _place(canv, Paragraph(markup(self.bates(page), bold=True), s.footer),
               MARGIN_X, foot_rule - 2.5 * mm, CONTENT_W / 2)
        _place(canv, Paragraph(f"Page {page} of {total}", s.footer_right),
               MARGIN_X + CONTENT_W / 2, foot_rule - 2.5 * mm, CONTENT_W / 2)
        canv.restoreState()


def _place(canv: Canvas, para: Paragraph, x: float, top: float, width: float) -> None:
    """Draw ``para`` with its top edge at ``top``."""
    _, h = para.wrap(width, 50 * mm)
    para.drawOn(canv, x, top - h)

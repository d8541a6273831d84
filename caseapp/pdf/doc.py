"""The case-file doc template: page decorations on every page and the layout passes.

Every page (the cover too) carries the classification (and privilege legend) and the case
ref in the header, the Bates number and ``Page X of Y`` in the footer.

``multiBuild`` runs the layout until the contents, the page total and every heading's page
are the same in two passes in a row, so the totals and page numbers printed are those of
the final document. The first pass only lays out (nothing is drawn, no decorations): it
finds the contents' page numbers and the total; the next pass draws everything with them,
and in the usual case it is the last one.

reportlab ships no type information; the few of its internals used here (``Frame._add``,
``_allSatisfied``, ``Canvas._doc``) carry pyright ignores.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFInfo, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from caseapp.pdf.layout import (
    CONTENT_W,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_H,
    PAGE_W,
    RULE,
    Heading,
    Styles,
    mk,
)
from caseapp.pdf.pdfa import binary_streams

Hook = Callable[[int, int], None]


def _no_draw(*_args: Any, **_kw: Any) -> None:
    return None


class _Pass:
    """The current pass's mode, shared by the doc and its frame (frames get deep-copied)."""

    layout_only = False


class _Frame(Frame):
    """A frame that, during a layout-only pass, places flowables without drawing them."""

    def __init__(self, mode: _Pass, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._mode = mode

    def _add(self, flowable: Flowable, canv: Canvas, trySplit: int = 0) -> int:  # noqa: N803
        if not self._mode.layout_only:
            return super()._add(flowable, canv, trySplit)  # pyright: ignore[reportAttributeAccessIssue]
        flowable.drawOn = _no_draw  # instance attribute shadows the method for this call
        try:
            return super()._add(flowable, canv, trySplit)  # pyright: ignore[reportAttributeAccessIssue]
        finally:
            flowable.__dict__.pop("drawOn", None)

    add = _add  # reportlab's Frame binds ``add`` to its own ``_add`` in the class body  # pyright: ignore[reportAssignmentType]

    def __deepcopy__(self, memo: dict[int, Any]) -> _Frame:
        # reportlab deep-copies the frame to measure every keep-together group (each
        # heading); the frame holds only numbers and lists, so copying those is enough.
        new = copy.copy(self)
        for key, value in self.__dict__.items():
            if isinstance(value, list):
                setattr(new, key, list(value))
        return new


class CaseFileDoc(BaseDocTemplate):
    """A4 doc template with the case-file page decorations.

    ``bates(page)`` labels a page; ``on_flowable(done, total)`` is called after each
    top-level flowable (progress and cancellation); ``pdf_date`` is the metadata date
    string (``D:YYYYMMDDHHmmSS+HH'mm'``) so everything else stays deterministic.
    ``marks`` collects page markers (:class:`~caseapp.pdf.layout.PageMark` and marked
    headings) of the final pass.
    """

    def __init__(self, target: Any, *, styles: Styles, classification: str,
                 case_ref: str, legend: str, bates: Callable[[int], str], pdf_date: str,
                 on_flowable: Hook | None = None, extra_info: dict[str, str] | None = None,
                 **kw: Any) -> None:
        self.extra_info = dict(extra_info or {})
        super().__init__(target, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                         topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
                         initialFontName=styles.fonts.body, invariant=1, **kw)
        self.styles = styles
        self.bates = bates
        self.pdf_date = pdf_date
        self.on_flowable = on_flowable
        self.marks: dict[str, int] = {}  # PageMark sink (drawn passes only)
        self.heading_marks: dict[str, int] = {}  # marked headings (every pass)
        self.page_total: int | None = None
        self.passes = 0
        self._mode = _Pass()
        self._previous: tuple[Any, ...] | None = None
        self._story_len = 0
        self._done = 0
        # Header paragraphs are the same on every page: made once, drawn on each page.
        half = CONTENT_W / 2
        self._header = [
            (Paragraph(mk(classification, bold=True), styles.header), MARGIN_X,
             PAGE_H - 10 * mm, half + 30 * mm),
            (Paragraph(mk(case_ref, bold=True), styles.header_right),
             MARGIN_X + half + 30 * mm, PAGE_H - 10 * mm, half - 30 * mm)]
        if legend:
            self._header.append((Paragraph(mk(legend), styles.legend), MARGIN_X,
                                 PAGE_H - 10 * mm - 10.5, CONTENT_W))
        for para, _x, _top, width in self._header:
            para.wrap(width, 50 * mm)
        frame = _Frame(self._mode, MARGIN_X, MARGIN_BOTTOM, CONTENT_W,
                       PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="body", leftPadding=0,
                       rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])

    @property
    def layout_only(self) -> bool:
        """True during the first pass, which places flowables without drawing them."""
        return self._mode.layout_only

    # --- passes ---------------------------------------------------------------------------
    def build(self, flowables: list[Flowable], *args: Any, **kw: Any) -> None:  # type: ignore[override]
        self._story_len = len(flowables)
        self._done = 0
        self.passes += 1
        self._mode.layout_only = self.passes == 1
        self.marks.clear()
        self.heading_marks.clear()
        super().build(flowables, *args, **kw)
        self.marks.update(self.heading_marks)

    def multiBuild(self, story: list[Flowable], maxPasses: int = 10, **kw: Any) -> int:  # type: ignore[override]  # noqa: N802, N803
        """reportlab's multiBuild with streams written as binary Flate data (no ASCII85)."""
        with binary_streams():
            return int(super().multiBuild(story, maxPasses, **kw))

    def _allSatisfied(self) -> bool:  # noqa: N802 - reportlab hook
        indexes_ok = super()._allSatisfied()  # pyright: ignore[reportAttributeAccessIssue]
        state = (self.page, tuple(sorted(self.heading_marks.items())))
        stable = state == self._previous and not self.layout_only
        self._previous = state
        self.page_total = self.page
        return bool(indexes_ok) and stable

    def beforeDocument(self) -> None:  # noqa: N802 - reportlab hook, after the canvas exists
        if self.extra_info:
            self.canv._doc.info = _InfoWithExtras.of(self.canv._doc.info, self.extra_info)  # pyright: ignore[reportAttributeAccessIssue]

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - reportlab hook
        if isinstance(flowable, Heading):
            if flowable.mark:
                self.heading_marks[flowable.mark] = self.page
            canv = self.canv
            canv.bookmarkPage(flowable.key)
            canv.addOutlineEntry(flowable.plain, flowable.key, level=flowable.level,
                                 closed=flowable.level > 0)
            if flowable.toc:
                self.notify("TOCEntry", (flowable.level, mk(flowable.plain), self.page,
                                         flowable.key))
        self._done += 1
        if self.on_flowable is not None:
            self.on_flowable(min(self._done, self._story_len), self._story_len)

    # --- page decorations -------------------------------------------------------------------
    def _decorate(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        if self.layout_only:
            return
        page = canv.getPageNumber()
        if page == 1:
            canv.setDateFormatter(lambda *_: self.pdf_date)
        canv.saveState()
        for para, x, top, _width in self._header:
            para.drawOn(canv, x, top - para.height)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        line_y = PAGE_H - MARGIN_TOP + 4 * mm
        canv.line(MARGIN_X, line_y, PAGE_W - MARGIN_X, line_y)
        foot_rule = MARGIN_BOTTOM - 5 * mm
        canv.line(MARGIN_X, foot_rule, PAGE_W - MARGIN_X, foot_rule)
        # Bates labels and page numbers are ASCII (the prefix is validated): plain strings.
        base = foot_rule - 2.5 * mm - 7.5
        canv.setFillColor(self.styles.footer.textColor)
        canv.setFont(self.styles.fonts.mono, 8)
        canv.drawString(MARGIN_X, base, self.bates(page))
        canv.setFillColor(MUTED)
        canv.setFont(self.styles.fonts.body, 8)
        total = str(self.page_total) if self.page_total else "?"
        canv.drawRightString(PAGE_W - MARGIN_X, base, f"Page {page} of {total}")
        canv.restoreState()


class _InfoWithExtras(PDFInfo):
    """The document information dictionary plus our own keys (``/CaseappAuditHead``)."""

    extras: dict[str, str]

    @classmethod
    def of(cls, info: PDFInfo, extras: dict[str, str]) -> _InfoWithExtras:
        made = cls()
        for name in ("title", "author", "subject", "creator", "producer", "keywords",
                     "trapped", "_dateFormatter"):
            setattr(made, name, getattr(info, name))
        made.extras = extras
        return made

    def format(self, document: Any) -> bytes:
        formatted = super().format(document)
        extra = PDFDictionary({key.lstrip("/"): PDFString(value)
                               for key, value in self.extras.items()}).format(document)
        # Both are "<< ... >>": splice our entries in before the closing brackets.
        return formatted.rstrip()[:-2] + extra.strip()[2:]

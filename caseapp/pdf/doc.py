"""The case-file doc template: page decorations on every page and the layout pass.

Every page (the cover too) carries the classification (and privilege legend) and the case
ref in the header, the Bates number and ``Page X of Y`` in the footer.

One pass lays out and draws. What depends on the finished document (the page total, the
contents' page numbers, the Bates range) is placed as a form XObject where it goes
(:meth:`CaseFileDoc.defer`) and drawn into the form at the end, once the pages are known.
The contents' entries are known before the build (the story's headings), so their lines
take the same room in that pass as in the finished file. ``multiBuild`` runs another pass
only when something laid out in the first would come out different (a heading the scan
missed, a :class:`~caseapp.pdf.layout.Late` text of another height); in the usual case the
first pass is the last.

reportlab ships no type information; the few of its internals used here (``_allSatisfied``,
``Canvas._doc``, ``KeepTogether._content``) carry pyright ignores.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFInfo, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
)

from caseapp.pdf.layout import (
    CONTENT_W,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_H,
    PAGE_W,
    RULE,
    Contents,
    Heading,
    Styles,
    mk,
)
from caseapp.pdf.pdfa import binary_streams

Hook = Callable[[int, int], None]


class _Frame(Frame):
    """A frame that deep-copies cheaply."""

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

    #: Room around a deferred form's origin that its drawing may use (the form's BBox).
    _FORM_BOX = (-1000, -1000, 1000, 1000)

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
        self.marks: dict[str, int] = {}  # PageMark sink and marked headings
        #: The previous pass's page count (None in the first): what ``Late`` texts assume
        #: while laid out; the forms drawn at the end see the final count.
        self.page_total: int | None = None
        self.passes = 0
        self._deferred: list[tuple[str, Callable[[Canvas], bool]]] = []
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
        frame = _Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W,
                       PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="body", leftPadding=0,
                       rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])

    # --- passes ---------------------------------------------------------------------------
    def build(self, flowables: list[Flowable], *args: Any, **kw: Any) -> None:  # type: ignore[override]
        self._story_len = len(flowables)
        self._done = 0
        self.passes += 1
        self.marks.clear()
        self._deferred = []
        super().build(flowables, *args, **kw)

    def multiBuild(self, story: list[Flowable], maxPasses: int = 10, **kw: Any) -> int:  # type: ignore[override]  # noqa: N802, N803
        """reportlab's multiBuild with the contents' entries known before the first pass
        and streams written as binary Flate data (no ASCII85)."""
        entries = [(h.level, mk(h.plain), 0, h.key) for h in _headings(story) if h.toc]
        for flowable in story:
            if isinstance(flowable, Contents):
                flowable.addEntries(entries)  # moved to the entries drawn by beforeBuild
        with binary_streams():
            return int(super().multiBuild(story, maxPasses, **kw))

    def defer(self, canv: Canvas, draw: Callable[[Canvas], bool]) -> None:
        """Place a form XObject here (current graphics state) that ``draw`` fills in once
        the document is laid out. ``draw`` draws at the form's origin and returns False
        when what it drew needs other room than was laid out (then another pass runs)."""
        name = f"late{len(self._deferred)}"
        canv.doForm(name)
        self._deferred.append((name, draw))

    def _allSatisfied(self) -> bool:  # noqa: N802 - reportlab hook
        indexes_ok = super()._allSatisfied()  # pyright: ignore[reportAttributeAccessIssue]
        self.page_total = self.page
        # Forms are drawn on every pass's canvas (only the last is saved): a draw that
        # finds its room changed is what says the pass was not the last.
        fits = True
        for name, draw in self._deferred:
            canv = self.canv
            canv.beginForm(name, *self._FORM_BOX)
            fits = draw(canv) and fits
            canv.endForm()
        return bool(indexes_ok) and fits

    def beforeDocument(self) -> None:  # noqa: N802 - reportlab hook, after the canvas exists
        if self.extra_info:
            self.canv._doc.info = _InfoWithExtras.of(self.canv._doc.info, self.extra_info)  # pyright: ignore[reportAttributeAccessIssue]

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - reportlab hook
        if isinstance(flowable, Heading):
            if flowable.mark:
                self.marks[flowable.mark] = self.page
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
        canv.restoreState()

        def page_x_of_y(form: Canvas) -> bool:
            form.setFillColor(MUTED)
            form.setFont(self.styles.fonts.body, 8)
            form.drawRightString(PAGE_W - MARGIN_X, base, f"Page {page} of {self.page_total}")
            return True

        self.defer(canv, page_x_of_y)


def _headings(flowables: list[Flowable]) -> Iterator[Heading]:
    """The headings of a story in order, also those inside keep-together groups."""
    for flowable in flowables:
        if isinstance(flowable, Heading):
            yield flowable
        elif isinstance(flowable, KeepTogether):
            yield from _headings(flowable._content)  # pyright: ignore[reportAttributeAccessIssue]


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

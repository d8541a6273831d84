"""One produced document as its own Bates-numbered PDF (reportlab).

An image is placed on one page, scaled to fit; a text file is typeset with line wrapping in the
vendored fonts (every script the case file covers); anything else is a slip sheet saying the
document is produced in native form. Every page carries the endorsement (bottom left) and its
Bates number (bottom right). No store, no files: bytes in, PDF bytes out.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer
from reportlab.platypus import Image as RLImage

from caseapp.domain.loadfiles import bates_label
from caseapp.pdf.pdfa import PdfaCanvas, binary_streams, finish_pdf
from caseapp.pdf.text import markup, register_fonts

KIND_IMAGE, KIND_TEXT, KIND_NATIVE = "image", "text", "native"
PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
FOOTER = 14 * mm
#: Text longer than this is typeset up to here, with a note pointing at the native.
MAX_TEXT_CHARS = 2_000_000


@dataclass(frozen=True)
class Document:
    """What one rendition shows."""

    kind: str  # KIND_IMAGE | KIND_TEXT | KIND_NATIVE
    exhibit: str
    title: str
    file_name: str
    media_type: str
    sha256: str
    data: bytes = b""  # the image, or the text file's bytes
    reason: str = ""  # why a native slip sheet (shown on it)


@dataclass(frozen=True)
class Stamp:
    """Bates prefix, first number and endorsement of a rendition."""

    prefix: str
    first: int
    endorsement: str = ""


def decode_text(data: bytes) -> str | None:
    """The text of a UTF-8 file (BOM dropped), or None when it looks binary or not UTF-8."""
    if b"\x00" in data[:65536]:
        return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") > max(3, len(text) // 50):
        return None
    return text


def _styles(fonts: Any) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=fonts.body, fontSize=9, leading=11.5,
                          textColor=colors.black)
    return {
        "body": base,
        "mono": ParagraphStyle("mono", parent=base, fontName=fonts.mono, fontSize=8.5,
                               leading=10.5),
        "title": ParagraphStyle("title", parent=base, fontName=fonts.bold, fontSize=16,
                                leading=20, spaceAfter=8 * mm),
        "label": ParagraphStyle("label", parent=base, fontSize=10, leading=14),
        "foot": ParagraphStyle("foot", parent=base, fontSize=7.5, leading=9),
        "bates": ParagraphStyle("bates", parent=base, fontName=fonts.bold, fontSize=9,
                                leading=11, alignment=2),
    }


def _footer(stamp: Stamp, styles: dict[str, ParagraphStyle],
            pages: list[int]) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, _doc: Any) -> None:
        number = canvas.getPageNumber()
        pages.append(number)
        canvas.saveState()
        canvas.setStrokeColor(colors.grey)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN, FOOTER, PAGE_W - MARGIN, FOOTER)
        label = Paragraph(markup(bates_label(stamp.prefix, stamp.first + number - 1)),
                          styles["bates"])
        _w, h = label.wrap(60 * mm, FOOTER)
        label.drawOn(canvas, PAGE_W - MARGIN - 60 * mm, FOOTER - 2 * mm - h)
        if stamp.endorsement:
            legend = Paragraph(markup(stamp.endorsement), styles["foot"])
            _w, h = legend.wrap(PAGE_W - 2 * MARGIN - 64 * mm, FOOTER)
            legend.drawOn(canvas, MARGIN, FOOTER - 2 * mm - h)
        canvas.restoreState()
    return draw


def _image_story(doc: Document, frame_w: float, frame_h: float) -> list[Any]:
    from PIL import Image as PILImage

    from caseapp.pdf.images import EmbeddedImage, passthrough

    with PILImage.open(io.BytesIO(doc.data)) as img:
        raw = passthrough(doc.data, img.format, img.mode, img.size)
        if raw is not None:  # PNG (chunk CRCs checked) or JPEG: embedded as is, no re-encode
            if raw.kind == "jpeg":
                img.draft(img.mode, (max(1, img.size[0] // 8), max(1, img.size[1] // 8)))
                img.load()  # raises on a broken JPEG: a slip sheet instead
            scale = min(frame_w / raw.width, frame_h / raw.height)
            return [EmbeddedImage(doc.data, raw, raw.width * scale, raw.height * scale)]
        img.load()
        if img.mode not in ("RGB", "L"):  # CMYK too: PDF/A with an sRGB intent has no CMYK
            img = img.convert("RGB")
        width, height = img.size
        out = io.BytesIO()
        img.save(out, format="PNG")
    scale = min(frame_w / width, frame_h / height)
    out.seek(0)
    return [RLImage(out, width=width * scale, height=height * scale)]


def _text_story(text: str, styles: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = []
    cut = len(text) > MAX_TEXT_CHARS
    for line in text[:MAX_TEXT_CHARS].splitlines() or [""]:
        line = line.replace("\t", "    ").rstrip()
        if not line:
            story.append(Spacer(1, styles["mono"].leading))
            continue
        indent = len(line) - len(line.lstrip(" "))
        style = styles["mono"]
        if indent:
            style = ParagraphStyle(f"mono{indent}", parent=style,
                                   leftIndent=min(indent, 40) * 5.1)
        story.append(Paragraph(markup(line, mono=True), style))
    if cut:
        story.append(Spacer(1, 6 * mm))
        story.append(Paragraph(markup(f"[Rendition ends after {MAX_TEXT_CHARS:,} characters; "
                                      "the native file holds the rest.]"), styles["body"]))
    return story


def _slip_story(doc: Document, stamp: Stamp, styles: dict[str, ParagraphStyle]) -> list[Any]:
    rows = [("Bates number", bates_label(stamp.prefix, stamp.first)),
            ("Exhibit", doc.exhibit), ("Title", doc.title), ("File name", doc.file_name),
            ("Type", doc.media_type), ("SHA-256", doc.sha256)]
    story: list[Any] = [Spacer(1, 50 * mm),
                        Paragraph(markup("Document produced in native form"), styles["title"])]
    for label, value in rows:
        story.append(Paragraph(f"{markup(label, bold=True)}: {markup(value)}", styles["label"]))
    note = doc.reason or "This document cannot be shown as pages; it is produced in native form."
    story += [Spacer(1, 6 * mm), Paragraph(markup(note), styles["body"])]
    return story


def render(doc: Document, stamp: Stamp, out: BinaryIO, *,
           producer: str = "caseapp") -> tuple[int, bool]:
    """Write the rendition of ``doc`` to ``out``; returns its page count and whether it is
    PDF/A-2b (see :mod:`caseapp.pdf.pdfa`).

    ``producer``: the PDF producer entry (:func:`caseapp.pdf.pdfa.signing_producer` when the
    file will be signed, so Info and XMP still agree after pyHanko's update).

    An image that cannot be decoded, or a text file that is not UTF-8 text, becomes a slip
    sheet (the native is produced beside it).
    """
    fonts = register_fonts()
    styles = _styles(fonts)
    frame_w, frame_h = PAGE_W - 2 * MARGIN, PAGE_H - MARGIN - FOOTER - 6 * mm
    story: list[Any] | None = None
    reason = doc.reason
    if doc.kind == KIND_IMAGE:
        try:
            story = _image_story(doc, frame_w, frame_h)
        except Exception:  # noqa: BLE001 - any decoder failure: slip sheet instead
            reason = "The image could not be decoded; it is produced in native form."
    elif doc.kind == KIND_TEXT:
        text = decode_text(doc.data)
        if text is not None:
            story = _text_story(text, styles)
        else:
            reason = "Not UTF-8 text; produced in native form."
    if story is None:
        story = _slip_story(Document(**{**doc.__dict__, "reason": reason}), stamp, styles)
    pages: list[int] = []
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=FOOTER + 6 * mm, initialFontName=fonts.body,
        title=f"{bates_label(stamp.prefix, stamp.first)} {doc.exhibit}",
        author="caseapp", subject=doc.title, producer=producer, invariant=True)
    frame = Frame(MARGIN, FOOTER + 6 * mm, frame_w, frame_h, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(id="page", frames=[frame],
                                            onPage=_footer(stamp, styles, pages))])
    with binary_streams():
        template.build(story, canvasmaker=PdfaCanvas)
    archival = finish_pdf(buffer.getvalue(), out)
    return (max(pages) if pages else 1), archival

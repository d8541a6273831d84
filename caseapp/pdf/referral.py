"""A referral pack (IC3 worksheet, RFJ brief) as a simple A4 PDF (reportlab)."""

from __future__ import annotations

from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from caseapp.domain.exchange.referral import Referral
from caseapp.pdf.text import markup, register_fonts


def render_referral(referral: Referral, out: BinaryIO, *, author: str = "") -> None:
    """Write ``referral`` as a PDF: title, marking lines, one labelled table per section."""
    fonts = register_fonts()
    body = ParagraphStyle("rf", fontName=fonts.body, fontSize=9, leading=11.5)
    label = ParagraphStyle("rfl", parent=body, fontName=fonts.bold)
    head = ParagraphStyle("rfh", parent=body, fontName=fonts.bold, fontSize=11, leading=14,
                          spaceBefore=6, spaceAfter=3)
    title = ParagraphStyle("rft", parent=body, fontName=fonts.bold, fontSize=14, leading=18)
    story: list[Any] = [Paragraph(markup(referral.title), title), Spacer(1, 2 * mm)]
    story += [Paragraph(markup(line), body) for line in referral.preamble]
    for section in referral.sections:
        story.append(Paragraph(markup(section.heading), head))
        rows = [[Paragraph(markup(f.label), label),
                 Paragraph("<br/>".join(markup(p) for p in f.value.split("\n")), body)]
                for f in section.fields]
        table = Table(rows, colWidths=[45 * mm, 130 * mm])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef1f4"))]))
        story.append(table)
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm, title=referral.title,
                            author=author, creator="caseapp")
    doc.build(story)

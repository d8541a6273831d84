"""The privilege and redaction log of a production as a PDF table (reportlab)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from caseapp.pdf.pdfa import PdfaCanvas, binary_streams, finish_pdf
from caseapp.pdf.text import markup, register_fonts

#: Column headings, in order (the CSV uses the same).
COLUMNS = ("Bates / placeholder", "Exhibit", "Date", "Author / custodian", "Type",
           "Privilege or reason", "Description")
_WIDTHS = (34, 18, 22, 38, 30, 48, 80)


def render_privilege_log(rows: Sequence[Sequence[str]], *, title: str, endorsement: str,
                         out: BinaryIO, producer: str = "caseapp") -> None:
    """Write the log (``rows`` in :data:`COLUMNS` order) as a landscape A4 PDF/A-2b."""
    fonts = register_fonts()
    body = ParagraphStyle("pl", fontName=fonts.body, fontSize=8, leading=10)
    head = ParagraphStyle("plh", parent=body, fontName=fonts.bold)
    big = ParagraphStyle("plt", parent=body, fontName=fonts.bold, fontSize=13, leading=16)
    data: list[list[Any]] = [[Paragraph(markup(c), head) for c in COLUMNS]]
    data += [[Paragraph(markup(str(v)), body) for v in row] for row in rows]
    if not rows:
        data.append([Paragraph(markup("Nothing was withheld or redacted."), body)]
                    + [""] * (len(COLUMNS) - 1))
    table = Table(data, colWidths=[w * mm for w in _WIDTHS], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts.body),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP")]))

    def footer(canvas: Any, _doc: Any) -> None:
        if endorsement:
            canvas.saveState()
            p = Paragraph(markup(endorsement), body)
            p.wrap(200 * mm, 10 * mm)
            p.drawOn(canvas, 15 * mm, 8 * mm)
            canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=15 * mm,
                            rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=18 * mm,
                            initialFontName=fonts.body, title=title, author="caseapp",
                            producer=producer, invariant=True)
    with binary_streams():
        doc.build([Paragraph(markup(title), big), Spacer(1, 4 * mm), table],
                  onFirstPage=footer, onLaterPages=footer, canvasmaker=PdfaCanvas)
    finish_pdf(buffer.getvalue(), out)

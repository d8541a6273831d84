"""The case file's single layout pass: what depends on the finished document (page total,
contents' page numbers, Bates range) is drawn into forms at the end, and another pass runs
only when such a text would need other room than it was laid out in."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import UTC, datetime
from typing import Any

from pypdf import PdfReader
from reportlab.platypus import Flowable, PageBreak, Paragraph

from caseapp.pdf.case_file import build_case_file
from caseapp.pdf.doc import CaseFileDoc
from caseapp.pdf.layout import Heading, Late, make_styles, make_toc
from caseapp.pdf.options import ExportOptions
from caseapp.services.casefile.content import gather
from caseapp.services.maintenance.demo import load_demo

_ENTRY = re.compile(r"^(\d+\. .+?)[ .]*?\s(\d+)$")


def _pages(data: bytes) -> list[str]:
    """Each page's text as poppler lays it out (a form's text joins the line it sits on)."""
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, check=True,
                          capture_output=True).stdout.decode()
    pages = text.split("\f")[:-1]
    assert len(pages) == len(PdfReader(io.BytesIO(data)).pages)
    return pages


def _doc(out: io.BytesIO) -> CaseFileDoc:
    return CaseFileDoc(out, styles=make_styles(), classification="CONFIDENTIAL",
                       case_ref="CASE-T", legend="", bates=lambda n: f"T-{n:04d}",
                       pdf_date="D:20260301120000+00'00'")


def test_contents_page_numbers_are_where_the_headings_land(ws: Any) -> None:
    ref = load_demo(ws)["cases"][0]
    options = ExportOptions().validated(ref)
    content = gather(ws, ref, options, now=datetime(2026, 3, 1, tzinfo=UTC), tz=UTC)
    out = io.BytesIO()
    result = build_case_file(content, options, out)
    assert result.passes == 1
    pages = _pages(out.getvalue())
    entries = [m.groups() for line in pages[1].splitlines()
               if (m := _ENTRY.match(line.strip()))]
    assert len(entries) >= 10
    for title, page in entries:
        landed = next(n for n, text in enumerate(pages[2:], 3) if title in text)
        assert landed == int(page), title
    n = len(pages)
    assert all(f"Page {i} of {n}" in text for i, text in enumerate(pages, 1))
    assert f"to {options.bates(n)} ({n} pages)" in pages[0]


def _story(make: Any) -> list[Flowable]:
    styles = make_styles()
    story: list[Flowable] = [make_toc(styles), PageBreak()]
    for i in range(1, 4):
        story += [Heading(f"{i}. Part {i}", styles.h1, key=f"p{i}", level=0),
                  Paragraph("Body text.", styles.body), PageBreak()]
    return [*story, Late(make)]


def test_a_late_text_of_the_same_size_is_drawn_with_the_final_total() -> None:
    out = io.BytesIO()
    doc = _doc(out)
    style = make_styles().body
    laid_out: list[int | None] = []

    def make() -> Flowable:
        laid_out.append(doc.page_total)
        return Paragraph(f"Total {doc.page_total or 0:03d} pages.", style)

    assert doc.multiBuild(_story(make)) == 1
    pages = _pages(out.getvalue())
    assert None in laid_out  # laid out before the total was known ...
    assert "Total 005 pages." in pages[-1]  # ... and drawn with it
    assert [re.sub(r"[ .]+", " ", line).strip() for line in pages[0].splitlines()
            if "Part" in line] == ["1 Part 1 2", "2 Part 2 3", "3 Part 3 4"]


def test_a_late_text_that_needs_more_room_gets_another_pass() -> None:
    out = io.BytesIO()
    doc = _doc(out)
    style = make_styles().body

    def make() -> Flowable:
        lines = 1 if doc.page_total is None else 3
        return Paragraph("<br/>".join(f"Line {i} of {doc.page_total}" for i in range(lines)),
                         style)

    assert doc.multiBuild(_story(make)) == 2
    last = _pages(out.getvalue())[-1]
    assert all(f"Line {i} of 5" in last for i in range(3))
    assert "Page 5 of 5" in last

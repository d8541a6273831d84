"""PdfaCanvas metadata: user text in the Info dictionary and the XMP packet is escaped (it
reads back as written, the packet stays well-formed XML), and the test suite's
``CASEAPP_PDFA_CHECK`` (tests/conftest.py) really refuses a non-conforming PDF."""

from __future__ import annotations

import io
import os
from pathlib import Path

import page
import pikepdf
import pytest

from caseapp.pdf.pdfa import CHECK_ENV, PdfaCanvas, PdfaNotApproved, finish_pdf, xmp_packet
from caseapp.pdf.text import register_fonts

HOSTILE = 'A & B <x:y/> "q" \'s\' ]]> <?xpacket end="w"?> &amp; 김민수'


def _draw(canvas_class: type, **meta: str) -> bytes:
    buffer = io.BytesIO()
    fonts = register_fonts()
    canvas = canvas_class(buffer, initialFontName=fonts.body, invariant=1)
    canvas.setFont(fonts.body, 12)
    canvas.drawString(72, 720, "text")
    canvas.setTitle(meta.get("title", ""))
    canvas.setAuthor(meta.get("author", ""))
    canvas.setSubject(meta.get("subject", ""))
    canvas.setKeywords(meta.get("keywords", ""))
    canvas.save()
    return buffer.getvalue()


def test_conftest_turns_the_check_on_and_it_refuses_a_plain_pdf() -> None:
    from reportlab.pdfgen.canvas import Canvas

    assert os.environ.get(CHECK_ENV) == "1"  # set for the whole suite by tests/conftest.py
    with pytest.raises(PdfaNotApproved):
        finish_pdf(_draw(Canvas), io.BytesIO())
    out = io.BytesIO()
    assert finish_pdf(_draw(PdfaCanvas), out) and out.getvalue()  # control: approved


def test_user_text_in_info_and_xmp_reads_back_as_written(tmp_path: Path) -> None:
    meta = {"title": HOSTILE, "author": "O'Brien & Sons <legal>",
            "subject": "ctrl\x01char\x0bhere", "keywords": "a<b, c>d, e&f"}
    out = io.BytesIO()
    finish_pdf(_draw(PdfaCanvas, **meta), out)  # pikepdf's validator approves it (conftest)
    path = tmp_path / "meta.pdf"
    path.write_bytes(out.getvalue())
    report = page.validate_pdf(str(path), profile="2b")
    assert report.is_compliant, [(f.rule_id, f.message) for f in report.failures]
    pdf = pikepdf.open(path)
    xmp = pdf.open_metadata()
    info = pdf.docinfo
    assert str(info["/Title"]) == HOSTILE and str(xmp["dc:title"]) == HOSTILE
    assert list(xmp["dc:creator"]) == [meta["author"]] == [str(info["/Author"])]
    # characters XML cannot carry become U+FFFD in both, never raw in the packet
    assert str(xmp["dc:description"]) == "ctrl\ufffdchar\ufffdhere" == str(info["/Subject"])
    assert xmp["pdf:Keywords"] == meta["keywords"] == str(info["/Keywords"])
    assert xmp["pdfaid:part"] == "2"


def test_xmp_packet_escapes_markup() -> None:
    import xml.etree.ElementTree as ET

    info: dict[str, str] = dict.fromkeys(
        ("title", "author", "subject", "keywords", "creator", "producer"),
                         HOSTILE)
    packet = xmp_packet(info, "2026-01-01T00:00:00+00:00").decode("utf-8")
    body = packet[packet.index("<x:xmpmeta"):packet.rindex("<?xpacket")]
    root = ET.fromstring(body)  # well-formed: the hostile text added no element
    texts = [e.text for e in root.iter() if e.text and e.text.strip()]
    assert texts.count(HOSTILE) == 6
    assert packet.count("<?xpacket") == 2

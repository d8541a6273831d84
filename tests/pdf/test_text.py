"""caseapp.pdf.text: escaping, font fallback per script, wrapping and embedding."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import unicodedata

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from caseapp.pdf import text as txt
from caseapp.pdf.text import markup, plain_cell, register_fonts
from caseapp.resources_access import resource

FONT_FILES = [
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf",
    "NanumGothic.ttf", "NanumGothicBold.ttf", "DroidSansFallbackFull.ttf",
]

SAMPLES = [
    "Crème brûlée — Zoë Ångström, Łódź, Søren Çelik, naïve façade",
    "Иван Петров",
    "김철수",
    "박영호",
    "김철수 박영호",
    "王伟",
    "金哲洙 (김철수)",
    "ひらがな カタカナ 東京タワー",
    "Ελληνικά: Αλέξανδρος Παπαδόπουλος",
    "Smith王伟 / Петров 김철수",
    '<b>bold</b> & <font name="x"> <para>',
    "]]>",
    "&amp; &lt; &#169; &nbsp; &",
    "'single' \"double\" `back`",
    "</font></para><br/><img src=\"x\"/>",
    "emoji 😀 ok",
]

HASH = hashlib.sha256(b"exhibit E-001").hexdigest()
URL = ("https://files.example.com/shared/" + "/".join(
    f"folder-{i:02d}_name.part?x={i}&y=z" for i in range(12)))[:300]


@pytest.fixture(scope="module")
def fonts() -> txt.FontSet:
    return register_fonts()


@pytest.fixture(scope="module")
def body(fonts: txt.FontSet) -> ParagraphStyle:
    return ParagraphStyle("body", fontName=fonts.body, fontSize=10, leading=13)


def build(flowables: list, pagesize: tuple[float, float] = A4) -> bytes:
    buf = io.BytesIO()
    # initialFontName: otherwise reportlab's canvas selects (unused, unembedded) Helvetica
    SimpleDocTemplate(buf, pagesize=pagesize, leftMargin=20 * mm, rightMargin=20 * mm,
                      topMargin=20 * mm, bottomMargin=20 * mm,
                      initialFontName=register_fonts().body).build(flowables)
    return buf.getvalue()


def extract(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def page_fonts(pdf: bytes) -> tuple[dict[str, dict], set[str]]:
    """(BaseFont -> font dict for every page font resource, BaseFonts that show text)."""
    reader = PdfReader(io.BytesIO(pdf))
    fonts: dict[str, dict] = {}
    showing: set[str] = set()
    for page in reader.pages:
        resources = page["/Resources"]["/Font"]
        for key in resources:
            font = resources[key].get_object()
            fonts[str(font["/BaseFont"])] = font
        current = None
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"Tf":
                current = str(resources[operands[0]].get_object()["/BaseFont"])
            elif op in (b"Tj", b"TJ", b"'", b'"'):
                showing.add(current)
    return fonts, showing


# --- fonts and licences -------------------------------------------------------------------

def test_vendored_fonts_are_truetype_glyf_with_licences() -> None:
    for name in FONT_FILES:
        data = resource("fonts", name).read_bytes()
        assert data[:4] == b"\x00\x01\x00\x00", name
        num_tables = struct.unpack(">H", data[4:6])[0]
        tags = {data[12 + 16 * i: 16 + 16 * i] for i in range(num_tables)}
        assert b"glyf" in tags and b"CFF " not in tags, name
    readme = resource("fonts", "README.md").read_text(encoding="utf-8")
    for name in FONT_FILES:
        assert name in readme
    for lic in ("LICENSE-DejaVu.txt", "LICENSE-Nanum.txt", "LICENSE-DroidSansFallback.txt"):
        assert len(resource("fonts", lic).read_text(encoding="utf-8")) > 1000


def test_register_fonts_is_idempotent(fonts: txt.FontSet) -> None:
    assert register_fonts() is fonts
    registered = set(pdfmetrics.getRegisteredFontNames())
    assert {fonts.body, fonts.bold, fonts.mono, *fonts.fallback, *fonts.bold_fallback} <= registered
    assert fonts.chain() == (fonts.body, "NanumGothic", "DroidSansFallbackFull")
    assert fonts.chain(mono=True)[:2] == (fonts.mono, fonts.body)


# --- markup -------------------------------------------------------------------------------

def test_markup_escapes_user_markup() -> None:
    assert markup('<b>x</b> & "q" \'s\'') == (
        "&lt;b&gt;x&lt;/b&gt; &amp; &quot;q&quot; &#39;s&#39;")
    assert markup("&amp;") == "&amp;amp;"
    assert markup("]]>") == "]]&gt;"


def test_runs_pick_one_font_per_script_run(fonts: txt.FontSet) -> None:
    assert markup("Иван Петров") == "Иван Петров"
    assert markup("김철수 박영호") == '<font name="NanumGothic">김철수 박영호</font>'
    # Nanum has 王 but not the simplified 伟: the whole name goes to Droid, not split
    assert markup("王伟") == '<font name="DroidSansFallbackFull">王伟</font>'
    assert markup("Smith王伟") == 'Smith<font name="DroidSansFallbackFull">王伟</font>'
    assert markup("김", bold=True) == '<b><font name="NanumGothicBold">김</font></b>'
    assert markup("a김", mono=True) == (
        f'<font name="{fonts.mono}">a<font name="NanumGothic">김</font></font>')


def test_arabic_letters_use_dejavu_but_are_not_shaped() -> None:
    # DejaVu Sans has the Arabic letters, so nothing is replaced; reportlab does not join
    # or reorder them (see resources/fonts/README.md).
    assert markup("محمد") == "محمد"


def test_control_characters_and_uncovered_text_are_replaced_and_counted() -> None:
    txt.reset_replacement_count()
    assert markup("a\tb\x00c\x07d\x7fe") == "a b\ufffdc\ufffdd\ufffde"
    assert markup("line 1\r\nline 2\rline 3\u2028line 4") == (
        "line 1<br/>line 2<br/>line 3<br/>line 4")
    assert markup("  \n padded \n ") == "padded"
    assert markup("ไทย \ud800") == "\ufffd\ufffd\ufffd \ufffd"  # Thai: no vendored font
    assert txt.replacement_count() == 7
    txt.reset_replacement_count()
    assert txt.replacement_count() == 0


@pytest.mark.parametrize("bad", ["<", "&", "&#", "&#x;", "<br/>", "</font>", "<<>>", "\x00<"])
def test_markup_always_parses(body: ParagraphStyle, bad: str) -> None:
    Paragraph(markup(bad), body).wrap(100, 100)


# --- PDF round trip -----------------------------------------------------------------------

def test_every_script_round_trips_through_the_pdf(fonts: txt.FontSet, body: ParagraphStyle) -> None:
    bold = ParagraphStyle("bold", parent=body, fontName=fonts.bold)
    mono = ParagraphStyle("mono", parent=body, fontName=fonts.mono)
    story = [plain_cell(s, style) for style in (body, bold, mono) for s in SAMPLES]
    lines = extract(build(story)).splitlines()
    for s in SAMPLES:
        assert lines.count(s) == 3, s  # exact: each sample is one line, in each style


def test_control_characters_and_decomposed_hangul_in_pdf(body: ParagraphStyle) -> None:
    nfd = unicodedata.normalize("NFD", "김철수")
    assert nfd != "김철수"
    pdf = build([plain_cell(f"{nfd}\ttab\x00nul\nsecond line", body)])
    assert extract(pdf).splitlines() == ["김철수 tab\ufffdnul", "second line"]


def test_fonts_are_embedded(fonts: txt.FontSet, body: ParagraphStyle) -> None:
    story = [plain_cell(s, body) for s in SAMPLES]
    story += [Paragraph(markup("Иван 김철수 王伟", bold=True), body),
              Paragraph(markup("abc 김", mono=True), body)]
    fonts_in_pdf, showing = page_fonts(build(story))
    assert showing <= set(fonts_in_pdf)
    families = {name.split("+", 1)[1] for name in showing}  # subset tag "AAAAAA+"
    registered = [fonts.body, fonts.bold, fonts.mono, *fonts.fallback, *fonts.bold_fallback]
    # BaseFont is the font's PostScript name (DroidSansFallbackFull.ttf says DroidSansFallback)
    assert families == {pdfmetrics.getFont(n).face.name.decode() for n in registered}
    for name, font in fonts_in_pdf.items():  # every font resource, used or not
        assert font["/Subtype"] == "/TrueType", name
        assert "/FontFile2" in font["/FontDescriptor"], name
        assert "/ToUnicode" in font, name


# --- wrapping -----------------------------------------------------------------------------

def test_hash_and_url_wrap_inside_narrow_table_cells(fonts: txt.FontSet, body: ParagraphStyle) -> None:
    mono = ParagraphStyle("mono", parent=body, fontName=fonts.mono, fontSize=8, leading=10)
    col_widths = [25 * mm, 35 * mm, 40 * mm]
    padding = 3
    cells = [plain_cell("E-001", body), plain_cell(HASH, mono), plain_cell(URL, body)]
    table = Table([cells], colWidths=col_widths)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"),
                               # without FONTNAME, Table selects (unembedded) Helvetica
                               ("FONTNAME", (0, 0), (-1, -1), fonts.body),
                               ("LEFTPADDING", (0, 0), (-1, -1), padding),
                               ("RIGHTPADDING", (0, 0), (-1, -1), padding)]))
    avail = A4[0] - 40 * mm
    width, _ = table.wrap(avail, A4[1])
    assert width <= avail
    pdf = build([table])
    for cell, col in zip(cells[1:], col_widths[1:], strict=True):
        line_widths = cell.getActualLineWidths0()
        assert len(line_widths) > 1  # it did wrap
        assert max(line_widths) <= col - 2 * padding + 0.01
    text = squash(extract(pdf))
    assert HASH in text
    assert squash(URL) in text
    assert "\u200b" not in extract(pdf)
    fonts_in_pdf, _ = page_fonts(pdf)
    assert all("/FontFile2" in f["/FontDescriptor"] for f in fonts_in_pdf.values())


def test_long_unbroken_cjk_wraps(body: ParagraphStyle) -> None:
    long_korean = "가나다라마바사아자차카타파하" * 8
    p = plain_cell(long_korean, body)
    p.wrap(40 * mm, 1000)
    assert max(p.getActualLineWidths0()) <= 40 * mm + 0.01
    assert long_korean in squash(extract(build([plain_cell(long_korean, body)])))


def test_plain_cell_rejects_styles_without_fallback_fonts() -> None:
    with pytest.raises(ValueError, match="FontSet"):
        plain_cell("x", ParagraphStyle("h", fontName="Helvetica"))

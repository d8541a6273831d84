"""PDF/A-2b: the case file, every production rendition and the privilege log pass an
independent PDF/A validator (page, checked against the veraPDF corpus) and pikepdf's own, and
carry each requirement we implement (checked structurally with pikepdf); signing keeps it."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import page
import pikepdf
import pytest
from exhibit_files import ingest_files
from pikepdf import pdfa as pikepdf_pdfa
from PIL import Image

from caseapp.domain.anchors import PDF_KEY
from caseapp.pdf.options import ExportOptions
from caseapp.pdf.pdfa import (
    CHECK_ENV,
    PdfaCanvas,
    PdfaNotApproved,
    check,
    content_id,
    finish_pdf,
)
from caseapp.pdf.rendition import KIND_IMAGE, KIND_TEXT, Document, Stamp, render
from caseapp.pdf.text import register_fonts
from caseapp.services.casefile import produce as prod
from caseapp.services.casefile import signing
from caseapp.services.casefile.exports import export_case_file
from caseapp.services.cases import cases, notes
from caseapp.services.maintenance import verify

#: Info keys and their XMP counterparts that must agree.
_PAIRS = {"/Title": "dc:title", "/Author": "dc:creator", "/Subject": "dc:description",
          "/Creator": "xmp:CreatorTool", "/Producer": "pdf:Producer",
          "/Keywords": "pdf:Keywords"}


def _validate(path: Path) -> None:
    report = page.validate_pdf(str(path), profile="2b")
    assert report.is_compliant, (path.name, [(f.rule_id, f.message) for f in report.failures])


def _structure(path: Path, *, signed: bool = False) -> pikepdf.Pdf:
    """Each PDF/A-2b requirement we implement, read back with pikepdf."""
    pdf = pikepdf.open(path)
    assert "/Encrypt" not in pdf.trailer
    assert len(pdf.trailer.ID) == 2 and len(bytes(pdf.trailer.ID[0])) == 16
    intents = pdf.Root.OutputIntents
    assert len(intents) == 1 and intents[0].S == "/GTS_PDFA1"
    profile = intents[0].DestOutputProfile
    assert profile.N == 3 and bytes(profile.read_bytes())[36:40] == b"acsp"
    assert bytes(profile.read_bytes())[12:16] == b"mntr"  # a monitor (sRGB) profile
    meta_stream = pdf.Root.Metadata
    assert "/Filter" not in meta_stream  # PDF/A: the XMP stream is not compressed
    meta = pdf.open_metadata()
    assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
    info = pdf.docinfo
    for key, prop in _PAIRS.items():
        if key in info:
            xmp = meta.get(prop)
            value = str(info[key])
            if prop == "dc:creator":
                assert xmp is not None and list(xmp) == [value], key
            elif prop == "dc:title" or prop == "dc:description":
                assert str(xmp) == value, key
            else:
                assert xmp == value, (key, xmp, value)
    for font in _fonts(pdf):
        descriptor = font.get("/FontDescriptor")
        if font.Subtype == "/Type0":
            descriptor = font.DescendantFonts[0].FontDescriptor
        assert descriptor is not None and any(
            k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font.BaseFont
    for pg in pdf.pages:
        assert "/Trans" not in pg.obj
        for annot in pg.get("/Annots", []):
            assert int(annot.get("/F", 0)) & 4, "every annotation prints"
    if signed:
        assert "/AcroForm" in pdf.Root
    return pdf


def _fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return [o for o in pdf.objects
            if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]


def _canvas_pdf(path: Path, canvas_class: type = PdfaCanvas, *, cmyk: bytes = b"",
                font: str | None = None) -> bytes:
    """A one-page PDF drawn on ``canvas_class``, with a DeviceCMYK JPEG when given."""
    from reportlab.lib.utils import ImageReader

    buffer = io.BytesIO()
    fonts = register_fonts()
    canvas = canvas_class(buffer, initialFontName=font or fonts.body, invariant=1)  # pyright: ignore[reportArgumentType]
    canvas.setFont(font or fonts.body, 12)
    canvas.drawString(72, 720, "plain")
    if cmyk:
        canvas.drawImage(ImageReader(io.BytesIO(cmyk)), 72, 600, 120, 80)
    canvas.save()
    out = io.BytesIO()
    finish_pdf(buffer.getvalue(), out)
    path.write_bytes(out.getvalue())
    return out.getvalue()


def test_a_plain_reportlab_pdf_fails_the_validator(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Control: both validators fire on what reportlab writes by itself; the same drawing on
    PdfaCanvas passes both."""
    from reportlab.pdfgen.canvas import Canvas

    monkeypatch.delenv(CHECK_ENV, raising=False)
    raw = tmp_path / "raw.pdf"
    data = _canvas_pdf(raw, Canvas)
    assert not page.validate_pdf(str(raw), profile="2b").is_compliant
    with pytest.raises(PdfaNotApproved):
        check(data)
    # reportlab's default initial font is Helvetica, not embedded: never approved as PDF/A
    helvetica = _canvas_pdf(tmp_path / "helvetica.pdf", font="Helvetica")
    with pytest.raises(PdfaNotApproved):
        check(helvetica)
    made = tmp_path / "a.pdf"
    check(_canvas_pdf(made))
    _validate(made)
    _structure(made)


def test_cmyk_image_is_converted_and_the_check_fires_on_one_left_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jpeg = io.BytesIO()
    Image.new("CMYK", (120, 80), (0, 200, 200, 0)).save(jpeg, "JPEG")
    out = tmp_path / "cmyk.pdf"
    with open(out, "wb") as handle:
        _pages, archival = render(Document(KIND_IMAGE, "E-001", "t", "c.jpg", "image/jpeg",
                                           "0" * 64, jpeg.getvalue()), Stamp("A", 1), handle)
    assert archival
    _validate(out)
    # A DeviceCMYK image cannot be PDF/A with an sRGB intent: the check (on in the test
    # suite) refuses to finish such a file, and page agrees.
    monkeypatch.setenv(CHECK_ENV, "1")
    with pytest.raises(PdfaNotApproved):
        _canvas_pdf(tmp_path / "left-in.pdf", cmyk=jpeg.getvalue())
    monkeypatch.delenv(CHECK_ENV)
    _canvas_pdf(tmp_path / "left-in.pdf", cmyk=jpeg.getvalue())
    assert not page.validate_pdf(str(tmp_path / "left-in.pdf"), profile="2b").is_compliant


def test_monospaced_font_widths_agree_with_the_embedded_program() -> None:
    """reportlab 5.1 garbles the advances past numberOfHMetrics; register_fonts fixes them."""
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(register_fonts().mono).face  # type: ignore[attr-defined]
    full = int.from_bytes(face.get_table("hhea")[34:36], "big")
    assert 0 < full < len(face.hmetrics)
    assert {aw for aw, _lsb in face.hmetrics[full - 1:]} == {face.hmetrics[full - 1][0]}
    assert face.hmetrics[-1][0] > 1000  # font units (2048 per em), not 1/1000 em


def test_text_rendition_is_pdfa_and_deterministic(tmp_path: Path) -> None:
    text = "서울 사무소 王伟 note\n    indented mono line\n".encode() * 40
    doc = Document(KIND_TEXT, "E-002", "memo", "memo.txt", "text/plain", "0" * 64, text)
    outs = []
    for n in range(2):
        buffer = io.BytesIO()
        assert render(doc, Stamp("ACME", 7, "CONFIDENTIAL"), buffer)[1]
        outs.append(buffer.getvalue())
        (tmp_path / f"t{n}.pdf").write_bytes(buffer.getvalue())
    assert outs[0] == outs[1]
    _validate(tmp_path / "t0.pdf")
    _structure(tmp_path / "t0.pdf")


@pytest.fixture
def case_ref(ws, tmp_path: Path) -> str:
    ref = cases.create_case(ws, "Archival case").ref
    notes.add_note(ws, ref, "Interview with 김민수 held")
    png = io.BytesIO()
    Image.new("RGBA", (200, 120), (30, 90, 200, 120)).save(png, "PNG")
    cmyk = io.BytesIO()
    Image.new("CMYK", (200, 120), (0, 120, 200, 10)).save(cmyk, "JPEG")
    files = {"photo.png": png.getvalue(), "scan.jpg": cmyk.getvalue(),
             "메모.txt": "王伟 서울 memo\n".encode() * 30, "blob.zip": b"PK\x03\x04" * 50,
             "held.txt": b"privileged\n"}
    ingest_files(ws, ref, tmp_path / "src", files, acquired_from="HR")
    return ref


def test_signed_production_pdfs_are_pdfa_2b(ws, case_ref, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        signer = signing.self_signed(ws)
    out = tmp_path / "prod"
    result = prod.produce(ws, case_ref, out, prod.ProduceOptions(
        prefix="ARC", endorsement="CONFIDENTIAL", signer=signer,
        withhold=(prod.Withhold("E-005", "work-product"),)))
    assert all(d["pdfa"] for d in result.to_json()["documents"])
    pdfs = sorted((out / "VOL001" / "IMAGES").glob("*.pdf"))
    assert len(pdfs) == 4
    for path in pdfs:
        _validate(path)
        pdf = _structure(path, signed=True)
        assert str(pdf.docinfo["/Producer"]) == pdf.open_metadata()["pdf:Producer"]
    _validate(out / "PRIVILEGE_LOG.pdf")
    _structure(out / "PRIVILEGE_LOG.pdf")


def test_case_file_is_pdfa_unsigned_and_signed_and_keeps_its_anchor(ws, case_ref,
                                                                    tmp_path: Path) -> None:
    plain = export_case_file(ws, case_ref, tmp_path / "case.pdf").path
    _validate(plain)
    pdf = _structure(plain)
    assert str(pdf.docinfo[PDF_KEY]).startswith("caseapp audit chain head: entry ")
    # pikepdf's allowlist validator approves the unsigned file as well
    assert pikepdf_pdfa.validate_written(str(plain), "2b").verdict == "pass"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        signer = signing.self_signed(ws)
    signed = export_case_file(ws, case_ref, tmp_path / "signed.pdf", signer=signer).path
    _validate(signed)
    pdf = _structure(signed, signed=True)
    assert str(pdf.docinfo[PDF_KEY]).startswith("caseapp audit chain head: entry ")
    assert str(pdf.docinfo["/Producer"]) == pdf.open_metadata()["pdf:Producer"]
    report = verify.verify_store(ws, anchor_files=[plain, signed])
    assert report.ok, report.problems


def test_password_protected_case_file_makes_no_pdfa_claim(ws, case_ref, tmp_path: Path) -> None:
    out = export_case_file(ws, case_ref, tmp_path / "locked.pdf",
                           ExportOptions(password="s3cret-pass")).path
    with pikepdf.open(out, password="s3cret-pass") as pdf:
        assert "/Encrypt" in pdf.trailer
        assert pdf.open_metadata().get("pdfaid:part") is None


def test_stream_data_ending_in_cr_gets_an_unambiguous_end_of_line(tmp_path: Path) -> None:
    """reportlab writes no end-of-line before ``endstream``; caseapp adds one, and where the
    data ends in CR it is a CR too (``CR LF`` would read as one marker and /Length short)."""
    from reportlab.pdfbase import pdfdoc

    buffer = io.BytesIO()
    canvas = PdfaCanvas(buffer, initialFontName=register_fonts().body,  # pyright: ignore[reportArgumentType]
                        invariant=1)
    canvas.setFont(register_fonts().body, 12)
    canvas.drawString(72, 720, "one page")
    canvas._doc.Reference(  # pyright: ignore[reportAttributeAccessIssue]
        pdfdoc.PDFStream(content=b"0123456789\r", filters=()))
    canvas.save()
    data = content_id(buffer.getvalue())
    assert b"0123456789\r\rendstream" in data
    assert page.validate_pdf_bytes(data, profile="2b").is_compliant
    check(data)
    misread = data.replace(b"0123456789\r\rendstream", b"0123456789\r\nendstream")
    report = page.validate_pdf_bytes(misread, profile="2b")
    assert not report.is_compliant  # control: the validator fires
    assert "STREAM-LENGTH" in report.failures[0].rule_id


def test_metadata_with_controls_and_other_scripts_agrees_with_the_info(tmp_path: Path) -> None:
    """Characters XML cannot carry become U+FFFD in both the Info and the XMP."""
    doc = Document(KIND_TEXT, "E-009", "memo\x01 <&> 서울 € \x85 王伟", "m.txt", "text/plain",
                   "0" * 64, b"text\n")
    out = tmp_path / "m.pdf"
    with open(out, "wb") as handle:
        render(doc, Stamp("ACME", 1), handle)
    _validate(out)
    pdf = _structure(out)
    assert str(pdf.docinfo["/Subject"]) == "memo\ufffd <&> 서울 € \ufffd 王伟"
    # the identifier comes from the content: another document, another identifier
    other = io.BytesIO()
    render(Document(KIND_TEXT, "E-009", "memo", "m.txt", "text/plain", "0" * 64, b"other\n"),
           Stamp("ACME", 1), other)
    with pikepdf.open(io.BytesIO(other.getvalue())) as second:
        assert bytes(second.trailer.ID[0]) != bytes(pdf.trailer.ID[0])

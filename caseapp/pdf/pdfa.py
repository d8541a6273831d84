"""PDF/A-2b for every PDF caseapp writes (case file, production renditions, privilege log).

reportlab's open-source release does not declare PDF/A, so :class:`PdfaCanvas` adds what
PDF/A-2b asks of its output while it writes the file (no second pass over the bytes):

* an sRGB output intent (``/OutputIntents``, ``/S /GTS_PDFA1``) with the sRGB ICC profile that
  ships with pikepdf (ICC v2, monitor class; its copyright tag reads "no copyright, use
  freely");
* an uncompressed XMP packet declaring ``pdfaid:part 2`` / ``pdfaid:conformance B``, written
  from the same values as the document information dictionary (title, author, subject,
  keywords, creator tool, producer, dates); our own ``/CaseappAuditHead`` key stays in the
  information dictionary only (PDF/A allows keys without an XMP counterpart);
* no empty ``/Trans`` page entries, the Print flag on every annotation, an end-of-line
  before every ``endstream`` (reportlab writes none, so ``/Length`` reads wrong); and
  :func:`finish_pdf` gives the file an identifier derived from its content (the same
  document gives the same bytes).

Fonts are the vendored TrueType fonts, all embedded by reportlab (:mod:`caseapp.pdf.text`
corrects reportlab's advance widths for monospaced fonts, so the embedded programs agree with
``/Widths``, and replaces characters no font has by U+FFFD, so no text shows ``.notdef``).
Images are RGB or grey (CMYK is converted before it is placed), and nothing is encrypted: a
password-protected case file is not PDF/A, because PDF/A forbids encryption.

Conformance is checked by the tests, not at every export: every PDF kind passes two
validators there (page, and pikepdf's allowlist validator), and with ``CASEAPP_PDFA_CHECK=1``
(set for the whole test suite) :func:`finish_pdf` runs pikepdf's validator on every file it
finishes and raises :class:`PdfaNotApproved` when it is not approved. Validating at runtime
cost 40% of an export while checking only our own writer: nothing a user supplies reaches the
file except escaped text in embedded fonts and images normalised before they are placed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import warnings
from collections.abc import Iterator
from importlib import resources
from typing import Any, BinaryIO

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

FLAVOUR = "2b"
CHECK_ENV = "CASEAPP_PDFA_CHECK"


class PdfaNotApproved(RuntimeError):
    """The PDF/A validator did not approve a file (only raised with ``CASEAPP_PDFA_CHECK``)."""


def signing_producer() -> str:
    """The producer string pyHanko writes (``pyHanko <version>``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.pdf_utils.metadata.model import VENDOR
    return str(VENDOR)


def _patch_stream_end() -> None:
    """An end-of-line before ``endstream``, outside ``/Length`` (ISO 32000 7.3.8.1).

    reportlab writes ``data endstream``. Where the data ends in CR the end-of-line is a CR
    too: ``data CR LF endstream`` would read as a two-byte marker and ``/Length`` one short.
    Patched only while the installed reportlab still writes no end-of-line.
    """
    original = pdfdoc.PDFStream.format
    sample = pdfdoc.PDFStream(content=b"x", filters=())
    if getattr(original, "_caseapp", False) or b"x\nendstream" in original(
            sample, pdfdoc.PDFDocument(invariant=1)):
        return

    def format(self: pdfdoc.PDFStream, document: Any) -> bytes:  # noqa: A001 - reportlab's name
        out: bytes = original(self, document)
        data = out[:-len(b"endstream\n")]
        return data + (b"\r" if data.endswith(b"\r") else b"\n") + b"endstream\n"

    format._caseapp = True  # type: ignore[attr-defined]
    pdfdoc.PDFStream.format = format  # type: ignore[method-assign]


_patch_stream_end()


class _RawStream(pdfdoc.PDFObject):
    """A stream written as given: the XMP packet must stay uncompressed, and the ICC profile
    is compressed once per process."""

    __RefOnly__ = 1

    def __init__(self, entries: dict[str, Any], content: bytes) -> None:
        self.entries = dict(entries)
        self.content = content

    def format(self, document: Any) -> bytes:
        head = pdfdoc.PDFDictionary({**self.entries, "Length": len(self.content)})
        return head.format(document) + b"\nstream\n" + self.content + b"\nendstream\n"


_ICC: bytes | None = None


def _srgb_profile() -> _RawStream:
    global _ICC
    if _ICC is None:
        import zlib

        _ICC = zlib.compress(
            (resources.files("pikepdf") / "pdfa" / "data" / "sRGB.icc").read_bytes())
    return _RawStream({"N": 3, "Filter": pdfdoc.PDFName("FlateDecode")}, _ICC)


@contextlib.contextmanager
def binary_streams() -> Iterator[None]:
    """Streams written as binary Flate data while a PDF is built and saved, not ASCII85
    (smaller files, less work). reportlab reads the setting process-wide as it writes, so it
    is restored afterwards."""
    use_a85 = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = use_a85


# Characters XML 1.0 cannot carry (and C1 controls, which PDFDocEncoding maps elsewhere).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_PDF_DATE = re.compile(r"D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:([+-])(\d\d)'(\d\d)'?|Z)?")
_INFO_FIELDS = ("title", "author", "subject", "keywords", "creator", "producer")


def _clean(value: object) -> str:
    return _NOT_XML.sub("\ufffd", str(value if value is not None else ""))


def _xml(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xmp_date(pdf_date: str) -> str:
    """``D:YYYYMMDDHHmmSS+HH'mm'`` as the XMP date of the same moment."""
    match = _PDF_DATE.fullmatch(pdf_date)
    if match is None:
        raise ValueError("not a PDF date")
    y, mo, d, h, mi, s, sign, oh, om = match.groups()
    zone = f"{sign}{oh}:{om}" if sign else "+00:00"
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}{zone}"


def xmp_packet(info: dict[str, str], date: str) -> bytes:
    """The XMP metadata for the document information values ``info`` and XMP ``date``."""
    def alt(tag: str, value: str) -> str:
        return (f"<{tag}><rdf:Alt><rdf:li xml:lang=\"x-default\">{_xml(value)}</rdf:li>"
                f"</rdf:Alt></{tag}>")

    body = [alt("dc:title", info["title"]),
            f"<dc:creator><rdf:Seq><rdf:li>{_xml(info['author'])}</rdf:li></rdf:Seq>"
            "</dc:creator>",
            alt("dc:description", info["subject"]),
            f"<pdf:Keywords>{_xml(info['keywords'])}</pdf:Keywords>",
            f"<xmp:CreatorTool>{_xml(info['creator'])}</xmp:CreatorTool>",
            f"<pdf:Producer>{_xml(info['producer'])}</pdf:Producer>",
            f"<xmp:CreateDate>{date}</xmp:CreateDate>",
            f"<xmp:ModifyDate>{date}</xmp:ModifyDate>",
            f"<xmp:MetadataDate>{date}</xmp:MetadataDate>",
            "<pdfaid:part>2</pdfaid:part>", "<pdfaid:conformance>B</pdfaid:conformance>"]
    text = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
            'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">\n'
            + "\n".join(body) +
            "\n</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>")
    return text.encode("utf-8")


def _info_date(stamp: Any, formatter: Any) -> str:
    """The date string reportlab writes as CreationDate and ModDate (see its ``PDFDate``)."""
    if formatter is not None:
        return str(formatter(*stamp.YMDhms))
    y, mo, d, h, mi, s = stamp.YMDhms
    return f"D:{y:04d}{mo:02d}{d:02d}{h:02d}{mi:02d}{s:02d}{stamp.dhh:+03d}'{stamp.dmm:02d}'"


class PdfaCanvas(Canvas):
    """A reportlab canvas whose file declares PDF/A-2b (see the module docstring).

    Pass it as ``canvasmaker`` to a doc template's ``build``/``multiBuild``, and the bytes
    to :func:`finish_pdf`. Never with encryption: PDF/A forbids it.
    """

    def _addAnnotation(self, annotation: Any, name: Any = None,  # noqa: N802 - reportlab's
                       addtopage: int = 1) -> None:
        if isinstance(annotation, pdfdoc.PDFDictionary):
            annotation["F"] = 4  # Print: PDF/A wants every annotation printed as shown
        elif hasattr(annotation, "otherkw"):
            annotation.otherkw["F"] = 4
        super()._addAnnotation(annotation, name, addtopage)  # pyright: ignore[reportAttributeAccessIssue]

    def save(self) -> None:
        if len(self._code):  # pyright: ignore[reportAttributeAccessIssue]
            self.showPage()
        self._declare()
        super().save()

    def _declare(self) -> None:
        doc = self._doc  # pyright: ignore[reportAttributeAccessIssue]
        if getattr(doc, "_caseapp_pdfa", False):
            return
        doc._caseapp_pdfa = True
        for page in doc.Pages.pages:
            trans = getattr(page, "Trans", None)
            if isinstance(trans, pdfdoc.PDFDictionary) and not trans.dict:
                page.Trans = None
        info = doc.info
        values = {name: _clean(getattr(info, name, "")) for name in _INFO_FIELDS}
        for name, value in values.items():  # the Info dictionary and the XMP say the same
            setattr(info, name, value)
        date = _info_date(doc._timeStamp, info._dateFormatter)
        catalog = doc.Catalog
        catalog.Metadata = _RawStream({"Type": pdfdoc.PDFName("Metadata"),
                                       "Subtype": pdfdoc.PDFName("XML")},
                                      xmp_packet(values, xmp_date(date)))
        profile = doc.Reference(_srgb_profile())
        catalog.__NoDefault__ = [*pdfdoc.PDFCatalog.__NoDefault__, "OutputIntents"]
        catalog.OutputIntents = pdfdoc.PDFArray([pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("OutputIntent"), "S": pdfdoc.PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": pdfdoc.PDFString("sRGB"),
            "Info": pdfdoc.PDFString("sRGB"), "DestOutputProfile": profile})])


_TRAILER_ID = re.compile(rb"/ID\s*\[<([0-9a-fA-F]{32})><([0-9a-fA-F]{32})>\]")


def content_id(data: bytes) -> bytes:
    """``data`` with the trailer's file identifier derived from the content (reportlab's
    invariant mode writes one from the title and author only)."""
    at = data.rfind(b"trailer")
    match = _TRAILER_ID.search(data, at) if at >= 0 else None
    if match is None:
        return data
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest().encode("ascii")
    return data[:match.start(1)] + digest + b"><" + digest + data[match.end(2):]


def finish_pdf(data: bytes, out: BinaryIO) -> bool:
    """Write the bytes of a :class:`PdfaCanvas` file to ``out`` with its content-derived
    identifier; True (the file is PDF/A-2b). With ``CASEAPP_PDFA_CHECK=1`` pikepdf's
    validator checks it first (raises :class:`PdfaNotApproved`)."""
    data = content_id(data)
    if os.environ.get(CHECK_ENV) == "1":
        check(data)
    out.write(data)
    return True


def check(data: bytes) -> None:
    """Raise :class:`PdfaNotApproved` unless pikepdf's validator approves ``data``."""
    from pikepdf import pdfa

    report = pdfa.validate_written(io.BytesIO(data), FLAVOUR)
    if report.verdict != "pass":  # rule ids only: messages may quote document text
        raise PdfaNotApproved("not PDF/A-2b: " + ", ".join(
            sorted({f.rule for f in report.findings})[:10]))

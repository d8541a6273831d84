"""PDF/A-2b for every PDF caseapp writes (case file, production renditions, privilege log).

reportlab's open-source release cannot declare PDF/A, so a finished PDF is made conformant
afterwards with pikepdf (``pikepdf.pdfa``), without touching page content:

* an sRGB output intent (``/OutputIntents``, ``/S /GTS_PDFA1``) with the sRGB ICC profile that
  ships with pikepdf (ICC v2, monitor class; its copyright tag reads "no copyright, use
  freely");
* XMP metadata declaring ``pdfaid:part 2`` / ``pdfaid:conformance B``, written from the
  document information dictionary and kept in step with it (title, author, subject,
  keywords, creator tool, producer, dates); our own ``/CaseappAuditHead`` key stays in the
  information dictionary (PDF/A allows keys without an XMP counterpart);
* reportlab's empty ``/Trans`` page entries dropped, annotations given the Print flag, a
  file identifier derived from the content (the same document gives the same bytes).

Fonts are the vendored TrueType fonts, all embedded by reportlab (:mod:`caseapp.pdf.text`
corrects reportlab's advance widths for monospaced fonts, so the embedded programs agree with
``/Widths``). Images are RGB or grey (CMYK is converted before it is placed), and nothing is
encrypted: a password-protected case file is not PDF/A, because PDF/A forbids encryption.

:func:`to_pdfa` writes the file and has pikepdf's allowlist validator check the bytes it wrote
(it approves only what it knows conforms). A file it does not approve is kept as reportlab wrote
it and makes no PDF/A claim; the caller learns that from the ``None`` result.
"""

from __future__ import annotations

import io
import logging
import warnings
from typing import BinaryIO

log = logging.getLogger(__name__)

FLAVOUR = "2b"


def signing_producer() -> str:
    """The producer string pyHanko writes (``pyHanko <version>``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.pdf_utils.metadata.model import VENDOR
    return str(VENDOR)


def to_pdfa(data: bytes, *, producer: str) -> bytes | None:
    """A PDF/A-2b copy of the PDF ``data``, checked by pikepdf's validator; None when the
    validator does not approve it (the caller keeps ``data``, which claims nothing)."""
    import pikepdf
    from pikepdf import pdfa

    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            trans = page.obj.get("/Trans")
            if isinstance(trans, pikepdf.Dictionary) and not trans.keys():
                del page.obj["/Trans"]  # reportlab writes an empty one on every page
        pdfa.prepare(pdf, FLAVOUR)  # sRGB output intent, XMP + pdfaid, Print flags
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            created = meta.get("xmp:CreateDate")
            if created:  # the document's own date, so the same input gives the same bytes
                meta["xmp:MetadataDate"] = created
            meta["pdf:Producer"] = producer
        out = io.BytesIO()
        try:
            # A classic cross-reference table, no object streams: pyHanko's incremental
            # update then appends a classic table too, instead of a compressed xref stream
            # whose data may end in CR, which validators misread before "endstream".
            pdfa.save(pdf, out, FLAVOUR, repair=False, deterministic_id=True,
                      object_stream_mode=pikepdf.ObjectStreamMode.disable)
        except pdfa.PdfaError as exc:  # rule ids only: messages may quote document text
            log.warning("pdfa.not-approved rules=%s",
                        sorted({f.rule for f in exc.report.findings})[:10])
            return None
    return _unambiguous_stream_ends(out.getvalue())


def _unambiguous_stream_ends(data: bytes) -> bytes:
    """Make the end-of-line before ``endstream`` unambiguous where a stream's data ends in CR.

    qpdf writes ``data LF endstream``; when the (compressed) data happens to end with CR,
    validators read ``CR LF`` as the end-of-line marker and find ``/Length`` one byte short
    (PDF/A 6.1.7.1). A lone CR is also an end-of-line marker, so the LF becomes a CR: the
    same number of bytes (no offset moves) and ``data CR CR endstream`` reads one way only.
    """
    import pikepdf

    if b"\r\nendstream" not in data:  # the usual case: nothing can be misread
        return data
    tails: set[bytes] = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_raw_bytes()
                if raw.endswith(b"\r"):
                    tails.add(raw[-48:])
    if not tails:
        return data
    patched = bytearray(data)
    for tail in tails:
        needle = tail + b"\nendstream"
        start = 0
        while (at := data.find(needle, start)) >= 0:
            patched[at + len(tail)] = 0x0D
            start = at + len(needle)
    return bytes(patched)


def finish_pdf(data: bytes, out: BinaryIO, *, producer: str) -> bool:
    """Write ``data`` to ``out`` as PDF/A-2b (True), or as it is when the PDF/A validator
    does not approve it (False)."""
    converted = to_pdfa(data, producer=producer)
    out.write(converted if converted is not None else data)
    return converted is not None


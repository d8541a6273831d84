"""Embedding exhibit images without re-encoding them.

reportlab's ``Image`` decodes every picture to raw pixels, hashes them and compresses them
again. For the common formats the compressed data can go into the PDF as it is:

* JPEG (8-bit RGB or grey): the file is a ``DCTDecode`` image stream;
* PNG (8-bit RGB or grey, not interlaced, no transparency): the concatenated ``IDAT`` data
  is a ``FlateDecode`` stream with PNG predictors (``/DecodeParms /Predictor 15``).

:func:`passthrough` tells whether an image qualifies (parsing the PNG header itself);
:class:`EmbeddedImage` draws it. Anything else goes through reportlab's ``Image``.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from dataclasses import dataclass

from reportlab.pdfbase import pdfdoc
from reportlab.platypus import Flowable, Image

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class RawImage:
    """Compressed image data ready to be a PDF image stream."""

    data: bytes
    width: int
    height: int
    colors: int  # 1 grey, 3 RGB
    kind: str  # "jpeg" | "png"


def _png(data: bytes) -> RawImage | None:
    if not data.startswith(_PNG_SIGNATURE):
        return None
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        tag = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4 or zlib.crc32(tag + body) != int.from_bytes(
                crc, "big"):
            return None
        if tag == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif tag in (b"tRNS", b"eXIf"):
            return None  # transparency (soft mask) or orientation: the general path
        elif tag == b"IDAT":
            idat.append(body)
        elif tag == b"IEND":
            break
        pos += 12 + length
    if header is None or not idat:
        return None
    width, height, depth, colour_type, _compression, _filter, interlace = header
    if depth != 8 or interlace != 0 or colour_type not in (0, 2):
        return None
    return RawImage(b"".join(idat), width, height, 3 if colour_type == 2 else 1, "png")


def passthrough(data: bytes, pil_format: str | None, mode: str,
                size: tuple[int, int]) -> RawImage | None:
    """The image's own compressed data when it can be embedded as is, else None."""
    if pil_format == "PNG":
        raw = _png(data)
        return raw if raw is not None and (raw.width, raw.height) == size else None
    if pil_format == "JPEG" and mode in ("RGB", "L"):
        return RawImage(data, size[0], size[1], 3 if mode == "RGB" else 1, "jpeg")
    return None


class _XObject(pdfdoc.PDFImageXObject):
    """An image XObject whose stream is already compressed."""

    def __init__(self, name: str, raw: RawImage) -> None:
        super().__init__(name)
        self.width, self.height = raw.width, raw.height
        self.bitsPerComponent = 8
        self.colorSpace = "DeviceRGB" if raw.colors == 3 else "DeviceGray"
        self._filters = ("DCTDecode",) if raw.kind == "jpeg" else ("FlateDecode",)  # one
        self.streamContent = raw.data  # pyright: ignore[reportAttributeAccessIssue]
        self.mask = None
        self._parms = None if raw.kind == "jpeg" else pdfdoc.PDFDictionary({
            "Predictor": 15, "Colors": raw.colors, "BitsPerComponent": 8,
            "Columns": raw.width})

    def format(self, document: pdfdoc.PDFDocument) -> bytes:
        stream = pdfdoc.PDFStream(content=self.streamContent)
        d = stream.dictionary
        d["Type"] = pdfdoc.PDFName("XObject")
        d["Subtype"] = pdfdoc.PDFName("Image")
        d["Width"] = self.width
        d["Height"] = self.height
        d["BitsPerComponent"] = self.bitsPerComponent
        d["ColorSpace"] = pdfdoc.PDFName(self.colorSpace)
        # One filter: a name, and its parameters a dictionary (with a Filter array, readers
        # such as poppler expect a DecodeParms array and ignore a dictionary).
        d["Filter"] = pdfdoc.PDFName(self._filters[0])
        if self._parms is not None:
            d["DecodeParms"] = self._parms
        d["Length"] = len(self.streamContent)
        return stream.format(document)


class EmbeddedImage(Flowable):
    """A picture drawn at ``width`` x ``height`` points from :class:`RawImage` data (or, for
    other formats, through reportlab's ``Image`` from ``data``)."""

    def __init__(self, data: bytes, raw: RawImage | None, width: float, height: float) -> None:
        super().__init__()
        self.data = data
        self.raw = raw
        self.draw_width = width
        self.draw_height = height
        self.hAlign = "CENTER"

    def wrap(  # pyright: ignore[reportIncompatibleMethodOverride] - untyped base
            self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.draw_width, self.draw_height

    def draw(self) -> None:
        canv = self.canv
        if self.raw is None:
            image = Image(io.BytesIO(self.data), width=self.draw_width,
                          height=self.draw_height)
            image.drawOn(canv, 0, 0)
            return
        name = "caseapp" + hashlib.sha256(self.raw.data).hexdigest()[:40]
        doc = canv._doc  # pyright: ignore[reportAttributeAccessIssue]
        reg = doc.getXObjectName(name)
        if not doc.idToObject.get(reg):
            obj = _XObject(name, self.raw)
            canv._setXObjects(obj)  # pyright: ignore[reportAttributeAccessIssue]
            doc.Reference(obj, reg)
            doc.addForm(name, obj)
        canv._currentPageHasImages = 1  # pyright: ignore[reportAttributeAccessIssue]
        canv.saveState()
        canv.scale(self.draw_width, self.draw_height)
        canv._code.append(f"/{reg} Do")  # pyright: ignore[reportAttributeAccessIssue]
        canv.restoreState()
        canv._formsinuse.append(name)  # pyright: ignore[reportAttributeAccessIssue]

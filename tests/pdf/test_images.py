"""Exhibit images in the appendix: embedded as is where possible, pixels preserved, every
format either embedded or cited by hash; rendered correctly by a real PDF renderer."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate

from caseapp.domain.models import Evidence
from caseapp.pdf.content import APPENDIX_IMAGE, APPENDIX_REFERENCE, ExhibitEntry
from caseapp.pdf.exhibit_media import fill_appendix, plan
from caseapp.pdf.images import EmbeddedImage

COLOUR = (70, 110, 160)


def _bytes(img: Image.Image, fmt: str, **kw: object) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **kw)
    return out.getvalue()


def _picture(mode: str = "RGB") -> Image.Image:
    """A 120x80 picture: a coloured field with a black bar on the left (shows shearing)."""
    img = Image.new("RGB", (120, 80), COLOUR)
    for y in range(80):
        for x in range(10):
            img.putpixel((x, y), (0, 0, 0))
    return img.convert(mode)


def _entry(data: bytes, media_type: str, name: str) -> ExhibitEntry:
    ev = Evidence(number=1, title=name, original_name=name, size=len(data),
                  media_type=media_type, sha256="0" * 64, blob_id="x",
                  ingested_at=datetime(2026, 1, 1, tzinfo=UTC))
    entry = ExhibitEntry(ev, [])
    media = plan(media_type, name, len(data))
    fill_appendix(entry, media, data[:media.keep_bytes])
    return entry


CASES = {
    "png-rgb": (lambda: _bytes(_picture(), "PNG"), "image/png", "png"),
    "png-grey": (lambda: _bytes(_picture("L"), "PNG"), "image/png", "png"),
    "png-rgba": (lambda: _bytes(_picture("RGBA"), "PNG"), "image/png", "png"),
    "png-palette": (lambda: _bytes(_picture("P"), "PNG"), "image/png", "png"),
    "jpeg": (lambda: _bytes(_picture(), "JPEG", quality=95), "image/jpeg", "jpeg"),
    "gif": (lambda: _bytes(_picture("P"), "GIF"), "image/gif", "png"),
    "bmp": (lambda: _bytes(_picture(), "BMP"), "image/bmp", "png"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_format_embeds_with_its_pixels(name: str, tmp_path: Path) -> None:
    make, media_type, kind = CASES[name]
    entry = _entry(make(), media_type, f"pic.{name}")
    assert entry.appendix == APPENDIX_IMAGE and entry.image_px == (120, 80)
    assert entry.image_raw is not None and entry.image_raw.kind == kind
    pdf = tmp_path / "img.pdf"
    SimpleDocTemplate(str(pdf), pagesize=A4).build(
        [EmbeddedImage(entry.image, entry.image_raw, 240, 160)])
    images = PdfReader(pdf).pages[0].images
    assert len(images) == 1
    decoded = images[0].image.convert("RGB")
    assert decoded.size == (120, 80)
    source = Image.open(io.BytesIO(make())).convert("RGB")  # palette/grey as decoded
    tolerance = 12 if kind == "jpeg" else 0
    for x, y in ((5, 40), (60, 40), (119, 0), (0, 79)):
        got, want = decoded.getpixel((x, y)), source.getpixel((x, y))
        assert all(abs(g - w) <= tolerance for g, w in zip(got, want, strict=True)), \
            (name, x, y, got, want)
    assert max(decoded.getpixel((5, 40))) < 40  # the black bar is where it was


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("name", ["png-rgb", "jpeg", "png-rgba"])
def test_a_real_renderer_draws_the_image_unsheared(name: str, tmp_path: Path) -> None:
    make, media_type, _kind = CASES[name]
    entry = _entry(make(), media_type, f"pic.{name}")
    pdf = tmp_path / "img.pdf"
    canvas = Canvas(str(pdf), pagesize=(240, 160))
    image = EmbeddedImage(entry.image, entry.image_raw, 240, 160)
    image.wrapOn(canvas, 240, 160)
    image.drawOn(canvas, 0, 0)
    canvas.save()
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", str(pdf),
                    str(tmp_path / "page")], check=True)
    page = Image.open(tmp_path / "page.png").convert("RGB")
    assert page.size == (240, 160)
    for y in (10, 80, 150):  # the bar stays on the left on every row, the field elsewhere
        assert max(page.getpixel((8, y))) < 40
        assert all(abs(a - b) <= 14 for a, b in zip(page.getpixel((150, y)), COLOUR,
                                                     strict=True))


def test_broken_and_oversized_images_are_cited_by_hash() -> None:
    data = _bytes(_picture(), "PNG")
    broken = bytearray(data)
    broken[60] ^= 0xFF  # inside IDAT: the chunk CRC no longer matches
    entry = _entry(bytes(broken), "image/png", "broken.png")
    assert entry.appendix in (APPENDIX_REFERENCE, APPENDIX_IMAGE)
    if entry.appendix == APPENDIX_IMAGE:  # PIL could still decode it: then not passed through
        assert entry.image_raw is None or entry.image_raw.data != bytes(broken)
    junk = _entry(b"not an image at all", "image/png", "junk.png")
    assert junk.appendix == APPENDIX_REFERENCE and "could not be decoded" in junk.image_note
    assert plan("image/png", "huge.png", 41 * 1024 * 1024).kind == APPENDIX_REFERENCE


def test_exif_rotated_jpeg_is_shown_upright() -> None:
    img = _picture()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    entry = _entry(_bytes(img, "JPEG", exif=exif.tobytes()), "image/jpeg", "rot.jpg")
    assert entry.appendix == APPENDIX_IMAGE and entry.image_px == (80, 120)
    assert "EXIF orientation" in entry.image_note


def test_large_image_is_scaled_for_display() -> None:
    big = Image.new("RGB", (4000, 1000), COLOUR)
    entry = _entry(_bytes(big, "PNG"), "image/png", "big.png")
    assert entry.image_px == (2000, 500)
    assert "scaled down from 4000×1000" in entry.image_note

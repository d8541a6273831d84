"""How an exhibit appears in the case file's appendix: images embedded (scaled for display,
decoded in memory), text excerpted, everything else cited by hash.

:func:`plan` decides from the recorded media type and size how many bytes to keep while the
exhibit streams out of the vault; :func:`fill_appendix` turns those bytes into what the
appendix shows. Nothing here touches the disk.
"""

from __future__ import annotations

import codecs
import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from caseapp.pdf.content import (
    APPENDIX_IMAGE,
    APPENDIX_REFERENCE,
    APPENDIX_TEXT,
    ExhibitEntry,
)
from caseapp.pdf.images import RawImage, passthrough

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff",
                         "image/webp", "image/x-ms-bmp"})
TEXT_TYPES = frozenset({"application/json", "application/xml", "application/csv",
                        "application/x-ndjson", "application/yaml", "application/x-yaml",
                        "application/javascript", "message/rfc822"})
TEXT_SUFFIXES = frozenset({".txt", ".log", ".md", ".csv", ".tsv", ".json", ".xml", ".eml",
                           ".yaml", ".yml", ".ini", ".cfg", ".html", ".htm"})
MAX_IMAGE_BYTES = 40 * 1024 * 1024
MAX_IMAGE_PIXELS = 60_000_000
DISPLAY_MAX_PX = 2000
TEXT_KEEP_BYTES = 64 * 1024
EXCERPT_LINES = 100
EXCERPT_CHARS = 6000
_ORIENTATION = 0x0112  # EXIF tag


@dataclass(frozen=True)
class MediaPlan:
    """What to keep of an exhibit while it is read."""

    kind: str  # APPENDIX_IMAGE | APPENDIX_TEXT | APPENDIX_REFERENCE
    keep_bytes: int
    note: str = ""


def plan(media_type: str, name: str, size: int) -> MediaPlan:
    """Decide the appendix treatment from the recorded media type, name and size."""
    media_type = (media_type or "").lower()
    if media_type in IMAGE_TYPES:
        if size > MAX_IMAGE_BYTES:
            return MediaPlan(APPENDIX_REFERENCE, 0, f"Image of {size:,} bytes: too large to "
                             "embed; cited by its SHA-256 (see the native file).")
        return MediaPlan(APPENDIX_IMAGE, size)
    suffix = PurePath(name).suffix.lower()
    if media_type.startswith("text/") or media_type in TEXT_TYPES or (
            media_type == "application/octet-stream" and suffix in TEXT_SUFFIXES):
        return MediaPlan(APPENDIX_TEXT, TEXT_KEEP_BYTES)
    return MediaPlan(APPENDIX_REFERENCE, 0, f"Not reproduced in this document "
                     f"({media_type or 'unknown type'}); cited by its SHA-256.")


def fill_appendix(entry: ExhibitEntry, media: MediaPlan, data: bytes) -> None:
    """Set the entry's appendix fields from the kept bytes."""
    entry.appendix = media.kind
    if media.kind == APPENDIX_IMAGE:
        _image(entry, data)
    elif media.kind == APPENDIX_TEXT:
        _text(entry, data)
    else:
        entry.image_note = media.note


def _reference(entry: ExhibitEntry, note: str) -> None:
    entry.appendix = APPENDIX_REFERENCE
    entry.image, entry.image_px, entry.image_raw, entry.excerpt = None, None, None, None
    entry.image_note = note


def _image(entry: ExhibitEntry, data: bytes) -> None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                _reference(entry, f"Image of {width}×{height} px: too large to embed; cited "
                                  "by its SHA-256 (see the native file).")
                return
            notes = []
            frames = getattr(img, "n_frames", 1)
            if frames > 1:
                notes.append("First frame shown.")
            source_format = img.format
            raw = None
            if frames == 1 and img.mode in ("RGB", "L") and max(img.size) <= DISPLAY_MAX_PX:
                raw = passthrough(data, source_format, img.mode, img.size)
            # A passthrough PNG has no eXIf chunk (so no rotation); PIL would decode the
            # whole PNG to look for one. JPEG keeps its EXIF in the header.
            if raw is not None and not (raw.kind == "jpeg" and _rotated(img)) \
                    and _decodes(img, raw):
                entry.image, entry.image_raw = data, raw
                entry.image_px = (raw.width, raw.height)  # (draft decoding changes img.size)
                entry.image_note = " ".join(notes)
                return
            img.load()
            changed = _rotated(img)
            if changed:
                img = ImageOps.exif_transpose(img)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Warning,
            Image.DecompressionBombError) as exc:
        _reference(entry, f"The image could not be decoded ({type(exc).__name__}); cited by "
                          "its SHA-256 (see the native file).")
        return
    if changed:
        notes.append("Rotated as its EXIF orientation says.")
    entry.image, entry.image_px, fmt, mode = _display_copy(img, source_format, notes)
    entry.image_raw = passthrough(entry.image, fmt, mode, entry.image_px)
    entry.image_note = " ".join(notes)


def _rotated(img: object) -> bool:
    """Whether the image's EXIF asks for a rotation or mirroring."""
    return img.getexif().get(_ORIENTATION, 1) not in (1, None)  # type: ignore[attr-defined]


def _decodes(img: object, raw: RawImage) -> bool:
    """Cheap check that an image embedded as is will display. PNG: every chunk's CRC and
    the header were checked by :func:`passthrough`. JPEG: decodes at 1/8 scale (raises on
    damaged data)."""
    if raw.kind == "png":
        return True
    img.draft(img.mode, (max(1, raw.width // 8), max(1, raw.height // 8)))  # type: ignore[attr-defined]
    img.load()  # type: ignore[attr-defined]
    return True


def _display_copy(img: object, source_format: str | None,
                  notes: list[str]) -> tuple[bytes, tuple[int, int], str, str]:
    """An RGB/L copy at most DISPLAY_MAX_PX on its long side, as PNG (JPEG for photos)."""
    from PIL import Image

    assert isinstance(img, Image.Image)
    original = img.size
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        img = flat
    elif img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    if max(img.size) > DISPLAY_MAX_PX:
        img = img.copy()
        img.thumbnail((DISPLAY_MAX_PX, DISPLAY_MAX_PX), Image.Resampling.LANCZOS)
        notes.insert(0, f"Shown scaled down from {original[0]}×{original[1]} px.")
    out = io.BytesIO()
    fmt = "JPEG" if source_format in ("JPEG", "WEBP") else "PNG"
    if fmt == "JPEG":
        img.save(out, format="JPEG", quality=88)
    else:
        img.save(out, format="PNG", compress_level=6)
    return out.getvalue(), img.size, fmt, img.mode


def _text(entry: ExhibitEntry, data: bytes) -> None:
    size = entry.evidence.size
    if b"\x00" in data:
        _reference(entry, "Binary content (not plain text); cited by its SHA-256.")
        return
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    text = decoder.decode(data, final=len(data) >= size)
    if text and text.count("\ufffd") > max(3, len(text) // 50):
        _reference(entry, "Not UTF-8 text; cited by its SHA-256 (see the native file).")
        return
    lines = text.splitlines()
    excerpt = "\n".join(lines[:EXCERPT_LINES])
    cut = len(lines) > EXCERPT_LINES or len(data) < size
    if len(excerpt) > EXCERPT_CHARS:
        excerpt, cut = excerpt[:EXCERPT_CHARS], True
    entry.excerpt = excerpt
    shown = len(excerpt.splitlines())
    entry.excerpt_note = (f"Excerpt: the first {shown} lines ({len(excerpt):,} characters) of "
                          f"{size:,} bytes." if cut else
                          f"Full text ({size:,} bytes, {shown} lines).")

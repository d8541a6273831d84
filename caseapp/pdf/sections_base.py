"""Shared helpers for the case-file sections: the build context, time and size formats,
key/value tables and section headings."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from reportlab.lib.enums import TA_LEFT
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table

from caseapp.pdf.content import CaseFileContent
from caseapp.pdf.layout import (
    CONTENT_W,
    PLAIN_CHARS,
    Heading,
    Para,
    PlainLines,
    Styles,
    mk,
    table_style,
)
from caseapp.pdf.options import FIXED_SECTIONS, SECTIONS, ExportOptions
from caseapp.pdf.redact import Redactor


@dataclass
class Ctx:
    """Everything a section renderer needs."""

    content: CaseFileContent
    options: ExportOptions
    styles: Styles
    redactor: Redactor
    marks: dict[str, int]
    page_total: Any = None  # callable -> int | None, set by the builder
    numbers: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        keys = [k for k in SECTIONS if self.options.includes(k)] + list(FIXED_SECTIONS)
        self.numbers = {k: i + 1 for i, k in enumerate(keys)}

    def heading(self, key: str) -> Heading:
        """Numbered level-0 heading of section ``key``."""
        title = SECTIONS.get(key) or FIXED_SECTIONS[key]
        return Heading(f"{self.numbers[key]}. {title}", self.styles.h1, key=f"sec-{key}",
                       level=0)

    def time(self, moment: datetime | None, *, two_lines: bool = False) -> str:
        """Local time with its zone, e.g. ``2026-03-02 10:15 CET (UTC+01:00)``; with
        ``two_lines`` the zone goes on a second line (narrow table columns)."""
        text = fmt_time(moment, self.content.tz)
        return text.replace(" ", "\n", 2).replace("\n", " ", 1) if two_lines else text

    def lines(self, parts: list[tuple[str, str]], style: Any = None) -> Para:
        """One paragraph of several (redacted) lines; each part is (text, "b"|"small"|"")."""
        out = []
        for text, kind in parts:
            body = mk(self.redactor.text(text), bold=kind == "b")
            if kind == "small":
                body = f'<font size="{self.styles.small.fontSize}" color="#52606d">{body}</font>'
            out.append(body)
        return Para("<br/>".join(out), style or self.styles.cell)

    def p(self, text: str, style: Any = None, *, bold: bool = False, mono: bool = False,
          redact: bool = True) -> Flowable:
        """Paragraph of user (or any) text: redacted (unless ``redact=False``, for hashes
        and other system values), escaped, with script fallback fonts."""
        if redact:
            text = self.redactor.text(text)
        style = style or self.styles.cell
        if (not bold and not mono and style.alignment == TA_LEFT and text.count("\n") < 4
                and _PLAIN.issuperset(text)):
            return PlainLines(text, style, lambda: Para(mk(text), style))
        return Para(mk(text, bold=bold, mono=mono), style)

    def sub_heading(self, text: str, style: Any, *, key: str, level: int = 1,
                    toc: bool = False) -> Heading:
        """A bookmarked heading made of (redacted) user text."""
        return Heading(self.redactor.text(text), style, key=key, level=level, toc=toc)

    def note(self, text: str) -> Flowable:
        """A muted explanatory line."""
        return self.p(text, self.styles.small, redact=False)


def fmt_time(moment: datetime | None, tz: Any) -> str:
    """``2026-03-02 10:15 CET (UTC+01:00)``; ``—`` for None."""
    if moment is None:
        return "—"
    local = moment.astimezone(tz)
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    utc = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    name = local.tzname() or ""
    if name in ("UTC", "GMT") and minutes == 0:
        zone = "UTC"
    else:
        zone = utc if not name or name == utc else f"{name} ({utc})"
    return f"{local:%Y-%m-%d %H:%M} {zone}"


def fmt_size(size: int) -> str:
    """``1,234 bytes (1.2 KB)``."""
    if size < 1024:
        return f"{size:,} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{size:,} bytes ({value:.1f} {unit})"
    return f"{size:,} bytes"


def split_hash(sha256: str) -> str:
    """A SHA-256 in two lines of 32 characters (fits narrow columns predictably)."""
    return f"{sha256[:32]}\n{sha256[32:]}" if len(sha256) > 32 else sha256


PADDING = 6  # left + right cell padding (layout.table_style)
_MAX_EM = 1.11  # widest glyph of the base fonts for _PLAIN characters (bold W: 1.103 em)
_PLAIN = PLAIN_CHARS


def cell(ctx: Ctx, value: Any, width: float, *, font: str | None = None,
         style: Any = None, redact: bool = True) -> Any:
    """A table cell: flowables as given; text as a plain string when it is ASCII and every
    line fits ``width`` in ``font`` (drawn by the table, no Paragraph needed: most cells of a
    big case file), otherwise as a wrapping, script-aware Paragraph in ``style``."""
    if isinstance(value, Flowable | list):
        return value
    text = str(value).strip()
    if redact:
        text = ctx.redactor.text(text)
    s = ctx.styles
    style = style or s.cell
    face: str = font or style.fontName or s.fonts.body
    size = s.mono.fontSize if face == s.fonts.mono else style.fontSize
    room = width - PADDING
    if _PLAIN.issuperset(text) and all(
            len(line) * size * _MAX_EM <= room or stringWidth(line, face, size) <= room
            for line in text.split("\n")):
        return text
    return ctx.p(text, s.mono if face == s.fonts.mono else style, redact=False)


def kv_table(ctx: Ctx, rows: list[tuple[str, Any]], *, key_width: float = 42 * 2.8346) -> Table:
    """Two-column key/value table; values may be text or flowables."""
    s = ctx.styles
    value_width = CONTENT_W - key_width
    data = [[cell(ctx, key, key_width, font=s.fonts.bold, style=s.cell_bold),
             cell(ctx, value, value_width)] for key, value in rows]
    table = Table(data, colWidths=[key_width, value_width], splitInRow=1)
    table.setStyle(table_style(s, header=False, zebra=False, extra=[
        ("FONTNAME", (0, 0), (0, -1), s.fonts.bold)]))
    return table


def grid(ctx: Ctx, header: list[str], rows: list[list[Any]], widths: list[float], *,
         mono: tuple[int, ...] = (), bold: tuple[int, ...] = (), **kw: Any) -> Table:
    """Table with a repeated header row; cells may be text or flowables. Columns in
    ``mono`` / ``bold`` set plain-string cells in the mono / bold font (hashes, numbers)."""
    s = ctx.styles
    fonts = [s.fonts.mono if i in mono else s.fonts.bold if i in bold else s.fonts.body
             for i in range(len(widths))]
    styles = [s.cell_bold if i in bold else s.cell for i in range(len(widths))]
    head = [cell(ctx, h, w, font=s.fonts.bold, style=s.cell_head, redact=False)
            for h, w in zip(header, widths, strict=True)]
    body = [[cell(ctx, c, widths[i], font=fonts[i], style=styles[i], redact=i not in mono)
             for i, c in enumerate(row)] for row in rows]
    extra: list[tuple[Any, ...]] = []
    for i in mono:
        extra += [("FONTNAME", (i, 1), (i, -1), s.fonts.mono),
                  ("FONTSIZE", (i, 1), (i, -1), s.mono.fontSize),
                  ("LEADING", (i, 1), (i, -1), s.mono.leading)]
    extra += [("FONTNAME", (i, 1), (i, -1), s.fonts.bold) for i in bold]
    table = Table([head, *body], colWidths=widths, repeatRows=1, splitInRow=1, **kw)
    table.setStyle(table_style(s, extra=extra))
    return table


#: Custody detail keys that are internal (vault blob names, raw timestamps) and their labels.
_HIDDEN_DETAIL = frozenset({"blob", "file_ctime_ns"})
_DETAIL_LABELS = {"file_mtime": "file modified", "original_path": "original path",
                  "pdf_sha256": "PDF SHA-256", "export": "export no."}


def detail_text(detail: str, tz: Any) -> str:
    """A custody/event JSON detail as ``key: value`` lines (empty and internal keys left
    out, ISO times shown in ``tz``)."""
    try:
        data = json.loads(detail or "{}")
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return str(data)
    lines = []
    for key, value in data.items():
        if value in (None, "", [], {}) or key in _HIDDEN_DETAIL:
            continue
        if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and "T" in value:
            with contextlib.suppress(ValueError):
                moment = datetime.fromisoformat(value)
                if moment.tzinfo is not None:
                    value = fmt_time(moment, tz)
        label = _DETAIL_LABELS.get(key, key.replace("_", " "))
        lines.append(f"{label}: {value}")
    return "\n".join(lines)

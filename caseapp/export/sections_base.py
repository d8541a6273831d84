"""Shared helpers for the case-file sections: the build context, time and size formats,
key/value tables and section headings."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from reportlab.platypus import Flowable, Paragraph, Table

from caseapp.export.content import CaseFileContent
from caseapp.export.layout import CONTENT_W, Heading, Styles, table_style
from caseapp.export.options import FIXED_SECTIONS, SECTIONS, ExportOptions
from caseapp.export.redact import Redactor
from caseapp.export.text import markup


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

    def time(self, moment: datetime | None) -> str:
        """Local time with its zone, e.g. ``2026-03-02 10:15 CET (UTC+01:00)``."""
        return fmt_time(moment, self.content.tz)

    def p(self, text: str, style: Any = None, *, bold: bool = False, mono: bool = False,
          redact: bool = True) -> Paragraph:
        """Paragraph of user (or any) text: redacted (unless ``redact=False``, for hashes
        and other system values), escaped, with script fallback fonts."""
        if redact:
            text = self.redactor.text(text)
        return Paragraph(markup(text, bold=bold, mono=mono), style or self.styles.cell)

    def sub_heading(self, text: str, style: Any, *, key: str, level: int = 1,
                    toc: bool = False) -> Heading:
        """A bookmarked heading made of (redacted) user text."""
        return Heading(self.redactor.text(text), style, key=key, level=level, toc=toc)

    def note(self, text: str) -> Paragraph:
        """A muted explanatory line."""
        return Paragraph(markup(text), self.styles.small)


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


def kv_table(ctx: Ctx, rows: list[tuple[str, Any]], *, key_width: float = 42 * 2.8346) -> Table:
    """Two-column key/value table; values may be text or flowables."""
    s = ctx.styles
    data = []
    for key, value in rows:
        cell = value if isinstance(value, Flowable | list) else ctx.p(str(value), s.cell)
        data.append([Paragraph(markup(key, bold=True), s.cell_bold), cell])
    table = Table(data, colWidths=[key_width, CONTENT_W - key_width], splitInRow=1)
    table.setStyle(table_style(s, header=False, zebra=False))
    return table


def grid(ctx: Ctx, header: list[str], rows: list[list[Any]], widths: list[float],
         **kw: Any) -> Table:
    """Table with a repeated header row; cells may be text or flowables."""
    s = ctx.styles
    head = [Paragraph(markup(h, bold=True), s.cell_head) for h in header]
    body = [[c if isinstance(c, Flowable | list) else ctx.p(str(c)) for c in row]
            for row in rows]
    table = Table([head, *body], colWidths=widths, repeatRows=1, splitInRow=1, **kw)
    table.setStyle(table_style(s))
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

"""Pure text rules: cleaning user input, references, JSON list fields."""

from __future__ import annotations

import json
import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
MAX_LINE = 500
MAX_TEXT = 1_000_000


def clean_line(text: str, *, limit: int = MAX_LINE) -> str:
    """One-line field: NFC, tabs/newlines to spaces, other control characters removed."""
    text = unicodedata.normalize("NFC", str(text))
    text = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = _CONTROL.sub("", text)
    return " ".join(text.split())[:limit]


def clean_text(text: str, *, limit: int = MAX_TEXT) -> str:
    """Multi-line field: NFC, CRLF to LF, control characters other than LF/tab removed."""
    text = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)[:limit].strip()


def case_ref(year: int, seq: int) -> str:
    """``CASE-2026-0001``."""
    return f"CASE-{year}-{seq:04d}"


def tip_ref(year: int, seq: int) -> str:
    """``TIP-2026-0001``."""
    return f"TIP-{year}-{seq:04d}"


def exhibit_label(number: int) -> str:
    """``E-001`` (``E-1000`` past 999)."""
    return f"E-{number:03d}"


_EXHIBIT = re.compile(r"^E-?(\d+)$", re.IGNORECASE)


def parse_exhibit(label: str) -> int:
    """``E-001`` / ``e1`` -> 1; raises ValueError."""
    match = _EXHIBIT.match(label.strip())
    if not match:
        raise ValueError(f"{label!r} is not an exhibit number such as E-001")
    return int(match.group(1))


def dump_list(values: list[str] | list[int]) -> str:
    """JSON for list-valued text columns."""
    return json.dumps(list(values), ensure_ascii=False)


def load_list(text: str | None) -> list:  # type: ignore[type-arg]
    """Inverse of :func:`dump_list`; tolerant of empty values."""
    if not text:
        return []
    value = json.loads(text)
    return value if isinstance(value, list) else []

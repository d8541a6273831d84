"""Pure text rules: cleaning user input, references, JSON list fields."""

from __future__ import annotations

import json
import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
#: Characters that change how text reads without being seen: bidi embeddings, overrides and
#: isolates (U+202A-U+202E, U+2066-U+2069, the marks U+200E/U+200F/U+061C) and zero-width
#: characters (U+200B-U+200D, U+2060-U+2064, U+FEFF). An exhibit named "rtl\u202egpj.exe"
#: reads as "rtlexe.jpg": the classic extension spoof.
HIDDEN_CONTROLS = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
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


def hidden_controls(text: str) -> list[str]:
    """The hidden control characters in ``text`` as ``U+XXXX`` codes, sorted, once each."""
    return sorted({f"U+{ord(ch):04X}" for ch in HIDDEN_CONTROLS.findall(text or "")})


def visible(text: str) -> str:
    """``text`` with every hidden control shown as ``⟨U+XXXX⟩`` (the value itself is kept as
    recorded; this is only how it is displayed). Anything but a non-empty str comes back as is."""
    if not text or not isinstance(text, str):
        return text
    return HIDDEN_CONTROLS.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def json_escape_hidden(document: str) -> str:
    """A JSON document with hidden controls written as ``\\uXXXX`` escapes: the same data
    when parsed, but visible in a terminal. (They can only occur inside JSON strings.)"""
    return HIDDEN_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


def file_name_text(name: str) -> str:
    """A file name as text every layer can store and show: bytes that are not UTF-8 (which
    Python carries as lone surrogates, ``surrogateescape``) become ``\\xNN``; the rest is kept."""
    if not any("\udc80" <= c <= "\udcff" for c in name):
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


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

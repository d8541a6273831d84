"""Watchlist entries as the parsers hand them over, format detection, text decoding,
and the folding that makes names comparable across scripts.

Parsers (``sdn``, ``advisory``) read bytes, never files. A problem that makes the whole
file untrustworthy (bad structure, bad JSON, wrong encoding) raises
:class:`WatchlistFormatError` with one message per problem and its location, so nothing is
half-imported; an entry caseapp cannot use (an unknown STIX type, a pattern it cannot
evaluate) is reported in :attr:`ParsedList.problems`, skipped, and the rest kept.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from caseapp.domain.enums import IdentifierKind
from caseapp.domain.exchange.matching import match_key
from caseapp.domain.identifiers import normalize

FORMATS = ("ofac-sdn", "stix", "misp", "csv")
NAME = "name"
#: Bigger files are refused before parsing (a list is never this large; a bomb may be).
MAX_BYTES = 256 * 1024 * 1024
MAX_PROBLEMS = 50


class WatchlistFormatError(ValueError):
    """The file cannot be imported; ``problems``: one message per problem, with location."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:5]) + (" …" if len(problems) > 5 else ""))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ListedItem:
    """One identifier or name of a listed party."""

    kind: str  # an IdentifierKind value, or "name"
    value: str
    normalized: str


@dataclass(slots=True)
class ListedParty:
    """A listed person, company, vessel or indicator with what identifies it."""

    ref: str
    name: str
    type: str = ""
    programmes: tuple[str, ...] = ()
    items: list[ListedItem] = field(default_factory=list)
    remarks: str = ""

    def add(self, kind: str, value: str) -> None:
        """Add an identifier (normalised like case identifiers) or a name."""
        value = " ".join(value.split())
        if not value:
            return
        key = fold_name(value) if kind == NAME else identifier_key(kind, value)
        if not key:
            return
        for item in self.items:  # a party lists a handful: a plain loop beats a set here
            if item.normalized == key and item.kind == kind:
                return
        self.items.append(ListedItem(kind, value, key))


@dataclass
class ParsedList:
    """A parsed list: its parties, where it came from, and what was skipped."""

    format: str
    publisher: str = ""
    list_date: str = ""
    parties: list[ListedParty] = field(default_factory=list)
    records: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)

    def skip(self, message: str) -> None:
        self.skipped += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)

    @property
    def entries(self) -> int:
        return sum(len(p.items) for p in self.parties)


_SPACE = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def identifier_key(kind: str, value: str) -> str:
    """A listed identifier as caseapp normalises case identifiers, then its match key
    (cached: lists repeat their websites, wallets and countries across entries)."""
    norm = normalize(IdentifierKind(kind), value)
    return match_key(kind, norm.value if norm.ok else value.lower())


@lru_cache(maxsize=65536)
def _fold_cached(name: str) -> str:
    return _fold(name)


def fold_name(name: str) -> str:
    """Lower-case ASCII words: ``Алексей Морозов`` -> ``aleksey morozov``; ``KIM, Chol``
    -> ``kim chol`` (transliterated with anyascii when installed)."""
    if name.isascii():  # nothing to transliterate
        return " ".join(_SPACE.sub(" ", name.lower()).split())
    return _fold_cached(name)


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKC", name)
    try:
        from anyascii import anyascii

        text = anyascii(text)
    except ImportError:  # pragma: no cover - a declared dependency
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_SPACE.sub(" ", text.lower()).split())


def decode_text(data: bytes, *, what: str) -> tuple[str, str | None]:
    """Text of a list file and a note when it was not UTF-8.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such; other bytes are
    read as Windows-1252 (OFAC's legacy files) with a note. Raises WatchlistFormatError
    for bytes that are neither (a NUL byte outside UTF-16 says it is not a text file).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "read as UTF-16"
        except UnicodeDecodeError as exc:
            raise WatchlistFormatError([f"{what}: not valid UTF-16 at byte {exc.start}"]) \
                from None
    if b"\x00" in data[:4096]:
        raise WatchlistFormatError([f"{what}: this is not a text file (NUL bytes near the "
                                    "start)"])
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        return data.decode("cp1252"), (f"{what}: not UTF-8 (first at byte {first_bad}); "
                                       "read as Windows-1252")
    except UnicodeDecodeError as exc:
        raise WatchlistFormatError([f"{what}: neither UTF-8 nor Windows-1252 text (byte "
                                    f"{exc.start})"]) from None


def detect_format(data: bytes) -> str | None:
    """``ofac-sdn`` / ``stix`` / ``misp`` / ``csv`` from the first bytes, or None."""
    head = data[:65536].lstrip(codecs.BOM_UTF8).lstrip()
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            head = data[:65536].decode("utf-16", "ignore").lstrip().encode("utf-8")
        except UnicodeError:
            return None
    if head.startswith((b"{", b"[")):
        if re.search(rb'"type"\s*:\s*"bundle"', head):
            return "stix"
        if re.search(rb'"(Event|response|Attribute)"', head):
            return "misp"
        return None
    if head.startswith(b"<"):
        return "ofac-sdn" if b"sdnList" in head or b"sdnEntry" in head else None
    first = head.split(b"\n", 1)[0].lower()
    if first.replace(b" ", b"").startswith((b"kind,value", b'"kind","value"')) or (
            b"kind" in first and b"value" in first):
        return "csv"
    if re.match(rb'^"?\d+"?,', first):
        return "ofac-sdn"
    return None

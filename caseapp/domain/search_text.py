"""Pure text helpers for the full-text index: CJK bigrams, exhibit text extraction, display text.

Tokenizer choice (see also :mod:`caseapp.store.sqlcipher.search_index`): the sqlcipher3 wheel's SQLite has
no ICU, so FTS5's ``unicode61`` tokenizer (with ``remove_diacritics 2``: "é", "e" and "É" are the
same term, both when indexing and querying) handles Latin, Cyrillic, Greek and the like. It does
not split CJK text: "김철수는" or "北京市朝阳区" are single tokens, so a name inside a longer run
would never be found, and FTS5's ``trigram`` tokenizer cannot match 2-character queries (most
Chinese given names, many Korean words). So every run of Han, kana and Hangul characters is also
written, as overlapping character bigrams ("北京市" -> "北京 京市"), into extra ``cjk_*`` columns;
a query's CJK runs are turned into the same bigrams and matched there as a phrase. A run of a
single character is indexed as itself; a one-character query is a prefix query on the bigrams.
Both sides are NFKC-normalised first (half-width katakana, compatibility ideographs).
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

__all__ = [
    "MAX_INDEXED_BYTES", "cjk_bigrams", "cjk_runs", "decode_text", "first_line", "fold",
    "has_cjk", "has_token_chars", "is_text_like", "mark_window", "term_pattern", "Matcher", "TermPattern",
]

#: How much of a text-like exhibit's plaintext is indexed (bytes).
MAX_INDEXED_BYTES = 1_000_000

_CJK_CLASS = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3005-\u3007"  # ideographic iteration mark, closing mark, number zero
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\ua960-\ua97f"  # Hangul Jamo Extended-A
    "\uac00-\ud7af"  # Hangul syllables
    "\ud7b0-\ud7ff"  # Hangul Jamo Extended-B
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # CJK Extensions B-H
)
_CJK_RUN = re.compile(f"[{_CJK_CLASS}]+")


def cjk_runs(text: str) -> list[str]:
    """Maximal runs of CJK characters in ``text`` (after NFKC)."""
    return _CJK_RUN.findall(unicodedata.normalize("NFKC", text))


def has_cjk(text: str) -> bool:
    """True when ``text`` contains a Han, kana or Hangul character."""
    return bool(cjk_runs(text))


def bigram_tokens(text: str) -> list[str]:
    """Overlapping bigrams of every CJK run, in order; a one-character run is itself."""
    tokens: list[str] = []
    for run in cjk_runs(text):
        if len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(run[i:i + 2] for i in range(len(run) - 1))
    return tokens


def cjk_bigrams(text: str) -> str:
    """The value of a ``cjk_*`` column for ``text``: its CJK bigrams separated by spaces."""
    return " ".join(bigram_tokens(text))


def has_token_chars(text: str) -> bool:
    """True when FTS5's unicode61 tokenizer would find at least one token in ``text``.

    unicode61 keeps letters, numbers and private-use characters; everything else separates.
    """
    return any(unicodedata.category(c)[0] in "LN" or unicodedata.category(c) == "Co"
               for c in text)


_TEXT_TYPES = frozenset({
    "application/json", "application/xml", "application/x-yaml", "application/yaml",
    "application/csv", "application/javascript", "application/x-javascript", "message/rfc822",
    "application/x-sh", "application/sql", "application/xhtml+xml", "application/ld+json",
})
_TEXT_SUFFIXES = frozenset({
    ".txt", ".text", ".md", ".csv", ".tsv", ".log", ".json", ".jsonl", ".xml", ".html", ".htm",
    ".eml", ".mbox", ".yaml", ".yml", ".ini", ".cfg", ".conf", ".vcf", ".ics", ".srt", ".vtt",
    ".sql", ".py", ".js", ".sh", ".ps1", ".bat", ".toml", ".rst", ".nfo",
})


def is_text_like(media_type: str, file_name: str) -> bool:
    """Whether an exhibit's content is plain text worth indexing (by media type or suffix)."""
    media = (media_type or "").split(";", 1)[0].strip().lower()
    if media.startswith("text/") or media in _TEXT_TYPES:
        return True
    dot = file_name.rfind(".")
    return dot >= 0 and file_name[dot:].lower() in _TEXT_SUFFIXES


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]{0,2000}>")


def decode_text(data: bytes, *, markup: bool = False) -> str:
    """Decode the leading bytes of a text file (UTF-8/16 with BOM, UTF-8, else cp1252).

    ``data`` may be cut in the middle of a character (the indexing cap): the tail is dropped.
    Mostly-binary data (NUL bytes in UTF-8 text) gives "". ``markup`` strips HTML/XML tags.
    """
    if data.startswith(codecs.BOM_UTF8):
        text = codecs.getincrementaldecoder("utf-8")("replace").decode(data[3:])
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = codecs.getincrementaldecoder("utf-16")("replace").decode(data)
    else:
        if data.count(0) > len(data) // 100:
            return ""
        try:
            text = codecs.getincrementaldecoder("utf-8")("strict").decode(data)
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if markup:
        text = html.unescape(_TAG.sub(" ", _SCRIPT_STYLE.sub(" ", text)))
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text))


def first_line(text: str, limit: int = 80) -> str:
    """The first non-empty line of ``text``, cut to ``limit`` characters with an ellipsis."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""


_FOLDED: dict[str, str] = {}


def _fold_char(char: str) -> str:
    folded = _FOLDED.get(char)
    if folded is None:
        low = char.lower()
        folded = unicodedata.normalize("NFD", low)[0] if len(low) == 1 else char
        _FOLDED[char] = folded
    return folded


class _FoldTable(dict[int, str]):
    """str.translate table filled on first sight of each character (no per-call dict)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower-case ``text`` and drop diacritics character by character (same length, so
    positions in the result are positions in ``text``); unicode61's folding, near enough."""
    return text.translate(_FOLD_TABLE)


_WORD = re.compile(r"[^\W_]+")


class TermPattern(NamedTuple):
    """A compiled term; ``bounded``: the match must not start inside a word."""

    regex: re.Pattern[str]
    bounded: bool

    def first(self, folded: str, pos: int = 0) -> re.Match[str] | None:
        """The first match at or after ``pos`` (see :meth:`finditer`)."""
        match = self.regex.search(folded, pos)
        while (match is not None and self.bounded and match.start()
               and _WORD_CHAR.match(folded, match.start() - 1)):
            match = self.regex.search(folded, match.start() + 1)
        return match

    def finditer(self, folded: str, pos: int = 0) -> Iterator[re.Match[str]]:
        """Matches in :func:`fold`-ed text (the start boundary checked here: a leading
        look-behind would cost Python's regex engine its fast literal scan)."""
        for match in self.regex.finditer(folded, pos):
            start = match.start()
            if not self.bounded or start == 0 or not _WORD_CHAR.match(folded, start - 1):
                yield match


_WORD_CHAR = re.compile(r"[^\W_]")


def term_pattern(term: str, prefix: bool) -> TermPattern | None:
    """A pattern finding ``term`` (a word or phrase) in :func:`fold`-ed text, word-bounded
    except where it is CJK (a CJK term is found inside longer runs, as the index does)."""
    words = _WORD.findall(fold(unicodedata.normalize("NFKC", term)))
    if not words:
        return None
    body = r"[\W_]+".join(re.escape(w) for w in words)
    tail = r"[^\W_]*" if prefix else "" if has_cjk(words[-1][-1]) else r"(?![^\W_])"
    return TermPattern(re.compile(body + tail), not has_cjk(words[0][0]))


def _fold_fast(text: str) -> str:
    return text.lower() if text.isascii() else fold(text)


_BLOCK = 1 << 16


class Matcher:
    """The terms of one query, compiled once for marking many texts."""

    def __init__(self, patterns: list[TermPattern]) -> None:
        self.patterns = patterns
        # For short texts one alternation with look-behinds is fastest; long texts are scanned
        # per pattern (a look-behind would cost the regex engine its fast literal scan).
        self.combined = re.compile("|".join(
            ("(?<![^\\W_])" if p.bounded else "") + f"(?:{p.regex.pattern})" for p in patterns)
        ) if patterns else None

    def first(self, text: str) -> tuple[int, str | None] | None:
        """(position of the first match, the folded text if it was folded whole) or None."""
        if self.combined is None:
            return None
        if len(text) <= _BLOCK:
            whole = _fold_fast(text)
            match = self.combined.search(whole)
            return (match.start(), whole) if match else None
        for block in range(0, len(text), _BLOCK):
            lead = 1 if block else 0  # one character of context for the word-boundary checks
            folded = _fold_fast(text[block - lead:block + _BLOCK + 500])
            found = [m.start() for p in self.patterns if (m := p.first(folded, lead))]
            if found:
                return block - lead + min(found), None
        return None


def mark_window(text: str, matcher: Matcher, open_: str, close: str, *,
                before: int = 60, after: int = 140) -> str | None:
    """A short piece of ``text`` around its first match, every match in it wrapped in
    ``open_``/``close``; None when nothing matches. A long text is read block by block, so a
    match near the start of a long exhibit costs little."""
    first = matcher.first(text) if text else None
    if first is None or matcher.combined is None:
        return None
    at, whole = first
    start, end = max(0, at - before), min(len(text), at + after)
    if start > 0:  # start and end at whitespace, not inside a word
        gap = _SPACE.search(text, start, at)
        start = gap.end() if gap else start
    if end < len(text):
        gap_end = text.rfind(" ", at + 1, end)
        end = gap_end if gap_end > at else end
    if whole is None:
        whole, offset = _fold_fast(text[start - 1 if start else 0:end]), (start - 1 if start else 0)
    else:
        offset = 0
    out, pos = [], start
    for m in matcher.combined.finditer(whole, start - offset, end - offset):
        s, e = m.start() + offset, m.end() + offset
        out += [text[pos:s], open_, text[s:e], close]
        pos = e
    out.append(text[pos:end])
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")


_SPACE = re.compile(r"\s")

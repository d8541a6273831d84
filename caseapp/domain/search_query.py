"""The search box's query language, parsed here and never handed to FTS5 as raw syntax.

- ``word`` and ``"a quoted phrase"``: every one must match (accents and case ignored).
- ``prefix*``: words starting with ``prefix`` (``*`` only at the end of a word or phrase).
- Filters ``name:value`` (value may be quoted: ``phone:"+1 555 0100"``):
  ``type:`` case/note/subject/identifier/exhibit/tip, ``status:`` a case or tip status,
  ``priority:``, ``case:CASE-…``, ``tip:TIP-…``, and every identifier kind (``email:``,
  ``phone:``, …) whose value is normalised and matched exactly on the stored normalised value
  (these find identifier records; several of them are alternatives).
  Repeating a filter gives alternatives; different filters must all hold.

Each word or phrase becomes a quoted FTS5 string restricted to the text columns, OR-ed with its
CJK bigram phrase on the ``cjk_*`` columns when it contains Han, kana or Hangul.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from caseapp.domain.enums import CaseStatus, IdentifierKind, Priority, TipStatus
from caseapp.domain.identifiers import normalize
from caseapp.domain.search_text import bigram_tokens, has_token_chars
from caseapp.domain.text import clean_line

__all__ = ["FILTER_NAMES", "ParsedQuery", "QuerySyntaxError", "Term", "fts_expression",
           "parse_query"]

MAX_QUERY = 1000
MAX_TERMS = 32
_TYPES = {
    "case": "case", "cases": "case", "note": "note", "notes": "note", "subject": "subject",
    "subjects": "subject", "person": "subject", "people": "subject",
    "identifier": "identifier", "identifiers": "identifier", "exhibit": "exhibit",
    "exhibits": "exhibit", "evidence": "exhibit", "tip": "tip", "tips": "tip",
}
FILTER_NAMES = ("type", "status", "priority", "case", "tip", "watchlist")


class QuerySyntaxError(ValueError):
    """The search text cannot be parsed; the message says how to fix it."""
_TEXT_COLUMNS = "{title body filetext}"
_CJK_COLUMNS = "{cjk_title cjk_body cjk_filetext}"
_HINT = "Put it in quotes to search for the text itself."


@dataclass(frozen=True)
class Term:
    """A word or phrase the user typed; ``prefix`` when it ended with ``*``."""

    text: str
    prefix: bool = False


@dataclass
class ParsedQuery:
    """Terms (all must match) and filters of a search query."""

    terms: list[Term] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    case_statuses: set[str] = field(default_factory=set)
    tip_statuses: set[str] = field(default_factory=set)
    priorities: set[str] = field(default_factory=set)
    case_refs: set[str] = field(default_factory=set)
    tip_refs: set[str] = field(default_factory=set)
    identifiers: set[tuple[str, str]] = field(default_factory=set)
    #: ``watchlist:ofac``: cases with a hit on a list whose name starts with the value.
    watchlists: set[str] = field(default_factory=set)

    @property
    def has_filters(self) -> bool:
        return any((self.types, self.case_statuses, self.tip_statuses, self.priorities,
                    self.case_refs, self.tip_refs, self.identifiers, self.watchlists))


def _read_quoted(query: str, start: int) -> tuple[str, int]:
    """Text of the quotes opening at ``start`` and the index after the closing quote."""
    end = query.find('"', start + 1)
    if end < 0:
        raise QuerySyntaxError('Unbalanced quote in the search: close the phrase with another ".')
    return query[start + 1:end], end + 1


def _lex(query: str) -> list[tuple[str, str | None, bool]]:
    """Split into (text, filter name or None, quoted) tokens; ``*`` stays on the text."""
    tokens: list[tuple[str, str | None, bool]] = []
    i, n = 0, len(query)
    while i < n:
        if query[i].isspace():
            i += 1
            continue
        if query[i] == '"':
            phrase, i = _read_quoted(query, i)
            if i < n and query[i] == "*":
                phrase, i = phrase + "*", i + 1
            tokens.append((phrase, None, True))
            continue
        start = i
        while i < n and not query[i].isspace() and query[i] != '"':
            i += 1
        word = query[start:i]
        name, colon, value = word.partition(":")
        if colon and not value and i < n and query[i] == '"':
            value, i = _read_quoted(query, i)
            tokens.append((value, name, True))
        elif colon and value and _filter_like(name, value):
            tokens.append((value, name, False))
        elif colon and not value and _is_filter_name(name):
            raise QuerySyntaxError(f"Give a value after '{name}:'.")
        else:
            tokens.append((word, None, False))
    return tokens


def _filter_like(name: str, value: str) -> bool:
    """``name:value`` looks like a filter (not ``https://…``, ``10:30`` or ``fe80::1``)."""
    return (len(name) >= 2 and all(c.isascii() and (c.isalpha() or c in "-_") for c in name)
            and not value.startswith("/"))


def _term(text: str) -> Term | None:
    prefix = text.endswith("*")
    core = text[:-1] if prefix else text
    if "*" in core or (prefix and not core.strip()):
        if not core.strip("* "):
            raise QuerySyntaxError("A lone * is not a search: put it at the end of a word, "
                               "e.g. kova*.")
        raise QuerySyntaxError(f"{text!r}: * works only at the end of a word (prefix search), "
                           "e.g. kova*.")
    core = unicodedata.normalize("NFC", " ".join(core.split()))
    if not has_token_chars(core):
        return None  # punctuation only: nothing FTS5 could match
    return Term(core, prefix)


def _filter(parsed: ParsedQuery, name: str, value: str) -> None:
    key = name.lower()
    value = value.strip()
    if not value:
        raise QuerySyntaxError(f"Give a value after '{name}:'.")
    if key == "type":
        if value.lower() not in _TYPES:
            raise QuerySyntaxError(f"Unknown type {value!r}; use case, note, subject, identifier, "
                               "exhibit or tip.")
        parsed.types.add(_TYPES[value.lower()])
    elif key == "status":
        found = False
        for enum_cls, bucket in ((CaseStatus, parsed.case_statuses),
                                 (TipStatus, parsed.tip_statuses)):
            try:
                bucket.add(enum_cls.parse(value).value)
                found = True
            except ValueError:
                pass
        if not found:
            raise QuerySyntaxError(f"Unknown status {value!r}; case statuses: "
                               f"{', '.join(CaseStatus)}; tip statuses: {', '.join(TipStatus)}.")
    elif key == "priority":
        try:
            parsed.priorities.add(Priority.parse(value).value)
        except ValueError as exc:
            raise QuerySyntaxError(str(exc)) from None
    elif key in ("case", "tip"):
        (parsed.case_refs if key == "case" else parsed.tip_refs).add(value.upper())
    elif key == "watchlist":
        parsed.watchlists.add(value.lower())
    else:
        try:
            kind = IdentifierKind.parse(key)
        except ValueError:
            known = ", ".join(f"{f}:" for f in (*FILTER_NAMES, *IdentifierKind))
            raise QuerySyntaxError(f"Unknown filter '{name}:'. Filters are {known}. {_HINT}") \
                from None
        raw = clean_line(value, limit=2000)
        result = normalize(kind, raw)
        parsed.identifiers.add((kind.value, result.value if result.ok else raw))


def parse_query(query: str) -> ParsedQuery:
    """Parse the search box's text; raises QuerySyntaxError with a message for the user."""
    if len(query) > MAX_QUERY:
        raise QuerySyntaxError(f"The search is too long (over {MAX_QUERY} characters).")
    parsed = ParsedQuery()
    for text, name, _quoted in _lex(query):
        if name is not None:
            _filter(parsed, name, text)  # an unknown filter name raises
            continue
        term = _term(text)
        if term is not None:
            parsed.terms.append(term)
    if len(parsed.terms) > MAX_TERMS:
        raise QuerySyntaxError(f"Too many words in the search (the limit is {MAX_TERMS}).")
    if not parsed.terms and not parsed.has_filters:
        raise QuerySyntaxError("Nothing to search for: type a word, a \"phrase\", a prefix* or a "
                           "filter such as status:open.")
    return parsed


def _is_filter_name(name: str) -> bool:
    if name.lower() in FILTER_NAMES:
        return True
    try:
        IdentifierKind.parse(name)
    except ValueError:
        return False
    return True


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def term_expression(term: Term) -> str:
    """The FTS5 expression for one term: quoted text, OR its CJK bigrams."""
    star = "*" if term.prefix else ""
    plain = f"{_TEXT_COLUMNS} : {_quote(term.text)}{star}"
    grams = bigram_tokens(term.text)
    if not grams:
        return plain
    if len(grams) == 1 and len(grams[0]) == 1:  # one CJK character: bigrams starting with it
        cjk = f"{_CJK_COLUMNS} : {_quote(grams[0])}*"
    else:
        cjk = f"{_CJK_COLUMNS} : {_quote(' '.join(grams))}{star}"
    return f"({plain} OR {cjk})"


def fts_expression(parsed: ParsedQuery) -> str:
    """The FTS5 MATCH expression for the query's terms ("" when there are none)."""
    return " AND ".join(term_expression(t) for t in parsed.terms)

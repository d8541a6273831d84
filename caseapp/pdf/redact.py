"""Redaction for filed documents (US FRCP 5.2 style): last four characters of financial
account and government ID numbers, tipster identity replaced by ``[REDACTED]``.

Identifier fields are masked by kind. Because the same numbers are often pasted into notes,
tip content and text exhibits, every known sensitive value is also searched for in free text
(ignoring spaces, dashes, dots and slashes between its characters, case-insensitively) and
masked there. Free text can still hold numbers the case never recorded as identifiers; the
export record page says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[REDACTED]"
#: Identifier kinds shown with only their last four characters unless revealed.
ACCOUNT_KINDS = frozenset({"bank", "gov-id"})
_SEPARATORS = r"[\s\-./]*"
_MIN_FREE_TEXT = 6  # shorter values are too ambiguous to hunt for in free text


def last_four(value: str) -> str:
    """``US00 FICT 0000 1234 5678 90`` -> ``[REDACTED] …7890`` (last four letters/digits)."""
    alnum = [ch for ch in value if ch.isalnum()]
    if len(alnum) <= 4:
        return REDACTED
    return f"{REDACTED} …{''.join(alnum[-4:])}"


class Redactor:
    """Applies one export's redaction choices to identifier values and free text."""

    def __init__(self, *, reveal_accounts: bool, reveal_tipsters: bool,
                 account_values: Iterable[str] = (),
                 tipster_values: Iterable[str] = ()) -> None:
        self.reveal_accounts = reveal_accounts
        self.reveal_tipsters = reveal_tipsters
        patterns: list[tuple[re.Pattern[str], bool]] = []
        if not reveal_accounts:
            patterns += [(p, True) for p in _patterns(account_values, digits_only=True)]
        if not reveal_tipsters:
            patterns += [(p, False) for p in _patterns(tipster_values, digits_only=False)]
        self._patterns = patterns

    def identifier(self, kind: str, value: str) -> str:
        """An identifier's raw or normalised value as this export may show it."""
        if kind in ACCOUNT_KINDS and not self.reveal_accounts:
            return last_four(value)
        return self.text(value)

    def tipster(self, value: str | None) -> str:
        """A tipster name, contact or relationship as this export may show it."""
        if not value:
            return "—"
        return value if self.reveal_tipsters else REDACTED

    def text(self, text: str) -> str:
        """Free text with every known sensitive value masked."""
        return self.text_counted(text)[0]

    def text_counted(self, text: str) -> tuple[str, int]:
        """Free text with every known sensitive value masked, and how many were masked."""
        total = 0
        for pattern, keep_four in self._patterns:
            text, count = pattern.subn(
                lambda m, k=keep_four: last_four(m.group(0)) if k else REDACTED, text)
            total += count
        return text, total


def _patterns(values: Iterable[str], *, digits_only: bool) -> list[re.Pattern[str]]:
    """One pattern per distinct value, longest first (so a longer value wins).

    ``digits_only`` (account numbers): match the value's letters and digits with any
    separators between them. Otherwise (names, contacts): match the value literally,
    case-insensitively, with any run of whitespace where it has whitespace.
    """
    keys: set[str] = set()
    for value in values:
        value = " ".join((value or "").split())
        alnum = "".join(ch for ch in value if ch.isalnum())
        if len(alnum) < _MIN_FREE_TEXT:
            continue
        keys.add((alnum if digits_only else value).lower())
    ordered = sorted(keys, key=lambda k: (-len(k), k))
    if digits_only:
        sources = [_SEPARATORS.join(re.escape(ch) for ch in key) for key in ordered]
    else:
        sources = [r"\s+".join(re.escape(word) for word in key.split(" ")) for key in ordered]
    return [re.compile(source, re.IGNORECASE) for source in sources]

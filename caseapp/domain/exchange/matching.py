"""How a case identifier or name is compared with a watchlist entry.

Identifiers are normalised with the case code (:func:`caseapp.domain.identifiers.normalize`)
and then keyed: URLs without scheme, ``www.`` and trailing slash (``http``/``https`` and
``www`` variants of one site match), EVM wallet addresses in lower case (their mixed case is
only a checksum). A listed bare website also matches any case URL or e-mail address on the
same host (``site``). Names are folded to ASCII words (:func:`fold_name`) and compared with
rapidfuzz; a name match is always *weak*: it tells the investigator to look, nothing more.
"""

from __future__ import annotations

from rapidfuzz import fuzz

#: Minimum name similarity (0-100) for a weak name hit.
NAME_THRESHOLD = 88


def match_key(kind: str, normalized: str) -> str:
    """The value stored and looked up for an identifier of ``kind``."""
    if kind == "url":
        value = normalized.split("://", 1)[-1]
        value = value.removeprefix("www.")
        return value.rstrip("/")
    if kind == "wallet" and normalized[:2].lower() == "0x":
        return normalized.lower()
    return normalized


def site_of(kind: str, key: str) -> str | None:
    """The host an identifier lives on (URL host, e-mail domain), for ``site`` matches."""
    if kind == "url":
        return key.split("/", 1)[0].split(":", 1)[0] or None
    if kind == "email" and "@" in key:
        return key.rsplit("@", 1)[1].removeprefix("www.") or None
    return None


def name_score(a: str, b: str) -> float:
    """Similarity of two folded names: word order ignored, and spacing ignored (anyascii
    writes ``김민준`` as ``gimminjun``)."""
    if not a or not b:
        return 0.0
    return max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))

"""Full-text search across cases, notes, subjects, identifiers, exhibits and tips.

The index lives in the store (:class:`caseapp.store.interface.SearchIndex`; in the embedded store
FTS5 inside the encrypted database) and follows every change within the change's own
transaction. Exhibit text needs the vault key, which a database
session does not have: a new text-like exhibit is queued, and :func:`index_pending` decrypts its
first megabyte in memory and indexes it. :func:`search` runs it first, so a search always sees
every exhibit ingested before it; the app may also call it right after an ingest.

Query syntax: :mod:`caseapp.domain.search_query`. Results are ranked by FTS5's bm25 with a
title match weighing ten times a body match; snippets mark matches with « ».
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from caseapp.domain.search_query import ParsedQuery, QuerySyntaxError, parse_query
from caseapp.domain.search_text import (
    MAX_INDEXED_BYTES,
    Matcher,
    decode_text,
    mark_window,
    term_pattern,
)
from caseapp.security.vault import VaultError
from caseapp.services.errors import InvalidInput
from caseapp.services.workspace import Workspace
from caseapp.store import QueryFailed
from caseapp.store.interface import SearchIndex, SearchRow

__all__ = ["MARK_CLOSE", "MARK_OPEN", "Hit", "index_pending", "rebuild_index", "search"]

MARK_OPEN, MARK_CLOSE = "«", "»"
# Sentinels marking matches until the plain and HTML snippets are made: control characters
# that cleaned (and extracted) text never contains.
_OPEN, _CLOSE = "\x02", "\x03"
_BEFORE, _AFTER = 60, 140  # snippet window around the first match, in characters
MAX_LIMIT = 500


@dataclass(frozen=True)
class Hit:
    """One search result. ``ref`` is the case ref (a tip's own ref for tips and tip records)."""

    type: str
    ref: str
    id: int
    title: str
    snippet: str
    score: float
    exhibit: str | None = None
    snippet_html: str = ""

    def to_json(self) -> dict[str, Any]:
        """The contract JSON; exhibits also carry their label (``exhibit``)."""
        data: dict[str, Any] = {"type": self.type, "ref": self.ref, "id": self.id,
                                "title": self.title, "snippet": self.snippet,
                                "score": self.score}
        if self.exhibit is not None:
            data["exhibit"] = self.exhibit
        return data


def _matcher(parsed: ParsedQuery) -> Matcher:
    return Matcher([p for t in parsed.terms if (p := term_pattern(t.text, t.prefix))])


def _head(text_: str | None) -> str:
    if not text_ or len(text_) <= _BEFORE + _AFTER:
        return text_ or ""
    return text_[:_BEFORE + _AFTER].rsplit(None, 1)[0] + "…"


def _finish(raw: str) -> tuple[str, str]:
    flat = " ".join(raw.split())
    plain = flat.replace(_OPEN, MARK_OPEN).replace(_CLOSE, MARK_CLOSE)
    marked = html.escape(flat).replace(_OPEN, "<b>").replace(_CLOSE, "</b>")
    return plain, marked


def _snippets(index: SearchIndex, rows: list[SearchRow], parsed: ParsedQuery,
              ) -> dict[int, str]:
    """Marked windows around the first match: body, else title, else an exhibit's text."""
    patterns = _matcher(parsed)
    found: dict[int, str] = {}
    for row in rows:
        # An identifier's body holds index-only text (normalised form, near keys, kind):
        # its snippet comes from the value as typed.
        body = row.body if row.doc_type != "identifier" else ""
        window = (mark_window(body or "", patterns, _OPEN, _CLOSE)
                  or mark_window(row.indexed_title or "", patterns, _OPEN, _CLOSE))
        if window:
            found[row.doc_id] = window
    files = [r.doc_id for r in rows if r.doc_id not in found and r.doc_type == "exhibit"]
    if files and patterns.patterns:
        for doc_id, content in index.file_texts(files).items():
            window = mark_window(content, patterns, _OPEN, _CLOSE)
            if window:
                found[doc_id] = window
    return found


def check_query(query: str) -> ParsedQuery:
    """Parse the search box's text; raises InvalidInput with how to fix bad syntax."""
    try:
        return parse_query(query)
    except QuerySyntaxError as exc:
        raise InvalidInput(str(exc)) from None


def search(ws: Workspace, query: str, limit: int = 50) -> list[Hit]:
    """Ranked hits for ``query``, best first; raises InvalidInput for bad syntax."""
    parsed = check_query(query)
    if parsed.watchlists and not _restrict_to_watchlist_hits(ws, parsed):
        return []
    index = ws.store.search
    index.ensure_current()
    if index.has_pending():
        index_pending(ws)  # exhibit text ingested since the last search
    try:
        rows = index.query(parsed, max(1, min(int(limit), MAX_LIMIT)))
    except QueryFailed as exc:  # a safety net: the parser prevents this
        raise InvalidInput(str(exc)) from None
    snippets = _snippets(index, rows, parsed)
    hits: list[Hit] = []
    for row in rows:
        shown_body = "" if row.doc_type == "identifier" else row.body
        plain, marked = _finish(snippets.get(row.doc_id) or _head(shown_body)
                                or _head(row.indexed_title))
        hits.append(Hit(row.doc_type, row.ref, row.entity_id, row.title, plain,
                        -float(row.score) or 0.0,
                        row.label if row.doc_type == "exhibit" else None, marked))
    return hits


def _restrict_to_watchlist_hits(ws: Workspace, parsed: ParsedQuery) -> bool:
    """``watchlist:NAME``: keep only cases with a hit on a list named NAME…; False: none."""
    from caseapp.services.exchange.hits import case_refs_with_hits

    refs = case_refs_with_hits(ws, parsed.watchlists)
    if parsed.case_refs:
        refs &= parsed.case_refs
    if not refs:
        return False
    parsed.case_refs = refs
    if not parsed.terms and not parsed.types:
        parsed.types = {"case"}
    return True


def _exhibit_text(ws: Workspace, blob_id: str, media_type: str, name: str) -> str:
    chunks: list[bytes] = []
    size = 0
    try:
        stream = ws.vault.iter_plaintext(blob_id)
        try:
            for chunk in stream:
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_INDEXED_BYTES:
                    break
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
    except VaultError:
        return ""  # a missing or damaged blob is for verify to report, not for search
    markup = "html" in media_type or "xml" in media_type or name.lower().endswith(
        (".htm", ".html", ".xml"))
    return decode_text(b"".join(chunks)[:MAX_INDEXED_BYTES], markup=markup)


def index_pending(ws: Workspace) -> int:
    """Decrypt (in memory) and index the text of exhibits waiting for it; returns how many."""
    index = ws.store.search
    done = 0
    while True:
        batch = index.pending_exhibits(20)
        if not batch:
            return done
        index.set_file_texts([(p.evidence_id, _exhibit_text(ws, p.blob_id, p.media_type, p.name))
                              for p in batch])
        done += len(batch)


def rebuild_index(ws: Workspace) -> dict[str, int]:
    """Rebuild the whole index and near keys from the tables, then exhibit text.

    Returns the number of index rows per type, ``near_keys`` and ``exhibit_text``.
    """
    counts = ws.store.search.rebuild()
    counts["exhibit_text"] = index_pending(ws)
    return counts

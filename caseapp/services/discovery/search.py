"""Full-text search across cases, notes, subjects, identifiers, exhibits and tips.

The index lives inside the encrypted database (:mod:`caseapp.store.sqlcipher.search_index`) and follows
every change through a session listener. Exhibit text needs the vault key, which a database
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

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.engine import Connection

from caseapp.domain.search_query import ParsedQuery, fts_expression, parse_query
from caseapp.domain.search_text import (
    MAX_INDEXED_BYTES,
    Matcher,
    decode_text,
    mark_window,
    term_pattern,
)
from caseapp.security.vault import VaultError
from caseapp.services.errors import CaseappError, InvalidInput
from caseapp.services.workspace import Workspace
from caseapp.store.sqlcipher import search_index

__all__ = ["MARK_CLOSE", "MARK_OPEN", "Hit", "build_sql", "index_pending", "rebuild_index",
           "search"]

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


def _in(name: str, values: set[str], params: dict[str, Any]) -> str:
    names = []
    for value in sorted(values):
        key = f"p{len(params)}"
        params[key] = value
        names.append(f":{key}")
    return f"{name} IN ({', '.join(names)})"


def _filters(parsed: ParsedQuery, params: dict[str, Any]) -> list[str]:
    where: list[str] = []
    if parsed.types:
        where.append(_in("d.doc_type", parsed.types, params))
    if parsed.case_statuses or parsed.tip_statuses:
        either = []
        if parsed.case_statuses:
            either.append("d.case_id IN (SELECT id FROM case_file WHERE "
                          f"{_in('status', parsed.case_statuses, params)})")
        if parsed.tip_statuses:
            either.append("(d.tip_id IN (SELECT id FROM tip WHERE "
                          f"{_in('status', parsed.tip_statuses, params)}) AND d.case_id IS NULL)")
        where.append("(" + " OR ".join(either) + ")")
    if parsed.priorities:
        where.append("d.case_id IN (SELECT id FROM case_file WHERE "
                     f"{_in('priority', parsed.priorities, params)})")
    if parsed.case_refs:
        where.append(f"d.case_id IN (SELECT id FROM case_file WHERE "
                     f"{_in('ref', parsed.case_refs, params)})")
    if parsed.tip_refs:
        where.append(f"d.tip_id IN (SELECT id FROM tip WHERE {_in('ref', parsed.tip_refs, params)})")
    if parsed.identifiers:
        pairs = []
        for kind, norm in sorted(parsed.identifiers):
            k, v = f"p{len(params)}", f"p{len(params) + 1}"
            params[k], params[v] = kind, norm
            pairs.append(f"(kind = :{k} AND normalized = :{v})")
        where.append("d.doc_type = 'identifier' AND d.entity_id IN (SELECT id FROM identifier "
                     f"WHERE {' OR '.join(pairs)})")
    return where


#: bm25 column weights: title, body, file text, and the same for the CJK bigram columns.
BM25 = "bm25(search_fts, 10.0, 2.0, 1.0, 10.0, 2.0, 1.0)"


def build_sql(parsed: ParsedQuery, limit: int) -> tuple[str, dict[str, Any]]:
    """The SQL statement and parameters :func:`search` runs (also used by the benchmark).

    Columns: doc id, doc type, entity id, ref, label, title, the indexed body and title
    text, and the bm25 score (smaller is better). bm25 ranks every match; only the best
    ``limit`` rows are then read back. Matches are marked in Python (:func:`mark_window`), not
    with FTS5's snippet()/highlight(): both are quadratic in the hits of a column and took
    seconds on a 1 MB exhibit full of a common word.
    """
    params: dict[str, Any] = {"limit": limit}
    where = _filters(parsed, params)
    if not parsed.terms:
        return ("SELECT d.id, d.doc_type, d.entity_id, d.ref, d.label, d.title, f.body, "
                "f.title, 0.0 FROM search_doc d JOIN search_fts f ON f.rowid = d.id WHERE "
                + " AND ".join(where) + " ORDER BY d.id DESC LIMIT :limit"), params
    params["q"] = fts_expression(parsed)
    # CROSS JOIN keeps the FTS5 scan outermost (one pass; no per-row MATCH lookups).
    join = " CROSS JOIN search_doc d ON d.id = search_fts.rowid" if where else ""
    sql = (f"WITH top AS MATERIALIZED (SELECT search_fts.rowid AS id, {BM25} AS score "
           f"FROM search_fts{join} WHERE search_fts MATCH :q"
           + "".join(f" AND {w}" for w in where) + " ORDER BY score LIMIT :limit) "
           "SELECT d.id, d.doc_type, d.entity_id, d.ref, d.label, d.title, f.body, f.title, "
           "top.score FROM top CROSS JOIN search_fts AS f ON f.rowid = top.id "
           "CROSS JOIN search_doc d ON d.id = top.id ORDER BY top.score, d.id")
    return sql, params


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


def _snippets(conn: Connection, rows: list[Any], parsed: ParsedQuery) -> dict[int, str]:
    """Marked windows around the first match: body, else title, else an exhibit's text."""
    patterns = _matcher(parsed)
    found: dict[int, str] = {}
    for row in rows:
        # An identifier's body holds index-only text (normalised form, near keys, kind):
        # its snippet comes from the value as typed.
        body = row[6] if row[1] != "identifier" else ""
        window = (mark_window(body, patterns, _OPEN, _CLOSE)
                  or mark_window(row[7], patterns, _OPEN, _CLOSE))
        if window:
            found[row[0]] = window
    files = [r[0] for r in rows if r[0] not in found and r[1] == "exhibit"]
    if files and patterns.patterns:
        stmt = text("SELECT rowid, filetext FROM search_fts WHERE rowid IN :ids").bindparams(
            sa.bindparam("ids", expanding=True))
        for rowid, content in conn.execute(stmt, {"ids": files}):
            window = mark_window(content, patterns, _OPEN, _CLOSE)
            if window:
                found[rowid] = window
    return found


def search(ws: Workspace, query: str, limit: int = 50) -> list[Hit]:
    """Ranked hits for ``query``, best first; raises InvalidInput for bad syntax."""
    parsed = parse_query(query)
    sql, params = build_sql(parsed, max(1, min(int(limit), MAX_LIMIT)))
    if not search_index.is_current(ws.engine):
        _refresh(ws)
    with ws.engine.connect() as conn:
        # FTS5 is SQLite-only anyway: run on the DB-API connection, without the cost of
        # SQLAlchemy's result layer (about 0.2 ms a search).
        dbapi = conn.connection.driver_connection
        if dbapi.execute("SELECT 1 FROM search_pending p WHERE EXISTS (SELECT 1 FROM evidence "
                         "e WHERE e.id = p.evidence_id) LIMIT 1").fetchone():
            index_pending(ws)  # exhibit text ingested since the last search
        try:
            rows = dbapi.execute(sql, params).fetchall()
        except conn.dialect.loaded_dbapi.Error:  # a safety net: the parser prevents this
            raise InvalidInput("That search could not be run; try simpler words.") from None
        snippets = _snippets(conn, rows, parsed)
    hits: list[Hit] = []
    for doc_id, doc_type, eid, ref, label, title, body, fts_title, score in rows:
        shown_body = "" if doc_type == "identifier" else body
        plain, marked = _finish(snippets.get(doc_id) or _head(shown_body) or _head(fts_title))
        hits.append(Hit(doc_type, ref, eid, title, plain, -float(score) or 0.0,
                        label if doc_type == "exhibit" else None, marked))
    return hits


def _refresh(ws: Workspace) -> None:
    """Rebuild a stale index (first use per engine)."""
    with ws.engine.begin() as conn:
        if not search_index.has_fts(conn):
            raise CaseappError("This store has no full-text index (it needs the SQLite store).")
        search_index.ensure_current(conn)


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
    done = 0
    while True:
        with ws.engine.connect() as conn:
            batch = search_index.pending_exhibits(conn, 20)
        if not batch:
            return done
        texts = [(eid, _exhibit_text(ws, blob, media, name)) for eid, blob, media, name in batch]
        with ws.engine.begin() as conn:
            for eid, content in texts:
                search_index.set_filetext(conn, eid, content)
        done += len(batch)


def rebuild_index(ws: Workspace) -> dict[str, int]:
    """Rebuild the whole index and near keys from the tables, then exhibit text.

    Returns the number of index rows per type, ``near_keys`` and ``exhibit_text``.
    """
    with ws.engine.begin() as conn:
        counts = search_index.rebuild(conn)
    counts["exhibit_text"] = index_pending(ws)
    return counts

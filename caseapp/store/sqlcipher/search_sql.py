"""The FTS5 statement behind a search: a parsed query in, SQL text and parameters out.

User words reach FTS5 only through :func:`caseapp.domain.search_query.fts_expression` (quoted
strings); filters become ``IN`` lists of bound parameters. Results are ranked by bm25 with a
title match weighing ten times a body match.
"""

from __future__ import annotations

from typing import Any

from caseapp.domain.search_query import ParsedQuery, fts_expression

#: bm25 column weights: title, body, file text, and the same for the CJK bigram columns.
BM25 = "bm25(search_fts, 10.0, 2.0, 1.0, 10.0, 2.0, 1.0)"


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


def build_sql(parsed: ParsedQuery, limit: int) -> tuple[str, dict[str, Any]]:
    """The SQL statement and parameters of a search (the benchmark runs it raw too).

    Columns: doc id, doc type, entity id, ref, label, title, the indexed body and title
    text, and the bm25 score (smaller is better). bm25 ranks every match; only the best
    ``limit`` rows are then read back. Matches are marked in Python by the search service, not
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

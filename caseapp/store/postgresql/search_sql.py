"""The PostgreSQL statement behind a search: the local store's query language on ``tsvector``.

Every term (word, "phrase", prefix*) becomes a phrase query built from bound parameters with
``phraseto_tsquery`` (which parses no syntax) or, for the last word of a prefix term,
``to_tsquery`` of one quoted word that holds only letters and digits (so no user text is ever
query syntax). A term with Han, kana or Hangul also matches its bigram phrase in ``cjk_tsv``,
as on the local store. Filters are the local store's (plain SQL, bound parameters). Ranking:
``ts_rank`` with the title weighing ten times the exhibit text and five times the body (the
local store's bm25 weights 10/2/1); ``score`` is minus the rank, so smaller is better on both.
"""

from __future__ import annotations

from typing import Any

from caseapp.domain.search_query import ParsedQuery, Term
from caseapp.domain.search_text import bigram_tokens
from caseapp.store.postgresql.search_index import CONFIG, words
from caseapp.store.sqlcipher.search_sql import _filters

#: ts_rank weights {D, C, B, A}: exhibit text, (unused), body, title.
_WEIGHTS = "'{0.1, 0.1, 0.2, 1.0}'"
_COLUMNS = "d.id, d.doc_type, d.entity_id, d.ref, d.label, d.title, f.body, f.title"


def _param(params: dict[str, Any], value: str) -> str:
    key = f"p{len(params)}"
    params[key] = value
    return f":{key}"


def _phrase(config: str, tokens: list[str], prefix: bool, params: dict[str, Any]) -> str:
    """tsquery SQL for ``tokens`` in order, the last one a prefix when ``prefix``."""
    if not prefix:
        return f"phraseto_tsquery('{config}', {_param(params, ' '.join(tokens))})"
    last = f"to_tsquery('{config}', {_param(params, repr_word(tokens[-1]))})"
    if len(tokens) == 1:
        return last
    head = f"phraseto_tsquery('{config}', {_param(params, ' '.join(tokens[:-1]))})"
    return f"tsquery_phrase({head}, {last})"


def repr_word(word: str) -> str:
    """``'word':*`` for to_tsquery; ``word`` holds only letters and digits (see words())."""
    if "'" in word or "\\" in word:  # cannot happen for words(); refuse rather than quote
        raise ValueError("not a word")
    return f"'{word}':*"


def term_sql(term: Term, params: dict[str, Any]) -> tuple[str, str | None]:
    """(text tsquery SQL, CJK bigram tsquery SQL or None) for one term."""
    tokens = words(term.text).split()
    text_q = _phrase(CONFIG, tokens, term.prefix, params) if tokens else "''::tsquery"
    grams = bigram_tokens(term.text)
    if not grams:
        return text_q, None
    if len(grams) == 1 and len(grams[0]) == 1:  # one CJK character: bigrams starting with it
        return text_q, _phrase("simple", grams, True, params)
    return text_q, _phrase("simple", grams, term.prefix, params)


def build_sql(parsed: ParsedQuery, limit: int) -> tuple[str, dict[str, Any]]:
    """The SQL statement and parameters of a search; the columns of
    :class:`caseapp.store.interface.SearchRow`."""
    params: dict[str, Any] = {"limit": limit}
    where = _filters(parsed, params)
    if not parsed.terms:
        return (f"SELECT {_COLUMNS}, 0.0 FROM search_doc d JOIN search_fts f ON f.id = d.id "
                "WHERE " + " AND ".join(where) + " ORDER BY d.id DESC LIMIT :limit"), params
    conditions: list[str] = []
    text_queries: list[str] = []
    cjk_queries: list[str] = []
    for term in parsed.terms:
        text_q, cjk_q = term_sql(term, params)
        text_queries.append(text_q)
        if cjk_q is None:
            conditions.append(f"f.tsv @@ {text_q}")
        else:
            cjk_queries.append(cjk_q)
            conditions.append(f"(f.tsv @@ {text_q} OR f.cjk_tsv @@ {cjk_q})")
    rank = f"ts_rank({_WEIGHTS}, f.tsv, {' || '.join(text_queries)})"
    if cjk_queries:
        rank += f" + ts_rank({_WEIGHTS}, f.cjk_tsv, {' || '.join(cjk_queries)})"
    # Rank and cut to ``limit`` on the index alone (joining search_doc only when a filter
    # needs it), then read the wide columns for those rows only.
    join = " JOIN search_doc d ON d.id = f.id" if where else ""
    sql = (f"WITH top AS MATERIALIZED (SELECT f.id, -({rank}) AS score FROM search_fts f{join} "
           "WHERE " + " AND ".join(conditions + where) + " ORDER BY score, f.id LIMIT :limit) "
           f"SELECT {_COLUMNS}, top.score FROM top JOIN search_fts f ON f.id = top.id "
           "JOIN search_doc d ON d.id = top.id ORDER BY top.score, d.id")
    return sql, params

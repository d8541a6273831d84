"""The full-text index and near-match keys of a PostgreSQL store.

The same tables and rows as the local store (:mod:`caseapp.store.sqlcipher.search_index`;
documents built by :mod:`caseapp.store.search_docs`), except ``search_fts``: a plain table
(migration 0002) whose ``tsv`` holds the title (weight A), body (B) and exhibit text (D) under
the ``caseapp_search`` configuration (``unaccent`` + English stems, no stop words) and whose
``cjk_tsv`` holds the CJK bigrams of the same columns (``simple``).

Text reaches ``to_tsvector`` as the words of :func:`words` (runs of letters and digits, as
FTS5's ``unicode61`` splits them) joined by spaces, so e-mail addresses, URLs and hyphenated
names split the same way on both stores, and the query side (:mod:`.search_sql`) splits the
same way too.

Maintenance: one ``after_flush`` listener on every ORM Session (:func:`install`), acting only
on PostgreSQL connections: the index commits and rolls back with the change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from caseapp.domain.search_text import MAX_INDEXED_BYTES, cjk_bigrams
from caseapp.store import common_index
from caseapp.store.common_index import DOC_INSERT, DOC_UPDATE, Changes, IndexDialect, doc_params
from caseapp.store.search_docs import Doc
from caseapp.store.sqlcipher.search_index import INDEX_VERSION as SQLITE_INDEX_VERSION

#: Bump when what is indexed or how changes: stores at another version are rebuilt.
INDEX_VERSION = f"pg-{SQLITE_INDEX_VERSION}.1"
CONFIG = "caseapp_search"
_WORD = re.compile(r"[^\W_]+")
#: A tsvector holds at most 1 MB (each distinct lexeme plus up to 256 positions of 2 bytes):
#: exhibit text is indexed up to an estimated size below that. Ordinary text (a few thousand
#: distinct words) fits whole within MAX_INDEXED_BYTES; text of mostly distinct tokens (hex
#: dumps, random ids) stops earlier on this store.
MAX_TSVECTOR_BYTES = 900_000

_TSV = (f"setweight(to_tsvector('{CONFIG}', :w_title), 'A') || "
        f"setweight(to_tsvector('{CONFIG}', :w_body), 'B') || "
        f"setweight(to_tsvector('{CONFIG}', :w_file), 'D')")
_CJK = ("setweight(to_tsvector('simple', :c_title), 'A') || "
        "setweight(to_tsvector('simple', :c_body), 'B') || "
        "setweight(to_tsvector('simple', :c_file), 'D')")
_FTS_UPSERT = text(
    f"INSERT INTO search_fts (id, title, body, filetext, tsv, cjk_tsv) VALUES (:id, :title, "
    f":body, :filetext, {_TSV}, {_CJK}) ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, "
    "body = EXCLUDED.body, filetext = EXCLUDED.filetext, tsv = EXCLUDED.tsv, "
    "cjk_tsv = EXCLUDED.cjk_tsv")


def words(value: str) -> str:
    """The words of ``value`` joined by single spaces."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", value or "")))


def file_words(value: str) -> str:
    """:func:`words` of exhibit text, cut where its tsvector would pass
    :data:`MAX_TSVECTOR_BYTES` (an upper estimate: lexemes are no longer than the words)."""
    seen: dict[str, int] = {}
    size = 0
    kept: list[str] = []
    for word in _WORD.findall(unicodedata.normalize("NFC", value or "")):
        key = word.lower()
        count = seen.get(key, 0)
        if count == 0:
            size += len(key.encode("utf-8")) + 8
        if count < 256:
            size += 2
            seen[key] = count + 1
        if size > MAX_TSVECTOR_BYTES:
            break
        kept.append(word)
    return " ".join(kept)


def _fts_params(doc_id: int, title: str, body: str, filetext: str) -> dict[str, Any]:
    return {"id": doc_id, "title": title, "body": body, "filetext": filetext,
            "w_title": words(title), "w_body": words(body),
            "w_file": file_words(filetext), "c_title": cjk_bigrams(title),
            "c_body": cjk_bigrams(body), "c_file": cjk_bigrams(filetext)}


def _filetexts(conn: Connection, doc_ids: Sequence[int]) -> dict[int, str]:
    if not doc_ids:
        return {}
    stmt = text("SELECT id, filetext FROM search_fts WHERE id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True))
    return {int(i): t or "" for i, t in conn.execute(stmt, {"ids": list(doc_ids)})}


def _put_docs(conn: Connection, docs: dict[int, Doc], existing: dict[int, int]) -> None:
    kept = _filetexts(conn, [existing[e] for e in docs if e in existing])
    for eid, doc in docs.items():
        if eid in existing:
            doc_id = existing[eid]
            conn.execute(DOC_UPDATE, doc_params(doc_id, doc))
        else:
            doc_id = conn.execute(text(
                "SELECT nextval(pg_get_serial_sequence('search_doc', 'id'))")).scalar_one()
            conn.execute(DOC_INSERT, doc_params(doc_id, doc))
        conn.execute(_FTS_UPSERT, _fts_params(doc_id, doc.fts_title, doc.body,
                                              kept.get(doc_id, "")))


def _write_batch(conn: Connection, batch: list[tuple[int, Doc]]) -> None:
    conn.execute(DOC_INSERT, [doc_params(i, d) for i, d in batch])
    conn.execute(_FTS_UPSERT, [_fts_params(i, d.fts_title, d.body, "") for i, d in batch])


DIALECT = IndexDialect(
    near_insert=text("INSERT INTO search_near_key (identifier_id, kind, near_key) "
                     "VALUES (:id, :kind, :key) ON CONFLICT DO NOTHING"),
    pending_insert=text("INSERT INTO search_pending (evidence_id) VALUES (:e) "
                        "ON CONFLICT DO NOTHING"),
    fts_delete=text("DELETE FROM search_fts WHERE id = :id"),
    put_docs=_put_docs)


def reindex(conn: Connection, changed: Changes, removed: Changes | None = None) -> None:
    """Bring the index rows of these records in line with the tables
    (:func:`caseapp.store.common_index.reindex`)."""
    common_index.reindex(conn, DIALECT, changed, removed)


def set_filetext(conn: Connection, evidence_id: int, content: str) -> None:
    """Store the extracted text of an exhibit in its index row and clear its pending mark."""
    content = content.encode("utf-8")[:MAX_INDEXED_BYTES].decode("utf-8", "ignore")
    row = conn.execute(text("SELECT f.id, f.title, f.body FROM search_doc d JOIN search_fts f "
                            "ON f.id = d.id WHERE d.doc_type = 'exhibit' AND d.entity_id = :e"),
                       {"e": evidence_id}).first()
    if row is not None:
        conn.execute(_FTS_UPSERT, _fts_params(int(row[0]), row[1], row[2], content))
    conn.execute(text("DELETE FROM search_pending WHERE evidence_id = :e"), {"e": evidence_id})


def rebuild(conn: Connection) -> dict[str, int]:
    """Rebuild every index row and near key from the tables; text-like exhibits are queued."""
    conn.execute(text("DELETE FROM search_fts"))
    conn.execute(text("DELETE FROM search_doc"))
    near = common_index.rebuild_near_keys(conn, DIALECT)
    counts, next_id = common_index.rebuild_docs(conn, DIALECT, _write_batch)
    conn.execute(text("SELECT setval(pg_get_serial_sequence('search_doc', 'id'), :n, false)"),
                 {"n": next_id})
    common_index.set_version(conn, INDEX_VERSION)
    # Fresh statistics for the planner: a rebuild follows bulk loads and restores, after
    # which stale statistics made searches 5x slower (measured). Tables the role does not
    # own are skipped with a warning, not an error.
    conn.execute(text("ANALYZE"))
    return {"near_keys": near, **counts}


def is_current(conn: Connection) -> bool:
    """The index was built by this :data:`INDEX_VERSION` and the newest record of each type
    has its row (catches rows bulk-loaded around the ORM; index lookups only)."""
    return (common_index.stored_version(conn) == INDEX_VERSION
            and common_index.newest_indexed(conn))


def _after_flush(session: Session, _flush_context: Any) -> None:
    found = common_index.flush_changes(session, "postgresql")
    if found is None:
        return
    conn, changed, removed, renamed = found
    common_index.add_renamed(conn, changed, renamed)
    reindex(conn, changed, removed)


def install() -> None:
    """Register the index-maintenance listener on every ORM Session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)

"""The full-text index and the near-match keys, kept inside the encrypted database.

Tables (migration ``0002_search``; all named ``search_*``, which the models-vs-migrations check
ignores):

- ``search_doc``: one row per indexed record (``doc_type`` case/note/subject/identifier/exhibit/
  tip, ``entity_id``, owning ``case_id``/``tip_id``, ``ref``, exhibit ``label``, display
  ``title``).
- ``search_fts``: FTS5, rowid = ``search_doc.id``; columns ``title``, ``body``, ``filetext``
  (decrypted text of a text-like exhibit, first :data:`MAX_INDEXED_BYTES`), and ``cjk_title``,
  ``cjk_body``, ``cjk_filetext`` holding CJK bigrams of the same text. Tokenizer
  ``porter unicode61 remove_diacritics 2`` (English stems, migration 0007); see
  :mod:`caseapp.domain.search_text` for why.
- ``search_near_key``: near-match keys of every identifier (:func:`near_keys`).
- ``search_pending``: text-like exhibits whose content still has to be decrypted and indexed
  (the vault key is not reachable from a database session; the search service does it).
- ``search_state``: ``index_version``; a store whose version differs is rebuilt on first use.

Maintenance: :func:`install` registers one ``after_flush`` listener on every ORM Session (done by
``make_engine``). It re-reads the changed Case/Note/Subject/Identifier/Evidence/Tip rows inside the
flush's own transaction and upserts or deletes their index rows, so the index commits and rolls
back together with the change and no service has to call it. Statements that bypass the unit of
work (Core ``update()``/``delete()``, bulk inserts) are not seen: call :func:`rebuild` after them.
Tipster identity (``tipster_name``, ``tipster_contact``, ``relationship``) is never read here.
"""

from __future__ import annotations

import weakref
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from caseapp.domain.search_text import MAX_INDEXED_BYTES, cjk_bigrams
from caseapp.store import common_index
from caseapp.store.common_index import (
    DOC_INSERT,
    DOC_UPDATE,
    Changes,
    IndexDialect,
    doc_params,
    pending_exhibits,
)
from caseapp.store.search_docs import DOC_TYPES, Doc

__all__ = ["DOC_TYPES", "INDEX_VERSION", "MAX_INDEXED_BYTES", "ensure_current", "has_fts",
           "install", "is_current", "pending_exhibits", "rebuild", "reindex", "set_filetext"]

#: Bump when what is indexed or how changes: stores at another version are rebuilt.
INDEX_VERSION = "2"  # 2: porter stemming (migration 0007)


_FTS_INSERT = text(
    "INSERT INTO search_fts (rowid, title, body, filetext, cjk_title, cjk_body, cjk_filetext) "
    "VALUES (:id, :title, :body, '', :cjk_title, :cjk_body, '')")
_FTS_UPDATE = text("UPDATE search_fts SET title = :title, body = :body, cjk_title = :cjk_title, "
                   "cjk_body = :cjk_body WHERE rowid = :id")


def _fts_params(doc_id: int, doc: Doc) -> dict[str, Any]:
    return {"id": doc_id, "title": doc.fts_title, "body": doc.body,
            "cjk_title": cjk_bigrams(doc.fts_title), "cjk_body": cjk_bigrams(doc.body)}


def _put_docs(conn: Connection, docs: dict[int, Doc], existing: dict[int, int]) -> None:
    # one statement per kind for the lot (an import adds a thousand identifiers at once)
    old = [(existing[eid], doc) for eid, doc in docs.items() if eid in existing]
    if old:
        conn.execute(DOC_UPDATE, [doc_params(i, d) for i, d in old])
        conn.execute(_FTS_UPDATE, [_fts_params(i, d) for i, d in old])
    new = [doc for eid, doc in docs.items() if eid not in existing]
    if new:
        first = conn.execute(text("SELECT COALESCE(MAX(id), 0) + 1 FROM search_doc")).scalar_one()
        _write_batch(conn, list(enumerate(new, start=first)))


def _write_batch(conn: Connection, batch: list[tuple[int, Doc]]) -> None:
    conn.execute(DOC_INSERT, [doc_params(i, d) for i, d in batch])
    conn.execute(_FTS_INSERT, [_fts_params(i, d) for i, d in batch])


DIALECT = IndexDialect(
    near_insert=text("INSERT OR IGNORE INTO search_near_key (identifier_id, kind, near_key) "
                     "VALUES (:id, :kind, :key)"),
    pending_insert=text("INSERT OR IGNORE INTO search_pending (evidence_id) VALUES (:e)"),
    fts_delete=text("DELETE FROM search_fts WHERE rowid = :id"),
    put_docs=_put_docs,
    has_docs=lambda conn: has_fts(conn))


def reindex(conn: Connection, changed: Changes, removed: Changes | None = None) -> None:
    """Bring the index rows of these records in line with the tables
    (:func:`caseapp.store.common_index.reindex`)."""
    common_index.reindex(conn, DIALECT, changed, removed)


def set_filetext(conn: Connection, evidence_id: int, content: str) -> None:
    """Store the extracted text of an exhibit in its index row and clear its pending mark."""
    doc_id = conn.execute(text("SELECT id FROM search_doc WHERE doc_type = 'exhibit' AND "
                               "entity_id = :e"), {"e": evidence_id}).scalar()
    if doc_id is not None:
        conn.execute(text("UPDATE search_fts SET filetext = :t, cjk_filetext = :c "
                          "WHERE rowid = :id"),
                     {"t": content, "c": cjk_bigrams(content), "id": doc_id})
    conn.execute(text("DELETE FROM search_pending WHERE evidence_id = :e"), {"e": evidence_id})


def rebuild(conn: Connection) -> dict[str, int]:
    """Rebuild every index row and near key from the tables; text-like exhibits are queued.

    Returns the number of rows per doc type (plus ``near_keys``).
    """
    near = common_index.rebuild_near_keys(conn, DIALECT)
    counts: dict[str, int] = {}
    if has_fts(conn):
        conn.execute(text("DELETE FROM search_fts"))
        conn.execute(text("DELETE FROM search_doc"))
        counts, _next_id = common_index.rebuild_docs(conn, DIALECT, _write_batch)
        conn.execute(text("INSERT INTO search_fts (search_fts) VALUES ('optimize')"))
    common_index.set_version(conn, INDEX_VERSION)
    return {"near_keys": near, **counts}


_current: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()
_tables: weakref.WeakKeyDictionary[Engine, tuple[bool, bool]] = weakref.WeakKeyDictionary()


def _capabilities(conn: Connection) -> tuple[bool, bool]:
    """(the search tables exist, FTS5 is there); only a positive answer is cached."""
    known = _tables.get(conn.engine)
    if known is not None:
        return known
    if conn.dialect.name == "sqlite":
        names = set(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'search%'"))
            .scalars())
    else:
        names = set(sa.inspect(conn).get_table_names())
    found = ("search_near_key" in names, "search_fts" in names)
    if found[0]:
        _tables[conn.engine] = found
    return found


def has_fts(conn: Connection) -> bool:
    """Whether this store has the FTS5 index (SQLite stores migrated to 0002 and later)."""
    return _capabilities(conn)[1]


def is_current(engine: Engine) -> bool:
    """True once :func:`ensure_current` has checked (or rebuilt) this engine's store."""
    return bool(_current.get(engine))


def _newest_indexed(conn: Connection) -> bool:
    """:func:`caseapp.store.common_index.newest_indexed` (true without FTS5)."""
    return not has_fts(conn) or common_index.newest_indexed(conn)


def ensure_current(conn: Connection) -> bool:
    """Rebuild the index when it was built by another :data:`INDEX_VERSION` (or never), or
    when records lack their index rows (written around the ORM, e.g. a bulk load).

    Returns True when a rebuild ran. Checked once per engine.
    """
    if _current.get(conn.engine):
        return False
    if not _capabilities(conn)[0]:
        return False
    rebuilt = common_index.stored_version(conn) != INDEX_VERSION or not _newest_indexed(conn)
    if rebuilt:
        rebuild(conn)
    _current[conn.engine] = True
    return rebuilt


def _after_flush(session: Session, _flush_context: Any) -> None:
    found = common_index.flush_changes(session, "sqlite")
    if found is None:
        return
    conn, changed, removed, renamed = found
    if not _capabilities(conn)[0]:
        return
    common_index.add_renamed(conn, changed, renamed)
    reindex(conn, changed, removed)


def install() -> None:
    """Register the index-maintenance listener on every ORM Session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)

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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from caseapp.domain.identifiers import near_keys
from caseapp.domain.models import Case, Evidence, Identifier, Note, Subject, Tip
from caseapp.domain.search_text import MAX_INDEXED_BYTES, cjk_bigrams
from caseapp.store.search_docs import BUILDERS, CHUNK, DOC_TYPES, Doc, rows_for

__all__ = ["DOC_TYPES", "INDEX_VERSION", "MAX_INDEXED_BYTES", "ensure_current", "has_fts",
           "install", "is_current", "pending_exhibits", "rebuild", "reindex", "set_filetext"]

#: Bump when what is indexed or how changes: stores at another version are rebuilt.
INDEX_VERSION = "2"  # 2: porter stemming (migration 0007)


_FTS_INSERT = text(
    "INSERT INTO search_fts (rowid, title, body, filetext, cjk_title, cjk_body, cjk_filetext) "
    "VALUES (:id, :title, :body, '', :cjk_title, :cjk_body, '')")
_FTS_UPDATE = text("UPDATE search_fts SET title = :title, body = :body, cjk_title = :cjk_title, "
                   "cjk_body = :cjk_body WHERE rowid = :id")
_DOC_INSERT = text(
    "INSERT INTO search_doc (id, doc_type, entity_id, case_id, tip_id, ref, label, title) "
    "VALUES (:id, :doc_type, :entity_id, :case_id, :tip_id, :ref, :label, :title)")
_DOC_UPDATE = text("UPDATE search_doc SET case_id = :case_id, tip_id = :tip_id, ref = :ref, "
                   "label = :label, title = :title WHERE id = :id")


def _params(doc_id: int, doc: Doc) -> dict[str, Any]:
    return {"id": doc_id, "doc_type": doc.doc_type, "entity_id": doc.entity_id,
            "case_id": doc.case_id, "tip_id": doc.tip_id, "ref": doc.ref, "label": doc.label,
            "title": doc.title, "fts_title": doc.fts_title, "body": doc.body,
            "cjk_title": cjk_bigrams(doc.fts_title), "cjk_body": cjk_bigrams(doc.body)}


def _fts_params(p: dict[str, Any]) -> dict[str, Any]:
    return {"id": p["id"], "title": p["fts_title"], "body": p["body"],
            "cjk_title": p["cjk_title"], "cjk_body": p["cjk_body"]}


def _existing(conn: Connection, doc_type: str, entity_ids: Sequence[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    sql = "SELECT entity_id, id FROM search_doc WHERE doc_type = :t AND {where}"
    for start in range(0, len(entity_ids), CHUNK):
        stmt = text(sql.format(where="entity_id IN :ids")).bindparams(
            sa.bindparam("ids", expanding=True))
        found.update(conn.execute(stmt, {"t": doc_type,
                                         "ids": list(entity_ids[start:start + CHUNK])}).all())
    return found


def _remove_docs(conn: Connection, doc_ids: Iterable[int]) -> None:
    rows = [{"id": i} for i in doc_ids]
    if rows:
        conn.execute(text("DELETE FROM search_fts WHERE rowid = :id"), rows)
        conn.execute(text("DELETE FROM search_doc WHERE id = :id"), rows)


def _write_near_keys(conn: Connection, identifier_ids: Sequence[int]) -> None:
    rows = [{"id": i} for i in identifier_ids]
    if not rows:
        return
    conn.execute(text("DELETE FROM search_near_key WHERE identifier_id = :id"), rows)
    sql = "SELECT id, kind, normalized FROM identifier WHERE {where}"
    keys = [{"id": iid, "kind": kind, "key": key}
            for iid, kind, norm in rows_for(conn, sql, list(identifier_ids), "id")
            for key in near_keys(kind, norm)]
    if keys:
        conn.execute(text("INSERT OR IGNORE INTO search_near_key (identifier_id, kind, near_key) "
                          "VALUES (:id, :kind, :key)"), keys)


def reindex(conn: Connection, changed: dict[str, set[int]],
            removed: dict[str, set[int]] | None = None) -> None:
    """Bring the index rows of these records (by doc type and id) in line with the tables.

    A record of ``changed`` that no longer exists (or an exhibit now withdrawn) loses its row;
    ``removed`` may also name ``"case_all"``/``"tip_all"`` ids whose every row goes.
    """
    removed = removed or {}
    fts = has_fts(conn)
    idents = sorted(changed.get("identifier", set()) | removed.get("identifier", set()))
    _write_near_keys(conn, idents)
    if not fts:
        return
    drop: list[int] = []
    for doc_type in DOC_TYPES:
        wanted = sorted(changed.get(doc_type, set()) | removed.get(doc_type, set()))
        if not wanted:
            continue
        existing = _existing(conn, doc_type, wanted)
        docs = {d.entity_id: d for d in BUILDERS[doc_type](conn, wanted)
                if d.entity_id not in removed.get(doc_type, set())}
        drop.extend(doc_id for eid, doc_id in existing.items() if eid not in docs)
        for eid, doc in docs.items():
            if eid in existing:
                params = _params(existing[eid], doc)
                conn.execute(_DOC_UPDATE, params)
                conn.execute(_FTS_UPDATE, _fts_params(params))
                continue
            doc_id = conn.execute(
                text("SELECT COALESCE(MAX(id), 0) + 1 FROM search_doc")).scalar_one()
            params = _params(doc_id, doc)
            conn.execute(_DOC_INSERT, params)
            conn.execute(_FTS_INSERT, _fts_params(params))
            if doc.pending:
                conn.execute(text("INSERT OR IGNORE INTO search_pending (evidence_id) "
                                  "VALUES (:e)"), {"e": eid})
    for owner in ("case", "tip"):
        ids = sorted(removed.get(f"{owner}_all", set()))
        for start in range(0, len(ids), CHUNK):
            stmt = text(f"SELECT id FROM search_doc WHERE {owner}_id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True))
            drop.extend(conn.execute(stmt, {"ids": ids[start:start + CHUNK]}).scalars())
    _remove_docs(conn, sorted(set(drop)))
    exhibits = removed.get("exhibit", set()) | changed.get("exhibit", set())
    if exhibits:  # withdrawn or deleted exhibits no longer wait for content indexing
        conn.execute(text("DELETE FROM search_pending WHERE evidence_id = :e AND NOT EXISTS "
                          "(SELECT 1 FROM search_doc WHERE doc_type = 'exhibit' AND "
                          "entity_id = :e)"), [{"e": e} for e in sorted(exhibits)])


def set_filetext(conn: Connection, evidence_id: int, content: str) -> None:
    """Store the extracted text of an exhibit in its index row and clear its pending mark."""
    doc_id = conn.execute(text("SELECT id FROM search_doc WHERE doc_type = 'exhibit' AND "
                               "entity_id = :e"), {"e": evidence_id}).scalar()
    if doc_id is not None:
        conn.execute(text("UPDATE search_fts SET filetext = :t, cjk_filetext = :c "
                          "WHERE rowid = :id"),
                     {"t": content, "c": cjk_bigrams(content), "id": doc_id})
    conn.execute(text("DELETE FROM search_pending WHERE evidence_id = :e"), {"e": evidence_id})


def pending_exhibits(conn: Connection, limit: int = 1000) -> list[tuple[int, str, str, str]]:
    """(evidence id, blob id, media type, file name) of exhibits waiting for content indexing."""
    rows = conn.execute(text(
        "SELECT e.id, e.blob_id, e.media_type, e.original_name FROM search_pending p "
        "JOIN evidence e ON e.id = p.evidence_id ORDER BY p.evidence_id LIMIT :n"), {"n": limit})
    return [tuple(r) for r in rows]  # type: ignore[misc]


def rebuild(conn: Connection) -> dict[str, int]:
    """Rebuild every index row and near key from the tables; text-like exhibits are queued.

    Returns the number of rows per doc type (plus ``near_keys``).
    """
    counts: dict[str, int] = {}
    conn.execute(text("DELETE FROM search_near_key"))
    conn.execute(text("DELETE FROM search_pending"))
    keys = ({"id": iid, "kind": kind, "key": key}
            for iid, kind, norm in conn.execute(text(
                "SELECT id, kind, normalized FROM identifier")).all()
            for key in near_keys(kind, norm))
    counts["near_keys"] = _insert_batches(conn, text(
        "INSERT OR IGNORE INTO search_near_key (identifier_id, kind, near_key) "
        "VALUES (:id, :kind, :key)"), keys)
    if has_fts(conn):
        conn.execute(text("DELETE FROM search_fts"))
        conn.execute(text("DELETE FROM search_doc"))
        next_id = 1
        for doc_type in DOC_TYPES:
            batch: list[dict[str, Any]] = []
            pending: list[dict[str, int]] = []
            counts[doc_type] = 0
            for doc in BUILDERS[doc_type](conn, None):
                batch.append(_params(next_id, doc))
                if doc.pending:
                    pending.append({"e": doc.entity_id})
                next_id += 1
                if len(batch) >= 2000:
                    counts[doc_type] += _flush_docs(conn, batch)
            counts[doc_type] += _flush_docs(conn, batch)
            if pending:
                conn.execute(text("INSERT OR IGNORE INTO search_pending (evidence_id) "
                                  "VALUES (:e)"), pending)
        conn.execute(text("INSERT INTO search_fts (search_fts) VALUES ('optimize')"))
    _set_version(conn)
    return counts


def _insert_batches(conn: Connection, stmt: sa.TextClause,
                    rows: Iterable[dict[str, Any]]) -> int:
    batch: list[dict[str, Any]] = []
    total = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= 5000:
            conn.execute(stmt, batch)
            total, batch = total + len(batch), []
    if batch:
        conn.execute(stmt, batch)
        total += len(batch)
    return total


def _flush_docs(conn: Connection, batch: list[dict[str, Any]]) -> int:
    count = len(batch)
    if batch:
        conn.execute(_DOC_INSERT, batch)
        conn.execute(_FTS_INSERT, [_fts_params(p) for p in batch])
        batch.clear()
    return count


def _set_version(conn: Connection) -> None:
    conn.execute(text("DELETE FROM search_state WHERE key = 'index_version'"))
    conn.execute(text("INSERT INTO search_state (key, value) VALUES ('index_version', :v)"),
                 {"v": INDEX_VERSION})


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


_NEWEST = {"case": "case_file", "note": "note", "subject": "subject",
           "identifier": "identifier", "exhibit": "evidence", "tip": "tip"}


def _newest_indexed(conn: Connection) -> bool:
    """The newest record of each type has its index row: catches rows bulk-loaded around the
    ORM (index lookups only, so it costs microseconds whatever the store's size)."""
    if not has_fts(conn):
        return True
    for doc_type, table in _NEWEST.items():
        live = " WHERE withdrawn_at IS NULL" if table == "evidence" else ""
        newest = conn.execute(text(f"SELECT MAX(id) FROM {table}{live}")).scalar()
        indexed = conn.execute(text("SELECT MAX(entity_id) FROM search_doc WHERE doc_type = :t"),
                               {"t": doc_type}).scalar()
        if newest != indexed:
            return False
    return True


def ensure_current(conn: Connection) -> bool:
    """Rebuild the index when it was built by another :data:`INDEX_VERSION` (or never), or
    when records lack their index rows (written around the ORM, e.g. a bulk load).

    Returns True when a rebuild ran. Checked once per engine.
    """
    if _current.get(conn.engine):
        return False
    if not _capabilities(conn)[0]:
        return False
    version = conn.execute(text(
        "SELECT value FROM search_state WHERE key = 'index_version'")).scalar()
    rebuilt = version != INDEX_VERSION or not _newest_indexed(conn)
    if rebuilt:
        rebuild(conn)
    _current[conn.engine] = True
    return rebuilt


_INDEXED: dict[type, tuple[str, tuple[str, ...]]] = {
    Case: ("case", ("ref", "title", "summary", "key_facts", "tags")),
    Note: ("note", ("text", "case_id")),
    Subject: ("subject", ("name", "aliases", "role_applied", "hiring_platform",
                          "claimed_location", "notes", "case_id")),
    Identifier: ("identifier", ("kind", "raw", "normalized", "subject_id", "tip_id")),
    Evidence: ("exhibit", ("title", "description", "original_name", "withdrawn_at", "case_id",
                           "tip_id", "number", "blob_id", "media_type")),
    Tip: ("tip", ("ref", "channel", "programme", "reference", "content", "assignee_note")),
}


def _changed(obj: Any, attrs: tuple[str, ...]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in attrs)


def _after_flush(session: Session, _flush_context: Any) -> None:
    changed: dict[str, set[int]] = defaultdict(set)
    removed: dict[str, set[int]] = defaultdict(set)
    renamed_subjects: set[int] = set()
    for obj in session.new:
        spec = _INDEXED.get(type(obj))
        if spec and obj.id is not None:
            changed[spec[0]].add(obj.id)
    for obj in session.dirty:
        spec = _INDEXED.get(type(obj))
        if spec and obj.id is not None and _changed(obj, spec[1]):
            changed[spec[0]].add(obj.id)
            if isinstance(obj, Subject) and _changed(obj, ("name", "case_id")):
                renamed_subjects.add(obj.id)
    for obj in session.deleted:
        spec = _INDEXED.get(type(obj))
        if spec and obj.id is not None:
            removed[spec[0]].add(obj.id)
            if isinstance(obj, Case | Tip):
                removed[f"{spec[0]}_all"].add(obj.id)
    if not changed and not removed:
        return
    conn = session.connection()
    if conn.dialect.name != "sqlite":  # another store keeps its own index
        return
    if not _capabilities(conn)[0]:
        return
    if renamed_subjects:  # identifier rows show their subject's name and case
        stmt = text("SELECT id FROM identifier WHERE subject_id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True))
        changed["identifier"].update(conn.execute(stmt, {"ids": sorted(renamed_subjects)})
                                     .scalars())
    reindex(conn, changed, removed)


def install() -> None:
    """Register the index-maintenance listener on every ORM Session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)

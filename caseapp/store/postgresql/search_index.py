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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from caseapp.domain.identifiers import near_keys
from caseapp.domain.search_text import MAX_INDEXED_BYTES, cjk_bigrams
from caseapp.store.search_docs import BUILDERS, CHUNK, DOC_TYPES, Doc, rows_for
from caseapp.store.sqlcipher.search_index import _INDEXED, _changed
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
_DOC_INSERT = text(
    "INSERT INTO search_doc (id, doc_type, entity_id, case_id, tip_id, ref, label, title) "
    "VALUES (:id, :doc_type, :entity_id, :case_id, :tip_id, :ref, :label, :title)")
_DOC_UPDATE = text("UPDATE search_doc SET case_id = :case_id, tip_id = :tip_id, ref = :ref, "
                   "label = :label, title = :title WHERE id = :id")
_NEAR_INSERT = text("INSERT INTO search_near_key (identifier_id, kind, near_key) "
                    "VALUES (:id, :kind, :key) ON CONFLICT DO NOTHING")
_PENDING_INSERT = text("INSERT INTO search_pending (evidence_id) VALUES (:e) "
                       "ON CONFLICT DO NOTHING")


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


def _doc_params(doc_id: int, doc: Doc) -> dict[str, Any]:
    return {"id": doc_id, "doc_type": doc.doc_type, "entity_id": doc.entity_id,
            "case_id": doc.case_id, "tip_id": doc.tip_id, "ref": doc.ref, "label": doc.label,
            "title": doc.title}


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
        conn.execute(text("DELETE FROM search_fts WHERE id = :id"), rows)
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
        conn.execute(_NEAR_INSERT, keys)


def _filetexts(conn: Connection, doc_ids: Sequence[int]) -> dict[int, str]:
    if not doc_ids:
        return {}
    stmt = text("SELECT id, filetext FROM search_fts WHERE id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True))
    return {int(i): t or "" for i, t in conn.execute(stmt, {"ids": list(doc_ids)})}


def reindex(conn: Connection, changed: dict[str, set[int]],
            removed: dict[str, set[int]] | None = None) -> None:
    """Bring the index rows of these records (by doc type and id) in line with the tables."""
    removed = removed or {}
    idents = sorted(changed.get("identifier", set()) | removed.get("identifier", set()))
    _write_near_keys(conn, idents)
    drop: list[int] = []
    for doc_type in DOC_TYPES:
        wanted = sorted(changed.get(doc_type, set()) | removed.get(doc_type, set()))
        if not wanted:
            continue
        existing = _existing(conn, doc_type, wanted)
        docs = {d.entity_id: d for d in BUILDERS[doc_type](conn, wanted)
                if d.entity_id not in removed.get(doc_type, set())}
        drop.extend(doc_id for eid, doc_id in existing.items() if eid not in docs)
        kept = _filetexts(conn, [existing[e] for e in docs if e in existing])
        for eid, doc in docs.items():
            if eid in existing:
                doc_id = existing[eid]
                conn.execute(_DOC_UPDATE, _doc_params(doc_id, doc))
            else:
                doc_id = conn.execute(text(
                    "SELECT nextval(pg_get_serial_sequence('search_doc', 'id'))")).scalar_one()
                conn.execute(_DOC_INSERT, _doc_params(doc_id, doc))
                if doc.pending:
                    conn.execute(_PENDING_INSERT, {"e": eid})
            conn.execute(_FTS_UPSERT, _fts_params(doc_id, doc.fts_title, doc.body,
                                                  kept.get(doc_id, "")))
    for owner in ("case", "tip"):
        ids = sorted(removed.get(f"{owner}_all", set()))
        for start in range(0, len(ids), CHUNK):
            stmt = text(f"SELECT id FROM search_doc WHERE {owner}_id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True))
            drop.extend(conn.execute(stmt, {"ids": ids[start:start + CHUNK]}).scalars())
    _remove_docs(conn, sorted(set(drop)))
    exhibits = removed.get("exhibit", set()) | changed.get("exhibit", set())
    if exhibits:
        conn.execute(text("DELETE FROM search_pending WHERE evidence_id = :e AND NOT EXISTS "
                          "(SELECT 1 FROM search_doc WHERE doc_type = 'exhibit' AND "
                          "entity_id = :e)"), [{"e": e} for e in sorted(exhibits)])


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
    counts: dict[str, int] = {}
    for table in ("search_near_key", "search_pending", "search_fts", "search_doc"):
        conn.execute(text(f"DELETE FROM {table}"))
    keys = [{"id": iid, "kind": kind, "key": key}
            for iid, kind, norm in conn.execute(text(
                "SELECT id, kind, normalized FROM identifier")).all()
            for key in near_keys(kind, norm)]
    for start in range(0, len(keys), 5000):
        conn.execute(_NEAR_INSERT, keys[start:start + 5000])
    counts["near_keys"] = len(keys)
    next_id = 1
    for doc_type in DOC_TYPES:
        docs: list[dict[str, Any]] = []
        fts: list[dict[str, Any]] = []
        pending: list[dict[str, int]] = []
        counts[doc_type] = 0
        for doc in BUILDERS[doc_type](conn, None):
            docs.append(_doc_params(next_id, doc))
            fts.append(_fts_params(next_id, doc.fts_title, doc.body, ""))
            if doc.pending:
                pending.append({"e": doc.entity_id})
            next_id += 1
            if len(docs) >= 2000:
                counts[doc_type] += _flush(conn, docs, fts)
        counts[doc_type] += _flush(conn, docs, fts)
        if pending:
            conn.execute(_PENDING_INSERT, pending)
    conn.execute(text("SELECT setval(pg_get_serial_sequence('search_doc', 'id'), :n, false)"),
                 {"n": next_id})
    conn.execute(text("DELETE FROM search_state WHERE key = 'index_version'"))
    conn.execute(text("INSERT INTO search_state (key, value) VALUES ('index_version', :v)"),
                 {"v": INDEX_VERSION})
    # Fresh statistics for the planner: a rebuild follows bulk loads and restores, after
    # which stale statistics made searches 5x slower (measured). Tables the role does not
    # own are skipped with a warning, not an error.
    conn.execute(text("ANALYZE"))
    return counts


def _flush(conn: Connection, docs: list[dict[str, Any]], fts: list[dict[str, Any]]) -> int:
    count = len(docs)
    if docs:
        conn.execute(_DOC_INSERT, docs)
        conn.execute(_FTS_UPSERT, fts)
        docs.clear()
        fts.clear()
    return count


_NEWEST = {"case": "case_file", "note": "note", "subject": "subject",
           "identifier": "identifier", "exhibit": "evidence", "tip": "tip"}


def is_current(conn: Connection) -> bool:
    """The index was built by this :data:`INDEX_VERSION` and the newest record of each type
    has its row (catches rows bulk-loaded around the ORM; index lookups only)."""
    version = conn.execute(text(
        "SELECT value FROM search_state WHERE key = 'index_version'")).scalar()
    if version != INDEX_VERSION:
        return False
    for doc_type, table in _NEWEST.items():
        live = " WHERE withdrawn_at IS NULL" if table == "evidence" else ""
        newest = conn.execute(text(f"SELECT MAX(id) FROM {table}{live}")).scalar()
        indexed = conn.execute(text("SELECT MAX(entity_id) FROM search_doc WHERE doc_type = :t"),
                               {"t": doc_type}).scalar()
        if newest != indexed:
            return False
    return True


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
            if type(obj).__name__ == "Subject" and _changed(obj, ("name", "case_id")):
                renamed_subjects.add(obj.id)
    for obj in session.deleted:
        spec = _INDEXED.get(type(obj))
        if spec and obj.id is not None:
            removed[spec[0]].add(obj.id)
            if spec[0] in ("case", "tip"):
                removed[f"{spec[0]}_all"].add(obj.id)
    if not changed and not removed:
        return
    conn = session.connection()
    if conn.dialect.name != "postgresql":
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

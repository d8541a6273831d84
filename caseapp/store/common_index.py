"""Index maintenance both stores share: which flushed rows need new index rows, the
``search_doc`` bookkeeping, near keys, the pending queue and the version row.

Only dialect-neutral SQL lives here. What differs (the ``search_fts`` table, ``INSERT OR IGNORE``
against ``ON CONFLICT DO NOTHING``, how a new ``search_doc`` id is drawn) each store passes in as
an :class:`IndexDialect` (:mod:`caseapp.store.sqlcipher.search_index`,
:mod:`caseapp.store.postgresql.search_index`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from caseapp.domain.identifiers import near_keys
from caseapp.domain.models import Case, Evidence, Identifier, Note, Subject, Tip
from caseapp.store.search_docs import BUILDERS, CHUNK, DOC_TYPES, Doc, rows_for

Changes = dict[str, set[int]]

DOC_INSERT = text(
    "INSERT INTO search_doc (id, doc_type, entity_id, case_id, tip_id, ref, label, title) "
    "VALUES (:id, :doc_type, :entity_id, :case_id, :tip_id, :ref, :label, :title)")
DOC_UPDATE = text("UPDATE search_doc SET case_id = :case_id, tip_id = :tip_id, ref = :ref, "
                  "label = :label, title = :title WHERE id = :id")
REBUILD_BATCH = 2000
_NEAR_BATCH = 5000


@dataclass(frozen=True)
class IndexDialect:
    """What one store does its own way."""

    near_insert: sa.TextClause  # (:id, :kind, :key) into search_near_key, duplicates ignored
    pending_insert: sa.TextClause  # (:e) into search_pending, duplicates ignored
    fts_delete: sa.TextClause  # the search_fts row of search_doc id :id
    #: Writes the index rows of ``docs`` (entity id -> Doc); ``existing`` maps the entity ids
    #: that already have a row to its search_doc id.
    put_docs: Callable[[Connection, dict[int, Doc], dict[int, int]], None]
    has_docs: Callable[[Connection], bool] = lambda _conn: True  # search_doc/_fts exist


def doc_params(doc_id: int, doc: Doc) -> dict[str, Any]:
    """The ``search_doc`` columns of ``doc`` under ``doc_id``."""
    return {"id": doc_id, "doc_type": doc.doc_type, "entity_id": doc.entity_id,
            "case_id": doc.case_id, "tip_id": doc.tip_id, "ref": doc.ref, "label": doc.label,
            "title": doc.title}


def _existing(conn: Connection, doc_type: str, entity_ids: Sequence[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    stmt = text("SELECT entity_id, id FROM search_doc WHERE doc_type = :t AND entity_id IN :ids"
                ).bindparams(sa.bindparam("ids", expanding=True))
    for start in range(0, len(entity_ids), CHUNK):
        found.update(conn.execute(stmt, {"t": doc_type,
                                         "ids": list(entity_ids[start:start + CHUNK])}).all())
    return found


def _write_near_keys(conn: Connection, identifier_ids: Sequence[int],
                     insert: sa.TextClause) -> None:
    rows = [{"id": i} for i in identifier_ids]
    if not rows:
        return
    conn.execute(text("DELETE FROM search_near_key WHERE identifier_id = :id"), rows)
    sql = "SELECT id, kind, normalized FROM identifier WHERE {where}"
    keys = [{"id": iid, "kind": kind, "key": key}
            for iid, kind, norm in rows_for(conn, sql, list(identifier_ids), "id")
            for key in near_keys(kind, norm)]
    if keys:
        conn.execute(insert, keys)


def _owned_docs(conn: Connection, removed: Changes) -> list[int]:
    """search_doc ids of the cases and tips named by ``removed["case_all"/"tip_all"]``."""
    found: list[int] = []
    for owner in ("case", "tip"):
        ids = sorted(removed.get(f"{owner}_all", set()))
        stmt = text(f"SELECT id FROM search_doc WHERE {owner}_id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True))
        for start in range(0, len(ids), CHUNK):
            found.extend(conn.execute(stmt, {"ids": ids[start:start + CHUNK]}).scalars())
    return found


def reindex(conn: Connection, dialect: IndexDialect, changed: Changes,
            removed: Changes | None = None) -> None:
    """Bring the index rows of these records (by doc type and id) in line with the tables.

    A record of ``changed`` that no longer exists (or an exhibit now withdrawn) loses its row;
    ``removed`` may also name ``"case_all"``/``"tip_all"`` ids whose every row goes.
    """
    removed = removed or {}
    idents = sorted(changed.get("identifier", set()) | removed.get("identifier", set()))
    _write_near_keys(conn, idents, dialect.near_insert)
    if not dialect.has_docs(conn):
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
        dialect.put_docs(conn, docs, existing)
        pending = [{"e": eid} for eid, doc in docs.items() if doc.pending and eid not in existing]
        if pending:
            conn.execute(dialect.pending_insert, pending)
    drop.extend(_owned_docs(conn, removed))
    rows = [{"id": i} for i in sorted(set(drop))]
    if rows:
        conn.execute(dialect.fts_delete, rows)
        conn.execute(text("DELETE FROM search_doc WHERE id = :id"), rows)
    exhibits = removed.get("exhibit", set()) | changed.get("exhibit", set())
    if exhibits:  # withdrawn or deleted exhibits no longer wait for content indexing
        conn.execute(text("DELETE FROM search_pending WHERE evidence_id = :e AND NOT EXISTS "
                          "(SELECT 1 FROM search_doc WHERE doc_type = 'exhibit' AND "
                          "entity_id = :e)"), [{"e": e} for e in sorted(exhibits)])


def rebuild_near_keys(conn: Connection, dialect: IndexDialect) -> int:
    """Empty the near-key and pending tables and write every identifier's near keys again."""
    conn.execute(text("DELETE FROM search_near_key"))
    conn.execute(text("DELETE FROM search_pending"))
    keys = ({"id": iid, "kind": kind, "key": key}
            for iid, kind, norm in conn.execute(text(
                "SELECT id, kind, normalized FROM identifier")).all()
            for key in near_keys(kind, norm))
    batch: list[dict[str, Any]] = []
    total = 0
    for row in keys:
        batch.append(row)
        if len(batch) >= _NEAR_BATCH:
            conn.execute(dialect.near_insert, batch)
            total, batch = total + len(batch), []
    if batch:
        conn.execute(dialect.near_insert, batch)
        total += len(batch)
    return total


def rebuild_docs(conn: Connection, dialect: IndexDialect,
                 write: Callable[[Connection, list[tuple[int, Doc]]], None]) -> tuple[
                     dict[str, int], int]:
    """Number every record's Doc from 1 and hand them to ``write`` in batches (the tables
    are emptied by the caller); text-like exhibits are queued. Returns (rows per doc type,
    the next free id)."""
    counts: dict[str, int] = {}
    next_id = 1
    for doc_type in DOC_TYPES:
        batch: list[tuple[int, Doc]] = []
        pending: list[dict[str, int]] = []
        counts[doc_type] = 0
        for doc in BUILDERS[doc_type](conn, None):
            batch.append((next_id, doc))
            if doc.pending:
                pending.append({"e": doc.entity_id})
            next_id += 1
            if len(batch) >= REBUILD_BATCH:
                write(conn, batch)
                counts[doc_type] += len(batch)
                batch = []
        if batch:
            write(conn, batch)
            counts[doc_type] += len(batch)
        if pending:
            conn.execute(dialect.pending_insert, pending)
    return counts, next_id


def stored_version(conn: Connection) -> str | None:
    """The ``index_version`` the index was built with (None: never built)."""
    return conn.execute(text(
        "SELECT value FROM search_state WHERE key = 'index_version'")).scalar()


def set_version(conn: Connection, version: str) -> None:
    """Record that the index was built with ``version``."""
    conn.execute(text("DELETE FROM search_state WHERE key = 'index_version'"))
    conn.execute(text("INSERT INTO search_state (key, value) VALUES ('index_version', :v)"),
                 {"v": version})


_NEWEST = {"case": "case_file", "note": "note", "subject": "subject",
           "identifier": "identifier", "exhibit": "evidence", "tip": "tip"}


def newest_indexed(conn: Connection) -> bool:
    """The newest record of each type has its index row: catches rows bulk-loaded around the
    ORM (index lookups only, so it costs microseconds whatever the store's size)."""
    for doc_type, table in _NEWEST.items():
        live = " WHERE withdrawn_at IS NULL" if table == "evidence" else ""
        newest = conn.execute(text(f"SELECT MAX(id) FROM {table}{live}")).scalar()
        indexed = conn.execute(text("SELECT MAX(entity_id) FROM search_doc WHERE doc_type = :t"),
                               {"t": doc_type}).scalar()
        if newest != indexed:
            return False
    return True


def pending_exhibits(conn: Connection, limit: int = 1000) -> list[tuple[int, str, str, str]]:
    """(evidence id, blob id, media type, file name) of exhibits waiting for content indexing."""
    rows = conn.execute(text(
        "SELECT e.id, e.blob_id, e.media_type, e.original_name FROM search_pending p "
        "JOIN evidence e ON e.id = p.evidence_id ORDER BY p.evidence_id LIMIT :n"), {"n": limit})
    return [tuple(r) for r in rows]  # type: ignore[misc]


def has_pending(conn: Connection) -> bool:
    """Whether an existing exhibit waits for content indexing (on the driver: it runs before
    every search)."""
    return conn.exec_driver_sql(
        "SELECT 1 FROM search_pending p WHERE EXISTS (SELECT 1 FROM evidence e "
        "WHERE e.id = p.evidence_id) LIMIT 1").first() is not None


#: The indexed models: doc type and the attributes whose change needs a new index row.
INDEXED: dict[type, tuple[str, tuple[str, ...]]] = {
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


def flush_changes(session: Session, dialect_name: str,
                  ) -> tuple[Connection, Changes, Changes, set[int]] | None:
    """(connection, changed, removed, renamed subject ids) of a flush on a ``dialect_name``
    connection that touched indexed records; None when there is nothing for this store."""
    changed: Changes = defaultdict(set)
    removed: Changes = defaultdict(set)
    renamed: set[int] = set()
    for obj in session.new:
        spec = INDEXED.get(type(obj))
        if spec and obj.id is not None:
            changed[spec[0]].add(obj.id)
    for obj in session.dirty:
        spec = INDEXED.get(type(obj))
        if spec and obj.id is not None and _changed(obj, spec[1]):
            changed[spec[0]].add(obj.id)
            if isinstance(obj, Subject) and _changed(obj, ("name", "case_id")):
                renamed.add(obj.id)
    for obj in session.deleted:
        spec = INDEXED.get(type(obj))
        if spec and obj.id is not None:
            removed[spec[0]].add(obj.id)
            if isinstance(obj, Case | Tip):
                removed[f"{spec[0]}_all"].add(obj.id)
    if not changed and not removed:
        return None
    conn = session.connection()
    if conn.dialect.name != dialect_name:  # another store keeps its own index
        return None
    return conn, changed, removed, renamed


def add_renamed(conn: Connection, changed: Changes, renamed: Iterable[int]) -> None:
    """Identifier rows show their subject's name and case: a renamed or moved subject's
    identifiers are indexed again."""
    ids = sorted(renamed)
    if ids:
        stmt = text("SELECT id FROM identifier WHERE subject_id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True))
        changed.setdefault("identifier", set()).update(
            conn.execute(stmt, {"ids": ids}).scalars())

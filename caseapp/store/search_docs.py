"""What the full-text index holds for each record: one :class:`Doc` per case, note, subject,
identifier, exhibit and tip, read straight from the tables (see :mod:`caseapp.store.sqlcipher.search_index`).

Tipster identity (``tipster_name``, ``tipster_contact``, ``relationship``) is never read here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.engine import Connection

from caseapp.domain.identifiers import near_keys
from caseapp.domain.search_text import first_line, is_text_like
from caseapp.domain.text import load_list

__all__ = ["BUILDERS", "CHUNK", "DOC_TYPES", "Doc", "rows_for"]

DOC_TYPES = ("case", "note", "subject", "identifier", "exhibit", "tip")
CHUNK = 500


class Doc(NamedTuple):
    """One row of ``search_doc`` plus its indexed text."""

    doc_type: str
    entity_id: int
    case_id: int | None
    tip_id: int | None
    ref: str
    label: str
    title: str  # shown in results
    fts_title: str  # indexed with the title weight
    body: str
    pending: bool = False  # a text-like exhibit whose content is still to be indexed


def _join(*parts: object) -> str:
    return "\n".join(str(p) for p in parts if p)


def rows_for(conn: Connection, sql: str, ids: Sequence[int] | None,
             column: str) -> Iterator[tuple[Any, ...]]:
    """Rows of ``sql`` (with a ``{where}`` slot) for ``ids`` (all rows when None), in chunks."""
    if ids is None:
        yield from (tuple(row) for row in conn.execute(text(sql.format(where="1 = 1"))))
        return
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start:start + CHUNK])
        stmt = text(sql.format(where=f"{column} IN :ids")).bindparams(
            sa.bindparam("ids", expanding=True))
        yield from (tuple(row) for row in conn.execute(stmt, {"ids": chunk}))


def _case_docs(conn: Connection, ids: Sequence[int] | None) -> Iterator[Doc]:
    sql = "SELECT id, ref, title, summary, key_facts, tags FROM case_file WHERE {where}"
    for cid, ref, title, summary, key_facts, tags in rows_for(conn, sql, ids, "id"):
        yield Doc("case", cid, cid, None, ref, "", title, _join(ref, title),
                  _join(summary, key_facts, " ".join(map(str, load_list(tags)))))


def _note_docs(conn: Connection, ids: Sequence[int] | None) -> Iterator[Doc]:
    sql = ("SELECT n.id, n.case_id, c.ref, n.text FROM note n JOIN case_file c "
           "ON c.id = n.case_id WHERE {where}")
    for nid, case_id, ref, body in rows_for(conn, sql, ids, "n.id"):
        yield Doc("note", nid, case_id, None, ref, "", first_line(body) or "(note)", "", body)


def _subject_docs(conn: Connection, ids: Sequence[int] | None) -> Iterator[Doc]:
    sql = ("SELECT s.id, s.case_id, c.ref, s.name, s.aliases, s.role_applied, "
           "s.hiring_platform, s.claimed_location, s.notes FROM subject s JOIN case_file c "
           "ON c.id = s.case_id WHERE {where}")
    for sid, case_id, ref, name, aliases, role, platform, location, notes in rows_for(
            conn, sql, ids, "s.id"):
        alias_text = " ".join(map(str, load_list(aliases)))
        yield Doc("subject", sid, case_id, None, ref, "", name, _join(name, alias_text),
                  _join(role, platform, location, notes))


def _identifier_docs(conn: Connection, ids: Sequence[int] | None) -> Iterator[Doc]:
    sql = ("SELECT i.id, i.kind, i.raw, i.normalized, s.case_id, c.ref, s.name, i.tip_id, "
           "t.ref FROM identifier i LEFT JOIN subject s ON s.id = i.subject_id "
           "LEFT JOIN case_file c ON c.id = s.case_id LEFT JOIN tip t ON t.id = i.tip_id "
           "WHERE {where}")
    for iid, kind, raw, norm, case_id, case_ref, subject, tip_id, tip_ref in rows_for(
            conn, sql, ids, "i.id"):
        ref = case_ref or tip_ref or ""
        owner = f" ({subject})" if subject else " (tip)" if tip_id else ""
        keys = " ".join(near_keys(kind, norm))
        yield Doc("identifier", iid, case_id, tip_id, ref, "", f"{kind}: {raw}{owner}", raw,
                  _join(norm if norm != raw else "", keys, kind))


def _exhibit_docs(conn: Connection, ids: Sequence[int] | None) -> Iterator[Doc]:
    sql = ("SELECT e.id, e.case_id, e.tip_id, COALESCE(c.ref, t.ref, ''), e.number, e.title, "
           "e.description, e.original_name, e.media_type, e.blob_id FROM evidence e "
           "LEFT JOIN case_file c ON c.id = e.case_id LEFT JOIN tip t ON t.id = e.tip_id "
           "WHERE e.withdrawn_at IS NULL AND {where}")
    for eid, case_id, tip_id, ref, number, title, desc, name, media, blob in rows_for(
            conn, sql, ids, "e.id"):
        label = f"E-{number:03d}" if number is not None else f"A-{eid}"
        yield Doc("exhibit", eid, case_id, tip_id, ref, label, title, title,
                  _join(desc, name), pending=bool(blob) and is_text_like(media, name))


def _tip_docs(conn: Connection, ids: Sequence[int] | None) -> Iterator[Doc]:
    # Deliberately no tipster_name, tipster_contact or relationship: never indexed.
    sql = ("SELECT id, ref, channel, programme, reference, content, assignee_note FROM tip "
           "WHERE {where}")
    for tid, ref, channel, programme, reference, content, note in rows_for(conn, sql, ids, "id"):
        title = f"{ref} ({channel}): {first_line(content, 60)}"
        yield Doc("tip", tid, None, tid, ref, "", title, _join(ref, programme, reference),
                  _join(content, note))


BUILDERS = {"case": _case_docs, "note": _note_docs, "subject": _subject_docs,
             "identifier": _identifier_docs, "exhibit": _exhibit_docs, "tip": _tip_docs}

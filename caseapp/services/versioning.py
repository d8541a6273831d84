"""Optimistic concurrency: an edit lands only on the version of the record its caller read.

A service changes the fields of a loaded row as usual and, when something changed, calls
:func:`claim_version` before the session flushes. Its one statement,
``UPDATE ... SET version = version + 1 WHERE id = :id AND version = :expected``, is the
decision, taken atomically by the database: of two writers that read the same version only
one updates a row, on either store and whatever the isolation level. That writer's own field
changes are flushed by the ORM right after, in the same transaction, with the row locked by
the claim (PostgreSQL) or the store's write lock held (SQLite), so the search index and the
state hashes follow them as for any other write. No row updated means someone else saved
first: :class:`~caseapp.services.errors.EditConflict`, with the stored version (read afresh)
and the caller's values, and nothing of the caller's written over it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from caseapp.domain.models import AuditEntry
from caseapp.services.errors import EditConflict, NotFound, StoredVersion


def as_text(value: Any) -> str:
    """A stored field as the plain text a person reads (JSON lists joined, times ISO)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, str) and value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            return value
        if isinstance(items, list):
            return ", ".join(str(i) for i in items)
    return str(value)


def claim_version(session: Session, obj: Any, expected_version: int | None, *, what: str,
                  kind: str, labels: Mapping[str, str],
                  audit_key: tuple[str, str] | None = None) -> int:
    """Move ``obj``'s row from ``expected_version`` to the next one, or raise EditConflict.

    ``expected_version`` None: the version read in this transaction (a caller that did not
    say what it read still never writes over a save that slipped in after its read).
    ``labels``: field name -> label, the fields a conflict shows (``obj``'s values of them
    are the caller's). ``audit_key``: (entity, entity id) of its audit entries, to say who
    saved it last. Returns the new version.
    """
    expected = int(obj.version) if expected_version is None else int(expected_version)
    table = type(obj).__table__
    stmt = (table.update().where(table.c.id == obj.id, table.c.version == expected)
            .values(version=table.c.version + 1))
    # The session's connection, not session.execute: that would autoflush the changes first.
    if session.connection().execute(stmt).rowcount != 1:
        with session.no_autoflush:
            mine = {label: as_text(getattr(obj, name)) for name, label in labels.items()}
            raise conflict(session, obj, expected, what=what, kind=kind, labels=labels,
                           mine=mine, audit_key=audit_key)
    set_committed_value(obj, "version", expected + 1)
    return expected + 1


def conflict(session: Session, obj: Any, expected: int, *, what: str, kind: str,
             labels: Mapping[str, str], mine: dict[str, str],
             audit_key: tuple[str, str] | None = None) -> EditConflict:
    """The conflict for ``obj``: its row as stored now (read afresh) against ``mine``."""
    table = type(obj).__table__
    row = session.connection().execute(
        sa.select(table).where(table.c.id == obj.id)).mappings().first()
    if row is None:
        raise NotFound(f"{what} no longer exists.")
    with session.no_autoflush:
        by, at = last_change(session, audit_key) if audit_key else ("", None)
    theirs = StoredVersion(int(row["version"]),
                           {label: as_text(row[name]) for name, label in labels.items()},
                           by=by or str(row.get("updated_by") or row.get("author") or ""),
                           at=at or row.get("updated_at"))
    return EditConflict(what=what, kind=kind, record_id=int(obj.id), expected_version=expected,
                        theirs=theirs, mine=mine)


def last_change(session: Session, key: tuple[str, str]) -> tuple[str, datetime | None]:
    """Who wrote the newest audit entry about a record, and when ("" and None: none)."""
    entry = session.exec(select(AuditEntry).where(AuditEntry.entity == key[0],
                                                  AuditEntry.entity_id == key[1])
                         .order_by(col(AuditEntry.id).desc()).limit(1)).first()
    return (entry.actor, entry.at) if entry is not None else ("", None)

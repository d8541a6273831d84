"""Deleting rows so that a refusal is never silent.

On a team store, row-level security filters a DELETE the login role may not make (a viewer's,
a non-lead's change of who is on a case) down to zero rows without an error: PostgreSQL has no
WITH CHECK for DELETE, and the ORM only warns about a delete that matched nothing. Every
service that deletes goes through :func:`delete_rows`, which checks afterwards that the rows
are gone and refuses the whole change otherwise (the caller's transaction rolls back, so an
audit entry written for it goes too).
"""

from __future__ import annotations

from sqlalchemy import exists, inspect, select
from sqlmodel import Session, SQLModel

from caseapp.services.errors import Conflict
from caseapp.services.workspace import REFUSED


def delete_rows(session: Session, *rows: SQLModel, refused: str = REFUSED) -> None:
    """Delete ``rows`` and flush; Conflict(``refused``) when the store kept any of them."""
    keys = [(type(row), inspect(row).identity) for row in rows]
    for model, _identity in keys:
        # The ORM would warn (or, for a versioned model, raise) about a delete that matched
        # nothing, naming the table; the check below says it in the user's words instead.
        inspect(model).base_mapper.confirm_deleted_rows = False
    for row in rows:
        session.delete(row)
    session.flush()
    for model, identity in keys:
        mapper = inspect(model)
        if identity is None:  # never stored: nothing the database could refuse
            continue
        same = [column == value for column, value in zip(mapper.primary_key, identity,
                                                          strict=True)]
        if session.execute(select(exists().where(*same))).scalar():
            raise Conflict(refused)

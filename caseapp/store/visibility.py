"""What row-level security hides from this user on a team store (for verify).

A member's ``verify`` walks the whole audit chain but sees only the records of their own
cases; the recorded states of other cases must not read as "deleted outside caseapp". The
team's ``SECURITY DEFINER`` function names the cases that exist but are hidden from the
caller (references only, as the audit chain already shows them); a case really deleted is in
neither list, so verify still reports it. Empty on the local store and before ``team init``.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session


def hidden_case_refs(session: Session) -> frozenset[str]:
    """References of the cases that exist but this login role may not read."""
    if session.get_bind().dialect.name != "postgresql" or not session.execute(text(
            "SELECT to_regprocedure('caseapp_hidden_case_refs()') IS NOT NULL")).scalar():
        return frozenset()
    return frozenset(str(r[0]) for r in session.execute(
        text("SELECT * FROM caseapp_hidden_case_refs()")).all())

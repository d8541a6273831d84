"""Numbers allocated across the whole store, including records the caller may not see.

On a team store row-level security hides other members' cases, so ``max(seq)`` over what a
member can read would hand out a reference someone else already has. There the team's
``SECURITY DEFINER`` function counts every case (it reveals only the next number); the local
store, and a PostgreSQL store without ``team init``, count directly. Call inside the write
unit (its lock keeps the number free until commit).
"""

from __future__ import annotations

from sqlalchemy import func, text
from sqlmodel import Session, select

from caseapp.domain.models import Case, Production


def next_case_seq(session: Session, year: int) -> int:
    """The next ``CASE-YYYY-NNNN`` sequence number of ``year``."""
    if session.get_bind().dialect.name == "postgresql" and session.execute(text(
            "SELECT to_regprocedure('caseapp_next_case_seq(integer)') IS NOT NULL")).scalar():
        return int(session.execute(text("SELECT caseapp_next_case_seq(:y)"),
                                   {"y": year}).scalar_one())
    return int(session.exec(select(func.max(Case.seq)).where(Case.year == year)).one() or 0) + 1


def last_bates(session: Session, prefix: str) -> int:
    """The last Bates number any production of the store issued under ``prefix`` (0: none)."""
    if session.get_bind().dialect.name == "postgresql" and session.execute(text(
            "SELECT to_regprocedure('caseapp_last_bates(text)') IS NOT NULL")).scalar():
        return int(session.execute(text("SELECT caseapp_last_bates(:p)"),
                                   {"p": prefix}).scalar_one())
    return int(session.exec(select(func.max(Production.bates_last))
                            .where(Production.prefix == prefix)).one() or 0)

"""Reading a tipster's identity from wherever the store keeps it.

The local store keeps name and contact on the tip row. A team store (after ``team init``)
keeps them in ``tipster_identity``, which only the tip-custodian role can read: first
:func:`log_reveal` records the read with the login role (commit it), then
:func:`read_identity` may read it. Anyone else is refused by the database
(:class:`NotCustodian`).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from caseapp.domain.models import Tip


class NotCustodian(Exception):
    """The team store refused: this login role is not the tip custodian."""


def _team(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql" and bool(session.execute(text(
        "SELECT to_regprocedure('caseapp_reveal_tipster(integer)') IS NOT NULL")).scalar())


def _call(session: Session, sql: str, tip: Tip) -> list[tuple[str | None, str | None]]:
    try:
        with session.begin_nested():
            return [(r[0], r[1]) for r in session.execute(text(sql), {"t": tip.id}).all()]
    except DBAPIError as exc:
        if str(getattr(exc.orig, "sqlstate", "")) == "42501":
            raise NotCustodian() from None
        raise


def log_reveal(session: Session, tip: Tip) -> None:
    """Record (in the caller's write unit, to be committed) that this user reads the identity."""
    if _team(session):
        _call(session, "SELECT caseapp_log_reveal(:t), NULL", tip)


def read_identity(session: Session, tip: Tip) -> tuple[str | None, str | None]:
    """(name, contact) of ``tip``'s tipster; on a team store after a committed log_reveal."""
    if not _team(session):
        return tip.tipster_name, tip.tipster_contact
    rows = _call(session, "SELECT name, contact FROM caseapp_reveal_tipster(:t)", tip)
    return rows[0] if rows else (None, None)

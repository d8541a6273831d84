"""Team-mode access tables: who may see a case, and where tipster identities live.

* ``case_member``: one row per (case, database login role) with the access ``lead``,
  ``investigator`` or ``viewer``. On a PostgreSQL team store the row-level security policies
  of every case-scoped table read it (``caseapp.store.postgresql.access``); a single-user
  store leaves it empty.
* ``tipster_identity``: a tip's tipster name and contact, kept apart from the tip. On a team
  store a trigger moves them here from the ``tip`` row on every write, and only the
  tip-custodian role can read them, through a function that logs each read in
  ``tipster_reveal`` (the database user and the time).

Imported by ``caseapp.domain.models`` so the tables are part of its metadata.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from caseapp.domain.models import UTCDateTime

#: Access levels of a case member, most to least.
ACCESS_LEVELS = ("lead", "investigator", "viewer")


class CaseMember(SQLModel, table=True):
    """A database login role's access to one case."""

    __tablename__ = "case_member"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (sa.UniqueConstraint("case_id", "role_name",
                                          name="uq_case_member_case_role"),)

    id: int | None = Field(default=None, primary_key=True)
    # Deferred: a new case's creator becomes its lead in the same statement (a trigger).
    case_id: int = Field(sa_column=sa.Column(
        sa.Integer, sa.ForeignKey("case_file.id", name="fk_case_member_case",
                                  deferrable=True, initially="DEFERRED"),
        nullable=False, index=True))
    role_name: str = Field(max_length=128, index=True)
    access: str = Field(max_length=16)
    added_at: datetime = Field(sa_type=UTCDateTime)
    added_by: str = Field(default="", sa_type=sa.Text)


class TipsterIdentity(SQLModel, table=True):
    """A tip's tipster name and contact (team store: custodian only)."""

    __tablename__ = "tipster_identity"  # pyright: ignore[reportAssignmentType]

    tip_id: int = Field(sa_column=sa.Column(
        sa.Integer, sa.ForeignKey("tip.id", name="fk_tipster_identity_tip",
                                  deferrable=True, initially="DEFERRED"),
        primary_key=True, autoincrement=False))
    name: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    contact: str | None = Field(default=None, sa_type=sa.Text, nullable=True)


class TipsterReveal(SQLModel, table=True):
    """One read of a tipster identity on a team store (written by the database itself)."""

    __tablename__ = "tipster_reveal"  # pyright: ignore[reportAssignmentType]

    id: int | None = Field(default=None, primary_key=True)
    tip_id: int = Field(index=True)
    db_user: str = Field(max_length=128)
    at: datetime = Field(sa_type=UTCDateTime)

"""Team-mode key tables: members' public keys and the case data keys wrapped for them.

Written by ``team join`` (a member's public key) and by adding/removing case members (a new
wrap per member and key version; see ``caseapp.security.team_keys``). Nothing here is secret
to the database: a wrapped key opens only with the member's private key, which never leaves
their data home. The current key version of a case is the highest ``version`` wrapped for it.
Imported by ``caseapp.domain.models`` so the tables are part of its metadata.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from caseapp.domain.models import UTCDateTime


class TeamMemberKey(SQLModel, table=True):
    """A member's X25519 public key, named by its fingerprint (as in wrapped keys)."""

    __tablename__ = "team_member_key"  # pyright: ignore[reportAssignmentType]

    fingerprint: str = Field(primary_key=True, max_length=32)
    member: str = Field(max_length=128, unique=True)  # the member's database login role
    public_key: bytes = Field(sa_type=sa.LargeBinary)
    registered_at: datetime = Field(sa_type=UTCDateTime)


class CaseKeyWrap(SQLModel, table=True):
    """One version of one case's data key, sealed for one member."""

    __tablename__ = "case_key_wrap"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (sa.UniqueConstraint("case_id", "version", "member",
                                          name="uq_case_key_wrap_case_version_member"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    version: int
    member: str = Field(max_length=32, foreign_key="team_member_key.fingerprint")
    ephemeral: bytes = Field(sa_type=sa.LargeBinary)  # ephemeral X25519 public key
    nonce: bytes = Field(sa_type=sa.LargeBinary)
    sealed: bytes = Field(sa_type=sa.LargeBinary)  # AES-256-GCM of the case key + tag
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(default="", sa_type=sa.Text)


class TeamKeyWrap(SQLModel, table=True):
    """One version of a team-wide data key (``scope`` "tips": tip attachments, which belong
    to no case), sealed for one member. Any holder wraps it for members who lack it."""

    __tablename__ = "team_key_wrap"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (sa.UniqueConstraint("scope", "version", "member",
                                          name="uq_team_key_wrap_scope_version_member"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=32)
    version: int
    member: str = Field(max_length=32, foreign_key="team_member_key.fingerprint")
    ephemeral: bytes = Field(sa_type=sa.LargeBinary)
    nonce: bytes = Field(sa_type=sa.LargeBinary)
    sealed: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(default="", sa_type=sa.Text)

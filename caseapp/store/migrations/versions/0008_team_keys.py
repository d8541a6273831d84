"""team keys: members' public keys and case data keys wrapped per member

Revision ID: 0008_team_keys
Revises: 0007_search_stemming
Create Date: 2026-12-07

Adds ``team_member_key`` (a member's X25519 public key by fingerprint, and their login role)
and ``case_key_wrap`` (one version of a case's data key sealed for one member; see
caseapp/security/team_keys.py). Empty in a single-user store. Plain operations: they run the
same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_team_keys"
down_revision = "0007_search_stemming"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_member_key",
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("member", sa.String(length=128), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint"),
        sa.UniqueConstraint("member"),
    )
    op.create_table(
        "case_key_wrap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("member", sa.String(length=32), nullable=False),
        sa.Column("ephemeral", sa.LargeBinary(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.ForeignKeyConstraint(["member"], ["team_member_key.fingerprint"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "version", "member",
                            name="uq_case_key_wrap_case_version_member"),
    )
    op.create_index("ix_case_key_wrap_case_id", "case_key_wrap", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_key_wrap_case_id", table_name="case_key_wrap")
    op.drop_table("case_key_wrap")
    op.drop_table("team_member_key")

"""team key wrap: a team-wide data key (tip attachments) wrapped per member

Revision ID: 0014_team_key_wrap
Revises: 0013_change_notify
Create Date: 2026-12-07

Adds ``team_key_wrap`` (one version of a team-wide data key, scope ``tips``, sealed for one
member; see caseapp/services/evidence/tip_keys.py). Tip attachments belong to no case, so
they cannot be sealed under a case key; this key lets every member open them. Empty in a
single-user store. Plain operations: they run the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_team_key_wrap"
down_revision = "0013_change_notify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_key_wrap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("member", sa.String(length=32), nullable=False),
        sa.Column("ephemeral", sa.LargeBinary(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["member"], ["team_member_key.fingerprint"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "version", "member",
                            name="uq_team_key_wrap_scope_version_member"),
    )


def downgrade() -> None:
    op.drop_table("team_key_wrap")

"""team access: case membership, tipster identities apart from tips, the reveal log

Revision ID: 0010_team_access
Revises: 0009_watchlist_states
Create Date: 2026-12-07

Adds ``case_member`` (a login role's access to a case: lead, investigator or viewer),
``tipster_identity`` (a tip's tipster name and contact) and ``tipster_reveal`` (who read one,
when). Empty in a single-user store. Plain operations, the same on SQLite and PostgreSQL; the
PostgreSQL-only roles, grants, policies and triggers are applied by ``caseapp team init``
(caseapp/store/postgresql/access.py), not here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_team_access"
down_revision = "0009_watchlist_states"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("role_name", sa.String(length=128), nullable=False),
        sa.Column("access", sa.String(length=16), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name="fk_case_member_case",
                                deferrable=True, initially="DEFERRED"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "role_name", name="uq_case_member_case_role"),
    )
    op.create_index("ix_case_member_case_id", "case_member", ["case_id"], unique=False)
    op.create_index("ix_case_member_role_name", "case_member", ["role_name"], unique=False)
    op.create_table(
        "tipster_identity",
        sa.Column("tip_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["tip_id"], ["tip.id"], name="fk_tipster_identity_tip",
                                deferrable=True, initially="DEFERRED"),
        sa.PrimaryKeyConstraint("tip_id"),
    )
    op.create_table(
        "tipster_reveal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("db_user", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_tipster_reveal_tip_id", "tipster_reveal", ["tip_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_tipster_reveal_tip_id", table_name="tipster_reveal")
    op.drop_table("tipster_reveal")
    op.drop_table("tipster_identity")
    op.drop_index("ix_case_member_role_name", table_name="case_member")
    op.drop_index("ix_case_member_case_id", table_name="case_member")
    op.drop_table("case_member")

"""legal productions (Bates ranges per prefix)

Revision ID: 0004_productions
Revises: 0003_state_hashes
Create Date: 2026-12-07

Adds ``production``: one row per legal production of a case (``caseapp produce``), with the
Bates range it consumed. A supplemental production continues after the highest number used
under its prefix; the unique ``(prefix, bates_first)`` keeps two productions from starting at
the same number.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_productions"
down_revision = "0003_state_hashes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "production",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("prefix", sa.String(length=40), nullable=False),
        sa.Column("volume", sa.String(length=40), nullable=False),
        sa.Column("bates_first", sa.Integer(), nullable=False),
        sa.Column("bates_last", sa.Integer(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("withheld", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "number", name="uq_production_case_number"),
        sa.UniqueConstraint("prefix", "bates_first", name="uq_production_prefix_first"),
    )
    with op.batch_alter_table("production") as batch:
        batch.create_index(batch.f("ix_production_case_id"), ["case_id"], unique=False)
        batch.create_index(batch.f("ix_production_prefix"), ["prefix"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("production") as batch:
        batch.drop_index(batch.f("ix_production_prefix"))
        batch.drop_index(batch.f("ix_production_case_id"))
    op.drop_table("production")

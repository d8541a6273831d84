"""watchlists (OFAC SDN, advisory STIX/MISP/CSV lists) and their entries

Revision ID: 0006_watchlists
Revises: 0005_signals
Create Date: 2026-12-07

Adds ``watchlist`` (one row per imported list: name, format, publisher, file, list date,
SHA-256, counts) and ``watchlist_entry`` (one row per identifier or name of a listed party,
normalised like case identifiers; looked up by kind and normalised value).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_watchlists"
down_revision = "0005_signals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watchlist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("list_date", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "watchlist_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watchlist_id", sa.Integer(), nullable=False),
        sa.Column("entry_ref", sa.Text(), nullable=False),
        sa.Column("entry_name", sa.Text(), nullable=False),
        sa.Column("entry_type", sa.String(length=32), nullable=False),
        sa.Column("programmes", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("normalized", sa.Text(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["watchlist_id"], ["watchlist.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("watchlist_entry") as batch:
        batch.create_index(batch.f("ix_watchlist_entry_watchlist_id"), ["watchlist_id"],
                           unique=False)
        batch.create_index("ix_watchlist_entry_kind_normalized", ["kind", "normalized"],
                           unique=False)


def downgrade() -> None:
    with op.batch_alter_table("watchlist_entry") as batch:
        batch.drop_index("ix_watchlist_entry_kind_normalized")
        batch.drop_index(batch.f("ix_watchlist_entry_watchlist_id"))
    op.drop_table("watchlist_entry")
    op.drop_table("watchlist")

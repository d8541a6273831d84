"""edit versions: optimistic concurrency on every edited record

Revision ID: 0012_edit_versions
Revises: 0011_audit_case
Create Date: 2026-12-07

Adds ``version`` (NOT NULL, existing rows start at 1) to ``case_file``, ``subject``, ``tip``
and ``checklist_answer`` (``note`` has had one since 0001): a guarded edit updates a row only
``WHERE id = :id AND version = :expected`` and bumps it (caseapp/services/versioning.py).
Adds ``note.conflict_of`` (nullable, no foreign key: notes are never deleted, and SQLite would
need a table rebuild for one): set on the conflicting copy that keeps the text of a save
that lost a race. Plain ADD COLUMN with a server default, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_edit_versions"
down_revision = "0011_audit_case"
branch_labels = None
depends_on = None

TABLES = ("case_file", "subject", "tip", "checklist_answer")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False,
                                       server_default="1"))
    op.add_column("note", sa.Column("conflict_of", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("note") as batch:
        batch.drop_column("conflict_of")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")

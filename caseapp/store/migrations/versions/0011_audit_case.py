"""audit case: which case an audit entry is about (for team stores' row-level security)

Revision ID: 0011_audit_case
Revises: 0010_team_access
Create Date: 2026-12-07

Adds a nullable ``audit_entry.case_id`` (indexed). It is not part of an entry's hash. A team
store's insert trigger fills it from the entry (caseapp/store/postgresql/access.py) so members
read only the entries of their cases plus the team-wide ones; a single-user store leaves it
NULL. Plain operations, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_audit_case"
down_revision = "0010_team_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_entry", sa.Column("case_id", sa.Integer(), nullable=True))
    op.create_index("ix_audit_entry_case_id", "audit_entry", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_entry_case_id", table_name="audit_entry")
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("case_id")

"""state hashes in the audit chain

Revision ID: 0003_state_hashes
Revises: 0002_search
Create Date: 2026-12-06

Adds ``audit_entry.state``: the hashes of the records each transaction changed (see
caseapp.security.record_state). A store that already holds records is marked
``state_baseline = pending`` in ``store_meta``: the app then appends baseline audit entries that
vouch for every existing record (this migration does not import application code), so an old
store verifies from that point on, and the audit log says so.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_state_hashes"
down_revision = "0002_search"
branch_labels = None
depends_on = None

_TABLES = ("case_file", "subject", "identifier", "note", "evidence", "tip", "checklist",
           "template_blob")


def upgrade() -> None:
    op.add_column("audit_entry", sa.Column("state", sa.Text(), nullable=True))
    bind = op.get_bind()
    if any(bind.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
           for table in _TABLES):
        op.execute(sa.text("INSERT INTO store_meta (key, value) VALUES ('state_baseline', "
                           "'pending')"))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM store_meta WHERE key = 'state_baseline'"))
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("state")

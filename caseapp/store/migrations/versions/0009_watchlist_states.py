"""watchlist state hashes: imported watchlists join the tamper-evident record states

Revision ID: 0009_watchlist_states
Revises: 0008_team_keys
Create Date: 2026-12-07

No schema change. From this version each imported watchlist (with a digest of its entries) is
a record whose state hash the audit chain carries (caseapp.security.record_state). A store that
already holds watchlists imported before that is marked ``state_baseline = pending`` in
``store_meta`` (unless it already is), so the app appends baseline entries vouching for them
as they were at the upgrade, instead of verify reporting them as added outside caseapp. Plain
SQL: runs the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_watchlist_states"
down_revision = "0008_team_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    lists = bind.execute(sa.text("SELECT COUNT(*) FROM watchlist")).scalar_one()
    pending = bind.execute(sa.text(
        "SELECT COUNT(*) FROM store_meta WHERE key = 'state_baseline'")).scalar_one()
    if lists and not pending:
        op.execute(sa.text("INSERT INTO store_meta (key, value) VALUES ('state_baseline', "
                           "'pending')"))


def downgrade() -> None:
    """Nothing to undo: the baseline entries, once written, are part of the chain."""

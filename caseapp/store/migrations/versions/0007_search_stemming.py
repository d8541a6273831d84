"""full-text search with English stemming

Revision ID: 0007_search_stemming
Revises: 0006_watchlists
Create Date: 2026-12-07

Rebuilds ``search_fts`` with FTS5's ``porter`` stage in front of the same ``unicode61
remove_diacritics 2`` tokenizer, so ``laptop`` finds "laptops" and "résumé" still matches
``resume``; prefix queries and the CJK bigram columns are unchanged (porter leaves non-ASCII
tokens alone). The index contents are dropped with the table and ``index_version`` removed,
so the app rebuilds the index on first use (this migration does not import app code).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_search_stemming"
down_revision = "0006_watchlists"
branch_labels = None
depends_on = None

_COLUMNS = "title, body, filetext, cjk_title, cjk_body, cjk_filetext"


def _recreate(tokenize: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute(f"CREATE VIRTUAL TABLE search_fts USING fts5({_COLUMNS}, "
               f"tokenize = '{tokenize}')")
    op.execute(sa.text("DELETE FROM search_state WHERE key = 'index_version'"))


def upgrade() -> None:
    _recreate("porter unicode61 remove_diacritics 2")


def downgrade() -> None:
    _recreate("unicode61 remove_diacritics 2")

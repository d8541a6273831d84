"""full-text search index and near-match keys

Revision ID: 0002_search
Revises: 0001_initial
Create Date: 2026-11-25

Tables are named ``search_*`` (ignored by the models-vs-migrations check) and maintained by
the session listener in :mod:`caseapp.store.sqlcipher.search_index`, not by triggers, so no batch
migration of a base table has to recreate anything. On SQLite ``search_fts`` is FTS5
(``unicode61 remove_diacritics 2`` plus CJK bigram columns; see caseapp.domain.search_text);
on PostgreSQL it is a plain table with two ``tsvector`` columns (text and CJK bigrams) under
GIN indexes and the ``caseapp_search`` text search configuration (the ``simple`` parser,
``unaccent``, then an English Snowball stemmer without stop words, to match the local store's
``porter unicode61 remove_diacritics 2``), maintained by caseapp.store.postgresql.search_index.
A store that already holds records is left without an ``index_version``: the app rebuilds its
index on first use (this migration does not import application code).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "0002_search"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

# Matches caseapp.store.sqlcipher.search_index.INDEX_VERSION at the time of writing; a later version
# simply makes the app rebuild.
_INDEX_VERSION = "1"


def upgrade() -> None:
    op.create_table(
        "search_doc",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("doc_type", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("tip_id", sa.Integer(), nullable=True),
        sa.Column("ref", sa.Text(), nullable=False, server_default=""),
        sa.Column("label", sa.Text(), nullable=False, server_default=""),
        sa.Column("title", sa.Text(), nullable=False, server_default=""),
        sa.UniqueConstraint("doc_type", "entity_id", name="uq_search_doc_entity"),
    )
    op.create_index("ix_search_doc_case_id", "search_doc", ["case_id"])
    op.create_index("ix_search_doc_tip_id", "search_doc", ["tip_id"])
    op.create_table(
        "search_near_key",
        sa.Column("identifier_id", sa.Integer(), primary_key=True),
        sa.Column("near_key", sa.Text(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_index("ix_search_near_key_kind_key", "search_near_key", ["kind", "near_key"])
    op.create_table(
        "search_pending",
        sa.Column("evidence_id", sa.Integer(), primary_key=True, autoincrement=False),
    )
    op.create_table(
        "search_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "title, body, filetext, cjk_title, cjk_body, cjk_filetext, "
            "tokenize = 'unicode61 remove_diacritics 2')")
    elif bind.dialect.name == "postgresql":
        _postgresql_search()
    empty = all(
        bind.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0
        for table in ("case_file", "tip", "identifier", "evidence"))
    if empty:
        op.execute(sa.text("INSERT INTO search_state (key, value) VALUES ('index_version', :v)")
                   .bindparams(v=_INDEX_VERSION))


_PG_TOKENS = "asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, " \
    "hword_part, hword_numpart"


def _postgresql_search() -> None:
    # unaccent is a trusted extension (PostgreSQL 13+): a database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE TEXT SEARCH DICTIONARY caseapp_stem "
               "(TEMPLATE = snowball, Language = english)")
    op.execute("CREATE TEXT SEARCH CONFIGURATION caseapp_search (COPY = simple)")
    op.execute(f"ALTER TEXT SEARCH CONFIGURATION caseapp_search ALTER MAPPING FOR {_PG_TOKENS} "
               "WITH unaccent, caseapp_stem")
    op.create_table(
        "search_fts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("title", sa.Text(), nullable=False, server_default=""),
        sa.Column("body", sa.Text(), nullable=False, server_default=""),
        sa.Column("filetext", sa.Text(), nullable=False, server_default=""),
        sa.Column("tsv", TSVECTOR(), nullable=False),
        sa.Column("cjk_tsv", TSVECTOR(), nullable=False),
    )
    op.execute("CREATE INDEX ix_search_fts_tsv ON search_fts USING gin (tsv)")
    op.execute("CREATE INDEX ix_search_fts_cjk_tsv ON search_fts USING gin (cjk_tsv)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif bind.dialect.name == "postgresql":
        op.drop_table("search_fts")
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS caseapp_search")
        op.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS caseapp_stem")
    op.drop_table("search_state")
    op.drop_table("search_pending")
    op.drop_index("ix_search_near_key_kind_key", table_name="search_near_key")
    op.drop_table("search_near_key")
    op.drop_index("ix_search_doc_tip_id", table_name="search_doc")
    op.drop_index("ix_search_doc_case_id", table_name="search_doc")
    op.drop_table("search_doc")

"""The one Alembic history builds, on an empty PostgreSQL database, exactly the schema the
models describe, plus the search table; a second start changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import SQLModel
from store_backends import models_diff, new_database, store_password

import caseapp.domain.models  # noqa: F401
from caseapp.store.errors import StoreOpenError
from caseapp.store.postgresql.engine import make_engine
from caseapp.store.postgresql.migrate import current_revision, upgrade
from caseapp.store.sqlcipher.engine import HEAD_REVISION


@pytest.fixture
def empty_url(pg_cluster, memory_keyring) -> str:  # noqa: ANN001
    url = new_database(pg_cluster, migrated=False)
    store_password(url)
    return url


def test_empty_database_upgrades_to_head_and_matches_the_models(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == HEAD_REVISION
        with engine.connect() as conn:
            diff = models_diff(conn)
            tables = set(conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").scalars())
            config = conn.exec_driver_sql(
                "SELECT to_tsvector('caseapp_search', 'Résumés laptops the')").scalar()
        assert diff == []
        assert set(SQLModel.metadata.tables) <= tables
        assert {"search_doc", "search_fts", "search_near_key", "search_pending",
                "search_state", "alembic_version"} <= tables
        # unaccent, then English stems, and no stop words dropped (as on the local store)
        assert config == "'laptop':2 'resum':1 'the':3"
        upgrade(engine)  # at head: nothing to do
        assert current_revision(engine) == HEAD_REVISION
    finally:
        engine.dispose()


def test_a_schema_from_a_newer_caseapp_is_refused(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
        with pytest.raises(StoreOpenError, match="newer version of caseapp"):
            upgrade(engine)
        assert current_revision(engine) == "9999_future"
    finally:
        engine.dispose()

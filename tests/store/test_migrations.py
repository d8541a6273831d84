"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from store_backends import models_diff

from caseapp.store.migrations.runner import alembic_config
from caseapp.store.sqlcipher.engine import HEAD_REVISION, current_revision, make_engine, upgrade


def test_head_constant_matches_alembic_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD_REVISION]


def test_migrations_match_models(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "m.db", b"k" * 32)
    upgrade(engine)
    assert current_revision(engine) == HEAD_REVISION
    with engine.connect() as conn:
        diff = models_diff(conn)
    engine.dispose()
    assert diff == []


def test_database_file_is_encrypted(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "m.db", b"k" * 32)
    upgrade(engine)
    engine.dispose()
    head = (tmp_path / "m.db").read_bytes()[:16]
    assert head != b"SQLite format 3\x00"
    assert b"case_file" not in (tmp_path / "m.db").read_bytes()


def test_a_store_from_a_newer_caseapp_is_refused_with_a_clear_message(tmp_path) -> None:
    import pytest

    from caseapp.store.errors import StoreOpenError

    key = bytes(range(32))
    engine = make_engine(tmp_path / "newer.db", key)
    upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(StoreOpenError, match="newer version of caseapp"):
        upgrade(engine)
    assert current_revision(engine) == "9999_from_the_future"  # untouched
    engine.dispose()

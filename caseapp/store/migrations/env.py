"""Alembic environment: runs on the connection handed in by caseapp.store.sqlcipher.engine.upgrade."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import caseapp.domain.models  # noqa: F401 - registers the tables on SQLModel.metadata
from caseapp.store.migrations.runner import include_object

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("caseapp migrations run only through caseapp.store.sqlcipher.engine.upgrade")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()

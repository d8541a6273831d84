"""Fixtures that run a test on both stores: the embedded SQLCipher file and team mode's
PostgreSQL (a throw-away cluster on loopback, :mod:`pg_cluster`; one per test session).

- ``pg_cluster``: the running cluster; the test is skipped (with the reason) only when no
  PostgreSQL binaries are installed. CI installs them (``.ci/run``), so there they run.
- ``pg_url``: a fresh, migrated database of its own for one test, with the superuser's
  password in the test's in-memory OS keyring, as an investigator's machine would hold it.
- ``backend_ws``: a workspace on each store (parameter ``sqlcipher``/``postgresql``). A test
  directory opts in by overriding ``ws`` with it (see ``tests/services/*/conftest.py``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from memkeyring import MemoryKeyring
from pg_cluster import ADMIN_PASSWORD, PgCluster, find_bindir

TEMPLATE_DB = "caseapp_template"
_counter = itertools.count(1)


def store_password(url: str) -> None:
    """Put the cluster's password where the app looks for it (the OS keyring)."""
    from caseapp.store.postgresql.engine import KEYRING_SERVICE, keyring_user, parse_url

    keyring.set_password(KEYRING_SERVICE, keyring_user(parse_url(url)), ADMIN_PASSWORD)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One running cluster for the test session, with a migrated template database."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (no initdb): team-store tests need it "
                    "(.ci/run installs it)")
    cluster = PgCluster(bindir)
    try:
        cluster.start()
        cluster.psql(f"CREATE DATABASE {TEMPLATE_DB}")
        previous = keyring.get_keyring()
        keyring.set_keyring(MemoryKeyring())
        try:
            from caseapp.store.postgresql.engine import make_engine
            from caseapp.store.postgresql.migrate import upgrade

            url = cluster.dsn(TEMPLATE_DB)
            store_password(url)
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
        finally:
            keyring.set_keyring(previous)
        yield cluster
    finally:
        cluster.stop()


def new_database(cluster: PgCluster, *, migrated: bool = True) -> str:
    """A new database on the cluster (a copy of the migrated template, or empty)."""
    name = f"t{next(_counter)}"
    template = TEMPLATE_DB if migrated else "template0"
    cluster.psql(f"CREATE DATABASE {name} TEMPLATE {template}")
    return cluster.dsn(name)


@pytest.fixture
def pg_url(pg_cluster: PgCluster, memory_keyring: MemoryKeyring) -> str:
    """A fresh migrated database for this test; its password is in the test's keyring."""
    url = new_database(pg_cluster)
    store_password(url)
    return url


@pytest.fixture(params=["sqlcipher", "postgresql"])
def backend_ws(request: pytest.FixtureRequest, home: Path) -> Iterator[Any]:
    """A freshly created, unlocked workspace on each store (keyring mode)."""
    from caseapp.services.workspace import open_workspace

    store_url = None
    if request.param == "postgresql":
        store_url = request.getfixturevalue("pg_url")
    workspace = open_workspace(home, store_url=store_url)
    yield workspace
    workspace.close()


@pytest.fixture(name="ws")
def ws_on_both_stores(backend_ws: Any) -> Any:
    """``ws`` on each store: a test folder's conftest imports this to run on both."""
    return backend_ws


def models_diff(conn: Any) -> list[Any]:
    """What the migrated schema on ``conn`` lacks or has beyond the models (Alembic's
    autogenerate comparison; ``[]``: the same), either store."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import caseapp.domain.models  # noqa: F401 - the tables the models describe
    from caseapp.store.migrations.runner import include_object

    context = MigrationContext.configure(
        conn, opts={"include_object": include_object, "compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))

"""A team store on the throw-away cluster, and login roles to connect as (raw psycopg).

Roles are cluster-wide, so each test's roles carry the test database's name (``t7_alice``);
every one authenticates with a password over TCP like a real investigator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keyring
import psycopg
import pytest
from memkeyring import MemoryKeyring
from pg_cluster import ADMIN_PASSWORD, PgCluster
from store_backends import new_database, store_password

ROLE_PASSWORD = "throwaway-member-password"  # a test cluster's, on loopback


@dataclass
class TeamDb:
    """One initialised team database and helpers to act on it as different roles."""

    cluster: PgCluster
    name: str
    dsn: str
    blobs: Path
    roles: list[str] = field(default_factory=list)
    role_password: str = ROLE_PASSWORD

    def role(self, short: str, *groups: str) -> str:
        """Create login role ``<db>_<short>`` in ``groups``; its password in the keyring."""
        from caseapp.store.postgresql.engine import KEYRING_SERVICE, keyring_user, parse_url

        name = f"{self.name}_{short}"
        grant = f" IN ROLE {', '.join(groups)}" if groups else ""
        self.cluster.psql(f"CREATE ROLE {name} LOGIN PASSWORD '{ROLE_PASSWORD}'{grant}")
        self.roles.append(name)
        keyring.set_password(KEYRING_SERVICE, keyring_user(parse_url(self.dsn_as(name))),
                             ROLE_PASSWORD)
        return name

    def dsn_as(self, role: str) -> str:
        return self.cluster.dsn(self.name, user=role)

    def connect(self, role: str | None = None) -> psycopg.Connection[Any]:
        """A raw autocommit connection as ``role`` (default: the superuser)."""
        user = role or "caseapp_admin"
        password = ROLE_PASSWORD if role else ADMIN_PASSWORD
        return psycopg.connect(host="127.0.0.1", port=self.cluster.port, dbname=self.name,
                               user=user, password=password, autocommit=True)


def _team_db(cluster: PgCluster, tmp: Path) -> TeamDb:
    from caseapp.services.team.admin import init_team

    url = new_database(cluster)
    store_password(url)
    name = url.rsplit("/", 1)[1]
    blobs = tmp / "shared-evidence"
    blobs.mkdir()
    init_team(url, str(blobs))
    return TeamDb(cluster, name, url, blobs)


def _drop_roles(db: TeamDb) -> None:
    for role in db.roles:  # roles are cluster-wide: drop them with what they own
        db.cluster.psql(f"DROP OWNED BY {role} CASCADE", database=db.name)
        db.cluster.psql(f"DROP ROLE {role}")


@pytest.fixture
def team_db(pg_cluster: PgCluster, memory_keyring: Any, tmp_path: Path) -> Iterator[TeamDb]:
    """A fresh database made a team store by ``team init`` (evidence: a shared folder)."""
    db = _team_db(pg_cluster, tmp_path)
    yield db
    _drop_roles(db)


@pytest.fixture(scope="module")
def module_team_db(pg_cluster: PgCluster,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[TeamDb]:
    """One team store for a module's read-mostly tests (each checks it changed nothing)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        db = _team_db(pg_cluster, tmp_path_factory.mktemp("team"))
        yield db
        _drop_roles(db)
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def as_role(team_db: TeamDb) -> Callable[[str], psycopg.Connection[Any]]:
    return team_db.connect

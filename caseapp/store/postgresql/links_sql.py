"""Identifier occurrences on PostgreSQL: the shared statements
(:mod:`caseapp.store.common_links`), with the one-value seeds typed (PostgreSQL cannot infer
the type of a bare parameter in a select list)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from caseapp.store import common_links
from caseapp.store.interface import Occurrence, OccurrenceSeed

_VALUE_SEEDS = (
    "(SELECT CAST(:k AS TEXT) AS kind, CAST(:v AS TEXT) AS normalized) i",
    "(SELECT CAST(:k AS TEXT) AS kind, CAST(:v AS TEXT) AS normalized, "
    "CAST(:nk AS TEXT) AS near_key WHERE CAST(:nk AS TEXT) IS NOT NULL) i")


def occurrences(conn: Connection, seed: OccurrenceSeed,
                ) -> tuple[list[Occurrence], list[Occurrence]]:
    """(exact, near) occurrences of the seed's identifiers."""
    return common_links.occurrences(conn, seed, _VALUE_SEEDS)

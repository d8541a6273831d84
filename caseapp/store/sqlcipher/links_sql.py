"""Identifier occurrences on the local store: the shared statements
(:mod:`caseapp.store.common_links`) with SQLite's one-value seeds."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from caseapp.store import common_links
from caseapp.store.interface import Occurrence, OccurrenceSeed

_VALUE_SEEDS = ("(SELECT :k AS kind, :v AS normalized) i",
                "(SELECT :k AS kind, :v AS normalized, :nk AS near_key WHERE :nk IS NOT NULL) i")


def occurrences(conn: Connection, seed: OccurrenceSeed,
                ) -> tuple[list[Occurrence], list[Occurrence]]:
    """(exact, near) occurrences of the seed's identifiers."""
    return common_links.occurrences(conn, seed, _VALUE_SEEDS)

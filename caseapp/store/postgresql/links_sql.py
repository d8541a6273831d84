"""Identifier occurrences on PostgreSQL: the local store's statements
(:mod:`caseapp.store.sqlcipher.links_sql`), with the one-value seeds typed (PostgreSQL cannot
infer the type of a bare parameter in a select list)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from caseapp.store.interface import Occurrence, OccurrenceSeed
from caseapp.store.sqlcipher.links_sql import (
    _CASE_SEEDS,
    _EXACT_JOIN,
    _NEAR_JOIN,
    _OWNER,
    _TIP_SEEDS,
    _seeds,
)

_VALUE_SEEDS = (
    "(SELECT CAST(:k AS TEXT) AS kind, CAST(:v AS TEXT) AS normalized) i",
    "(SELECT CAST(:k AS TEXT) AS kind, CAST(:v AS TEXT) AS normalized, "
    "CAST(:nk AS TEXT) AS near_key WHERE CAST(:nk AS TEXT) IS NOT NULL) i")


def occurrences(conn: Connection, seed: OccurrenceSeed,
                ) -> tuple[list[Occurrence], list[Occurrence]]:
    """(exact, near) occurrences of the seed's identifiers."""
    params: dict[str, Any]
    if seed.owner == "value":
        exact_seeds, near_seeds = _VALUE_SEEDS
        params = {"k": seed.kind, "v": seed.normalized, "nk": seed.near_key}
    else:
        template = _CASE_SEEDS if seed.owner == "case" else _TIP_SEEDS
        exact_seeds, near_seeds = _seeds(template, False), _seeds(template, True)
        params = {"owner": seed.owner_id}
    exact = conn.execute(text(_OWNER.format(seeds=exact_seeds, join=_EXACT_JOIN)), params)
    exact_rows = [Occurrence(*row) for row in exact]
    near = conn.execute(text(_OWNER.format(seeds=near_seeds, join=_NEAR_JOIN)), params)
    return exact_rows, [Occurrence(*row) for row in near]

"""Identifier occurrences behind cross-case links, driven by the ``(kind, normalized)`` index
and the near-key index: two statements per call (exact, near). Both stores run these; each
passes its own one-value seeds (:mod:`caseapp.store.sqlcipher.links_sql`,
:mod:`caseapp.store.postgresql.links_sql`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from caseapp.store.interface import Occurrence, OccurrenceSeed

_OWNER = ("SELECT i.kind, i.normalized, o.id, o.raw, o.normalized, o.created_at, s.id, s.name, "
          "c.id, c.ref, c.title, t.id, t.ref, t.received_at FROM {seeds} "
          "{join} LEFT JOIN subject s ON s.id = o.subject_id "
          "LEFT JOIN case_file c ON c.id = s.case_id LEFT JOIN tip t ON t.id = o.tip_id")
_EXACT_JOIN = "JOIN identifier o ON o.kind = i.kind AND o.normalized = i.normalized"
_NEAR_JOIN = ("JOIN search_near_key n2 ON n2.kind = i.kind AND n2.near_key = i.near_key "
              "JOIN identifier o ON o.id = n2.identifier_id AND o.normalized <> i.normalized")
_CASE_SEEDS = ("(SELECT DISTINCT x.kind, x.normalized{near} FROM identifier x JOIN subject xs "
               "ON xs.id = x.subject_id{nk} WHERE xs.case_id = :owner) i")
_TIP_SEEDS = ("(SELECT DISTINCT x.kind, x.normalized{near} FROM identifier x{nk} "
              "WHERE x.tip_id = :owner) i")
_NK = " JOIN search_near_key n ON n.identifier_id = x.id"


def _seeds(template: str, near: bool) -> str:
    return template.format(near=", n.near_key" if near else "", nk=_NK if near else "")


def occurrences(conn: Connection, seed: OccurrenceSeed, value_seeds: tuple[str, str],
                ) -> tuple[list[Occurrence], list[Occurrence]]:
    """(exact, near) occurrences of the seed's identifiers; ``value_seeds`` are the store's
    (exact, near) seed subqueries of one value (parameters ``:k``, ``:v``, ``:nk``)."""
    params: dict[str, Any]
    if seed.owner == "value":
        exact_seeds, near_seeds = value_seeds
        params = {"k": seed.kind, "v": seed.normalized, "nk": seed.near_key}
    else:
        template = _CASE_SEEDS if seed.owner == "case" else _TIP_SEEDS
        exact_seeds, near_seeds = _seeds(template, False), _seeds(template, True)
        params = {"owner": seed.owner_id}
    exact = conn.execute(text(_OWNER.format(seeds=exact_seeds, join=_EXACT_JOIN)), params)
    exact_rows = [Occurrence(*row) for row in exact]
    near = conn.execute(text(_OWNER.format(seeds=near_seeds, join=_NEAR_JOIN)), params)
    return exact_rows, [Occurrence(*row) for row in near]

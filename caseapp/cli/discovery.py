"""CLI: cross-case links, full-text search and rebuilding the search index."""

from __future__ import annotations

import argparse
from typing import Any

from caseapp.cli.common import open_ws, print_json, shown
from caseapp.cli.options import Sub, arg, command


def register(sub: Sub) -> None:
    command(sub, "links", links_cmd,
            arg("ref", metavar="CASE_REF", nargs="?",
                help="a case ref (CASE-YYYY-NNNN) or a tip ref (TIP-YYYY-NNNN)"),
            arg("--identifier", metavar="KIND:VALUE",
                help="instead of a case: who holds this identifier"),
            help="other cases and tips sharing identifiers with a case or tip (exact and "
            "near matches)")
    command(sub, "search", search_cmd, arg("query", metavar="QUERY", nargs="+"),
            arg("--limit", type=int, default=50, help="most results (default 50)"),
            help="search cases, notes, subjects, identifiers, exhibits and tips",
            description='Words, "quoted phrases", prefix* and filters: type:, status:, '
                        "priority:, case:, tip:, and identifier kinds (email:a@b.com, "
                        "phone:...). Every word must match; accents and case are ignored.")
    command(sub, "reindex", reindex_cmd,
            help="rebuild the full-text index and near-match keys")


def _links_for(ws: object, args: argparse.Namespace) -> list:  # type: ignore[type-arg]
    from caseapp.services.cases.subjects import parse_identifier_arg
    from caseapp.services.discovery import links
    from caseapp.services.errors import InvalidInput

    if args.identifier and args.ref:
        raise InvalidInput("Give a case/tip ref or --identifier, not both.")
    if args.identifier:
        ident = parse_identifier_arg(args.identifier)
        return links.links_for_identifier(ws, ident.kind, ident.value)  # type: ignore[arg-type]
    if not args.ref:
        raise InvalidInput("Give a case ref (CASE-YYYY-NNNN), a tip ref or --identifier.")
    if args.ref.strip().upper().startswith("TIP-"):
        return links.links_for_tip(ws, args.ref)  # type: ignore[arg-type]
    return links.links_for_case(ws, args.ref)  # type: ignore[arg-type]


def links_cmd(args: argparse.Namespace) -> int:
    with open_ws(args, create=False) as ws:
        groups = _links_for(ws, args)
        watch = [] if args.json or args.identifier or not args.ref or args.ref.strip().upper(
        ).startswith("TIP-") else _watchlist_hits(ws, args.ref)
    if args.json:
        print_json([g.to_json() for g in groups])
        return 0
    _print_watchlist(watch)
    if not groups:
        print("No shared identifiers.")
        return 0
    for group in groups:
        label = "exact" if group.match == "exact" else f"NEAR ({group.reason})"
        counts = group.counts
        print(f"{group.kind} {group.normalized}  [{label}]  cases: {counts['cases']}, "
              f"tips: {counts['tips']}")
        for case in group.cases:
            extra = f"  as {case.value}" if group.match == "near" else ""
            print(f"    {case.ref}  {case.title}  (subject: {case.subject}){extra}")
        for tip in group.tips:
            extra = f"  as {tip.value}" if group.match == "near" else ""
            print(f"    {tip.ref}{extra}")
    return 0


def _watchlist_hits(ws: object, case_ref: str) -> list:  # type: ignore[type-arg]
    from caseapp.services.exchange.hits import hits_for_case

    return hits_for_case(ws, case_ref)  # type: ignore[arg-type]


def _print_watchlist(hits: list) -> None:  # type: ignore[type-arg]
    """Watchlist hits first (``caseapp watchlist hits`` has them as JSON)."""
    if not hits:
        return
    print(f"Watchlist hits: {len(hits)}")
    for h in hits:
        print(f"    {h.strength.upper()}  {h.subject}: {h.reason}")
    print()


def search_cmd(args: argparse.Namespace) -> int:
    from caseapp.services.discovery import search

    query = " ".join(args.query)
    return shown(args, lambda ws: search.search(ws, query, limit=args.limit), _print_hits,
                 lambda hits: [h.to_json() for h in hits])


def _print_hits(hits: list[Any]) -> None:
    if not hits:
        print("No matches.")
    for hit in hits:
        where = f"{hit.ref} {hit.exhibit}" if hit.exhibit else hit.ref
        print(f"{hit.type:<10} {where}  {hit.title}")
        if hit.snippet and hit.snippet != hit.title:
            print(f"           {hit.snippet}")


def reindex_cmd(args: argparse.Namespace) -> int:
    from caseapp.services.discovery import search

    return shown(args, search.rebuild_index,
                 lambda counts: print("Rebuilt the search index: "
                                      + ", ".join(f"{k} {v}" for k, v in counts.items())),
                 lambda counts: counts)

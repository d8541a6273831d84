"""CLI: ``share`` (STIX / MISP / link chart / referral pack of a case) and ``watchlist``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from caseapp.cli.common import open_ws, print_json, shown
from caseapp.cli.options import CASE_REF, Sub, actions, arg, command

_FORMATS = ("stix", "misp", "anx", "graphml", "ic3", "rfj")
_TLPS = ("clear", "green", "amber", "amber+strict", "red")


def register(sub: Sub) -> None:
    command(
        sub, "share", share, CASE_REF,
        arg("--format", required=True, choices=_FORMATS, dest="fmt"),
        arg("--tlp", default="amber", choices=_TLPS, help="TLP 2.0 level (default amber; "
            "amber+strict and red only for stix and misp)"),
        arg("--out", required=True, type=Path, metavar="FILE"),
        arg("--reveal-tipsters", action="store_true",
            help="do not mask tipster names/contacts found in free text"),
        arg("--reveal-accounts", action="store_true",
            help="bank and government ID numbers in full (default: last four)"),
        help="write a STIX 2.1, MISP, i2/GraphML or referral-pack export of a case",
        description="Write what a case found for the people who act on it: a STIX 2.1 "
        "bundle or a MISP event (marked with TLP 2.0), an i2 Analyst's Notebook chart "
        "(.anx) or GraphML link chart, or an FBI IC3 complaint worksheet / Rewards for "
        "Justice tip brief (PDF + text; FILE.zip for one archive). The case file's "
        "redaction rules apply and the export is recorded in audit and custody. caseapp "
        "prepares the file; it sends nothing.")

    wsub = actions(
        sub, "watchlist", "import sanctions/advisory lists and show hits on cases",
        metavar="COMMAND",
        description="Offline watchlists: the OFAC SDN list (sdn.csv with add.csv/alt.csv "
        "beside it, a folder or zip of them, or sdn.xml), STIX 2.1 bundles, MISP events and "
        "caseapp's CSV (kind,value[,name,programmes,reference,remarks]). Download the "
        "files yourself; caseapp never fetches them. A hit never changes a state.")
    command(wsub, "import", watchlist_import, arg("file", type=Path, metavar="FILE"),
            arg("--format", dest="fmt", default="auto",
                choices=("auto", "ofac-sdn", "stix", "misp", "csv")),
            arg("--name", help="the list's name (default: ofac-sdn, or the file's name)"),
            help="import or re-import a list")
    command(wsub, "list", watchlist_list, help="the imported lists")
    command(wsub, "hits", watchlist_hits, arg("case_ref", nargs="?", metavar="CASE_REF"),
            help="watchlist hits on one case or on every open case")
    command(wsub, "remove", watchlist_remove, arg("name", metavar="NAME"), json=False,
            help="remove a list and its entries")


def share(args: argparse.Namespace) -> int:
    from caseapp.domain.exchange.tlp import parse_tlp
    from caseapp.services.exchange.share import ShareOptions, share_case

    options = ShareOptions(reveal_accounts=args.reveal_accounts,
                           reveal_tipsters=args.reveal_tipsters)
    with open_ws(args, create=False) as ws:
        result = share_case(ws, args.case_ref, args.fmt, args.out, tlp=parse_tlp(args.tlp),
                            options=options)
    if args.json:
        print_json(result.to_json())
        return 0
    for path in result.paths:
        print(f"{path}\t{result.format}\t{result.tlp.label}\t{result.sha256[str(path)]}")
    print(", ".join(f"{n} {kind}" for kind, n in result.counts.items()), file=sys.stderr)
    for line in result.redactions:
        print(f"redacted: {line}", file=sys.stderr)
    print("caseapp prepared this file; nothing was sent.", file=sys.stderr)
    return 0


def watchlist_import(args: argparse.Namespace) -> int:
    from caseapp.services.exchange import hits as hit_service
    from caseapp.services.exchange import watchlists

    with open_ws(args, create=False) as ws:
        info = watchlists.import_watchlist(ws, args.file, fmt=args.fmt, name=args.name)
        found = hit_service.hits_for_open_cases(ws)
    hit_counts = {ref: len(h) for ref, h in found.items()
                  if any(x.list == info.name for x in h)}
    if args.json:
        print_json({**info.to_json(), "cases_with_hits": hit_counts})
        return 0
    print(f"{info.name}\t{info.format}\t{info.list_date}\t{info.entries} entries from "
          f"{info.records} records\t{info.skipped} skipped\t{info.sha256}")
    for problem in info.problems:
        print(f"note: {problem}", file=sys.stderr)
    for ref, n in sorted(hit_counts.items()):
        print(f"HIT\t{ref}\t{n} watchlist hit(s); see: caseapp watchlist hits {ref}")
    return 0


def watchlist_list(args: argparse.Namespace) -> int:
    from caseapp.services.exchange import watchlists

    return shown(args, watchlists.list_watchlists, _print_watchlists,
                 lambda rows: [r.to_json() for r in rows])


def _print_watchlists(rows: list[Any]) -> None:
    for r in rows:
        print(f"{r.name}\t{r.format}\t{r.list_date}\t{r.entries} entries\t"
              f"{r.publisher or '-'}\t{r.file_name}\t{r.sha256}")


def watchlist_hits(args: argparse.Namespace) -> int:
    from caseapp.services.exchange import hits as hit_service

    with open_ws(args, create=False) as ws:
        if args.case_ref:
            found = {args.case_ref.upper(): hit_service.hits_for_case(ws, args.case_ref)}
        else:
            found = hit_service.hits_for_open_cases(ws)
    if args.json:
        print_json([h.to_json() for hits in found.values() for h in hits])
        return 0
    for hits in found.values():
        for h in hits:
            print(f"{h.case}\t{h.strength.upper()}\t{h.subject}\t{h.reason}")
    return 0


def watchlist_remove(args: argparse.Namespace) -> int:
    from caseapp.services.exchange import watchlists

    with open_ws(args, create=False) as ws:
        watchlists.remove_watchlist(ws, args.name)
    print(f"removed {args.name}")
    return 0

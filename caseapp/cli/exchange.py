"""CLI: ``share`` (STIX / MISP / link chart / referral pack of a case) and ``watchlist``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from caseapp.cli.common import open_ws, print_json

_FORMATS = ("stix", "misp", "anx", "graphml", "ic3", "rfj")
_TLPS = ("clear", "green", "amber", "amber+strict", "red")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "share", help="write a STIX 2.1, MISP, i2/GraphML or referral-pack export of a case",
        description="Write what a case found for the people who act on it: a STIX 2.1 "
        "bundle or a MISP event (marked with TLP 2.0), an i2 Analyst's Notebook chart "
        "(.anx) or GraphML link chart, or an FBI IC3 complaint worksheet / Rewards for "
        "Justice tip brief (PDF + text; FILE.zip for one archive). The case file's "
        "redaction rules apply and the export is recorded in audit and custody. caseapp "
        "prepares the file; it sends nothing.")
    p.add_argument("case_ref", metavar="CASE_REF")
    p.add_argument("--format", required=True, choices=_FORMATS, dest="fmt")
    p.add_argument("--tlp", default="amber", choices=_TLPS,
                   help="TLP 2.0 level (default amber; amber+strict and red only for stix "
                   "and misp)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE")
    p.add_argument("--reveal-tipsters", action="store_true",
                   help="do not mask tipster names/contacts found in free text")
    p.add_argument("--reveal-accounts", action="store_true",
                   help="bank and government ID numbers in full (default: last four)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=share)


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

"""CLI: evidence ingest, listing, withdrawal, export of originals."""

from __future__ import annotations

import argparse
from pathlib import Path

from caseapp.cli.common import open_ws, print_json
from caseapp.cli.options import CASE_REF, EXHIBIT, Sub, actions, arg, command


def register(sub: Sub) -> None:
    ev_sub = actions(sub, "evidence", "ingest and manage exhibits")
    command(ev_sub, "add", evidence_add, CASE_REF,
            arg("paths", metavar="PATH", nargs="+", type=Path),
            arg("--acquired-by", default=""), arg("--acquired-from", default=""),
            arg("--method", default="", help="how it was acquired"),
            help="hash, encrypt and record files as exhibits")
    command(ev_sub, "list", evidence_list, CASE_REF, help="list a case's exhibits")
    command(ev_sub, "show", evidence_show, CASE_REF, EXHIBIT,
            help="one exhibit with its chain of custody")
    command(ev_sub, "withdraw", evidence_withdraw, CASE_REF, EXHIBIT,
            arg("--reason", required=True), json=False,
            help="withdraw an exhibit (kept, marked, logged)")
    command(ev_sub, "export", evidence_export, CASE_REF, EXHIBIT,
            arg("--out", required=True, type=Path, metavar="PATH"),
            help="write an exhibit's original bytes")


def evidence_add(args: argparse.Namespace) -> int:
    from caseapp.services.evidence import evidence

    acq = evidence.Acquisition(acquired_by=args.acquired_by, acquired_from=args.acquired_from,
                               method=args.method)
    with open_ws(args) as ws:
        # Validate the case before touching any file.
        from caseapp.services.cases.cases import get_case

        get_case(ws, args.case_ref)
        outcomes = evidence.ingest_files(ws, args.case_ref, args.paths, acquisition=acq)
    if args.json:
        print_json([o.to_json() for o in outcomes])
    else:
        for o in outcomes:
            if o.evidence is not None:
                print(f"{o.evidence.exhibit}\t{o.evidence.sha256}\t{o.evidence.size}\t{o.path}")
            elif o.duplicate_of:
                print(f"duplicate of {o.duplicate_of}\t{o.path}")
    failed = [o for o in outcomes if o.error]
    for o in failed:
        import sys

        print(f"caseapp: {o.path}: {o.error}", file=sys.stderr)
    return 1 if failed else 0


def evidence_list(args: argparse.Namespace) -> int:
    from caseapp.services.evidence import evidence

    with open_ws(args) as ws:
        items = evidence.list_evidence(ws, args.case_ref)
    if args.json:
        print_json([{"id": e.id, "exhibit": e.exhibit, "title": e.title,
                     "name": e.original_name, "size": e.size, "sha256": e.sha256,
                     "media_type": e.media_type, "acquired_at": e.acquired_at,
                     "withdrawn": e.withdrawn_at is not None,
                     "withdrawn_reason": e.withdrawn_reason or None,
                     "hidden_characters": evidence.hidden_name_characters(e)} for e in items])
    else:
        for e in items:
            mark = " (withdrawn)" if e.withdrawn_at else ""
            if evidence.hidden_name_characters(e):
                mark += " (WARNING: the file name hides characters; see it in full: " \
                        f"{e.original_name})"
            print(f"{e.exhibit}\t{e.size}\t{e.sha256}\t{e.title}{mark}")
    return 0


def evidence_show(args: argparse.Namespace) -> int:
    from caseapp.services.cases import readback

    with open_ws(args, create=False) as ws:
        data = readback.exhibit_detail(ws, args.case_ref, args.exhibit)
    if args.json:
        print_json(data)
        return 0
    gone = f"  WITHDRAWN: {data['withdrawn_reason']}" if data["withdrawn"] else ""
    print(f"{data['case']} {data['exhibit']}  {data['title']}{gone}")
    print(f"  file {data['name']} · {data['size']} bytes · {data['media_type']}")
    print(f"  sha256 {data['sha256']}")
    print(f"  acquired {data['acquired_at']} by {data['acquired_by']}"
          + (f" from {data['acquired_from']}" if data["acquired_from"] else ""))
    print("  custody:")
    for event in data["custody"]:
        print(f"    {event['at']:%Y-%m-%d %H:%M:%S} UTC\t{event['action']}\t{event['actor']}")
    return 0


def evidence_withdraw(args: argparse.Namespace) -> int:
    from caseapp.services.evidence import evidence

    with open_ws(args) as ws:
        ev = evidence.withdraw(ws, args.case_ref, args.exhibit, args.reason)
    print(f"{ev.exhibit} withdrawn")
    return 0


def evidence_export(args: argparse.Namespace) -> int:
    from caseapp.services.evidence import evidence

    with open_ws(args) as ws:
        dest = evidence.export_original(ws, args.case_ref, args.exhibit, args.out)
        ev = evidence.get_exhibit(ws, args.case_ref, args.exhibit)
    if args.json:
        print_json({"path": dest, "exhibit": ev.exhibit, "sha256": ev.sha256})
    else:
        print(dest)
    return 0

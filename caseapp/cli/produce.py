"""CLI: ``produce`` (a legal production volume with load files) and ``productions``."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from caseapp.cli.common import open_ws, print_json
from caseapp.cli.options import CASE_REF, OneOf, Sub, arg, command, signing_options

CERT_PASSWORD_ENV = "CASEAPP_CERT_PASSWORD"


def register(sub: Sub) -> None:
    command(
        sub, "produce", produce_case, CASE_REF,
        arg("--to", required=True, type=Path, metavar="FOLDER"),
        arg("--prefix", metavar="ACME", help="Bates prefix (default: the case ref)"),
        arg("--volume", metavar="VOL001",
            help="volume name (default VOL + the production's number, VOL001 first)"),
        OneOf((arg("--exhibits", metavar="E-001,E-004",
                   help="comma-separated exhibits to produce, in this order"),
               arg("--all", action="store_true",
                   help="every exhibit not withdrawn or withheld (the default)"))),
        arg("--withhold", action="append", default=[], metavar="E-NNN=REASON[:TEXT]",
            help="keep an exhibit out and list it in the privilege log; REASON one of "
            "attorney-client, work-product, pii, tipster-protection; TEXT a "
            "description that does not reveal the content (repeatable)"),
        arg("--redact", action="append", default=[], metavar="E-NNN=REASON[:TEXT]",
            help="produce a text exhibit redacted: the account and ID numbers recorded "
            "in the case shown by their last four characters, tipster identities "
            "replaced; no native; listed in the privilege and redaction log with its "
            "Bates range (reasons as --withhold; repeatable)"),
        arg("--endorse", default="", metavar="TEXT",
            help="legend stamped on every page beside the Bates number"),
        arg("--no-natives", action="store_true", help="leave NATIVES empty"),
        arg("--case-file", action="store_true",
            help="also produce the PDF case file as the last document (it lists every "
            "exhibit, so not together with --withhold)"),
        *signing_options(what="every PDF"),
        help="write a Bates-numbered production volume with load files",
        description="Write a legal production of a case into a new or empty folder: "
        "VOLxxx/{DATA,IMAGES,NATIVES,TEXT} with one Bates-stamped PDF per document, its "
        "native and extracted text, a Concordance DAT, an Opticon OPT and a CSV copy, a "
        "privilege log, AUDIT-HEAD.txt and SHA256SUMS. Bates numbers continue after the "
        "last number used under the prefix and are never issued twice. With --cert, the "
        f"certificate's password comes from {CERT_PASSWORD_ENV} or is asked for.")
    command(sub, "productions", list_productions, CASE_REF,
            arg("--finish", action="store_true",
                help="finish killed productions (check, move into place) and remove "
                "stale staging folders"),
            help="list the productions of a case",
            description="The productions of a case with their Bates ranges. "
            "--finish moves a production that was recorded but killed before it "
            "was moved into place (its volume is in a hidden .NAME.*.part folder "
            "beside the target) into place, after checking every file against "
            "the recorded SHA256SUMS, and removes staging folders left by "
            "productions killed before they were recorded.")


def signer_for(args: argparse.Namespace, ws: object) -> object | None:
    """The signing identity the options ask for (None: not signed)."""
    from caseapp.services.casefile import signing

    signer = None
    if args.cert is not None:
        signer = signing.load_p12(args.cert, cert_password(args.cert))
    elif args.sign:
        signer = signing.self_signed(ws)  # type: ignore[arg-type]
    if signer is not None and args.tsa:
        signer = signing.with_tsa(signer, args.tsa)
    return signer


def cert_password(path: Path) -> str | None:
    """The PKCS#12 password: the environment, else asked on a terminal (never stored)."""
    env = os.environ.get(CERT_PASSWORD_ENV)
    if env is not None:
        return env
    if sys.stdin and sys.stdin.isatty():
        return getpass.getpass(f"Password for {path.name}: ")
    return None


def produce_case(args: argparse.Namespace) -> int:
    from caseapp.services.casefile import produce

    exhibits = None
    if args.exhibits:
        exhibits = tuple(e.strip() for e in args.exhibits.split(",") if e.strip())
    with open_ws(args, create=False) as ws:
        signer: Any = signer_for(args, ws)
        options = produce.ProduceOptions(
            prefix=args.prefix, volume=args.volume, exhibits=exhibits,
            withhold=produce.parse_withhold(args.withhold),
            redact=produce.parse_redact(args.redact), endorsement=args.endorse,
            natives=not args.no_natives, signer=signer, case_file=args.case_file)
        result = produce.produce(ws, args.case_ref, args.to, options)
    if args.json:
        print_json(result.to_json())
    else:
        span = (f"{result.bates_first} to {result.bates_last}" if result.bates_first
                else "no documents")
        print(f"{result.path}\tproduction {result.number}\t{result.volume}\t{span}\t"
              f"{result.pages} pages\t{len(result.withheld)} withheld"
              + (f"\t{len(result.redacted)} redacted" if result.redacted else ""))
        if signer is not None:
            print(f"signed by {signer.describe()}", file=sys.stderr)
    return 0


def list_productions(args: argparse.Namespace) -> int:
    from caseapp.services.casefile import produce

    if args.finish:
        return finish_productions(args)
    with open_ws(args, create=False) as ws:
        rows = produce.list_productions(ws, args.case_ref)
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        span = f"{r['bates_first']} to {r['bates_last']}" if r["bates_first"] else "-"
        print(f"{r['production']}\t{r['created_at']}\t{r['volume']}\t{span}\t"
              f"{r['documents']} documents\t{r['withheld']} withheld\t{r['path']}"
              + ("" if r["present"] else
                 f"\t(not in place; the volume is in {r['staged']})" if r["staged"] else
                 "\t(folder missing)"))
    return 0


def finish_productions(args: argparse.Namespace) -> int:
    """``productions CASE_REF --finish``: exit 0, or 1 when a staged volume did not check."""
    from caseapp.services.casefile.finish import finish_productions as finish

    with open_ws(args, create=False) as ws:
        report = finish(ws, args.case_ref)
    if args.json:
        print_json(report.to_json())
    else:
        for done in report.finished:
            print(f"finished\tproduction {done['production']}\t{done['path']}")
        for bad in report.problems:
            print(f"not finished\tproduction {bad['production']}\t{bad['problem']}\t"
                  f"{bad['staged']}")
        for path in report.removed:
            print(f"removed\t{path}")
        if not (report.finished or report.problems or report.removed):
            print("nothing to finish")
    return 1 if report.problems else 0

"""CLI: export a case as a Bates-numbered PDF case file (optionally with a production
package)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from caseapp.cli.common import open_ws, print_json
from caseapp.cli.options import CASE_REF, Sub, arg, command, signing_options

PASSWORD_ENV = "CASEAPP_PDF_PASSWORD"


def _bates_start(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the Bates start number cannot be negative")
    return value


def register(sub: Sub) -> None:
    from caseapp.services.casefile.exports import DEFAULT_CLASSIFICATION, SECTIONS

    command(
        sub, "export", export_case, CASE_REF,
        arg("--out", required=True, type=Path, metavar="FILE.pdf"),
        arg("--bates-prefix", metavar="P", help="default: the case ref"),
        arg("--bates-start", type=_bates_start, default=1, metavar="N",
            help="first Bates number (default 1; continue a production with it)"),
        arg("--classification", default=DEFAULT_CLASSIFICATION, metavar="TEXT",
            help=f"label on every page (default {DEFAULT_CLASSIFICATION})"),
        arg("--privilege", default="", metavar="TEXT",
            help="privilege legend for the cover and every page"),
        arg("--prepared-by", default="", metavar="NAME"),
        arg("--recipient", "--prepared-for", dest="recipient", default="", metavar="NAME",
            help="who receives the file (printed on the cover and kept in the export "
            "history)"),
        arg("--sections", metavar="LIST",
            help=f"comma-separated subset of: {', '.join(SECTIONS)} (default all)"),
        arg("--timezone", metavar="ZONE",
            help="IANA zone for times shown (default: this computer's)"),
        arg("--reveal-tipsters", action="store_true",
            help="print tipster identities (redacted by default)"),
        arg("--reveal-accounts", action="store_true",
            help="print bank and government ID numbers in full"),
        arg("--package", type=Path, metavar="DIR",
            help="also write a production folder: the PDF, natives, manifest.csv, "
            "SHA256SUMS (DIR must be new or empty)"),
        *signing_options(what="the PDF",
                         cert_note="; password from CASEAPP_CERT_PASSWORD or asked"),
        help="write the case file as a Bates-numbered PDF",
        description="Write a case's PDF case file: cover, contents, summary, subjects, red "
        "flags, exhibits with SHA-256, custody, timeline, tips, links, appendix, export "
        "record and hash certification. Bank/government ID numbers show their last four "
        "characters and tipster identities are redacted unless revealed. Set "
        f"{PASSWORD_ENV} to protect the PDF with an AES-256 open password.")


def export_case(args: argparse.Namespace) -> int:
    from caseapp.services.casefile import exports
    from caseapp.services.casefile.exports import ExportOptions

    sections = None
    if args.sections is not None:
        sections = tuple(s.strip().lower() for s in args.sections.split(",") if s.strip())
    options = ExportOptions(
        classification=args.classification, privilege_legend=args.privilege,
        prepared_by=args.prepared_by, prepared_for=args.recipient,
        bates_prefix=args.bates_prefix, bates_start=args.bates_start,
        reveal_tipsters=args.reveal_tipsters, reveal_accounts=args.reveal_accounts,
        password=os.environ.get(PASSWORD_ENV) or None, package_dir=args.package,
        timezone=args.timezone)
    if sections is not None:
        from dataclasses import replace

        options = replace(options, sections=sections)
    with open_ws(args, create=False) as ws:
        from caseapp.cli.produce import signer_for

        signer: Any = signer_for(args, ws)
        if not options.prepared_by:  # the investigator profile, when there is one
            from dataclasses import replace as _replace

            from caseapp.services import investigator

            profile = investigator.get_profile(ws)
            if profile is not None:
                options = _replace(options, prepared_by=profile.actor)
        result = exports.export_case_file(ws, args.case_ref, args.out, options, signer=signer)
    if args.json:
        print_json({**result.to_json(), **({"signed": True} if signer else {})})
    else:
        print(f"{result.path}\t{result.sha256}\t{result.pages} pages\t"
              f"{result.bates_first} to {result.bates_last}")
        if result.package:
            print(f"package: {result.package}", file=sys.stderr)
    return 0

"""CLI: signals — import sign-in logs / endpoint inventories, list and decide findings."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from caseapp.cli.common import open_ws, print_json

FORMATS = ("auto", "entra", "okta", "gworkspace", "generic", "inventory", "mde")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sig = sub.add_parser("signals", help="import sign-in logs and endpoint inventories; "
                                         "detection findings")
    ssub = sig.add_subparsers(dest="signals_command", metavar="ACTION", required=True)

    imp = ssub.add_parser("import", help="import a sign-in log or endpoint inventory into a "
                                         "case (the file becomes an exhibit first)")
    imp.add_argument("case_ref", metavar="CASE_REF")
    imp.add_argument("file", metavar="FILE", type=Path)
    imp.add_argument("--format", choices=FORMATS, default="auto",
                     help="export format (default: detected from the header)")
    imp.add_argument("--max-speed", type=float, default=900.0, metavar="KMH",
                     help="impossible-travel speed limit in km/h (default 900)")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=signals_import)

    fnd = ssub.add_parser("findings", help="a case's findings, hour profiles and locations")
    fnd.add_argument("case_ref", metavar="CASE_REF")
    fnd.add_argument("--json", action="store_true")
    fnd.set_defaults(handler=signals_findings)

    acc = ssub.add_parser("accept", help="accept a finding: attach it to its red-flag item "
                                         "(a suggestion; the item's state is not changed)")
    acc.add_argument("case_ref", metavar="CASE_REF")
    acc.add_argument("finding", metavar="FINDING_ID", type=int)
    acc.add_argument("--note", default="")
    acc.add_argument("--json", action="store_true")
    acc.set_defaults(handler=signals_accept)

    dis = ssub.add_parser("dismiss", help="dismiss a finding (audited)")
    dis.add_argument("case_ref", metavar="CASE_REF")
    dis.add_argument("finding", metavar="FINDING_ID", type=int)
    dis.add_argument("--reason", default="")
    dis.add_argument("--json", action="store_true")
    dis.set_defaults(handler=signals_dismiss)

    scan = ssub.add_parser("scan", help="look for photos and résumé text reused by subjects "
                                        "of other cases")
    scan.add_argument("case_ref", metavar="CASE_REF")
    scan.add_argument("--json", action="store_true")
    scan.set_defaults(handler=signals_scan)


def _finding_line(f: dict[str, Any]) -> str:
    cites = ", ".join(str(n) for n in f["lines"][:8])
    more = f" (+{f['line_count'] - len(f['lines'][:8])})" if f["line_count"] > 8 else ""
    where = f"{f['exhibit']} lines {cites}{more}" if f.get("exhibit") else \
        ", ".join(f.get("exhibits", []))
    return (f"#{f['id']}\t{f['status']}\t{f['rule']} v{f['version']}\t{f['subject']}\t"
            f"{f['summary']}\t[{where}]")


def signals_import(args: argparse.Namespace) -> int:
    from caseapp.domain.signals.engine import Settings
    from caseapp.services.signals.importer import import_signals

    with open_ws(args) as ws:
        report = import_signals(ws, args.case_ref, args.file, fmt=args.format,
                                settings=Settings(max_speed_kmh=args.max_speed))
    if args.json:
        print_json(report.to_json())
        return 0
    print(f"{report.case} {report.exhibit}: {report.format}, {report.rows} rows, "
          f"{report.attributed} attributed, {len(report.errors)} row error(s), "
          f"{report.identifiers_added} new identifier(s), {len(report.findings)} finding(s)")
    for err in report.errors:
        print(f"  line {err.line}: {err.error}")
    for account, rows in sorted(report.unattributed.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  not attributed (no subject holds it): {account} ({rows} rows)")
    for warning in report.warnings:
        print(f"  warning: {warning}")
    for finding in report.findings:
        print("  " + _finding_line(finding))
    for data in report.data:
        print(f"  data: {data.label}")
    for ref, ids in sorted(report.reevaluated.items()):
        print(f"  re-evaluated {ref}: shared-egress finding(s) "
              f"{', '.join(f'#{i}' for i in ids)}")
    return 0


def signals_findings(args: argparse.Namespace) -> int:
    from caseapp.services.signals.findings import list_findings

    with open_ws(args) as ws:
        view = list_findings(ws, args.case_ref)
    if args.json:
        print_json(view.to_json())
        return 0
    if not view.findings:
        print(f"{view.case}: no findings")
    for finding in view.findings:
        print(_finding_line(finding))
    for hours in view.hours:
        score = "n/a (no claimed zone)" if hours.score is None else f"{hours.score:+.2f}"
        print(f"hours {hours.subject} ({hours.zone or 'zone unknown'}): score {score}; "
              + " ".join(str(n) for n in hours.hours_claimed))
    for loc in view.locations:
        print(f"location {loc.subject}: {loc.place} {loc.network} {loc.egress} "
              f"({loc.signins} sign-ins, {loc.ips} IPs; {loc.exhibit} line {loc.first_line})")
    return 0


def signals_accept(args: argparse.Namespace) -> int:
    from caseapp.services.signals.findings import accept_finding

    with open_ws(args) as ws:
        result = accept_finding(ws, args.case_ref, args.finding, note=args.note)
    print_json(result) if args.json else print(f"accepted: {_finding_line(result)}")
    return 0


def signals_dismiss(args: argparse.Namespace) -> int:
    from caseapp.services.signals.findings import dismiss_finding

    with open_ws(args) as ws:
        result = dismiss_finding(ws, args.case_ref, args.finding, reason=args.reason)
    print_json(result) if args.json else print(f"dismissed: #{result['id']}")
    return 0


def signals_scan(args: argparse.Namespace) -> int:
    from caseapp.services.signals.scan import scan_exhibits

    with open_ws(args) as ws:
        found = scan_exhibits(ws, args.case_ref)
    if args.json:
        print_json(found)
    else:
        print(f"{len(found)} finding(s)")
        for finding in found:
            print("  " + _finding_line(finding))
    return 0

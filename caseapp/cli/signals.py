"""CLI: signals — import sign-in logs / endpoint inventories, list and decide findings."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from caseapp.cli.common import open_ws, print_json
from caseapp.cli.options import CASE_REF, Sub, actions, arg, command

FORMATS = ("auto", "entra", "okta", "gworkspace", "generic", "inventory", "mde")
_FINDING = arg("finding", metavar="FINDING_ID", type=int)


def register(sub: Sub) -> None:
    ssub = actions(sub, "signals", "import sign-in logs and endpoint inventories; detection "
                   "findings")
    command(ssub, "import", signals_import, CASE_REF, arg("file", metavar="FILE", type=Path),
            arg("--format", choices=FORMATS, default="auto",
                help="export format (default: detected from the header)"),
            arg("--max-speed", type=float, default=900.0, metavar="KMH",
                help="impossible-travel speed limit in km/h (default 900)"),
            help="import a sign-in log or endpoint inventory into a case (the file becomes "
            "an exhibit first)")
    command(ssub, "findings", signals_findings, CASE_REF,
            help="a case's findings, hour profiles and locations")
    command(ssub, "accept", signals_accept, CASE_REF, _FINDING, arg("--note", default=""),
            help="accept a finding: attach it to its red-flag item (a suggestion; the item's "
            "state is not changed)")
    command(ssub, "dismiss", signals_dismiss, CASE_REF, _FINDING, arg("--reason", default=""),
            help="dismiss a finding (audited)")
    command(ssub, "scan", signals_scan, CASE_REF, help="look for photos and résumé text "
            "reused by subjects of other cases")


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

"""CLI: cases, subjects, notes, demo data."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from caseapp.cli import readback
from caseapp.cli.common import open_ws, print_json
from caseapp.cli.options import CASE_REF, Sub, actions, arg, command


def register(sub: Sub) -> None:
    case_sub = actions(sub, "case", "open and list cases")
    command(case_sub, "new", case_new, arg("--title", required=True),
            arg("--subject", metavar="NAME", help="first subject's (claimed) name"),
            arg("--priority", default="medium"), arg("--summary", default=""),
            help="open a new case")
    command(case_sub, "list", case_list, arg("--status", help="only cases with this status"),
            help="list cases")
    command(case_sub, "status", case_status, CASE_REF, arg("status", metavar="STATUS"),
            help="change a case's status")
    readback.add_case_commands(case_sub)

    subject_sub = actions(sub, "subject", "record subjects and their identifiers")
    command(subject_sub, "add", subject_add, CASE_REF, arg("name", metavar="NAME"),
            arg("--alias", action="append", default=[], metavar="NAME"),
            arg("--identifier", action="append", default=[], metavar="KIND:VALUE"),
            help="add a subject to a case")
    readback.add_subject_commands(subject_sub)

    note_sub = actions(sub, "note", "add notes to a case's timeline")
    command(note_sub, "add", note_add_cmd, CASE_REF,
            arg("text", metavar="TEXT", help="the note; - reads it from stdin"),
            arg("--at", metavar="WHEN", help="when it happened, ISO 8601 with zone "
                "(default: now)"), help="add a note")
    readback.add_note_commands(note_sub)

    command(sub, "demo", demo_cmd, arg("--signals", action="store_true", help="also import "
            "the demo sign-in logs and endpoint inventory"),
            help="load the fictional demo data into an empty store")


def case_new(args: argparse.Namespace) -> int:
    from caseapp.services.cases import cases

    with open_ws(args) as ws:
        case = cases.create_case(ws, args.title, subject_name=args.subject,
                                 priority=args.priority, summary=args.summary)
    if args.json:
        print_json({"id": case.id, "ref": case.ref, "title": case.title, "status": case.status,
                    "priority": case.priority, "opened_at": case.opened_at})
    else:
        print(f"{case.ref}\t{case.title}")
    return 0


def case_list(args: argparse.Namespace) -> int:
    from caseapp.services.cases import cases

    with open_ws(args) as ws:
        rows = cases.list_cases(ws, status=args.status)
    if args.json:
        print_json([{"id": r.id, "ref": r.ref, "title": r.title, "status": r.status,
                     "priority": r.priority, "opened_at": r.opened_at,
                     "updated_at": r.updated_at, "subjects": r.subjects,
                     "exhibits": r.exhibits, "risk": r.risk, "risk_band": r.risk_band}
                    for r in rows])
    else:
        for r in rows:
            print(f"{r.ref}\t{r.status}\t{r.priority}\t{r.title}")
    return 0


def case_status(args: argparse.Namespace) -> int:
    from caseapp.services.cases import cases

    with open_ws(args) as ws:
        case = cases.set_status(ws, args.case_ref, args.status)
    if args.json:
        print_json({"id": case.id, "ref": case.ref, "title": case.title, "status": case.status})
    else:
        print(f"{case.ref}\t{case.status}")
    return 0


def subject_add(args: argparse.Namespace) -> int:
    from caseapp.services.cases import subjects

    idents = [subjects.parse_identifier_arg(text) for text in args.identifier]
    with open_ws(args) as ws:
        view = subjects.add_subject(ws, args.case_ref, args.name, aliases=args.alias,
                                    identifiers=idents)
    if args.json:
        print_json(view.to_json())
    else:
        print(f"subject #{view.subject.id} {view.subject.name} on {view.case_ref}")
        for ident in view.identifiers:
            flag = "" if ident.normalized_ok else "  (not normalised)"
            print(f"  {ident.kind}\t{ident.raw}\t-> {ident.normalized}{flag}")
    return 0


def parse_when(text: str | None) -> datetime | None:
    """ISO 8601 with an offset; a time without one is refused (ambiguous)."""
    from caseapp.services.errors import InvalidInput

    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{text!r} is not an ISO 8601 time (2026-03-02T10:15+09:00).") from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{text!r} has no zone; add one, e.g. +00:00.")
    return moment


def note_add_cmd(args: argparse.Namespace) -> int:
    from caseapp.services.cases import notes

    when = parse_when(args.at)
    text = sys.stdin.read() if args.text == "-" else args.text
    with open_ws(args) as ws:
        note = notes.add_note(ws, args.case_ref, text, occurred_at=when)
        case_ref = args.case_ref.strip().upper()
    if args.json:
        print_json({"id": note.id, "case": case_ref, "occurred_at": note.occurred_at,
                    "recorded_at": note.recorded_at})
    else:
        print(f"note #{note.id} added to {case_ref}")
    return 0


def demo_cmd(args: argparse.Namespace) -> int:
    from caseapp.services.maintenance import demo

    with open_ws(args, exclusive=True) as ws:
        summary = demo.load_demo(ws, signals=args.signals)
    if args.json:
        print_json(summary)
    else:
        print(f"Loaded demo data: {', '.join(summary['cases'])}", file=sys.stdout)
    return 0

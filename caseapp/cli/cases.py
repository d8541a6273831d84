"""CLI: cases, subjects, notes, demo data."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from caseapp.cli import readback
from caseapp.cli.common import open_ws, print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    case = sub.add_parser("case", help="open and list cases")
    case_sub = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    new = case_sub.add_parser("new", help="open a new case")
    new.add_argument("--title", required=True)
    new.add_argument("--subject", metavar="NAME", help="first subject's (claimed) name")
    new.add_argument("--priority", default="medium")
    new.add_argument("--summary", default="")
    new.add_argument("--json", action="store_true")
    new.set_defaults(handler=case_new)
    lst = case_sub.add_parser("list", help="list cases")
    lst.add_argument("--status", help="only cases with this status")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=case_list)
    status = case_sub.add_parser("status", help="change a case's status")
    status.add_argument("case_ref", metavar="CASE_REF")
    status.add_argument("status", metavar="STATUS")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=case_status)
    readback.add_case_commands(case_sub)

    subject = sub.add_parser("subject", help="record subjects and their identifiers")
    subject_sub = subject.add_subparsers(dest="subject_command", metavar="ACTION",
                                         required=True)
    add = subject_sub.add_parser("add", help="add a subject to a case")
    add.add_argument("case_ref", metavar="CASE_REF")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--alias", action="append", default=[], metavar="NAME")
    add.add_argument("--identifier", action="append", default=[], metavar="KIND:VALUE")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=subject_add)
    readback.add_subject_commands(subject_sub)

    note = sub.add_parser("note", help="add notes to a case's timeline")
    note_sub = note.add_subparsers(dest="note_command", metavar="ACTION", required=True)
    note_add = note_sub.add_parser("add", help="add a note")
    note_add.add_argument("case_ref", metavar="CASE_REF")
    note_add.add_argument("text", metavar="TEXT", help="the note; - reads it from stdin")
    note_add.add_argument("--at", metavar="WHEN",
                          help="when it happened, ISO 8601 with zone (default: now)")
    note_add.add_argument("--json", action="store_true")
    note_add.set_defaults(handler=note_add_cmd)
    readback.add_note_commands(note_sub)

    demo = sub.add_parser("demo", help="load the fictional demo data into an empty store")
    demo.add_argument("--signals", action="store_true",
                      help="also import the demo sign-in logs and endpoint inventory")
    demo.add_argument("--json", action="store_true")
    demo.set_defaults(handler=demo_cmd)


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

"""CLI: reading cases back and editing them (``case show|edit``, ``subject list|show|edit``,
``subject identifier add|remove``, ``note list|edit``). JSON shapes: docs/cli.md."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from caseapp.cli.common import open_ws, print_json, shown
from caseapp.cli.options import CASE_REF, EXPECTED_VERSION, Sub, actions, arg, command

_SUBJECT = arg("subject", metavar="SUBJECT")


def add_case_commands(case_sub: Sub) -> None:
    command(case_sub, "show", case_show, CASE_REF, help="everything about a case (what the "
            "Overview shows, subjects, exhibits, checklist summary, linked tips)")
    command(case_sub, "edit", case_edit, CASE_REF, arg("--title"),
            arg("--summary", help="the summary; - reads it from stdin"), arg("--priority"),
            arg("--tags", metavar="A,B", help="comma-separated; '' clears them"),
            arg("--key-facts", dest="key_facts", help="one per line; - reads stdin"),
            EXPECTED_VERSION, help="change a case's title, summary, priority, tags or key facts (only the "
            "options given change)")


def add_subject_commands(subject_sub: Sub) -> None:
    command(subject_sub, "list", subject_list, CASE_REF,
            help="a case's subjects with their identifiers")
    command(subject_sub, "show", subject_show, CASE_REF,
            arg("subject", metavar="SUBJECT", help="the subject's id or name"),
            help="one subject (by id or name)")
    command(subject_sub, "edit", subject_edit, CASE_REF, _SUBJECT, arg("--name"),
            arg("--alias", action="append", metavar="NAME",
                help="replaces the aliases (repeat for several; --alias '' clears)"),
            arg("--role"), arg("--platform"), arg("--location"), EXPECTED_VERSION,
            help="change a subject's name, aliases or profile")
    ident_sub = actions(subject_sub, "identifier", "add or remove a subject's identifier")
    for name, handler, text in (("add", identifier_add, "add an identifier"),
                                ("remove", identifier_remove, "remove an identifier")):
        command(ident_sub, name, handler, CASE_REF, _SUBJECT,
                arg("identifier", metavar="KIND:VALUE"), help=text)


def add_note_commands(note_sub: Sub) -> None:
    command(note_sub, "list", note_list, CASE_REF, help="a case's notes in time order")
    command(note_sub, "edit", note_edit, arg("note_id", metavar="NOTE_ID", type=int),
            arg("--text", help="the new text; - reads it from stdin"),
            arg("--at", metavar="WHEN", help="when it happened, ISO 8601 with zone"),
            EXPECTED_VERSION,
            help="change a note (earlier versions are kept; a save that lost to another "
            "one is kept as a conflicting copy)")


# -- cases ---------------------------------------------------------------------------------
def _text_arg(value: str | None) -> str | None:
    return sys.stdin.read() if value == "-" else value


def case_show(args: argparse.Namespace) -> int:
    from caseapp.services.cases import readback

    with open_ws(args, create=False) as ws:
        data = readback.case_summary(ws, args.case_ref)
    if args.json:
        print_json(data)
        return 0
    print(f"{data['ref']}  {data['title']}")
    print(f"  status {data['status']} · priority {data['priority']} · opened "
          f"{data['opened_at']:%Y-%m-%d}" + (f" · tags {', '.join(data['tags'])}"
                                              if data["tags"] else ""))
    if data["summary"]:
        print("  summary: " + data["summary"].replace("\n", "\n           "))
    if data["key_facts"]:
        print("  key facts: " + data["key_facts"].replace("\n", "\n             "))
    for subject in data["subjects"]:
        aka = f" (also {', '.join(subject['aliases'])})" if subject["aliases"] else ""
        print(f"  subject #{subject['id']} {subject['name']}{aka}")
        for ident in subject["identifiers"]:
            print(f"    {ident['kind']}\t{ident['raw']}")
    for ev in data["exhibits"]:
        gone = "  (withdrawn)" if ev["withdrawn"] else ""
        print(f"  {ev['exhibit']}\t{ev['title']}\t{ev['sha256']}{gone}")
    cl = data["checklist"]
    if cl is None:
        print("  red flags: not started")
    else:
        print(f"  red flags: {cl['band']} {cl['score']}/100, {cl['assessed']} of "
              f"{cl['items']} assessed ({cl['template']} v{cl['version']})")
    for tip in data["tips"]:
        print(f"  tip {tip['ref']}\t{tip['status']}\t{tip['channel']}")
    print(f"  notes: {data['notes']}")
    return 0


def case_edit(args: argparse.Namespace) -> int:
    from caseapp.services.cases import cases

    tags = None if args.tags is None else [t.strip() for t in args.tags.split(",") if t.strip()]
    with open_ws(args, create=False) as ws:
        case = cases.update_case(ws, args.case_ref, title=args.title,
                                 summary=_text_arg(args.summary), priority=args.priority,
                                 key_facts=_text_arg(args.key_facts), tags=tags,
                                 expected_version=args.expected_version)
    if args.json:
        print_json({"id": case.id, "ref": case.ref, "title": case.title,
                    "status": case.status, "priority": case.priority,
                    "version": case.version})
    else:
        print(f"{case.ref}\t{case.title}")
    return 0


# -- subjects ------------------------------------------------------------------------------
def _print_subject(data: dict[str, Any]) -> None:
    aka = f" (also {', '.join(data['aliases'])})" if data["aliases"] else ""
    print(f"subject #{data['id']} {data['name']}{aka} on {data['case']}")
    for key, label in (("role_applied", "role"), ("hiring_platform", "platform"),
                       ("claimed_location", "location")):
        if data.get(key):
            print(f"  {label}: {data[key]}")
    for ident in data["identifiers"]:
        flag = "" if ident["normalized_ok"] else "  (not normalised)"
        print(f"  #{ident['id']} {ident['kind']}\t{ident['raw']}\t-> {ident['normalized']}{flag}")


def _shown_subjects(args: argparse.Namespace,
                    data: dict[str, Any] | list[dict[str, Any]]) -> int:
    """One subject or a list of them: as JSON with --json, else as text."""
    if args.json:
        print_json(data)
    else:
        for item in data if isinstance(data, list) else [data]:
            _print_subject(item)
    return 0


def subject_list(args: argparse.Namespace) -> int:
    from caseapp.services.cases import readback, subjects

    with open_ws(args, create=False) as ws:
        data = [readback.subject_json(v) for v in subjects.list_subjects(ws, args.case_ref)]
    return _shown_subjects(args, data)


def subject_show(args: argparse.Namespace) -> int:
    from caseapp.services.cases import readback

    with open_ws(args, create=False) as ws:
        data = readback.subject_json(readback.find_subject(ws, args.case_ref, args.subject))
    return _shown_subjects(args, data)


def subject_edit(args: argparse.Namespace) -> int:
    from caseapp.services.cases import readback, subjects

    aliases = None if args.alias is None else [a for a in args.alias if a.strip()]
    with open_ws(args, create=False) as ws:
        view = readback.find_subject(ws, args.case_ref, args.subject)
        subjects.update_subject(ws, view.subject.id or 0, name=args.name, aliases=aliases,
                                role_applied=args.role, hiring_platform=args.platform,
                                claimed_location=args.location,
                                expected_version=args.expected_version)
        data = readback.subject_json(readback.find_subject(
            ws, args.case_ref, str(view.subject.id)))
    return _shown_subjects(args, data)


def identifier_add(args: argparse.Namespace) -> int:
    from caseapp.services.cases import readback, subjects

    wanted = subjects.parse_identifier_arg(args.identifier)
    with open_ws(args, create=False) as ws:
        view = readback.find_subject(ws, args.case_ref, args.subject)
        ident = subjects.add_identifier(ws, view.subject.id or 0, wanted.kind, wanted.value)
    if args.json:
        print_json(subjects.identifier_json(ident))
    else:
        print(f"identifier #{ident.id} {ident.kind} {ident.raw} added to {view.subject.name}")
    return 0


def identifier_remove(args: argparse.Namespace) -> int:
    from caseapp.services.cases import readback, subjects
    from caseapp.services.errors import NotFound

    wanted = subjects.parse_identifier_arg(args.identifier)
    probe = subjects.make_identifier(wanted.kind, wanted.value)
    with open_ws(args, create=False) as ws:
        view = readback.find_subject(ws, args.case_ref, args.subject)
        match = [i for i in view.identifiers if i.kind == probe.kind
                 and (i.normalized == probe.normalized or i.raw == wanted.value)]
        if not match:
            raise NotFound(f"{view.subject.name} has no {probe.kind} identifier "
                           f"{wanted.value!r} (subject show lists them).")
        subjects.remove_identifier(ws, match[0].id or 0)
    if args.json:
        print_json({"removed": subjects.identifier_json(match[0]), "subject": view.subject.id})
    else:
        print(f"identifier #{match[0].id} {match[0].kind} {match[0].raw} removed from "
              f"{view.subject.name}")
    return 0


# -- notes ---------------------------------------------------------------------------------
def note_list(args: argparse.Namespace) -> int:
    from caseapp.services.cases import readback

    return shown(args, lambda ws: readback.note_rows(ws, args.case_ref), _print_notes,
                 lambda rows: rows)


def _print_notes(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        first = row["text"].strip().splitlines()[0] if row["text"].strip() else ""
        print(f"#{row['id']}\t{row['occurred_at']:%Y-%m-%d %H:%M} UTC\t{first}")


def note_edit(args: argparse.Namespace) -> int:
    from caseapp.cli.cases import parse_when
    from caseapp.services.cases import notes

    when = parse_when(args.at)
    with open_ws(args, create=False) as ws:
        note = notes.edit_note(ws, args.note_id, text=_text_arg(args.text), occurred_at=when,
                               expected_version=args.expected_version)
    if args.json:
        print_json({"id": note.id, "occurred_at": note.occurred_at,
                    "recorded_at": note.recorded_at, "version": note.version})
    else:
        print(f"note #{note.id} is now version {note.version}")
    return 0

"""CLI: tips — import from CSV, log, list (identity masked), show/reveal, link, triage."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from caseapp.cli.common import open_ws, print_json
from caseapp.cli.options import CASE_REF, TIP_REF, Sub, actions, arg, command


def register(sub: Sub) -> None:
    tsub = actions(sub, "tips", "log, import, triage and link tips and leads")
    command(tsub, "import", tips_import, arg("file", metavar="FILE.csv", type=Path),
            help="import tips from a UTF-8 CSV file")
    command(tsub, "new", tips_new, *_NEW_TIP, help="log a new tip")
    command(tsub, "list", tips_list, arg("--status"),
            arg("--active", action="store_true", help="only tips still being worked"),
            arg("--filter", metavar="TEXT"), help="the triage queue (tipster identity masked)")
    command(tsub, "show", tips_show, TIP_REF,
            arg("--reveal", action="store_true",
                help="show the tipster's identity (recorded in the audit log)"),
            help="one tip with its duplicate candidates")
    command(tsub, "link", tips_link, TIP_REF, CASE_REF, arg("--note", default=""),
            help="link a tip to a case")
    command(tsub, "status", tips_status, TIP_REF, arg("status", metavar="STATUS"),
            help="change a tip's status")
    command(tsub, "duplicate", tips_duplicate, TIP_REF,
            arg("--of", required=True, metavar="TIP_REF", dest="of_ref"),
            help="mark a tip as the duplicate of another")
    command(tsub, "keep-separate", tips_keep_separate, TIP_REF,
            arg("other_ref", metavar="OTHER_TIP_REF"), json=False,
            help="record that two tips are not duplicates")
    command(tsub, "new-case", tips_new_case, TIP_REF, arg("--title", required=True),
            arg("--subject", metavar="NAME", help="the first subject's (claimed) name"),
            arg("--priority", default="medium"), help="open a new case from a tip")


#: ``tips new``: what the tip says, where it came from, its grading and the tipster.
_NEW_TIP = (
    arg("--content", required=True, help="what the tipster said"),
    arg("--channel", required=True, help="reward-programme, hotline, email, web-form, "
        "walk-in, referral, internal"),
    arg("--received-at", metavar="WHEN", help="ISO 8601 with zone (default: now)"),
    arg("--programme", default=""),
    arg("--reference", default="", help="the programme's reference number"),
    arg("--anonymous", action="store_true"), arg("--tipster-name"), arg("--tipster-contact"),
    arg("--relationship", default="", help="tipster's relationship to subject"),
    arg("--reliability", help="source reliability A-F"),
    arg("--credibility", help="information credibility 1-6"),
    arg("--follow-up", metavar="WHEN", help="follow-up due, ISO 8601 with zone"),
    arg("--reward-status"),
    arg("--identifier", action="append", default=[], metavar="KIND:VALUE"),
    arg("--attach", action="append", default=[], type=Path, metavar="FILE"),
)


def tips_import(args: argparse.Namespace) -> int:
    from caseapp.services.tips import importer as service

    with open_ws(args) as ws:
        report = service.import_tips_csv(ws, args.file)
    if args.json:
        print_json(report.to_json())
    else:
        print(f"imported {report.imported}, skipped {report.skipped_duplicates} already "
              f"imported, {len(report.errors)} row error(s)")
        for err in report.errors:
            print(f"  line {err.line}: {err.error}")
        for warning in report.warnings:
            print(f"  warning: {warning}")
    return 0


def _line(view: Any) -> str:
    due = view.follow_up_due.date().isoformat() if view.follow_up_due else "-"
    flag = " OVERDUE" if view.overdue else ""
    return (f"{view.ref}\t{view.status}\t{view.grade or '--'}\t{view.channel}\t"
            f"{view.received_at.date().isoformat()}\tdue {due}{flag}")


def tips_new(args: argparse.Namespace) -> int:
    from caseapp.cli.cases import parse_when
    from caseapp.services.cases import subjects
    from caseapp.services.errors import InvalidInput
    from caseapp.services.tips import casework, tips

    idents = [subjects.parse_identifier_arg(text) for text in args.identifier]
    for path in args.attach:  # check before the tip is saved
        if not path.is_file():
            raise InvalidInput(f"{path} is not a file; nothing was saved.")
    received, due = parse_when(args.received_at), parse_when(args.follow_up)
    with open_ws(args) as ws:
        saved = tips.create_tip(
            ws, args.content, channel=args.channel, received_at=received,
            programme=args.programme, reference=args.reference, anonymous=args.anonymous,
            tipster_name=args.tipster_name, tipster_contact=args.tipster_contact,
            relationship=args.relationship, reliability=args.reliability,
            credibility=args.credibility, follow_up_due=due, reward_status=args.reward_status,
            identifiers=idents)
        for path in args.attach:
            casework.add_attachment(ws, saved.tip.ref, path)
        if args.attach:
            saved = tips.TipSaved(tips.get_tip(ws, saved.tip.ref), saved.candidates)
    if args.json:
        print_json(saved.to_json())
    else:
        print(_line(saved.tip))
        for cand in saved.candidates:
            print(f"  possible duplicate: {cand.ref} ({cand.score}) {'; '.join(cand.reasons)}")
    return 0


def tips_list(args: argparse.Namespace) -> int:
    from caseapp.services.tips import tips

    with open_ws(args) as ws:
        views = tips.list_tips(ws, status=args.status, active_only=args.active, text=args.filter)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for view in views:
            print(_line(view))
    return 0


def tips_show(args: argparse.Namespace) -> int:
    from caseapp.services.tips import tips

    with open_ws(args) as ws:
        view = tips.get_tip(ws, args.tip_ref)
        if args.reveal and view.has_identity:
            view = view.with_identity(tips.reveal_tipster(ws, view.ref))
        candidates = tips.duplicate_candidates(ws, view.ref)
    if args.json:
        print_json(tips.TipSaved(view, candidates).to_json())
        return 0
    print(_line(view))
    if view.anonymous:
        print("tipster: anonymous")
    elif view.identity_masked:
        print("tipster: (masked; --reveal shows it and records that in the audit log)")
    elif view.has_identity:
        print(f"tipster: {view.tipster_name or '-'} / {view.tipster_contact or '-'} / "
              f"{view.relationship or '-'}")
    print(f"grade: {view.grade or '--'} ({view.grade_meaning})")
    print(f"reward: {view.reward_status}; cases: {', '.join(view.cases) or '-'}")
    for ident in view.identifiers:
        print(f"  {ident.kind}\t{ident.raw}\t-> {ident.normalized}")
    for att in view.attachments:
        print(f"  {att.label}\t{att.original_name}\t{att.sha256}")
    print(view.content)
    for cand in candidates:
        print(f"possible duplicate: {cand.ref} ({cand.score}) {'; '.join(cand.reasons)}")
    return 0


def _print_view(args: argparse.Namespace, view: Any) -> int:
    if args.json:
        print_json(view.to_json())
    else:
        print(_line(view))
    return 0


def tips_link(args: argparse.Namespace) -> int:
    from caseapp.services.tips import casework

    with open_ws(args) as ws:
        view = casework.link_tip(ws, args.tip_ref, args.case_ref, note=args.note)
    return _print_view(args, view)


def tips_status(args: argparse.Namespace) -> int:
    from caseapp.services.tips import tips

    with open_ws(args) as ws:
        view = tips.set_tip_status(ws, args.tip_ref, args.status)
    return _print_view(args, view)


def tips_duplicate(args: argparse.Namespace) -> int:
    from caseapp.services.tips import tips

    with open_ws(args) as ws:
        view = tips.mark_duplicate(ws, args.tip_ref, args.of_ref)
    return _print_view(args, view)


def tips_keep_separate(args: argparse.Namespace) -> int:
    from caseapp.services.tips import tips

    with open_ws(args) as ws:
        tips.keep_separate(ws, args.tip_ref, args.other_ref)
    print(f"{args.tip_ref.upper()} and {args.other_ref.upper()} kept separate")
    return 0


def tips_new_case(args: argparse.Namespace) -> int:
    from caseapp.services.tips import casework

    with open_ws(args) as ws:
        case = casework.create_case_from_tip(ws, args.tip_ref, args.title,
                                               subject_name=args.subject,
                                               priority=args.priority)
    if args.json:
        print_json({"id": case.id, "ref": case.ref, "title": case.title, "status": case.status,
                    "tip": args.tip_ref.strip().upper()})
    else:
        print(f"{case.ref}\t{case.title}")
    return 0

"""CLI: red-flag checklists (``flags``) and red-flag templates (``templates``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from caseapp.cli.common import open_ws, print_json
from caseapp.cli.options import (
    CASE_REF,
    EXHIBIT,
    EXPECTED_VERSION,
    ITEM_ID,
    Sub,
    actions,
    arg,
    command,
)

_STATE_MARK = {"not-assessed": " ", "not-observed": "-", "suspected": "?", "confirmed": "!",
               "not-applicable": "/"}


def register(sub: Sub) -> None:
    flags_sub = actions(sub, "flags", "a case's red-flag checklist and risk score")
    command(flags_sub, "show", flags_show, CASE_REF,
            arg("--only", choices=["flagged", "not-assessed", "suggested"],
                help="list only suspected/confirmed, unassessed or suggested items"),
            help="show the checklist, score, band and coverage")
    command(flags_sub, "set", flags_set, CASE_REF, ITEM_ID, arg("state", metavar="STATE"),
            arg("--note", metavar="TEXT", help="the item's note (replaces it; '' clears)"),
            arg("--exhibit", action="append", metavar="E-NNN",
                help="link exactly these exhibits (repeat; replaces the links)"),
            EXPECTED_VERSION, help="set an item's state",
            description="STATE is one of not-assessed, not-observed, suspected, confirmed, "
                        "not-applicable (any case; spaces or underscores for hyphens).")
    command(flags_sub, "link", flags_link, CASE_REF, ITEM_ID, EXHIBIT,
            arg("--remove", action="store_true", help="unlink it instead"),
            help="link an exhibit of the case to an item")
    command(flags_sub, "dismiss", flags_dismiss, CASE_REF, ITEM_ID,
            help="dismiss an item's suggestion")
    command(flags_sub, "start", flags_start, CASE_REF,
            arg("--template", metavar="ID", help="template id (default: the DPRK "
                "remote-IT-worker template)"),
            help="start the checklist on a chosen template")
    command(flags_sub, "upgrade", flags_upgrade, CASE_REF, help="move the checklist to the "
            "newest version of its template, carrying answers over")

    templates_sub = actions(sub, "templates", "red-flag templates (list, import)")
    command(templates_sub, "list", templates_list,
            help="list available templates and versions")
    command(templates_sub, "import", templates_import, arg("file", metavar="FILE.toml"),
            help="validate and import a template file")


def _with_ws(args: argparse.Namespace, call: Any) -> Any:
    with open_ws(args) as ws:
        return call(ws)


def print_view(view: Any, only: str | None = None) -> None:
    """Text form of a checklist: header, then items grouped by category."""
    t, score = view.template, view.score
    print(f"{view.case_ref}  {t.title}  [{t.id} v{t.version}]")
    print(f"Risk {score.score}/100 ({score.band})  coverage {score.assessed}/{score.total} "
          f"({score.coverage:.0%})  confirmed {score.confirmed}, suspected {score.suspected}")
    if view.newer_version:
        print(f"Version {view.newer_version} of the template is available: "
              f"caseapp flags upgrade {view.case_ref}")
    category = None
    for entry in view.items:
        state = entry.state.value
        if only == "flagged" and state not in ("suspected", "confirmed"):
            continue
        if only == "not-assessed" and state != "not-assessed":
            continue
        if only == "suggested" and entry.suggestion is None:
            continue
        if entry.item.category_id != category:
            category = entry.item.category_id
            print(f"\n{entry.category_title}")
        print(f"  [{_STATE_MARK[state]}] {state:<14} w{entry.item.weight}  {entry.item.id}  "
              f"{entry.item.label}")
        if entry.note:
            print(f"        note: {' / '.join(entry.note.splitlines())}")
        if entry.exhibits:
            print(f"        exhibits: {', '.join(entry.exhibits)}")
        if entry.suggestion:
            print(f"        suggestion: {entry.suggestion.reason}")


def flags_show(args: argparse.Namespace) -> int:
    from caseapp.services.redflags import checklists

    view = _with_ws(args, lambda ws: checklists.get_checklist(ws, args.case_ref))
    if args.json:
        data = view.to_json()
        if args.only:
            data["items"] = [i for i in data["items"] if _keep(i, args.only)]
        print_json(data)
    else:
        print_view(view, args.only)
    return 0


def _keep(item: dict[str, Any], only: str) -> bool:
    if only == "flagged":
        return item["state"] in ("suspected", "confirmed")
    if only == "suggested":
        return item["suggestion"] is not None
    return bool(item["state"] == "not-assessed")


def _summary(view: Any, item_id: str) -> None:
    entry = view.item(item_id)
    score = view.score
    print(f"{view.case_ref} {entry.item.id}: {entry.state.value}"
          f"{' (exhibits ' + ', '.join(entry.exhibits) + ')' if entry.exhibits else ''}")
    print(f"Risk {score.score}/100 ({score.band})  coverage {score.assessed}/{score.total}")


def _shown(args: argparse.Namespace, call: Any, text: Callable[[Any], None]) -> int:
    """Run ``call`` on the store; print its result as JSON with --json, else with ``text``."""
    result = _with_ws(args, call)
    if args.json:
        print_json(result.to_json())
    else:
        text(result)
    return 0


def flags_set(args: argparse.Namespace) -> int:
    from caseapp.services.redflags import checklists

    return _shown(args, lambda ws: checklists.set_item(
        ws, args.case_ref, args.item_id, args.state, note=args.note, exhibits=args.exhibit,
        expected_version=args.expected_version),
        lambda view: _summary(view, args.item_id.strip()))


def flags_link(args: argparse.Namespace) -> int:
    from caseapp.services.redflags import checklists

    return _shown(args, lambda ws: checklists.link_exhibit(
        ws, args.case_ref, args.item_id, args.exhibit, remove=args.remove),
        lambda view: _summary(view, args.item_id.strip()))


def flags_dismiss(args: argparse.Namespace) -> int:
    from caseapp.services.redflags import checklists

    return _shown(args, lambda ws: checklists.dismiss_suggestion(ws, args.case_ref,
                                                                 args.item_id),
                  lambda view: print(f"{view.case_ref} {args.item_id.strip()}: "
                                     "suggestion dismissed"))


def flags_start(args: argparse.Namespace) -> int:
    from caseapp.services.redflags import checklists

    return _shown(args, lambda ws: checklists.start_checklist(ws, args.case_ref,
                                                              args.template),
                  lambda view: print(f"{view.case_ref}: checklist on {view.template.id} "
                                     f"v{view.template.version} ({len(view.items)} items)"))


def flags_upgrade(args: argparse.Namespace) -> int:
    from caseapp.services.redflags import checklists

    result = _with_ws(args, lambda ws: checklists.upgrade_checklist(ws, args.case_ref))
    if args.json:
        print_json(result.to_json())
        return 0
    if not result.changed:
        print(f"{result.case_ref}: already on the newest version ({result.template_id} "
              f"v{result.to_version}).")
        return 0
    print(f"{result.case_ref}: {result.template_id} v{result.from_version} -> "
          f"v{result.to_version}; {len(result.kept)} answers carried over, "
          f"{len(result.added)} new items")
    for dropped in result.dropped:
        print(f"  dropped {dropped['id']} (was {dropped['state']}"
              f"{', note kept in the audit log' if dropped['note'] else ''})")
    return 0


def templates_list(args: argparse.Namespace) -> int:
    from caseapp.services.redflags import templates

    listing = _with_ws(args, templates.list_templates)
    for problem in listing.problems:
        print(f"caseapp: unusable template: {problem}", file=sys.stderr)
    if args.json:
        print_json([t.to_json() for t in listing.templates])
    else:
        for t in listing.templates:
            print(f"{t.id}\tv{t.version}{' (newest)' if t.newest else ''}\t{t.origin}\t"
                  f"{t.items} items\t{t.cases} cases\t{t.title}")
    return 0


def templates_import(args: argparse.Namespace) -> int:
    from caseapp.services.redflags import templates

    return _shown(args, lambda ws: templates.import_template(ws, args.file),
                  lambda info: print(f"Imported {info.id} v{info.version}: {info.title} "
                                     f"({info.items} items in {info.categories} categories)"))

"""CLI: ``caseapp profile show|set`` — the investigator profile (JSON shape: docs/cli.md)."""

from __future__ import annotations

import argparse

from caseapp.cli.common import open_ws, print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    profile = sub.add_parser("profile", help="who investigates in this store (name used in "
                             "the audit log, custody and exports)")
    profile_sub = profile.add_subparsers(dest="profile_command", metavar="ACTION",
                                         required=True)
    show = profile_sub.add_parser("show", help="the investigator profile")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=profile_show)
    set_ = profile_sub.add_parser("set", help="set or change the investigator profile")
    set_.add_argument("--name", required=True)
    set_.add_argument("--organisation", "--organization", dest="organisation", default="")
    set_.add_argument("--role", default="")
    set_.add_argument("--badge", default="", help="badge or employee id (optional)")
    set_.add_argument("--json", action="store_true")
    set_.set_defaults(handler=profile_set)


def profile_show(args: argparse.Namespace) -> int:
    from caseapp.services import investigator

    with open_ws(args) as ws:
        profile = investigator.get_profile(ws)
    if args.json:
        print_json(profile.to_json() if profile else None)
    elif profile is None:
        print("No investigator profile yet: caseapp profile set --name NAME [--organisation ORG]")
    else:
        print(f"{profile.actor}" + (f" · {profile.role}" if profile.role else "")
              + (f" · #{profile.badge}" if profile.badge else ""))
    return 0


def profile_set(args: argparse.Namespace) -> int:
    from caseapp.services import investigator

    with open_ws(args) as ws:
        profile = investigator.set_profile(ws, args.name, organisation=args.organisation,
                                           role=args.role, badge=args.badge)
    if args.json:
        print_json(profile.to_json())
    else:
        print(f"Investigator profile set: {profile.actor}")
    return 0

"""CLI: ``caseapp profile show|set`` — the investigator profile (JSON shape: docs/cli.md)."""

from __future__ import annotations

import argparse

from caseapp.cli.common import open_ws, print_json
from caseapp.cli.options import Sub, actions, arg, command


def register(sub: Sub) -> None:
    profile_sub = actions(sub, "profile", "who investigates in this store (name used in the "
                          "audit log, custody and exports)")
    command(profile_sub, "show", profile_show, help="the investigator profile")
    command(profile_sub, "set", profile_set, arg("--name", required=True),
            arg("--organisation", "--organization", dest="organisation", default=""),
            arg("--role", default=""),
            arg("--badge", default="", help="badge or employee id (optional)"),
            help="set or change the investigator profile")


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

"""CLI: team — set up a team store (init), join it (join), manage case members (member)."""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
from typing import Any

from caseapp.cli.common import (
    home_of,
    open_ws,
    passphrase_from_env_or_tty,
    print_json,
    shown,
)
from caseapp.cli.options import CASE_REF, Sub, actions, arg, command

ACCESS = ("lead", "investigator", "viewer")


def register(sub: Sub) -> None:
    tsub = actions(sub, "team", "team mode: a shared PostgreSQL store and evidence store, "
                                "access enforced by the database")
    command(tsub, "init", team_init,
            arg("--dsn", required=True, metavar="DSN",
                help="postgresql://USER@HOST/DBNAME (password in the OS keyring)"),
            arg("--blobs", required=True, metavar="s3://BUCKET/PREFIX|FOLDER",
                help="where members keep evidence (ciphertext only): an S3-compatible "
                     "bucket (standard AWS variables, AWS_ENDPOINT_URL) or a shared folder"),
            help="make a PostgreSQL database a team store (once, by its owner or a "
                 "superuser; again after an upgrade)")
    command(tsub, "join", team_join,
            arg("--dsn", required=True, metavar="DSN", help="postgresql://YOUR_ROLE@HOST/DBNAME"),
            help="join a team store as your own login role: creates your member key in "
                 "--home and registers it")

    msub = actions(tsub, "member", "who is on a case (run by a lead of the case; the store "
                                   "is --store or CASEAPP_STORE)")
    role = arg("role_name", metavar="ROLE_NAME")
    command(msub, "add", member_add, CASE_REF, role,
            arg("--as", dest="access", required=True, choices=ACCESS),
            help="put a login role on a case (its case key is wrapped for them)")
    command(msub, "remove", member_remove, CASE_REF, role,
            help="take a login role off a case (the case key rotates for new evidence)")
    command(msub, "list", member_list, CASE_REF, help="the members of a case")

    command(tsub, "publish", team_publish,
            arg("case_ref", metavar="CASE_REF", help="the case's reference in the local home"),
            arg("--from-home", required=True, metavar="DIR",
                help="the local data home that holds the case"),
            help="copy a case of a local home (--from-home) into the team store (--store); "
                 "the team gives it its own reference and you become its lead")
    command(tsub, "checkout", team_checkout,
            arg("case_ref", metavar="CASE_REF", help="the case's team reference"),
            arg("--to-home", required=True, metavar="DIR",
                help="the local data home that receives the copy"),
            help="copy a team case into a local home (--to-home, created if missing) for "
                 "offline work")


def team_init(args: argparse.Namespace) -> int:
    from caseapp.services.team.admin import init_team

    done = init_team(args.dsn, args.blobs)
    if args.json:
        print_json({"store_id": done.store_id, "blobs": done.blobs, "schema": done.schema,
                    "roles": list(done.roles), "protected_tables": list(done.protected_tables),
                    "created": done.created})
    else:
        what = "set up" if done.created else "refreshed"
        print(f"Team store {what}: schema {done.schema}, {len(done.protected_tables)} "
              f"case-scoped tables under row-level security, evidence at {done.blobs}.\n"
              "Next: for each investigator, CREATE ROLE name LOGIN; GRANT caseapp_member TO "
              "name; (and caseapp_tip_custodian to whoever may read tipster identities).")
    return 0


def team_join(args: argparse.Namespace) -> int:
    from caseapp.services.team.members import join_team

    done = join_team(home_of(args), args.dsn, passphrase_from_env_or_tty)
    if done.recovery_code:
        print(f"caseapp: RECOVERY CODE of your team key (shown once; write it down and keep "
              f"it apart from this computer): {done.recovery_code}", file=sys.stderr)
    if args.json:
        print_json({"member": done.member, "fingerprint": done.fingerprint,
                    "key_mode": done.key_mode, "new_key": done.recovery_code is not None,
                    "blobs": done.blobs, "home": done.home})
    else:
        print(f"Joined as {done.member} (key {done.fingerprint}, {done.key_mode}); evidence "
              f"at {done.blobs}. Use --store {args.dsn} (or CASEAPP_STORE) with this home.")
    return 0


def _view(member: Any) -> dict[str, Any]:
    return {"role_name": member.role_name, "access": member.access,
            "fingerprint": member.fingerprint, "added_at": member.added_at,
            "added_by": member.added_by}


def member_add(args: argparse.Namespace) -> int:
    from caseapp.services.team.members import add_member

    ref = args.case_ref.strip().upper()
    return shown(args, lambda ws: add_member(ws, args.case_ref, args.role_name, args.access),
                 lambda added: print(f"{added.role_name} is on {ref} as {added.access}."),
                 lambda added: {"case": ref, **_view(added)})


def member_remove(args: argparse.Namespace) -> int:
    from caseapp.services.team.members import remove_member

    ref = args.case_ref.strip().upper()
    return shown(args, lambda ws: remove_member(ws, args.case_ref, args.role_name),
                 lambda version: print(f"{args.role_name} is off {ref}; new evidence uses "
                                       f"case key version {version}."),
                 lambda version: {"case": ref, "role_name": args.role_name, "removed": True,
                                  "key_version": version})


def _print_members(members: list[Any]) -> None:
    for m in members:
        joined = m.fingerprint or "not joined"
        print(f"{m.role_name}\t{m.access}\t{joined}")


def member_list(args: argparse.Namespace) -> int:
    from caseapp.services.team.members import list_members

    return shown(args, lambda ws: list_members(ws, args.case_ref), _print_members,
                 lambda members: [_view(m) for m in members])


def _moved(args: argparse.Namespace, moved: Any, verb: str) -> None:
    if args.json:
        print_json({"source_ref": moved.source_ref, "ref": moved.ref,
                    "exhibits": moved.exhibits, "history_entries": moved.history_entries,
                    "not_carried": moved.not_carried.as_json(),
                    "source_store": moved.source_store, "store": moved.store})
        return
    print(f"{moved.source_ref} {verb} as {moved.ref}: {moved.exhibits} exhibit(s), "
          f"{moved.history_entries} history entries.")
    left = moved.not_carried
    for what, names in (("links to tips (the tips stay in the other store)", left.tips),
                        ("productions (Bates numbers are each store's own)", left.productions),
                        ("the tip these exhibits came from", left.tip_exhibits)):
        if names:
            print(f"Not carried over: {what}: {', '.join(names)}.")
    if left.tips or left.productions or left.tip_exhibits:
        print("They remain in the source store and in the copied history.")


def _open_local(path: str, *, create: bool) -> Any:
    from pathlib import Path

    from caseapp.services.workspace import open_workspace

    ws = open_workspace(Path(path).expanduser(), passphrase_from_env_or_tty, create=create,
                        store_url="")
    if ws.recovery_code:
        print(f"caseapp: created a new encrypted case store in {ws.home}\n"
              f"caseapp: RECOVERY CODE (shown once; write it down and keep it apart from "
              f"this computer): {ws.recovery_code}", file=sys.stderr)
    return ws


def team_publish(args: argparse.Namespace) -> int:
    from caseapp.services.team.publish import publish_case

    with closing(_open_local(args.from_home, create=False)) as local, \
            closing(open_ws(args, create=False)) as team:
        moved = publish_case(local, team, args.case_ref)
    _moved(args, moved, "published to the team store")
    return 0


def team_checkout(args: argparse.Namespace) -> int:
    from caseapp.services.team.publish import checkout_case

    with closing(open_ws(args, create=False)) as team, \
            closing(_open_local(args.to_home, create=True)) as local:
        moved = checkout_case(team, local, args.case_ref)
    _moved(args, moved, "checked out")
    return 0

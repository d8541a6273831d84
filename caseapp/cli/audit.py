"""CLI: ``caseapp audit list`` — the audit log in words, filtered (JSON shape: docs/cli.md)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from caseapp.cli.common import open_ws, print_json
from caseapp.cli.options import Sub, actions, arg, command


def register(sub: Sub) -> None:
    audit_sub = actions(sub, "audit", "read the audit log")
    command(audit_sub, "list", audit_list,
            arg("--case", metavar="CASE_REF", help="only entries about this case"),
            arg("--action", action="append", default=[], metavar="A",
                help="only this action id (e.g. checklist.item-set; repeatable)"),
            arg("--actor", help="only entries by this person"),
            arg("--since", metavar="WHEN", help="from this time: ISO 8601 (a date alone is "
                "midnight UTC) or 7d/24h"),
            arg("--limit", type=int, default=0, help="at most N entries (0: all)"),
            help="audit entries, newest first")


def parse_since(text: str | None) -> datetime | None:
    """``2026-03-02``, ``2026-03-02T10:00+01:00``, ``7d`` or ``24h`` (before now)."""
    from caseapp.services.errors import InvalidInput

    if not text:
        return None
    value = text.strip()
    if value[:-1].isdigit() and value[-1:] in ("d", "h"):
        amount = int(value[:-1])
        return datetime.now(UTC) - (timedelta(days=amount) if value[-1] == "d"
                                    else timedelta(hours=amount))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{text!r} is not a time: use 2026-03-02, an ISO 8601 time or "
                           "7d / 24h.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def audit_list(args: argparse.Namespace) -> int:
    from caseapp.services.maintenance import audit_events
    from caseapp.services.maintenance.audit_events import AuditFilter

    flt = AuditFilter(case=args.case, actions=tuple(args.action), actor=args.actor,
                      since=parse_since(args.since))
    with open_ws(args, create=False) as ws:
        events = []
        for event in audit_events.iter_events(ws, flt):
            events.append(event)
            if args.limit and len(events) >= args.limit:
                break
    if args.json:
        print_json([{"id": e.id, "at": e.at, "actor": e.actor, "action": e.action,
                     "event": e.event, "case": e.case or None, "record": e.record,
                     "summary": e.summary, "detail": e.detail, "hash": e.hash}
                    for e in events])
    else:
        for e in events:
            print(f"#{e.id}\t{e.at:%Y-%m-%d %H:%M:%S} UTC\t{e.actor}\t{e.event}\t"
                  f"{e.case or '-'}\t{e.record}\t{e.summary}")
    return 0

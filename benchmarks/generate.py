"""Fill a case store with synthetic, clearly fictional cases for benchmarks.

    python benchmarks/generate.py --home DIR --cases 10000 [--subjects 2] [--identifiers 3]
                                  [--notes 2] [--key-mode keyring|passphrase] [--seed 1]

Rows go in through SQLAlchemy Core in one transaction per batch (thousands of rows per
``executemany``); identifiers are normalised with the services' own rules
(:func:`caseapp.services.cases.subjects.make_identifier`). Each batch appends one ``bench.generated``
audit entry, so the audit chain stays valid. A small share of identifiers is reused across
cases so that correlation features have something to find.

Passphrase mode reads ``CASEAPP_PASSPHRASE``. Keyring mode needs a usable keyring backend
(benchmarks use :mod:`bench_keyring`). Import and call :func:`generate` to extend the data set
(later benchmarks add tips and exhibits on top).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import func, select

from caseapp.domain.models import Case, Identifier, Note, Subject
from caseapp.domain.text import case_ref, dump_list
from caseapp.security import audit
from caseapp.services.cases.subjects import make_identifier
from caseapp.services.workspace import Workspace, open_workspace

_GIVEN = ["Daniel", "Minjun", "Ivan", "Alex", "Sofia", "Chen", "Maria", "Jae-won", "Olga", "Sam",
          "민준", "서연", "Алексей", "Наталья", "Wei", "Priya", "Tomás", "Léa"]
_FAMILY = ["Park", "Kim", "Lee", "Petrov", "Smith", "Wang", "Garcia", "Novak", "Choi", "Ivanova",
           "박", "김", "Соколов", "Nguyen", "Müller", "O'Brien"]
_ROLES = ["Senior backend engineer", "Mobile developer", "DevOps contractor", "Data engineer",
          "Blockchain developer", "QA automation", "Full-stack developer", "ML engineer"]
_PLATFORMS = ["FreelanceHub", "CodeGigs", "RemoteWorks", "TalentBridge", "direct hire"]
_TITLE_A = ["Contract developer", "Remote hire", "Applicant", "Vendor staff", "Contractor"]
_TITLE_B = ["laptop forwarded abroad", "payroll to shared account", "interview proxy suspected",
            "VPN logins at UTC+9 hours", "identity documents reused", "camera always off",
            "references unreachable", "GitHub profile borrowed", "crypto payout request",
            "duplicate résumé across applicants"]
_STATUSES = ["open"] * 6 + ["in-review"] * 2 + ["escalated", "closed"]
_PRIORITIES = ["low", "medium", "medium", "high", "critical"]
_NOTES = ["HR flagged a change of shipping address after the offer.",
          "Interview replayed: answers read from a second screen.",
          "Payroll asked to split salary over two accounts.",
          "Login sources rotate between consumer VPN exits.",
          "Reference phone number went to voicemail three times."]


@dataclass
class Counts:
    cases: int = 0
    subjects: int = 0
    identifiers: int = 0
    notes: int = 0


def _identifier(rng: random.Random, n: int, shared: list[tuple[str, str]]) -> tuple[str, str]:
    if shared and rng.random() < 0.05:
        return rng.choice(shared)
    kind = rng.choice(["email", "phone", "url", "ip", "wallet", "handle", "email", "phone"])
    if kind == "email":
        value = f"user{n}.{rng.randrange(10**6)}@mailbox.example"
    elif kind == "phone":
        value = f"+1 (555) 01{rng.randrange(100):02d}-{rng.randrange(10**4):04d}"
    elif kind == "url":
        value = f"https://profiles.example/in/dev-{n}-{rng.randrange(10**5)}"
    elif kind == "ip":
        value = f"198.51.100.{rng.randrange(1, 255)}"
    elif kind == "wallet":
        value = "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(40))
    else:
        value = f"@dev_{n}_{rng.randrange(10**4)}"
    pair = (kind, value)
    if len(shared) < 500 and rng.random() < 0.02:
        shared.append(pair)
    return pair


def generate(ws: Workspace, cases: int, *, subjects_per_case: int = 2,
             identifiers_per_subject: int = 3, notes_per_case: int = 2, seed: int = 1,
             batch: int = 1000, progress: bool = False) -> Counts:
    """Append ``cases`` synthetic cases (with subjects, identifiers and notes) to ``ws``."""
    rng = random.Random(seed)
    counts = Counts()
    shared: list[tuple[str, str]] = []
    with ws.session() as session:
        next_case = (session.exec(select(func.max(Case.id))).one() or 0) + 1
        next_subject = (session.exec(select(func.max(Subject.id))).one() or 0) + 1
        seqs: dict[int, int] = {year: session.exec(select(func.max(Case.seq))
                                                   .where(Case.year == year)).one() or 0
                                for year in range(2022, 2027)}
    now = datetime.now(UTC)
    done = 0
    while done < cases:
        size = min(batch, cases - done)
        case_rows: list[dict[str, Any]] = []
        subject_rows: list[dict[str, Any]] = []
        ident_rows: list[dict[str, Any]] = []
        note_rows: list[dict[str, Any]] = []
        for _ in range(size):
            year = rng.choice(list(seqs))
            seqs[year] += 1
            opened = datetime(year, 1, 1, tzinfo=UTC) + timedelta(
                minutes=rng.randrange(365 * 24 * 60))
            opened = min(opened, now - timedelta(days=1))
            updated = opened + timedelta(minutes=rng.randrange(
                max(1, int((now - opened).total_seconds() // 60))))
            status = rng.choice(_STATUSES)
            case_id = next_case
            next_case += 1
            case_rows.append({
                "id": case_id, "ref": case_ref(year, seqs[year]), "year": year,
                "seq": seqs[year], "title": f"{rng.choice(_TITLE_A)} "
                f"'{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}' — {rng.choice(_TITLE_B)}",
                "summary": "Synthetic benchmark case; every detail is invented.",
                "key_facts": "", "status": status, "priority": rng.choice(_PRIORITIES),
                "tags": dump_list(rng.sample(["laptop", "vpn", "payroll", "crypto", "proxy"],
                                             2)),
                "opened_at": opened, "closed_at": updated if status == "closed" else None,
                "updated_at": updated})
            for _s in range(subjects_per_case):
                subject_id = next_subject
                next_subject += 1
                subject_rows.append({
                    "id": subject_id, "case_id": case_id,
                    "name": f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}",
                    "aliases": dump_list([f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"]),
                    "role_applied": rng.choice(_ROLES), "hiring_platform": rng.choice(_PLATFORMS),
                    "claimed_location": "Austin, TX (claimed)", "notes": "",
                    "created_at": opened})
                for _i in range(identifiers_per_subject):
                    kind, value = _identifier(rng, subject_id, shared)
                    ident = make_identifier(kind, value, subject_id=subject_id)
                    ident_rows.append({
                        "subject_id": subject_id, "tip_id": None, "kind": ident.kind,
                        "raw": ident.raw, "normalized": ident.normalized,
                        "normalized_ok": ident.normalized_ok,
                        "normalize_note": ident.normalize_note, "created_at": opened})
            for n in range(notes_per_case):
                at = opened + timedelta(hours=n + 1)
                note_rows.append({"case_id": case_id, "occurred_at": at, "occurred_tz": "UTC",
                                  "recorded_at": at, "updated_at": at, "author": "bench",
                                  "text": rng.choice(_NOTES), "version": 1})
        with ws.transaction() as session:
            conn = session.connection()
            conn.execute(Case.__table__.insert(), case_rows)  # type: ignore[attr-defined]
            if subject_rows:
                conn.execute(Subject.__table__.insert(), subject_rows)  # type: ignore[attr-defined]
            if ident_rows:
                conn.execute(Identifier.__table__.insert(), ident_rows)  # type: ignore[attr-defined]
            if note_rows:
                conn.execute(Note.__table__.insert(), note_rows)  # type: ignore[attr-defined]
            audit.append(session, "bench.generated", "store", ws.store_id,
                         {"cases": len(case_rows), "subjects": len(subject_rows),
                          "identifiers": len(ident_rows), "notes": len(note_rows)})
        counts.cases += len(case_rows)
        counts.subjects += len(subject_rows)
        counts.identifiers += len(ident_rows)
        counts.notes += len(note_rows)
        done += size
        if progress:
            print(f"  {done:,}/{cases:,} cases", file=sys.stderr, flush=True)
    return counts


def open_bench_store(home: Path, key_mode: str) -> Workspace:
    """Open or create the store at ``home`` in ``key_mode``."""
    passphrase = os.environ.get("CASEAPP_PASSPHRASE")
    if key_mode == "passphrase" and not passphrase:
        raise SystemExit("set CASEAPP_PASSPHRASE for a passphrase-mode store")
    return open_workspace(home, lambda _p: passphrase, key_mode=key_mode)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--subjects", type=int, default=2, help="subjects per case")
    parser.add_argument("--identifiers", type=int, default=3, help="identifiers per subject")
    parser.add_argument("--notes", type=int, default=2, help="notes per case")
    parser.add_argument("--key-mode", choices=("keyring", "passphrase"), default="keyring")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    ws = open_bench_store(args.home.resolve(), args.key_mode)
    try:
        counts = generate(ws, args.cases, subjects_per_case=args.subjects,
                          identifiers_per_subject=args.identifiers, notes_per_case=args.notes,
                          seed=args.seed, progress=True)
    finally:
        ws.close()
    print(f"generated {counts.cases:,} cases, {counts.subjects:,} subjects, "
          f"{counts.identifiers:,} identifiers, {counts.notes:,} notes in {ws.home} "
          f"({time.perf_counter() - started:.1f} s, {ws.key_mode} mode)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

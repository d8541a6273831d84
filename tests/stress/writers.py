"""Many ``caseapp`` processes writing to one data home at once, while a GUI holds it open.

Used by tests/stress/test_concurrent_writers.py (small N in CI) and
benchmarks/stress_writers.py (large N by hand, 200 MB ingests). Every command must either
succeed (exit 0) or say the store is busy (exit 75); afterwards the counts must match what
succeeded, refs and exhibit numbers must be gap-free, ``verify`` must pass, and the audit log
must hold exactly the entries of the operations that succeeded.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from harness import ENV, PASSPHRASE, Run, caseapp
from template_text import template_toml

BUSY_EXIT = 75
ITEM = "stress.item"
TEMPLATE = template_toml("stress", title="Stress", items=((ITEM, "Stress item", 2),),
                         category=("stress", "Stress"))

# kind -> (audit action every success must leave exactly once, command builder)
Command = Callable[["Context", int, int], list[str]]


@dataclass(frozen=True)
class Context:
    home: Path
    files: Path
    base_case: str
    big_file: Path


def _case_new(c: Context, w: int, i: int) -> list[str]:
    return ["case", "new", "--title", f"Stress case {w}-{i}", "--json"]


def _subject_add(c: Context, w: int, i: int) -> list[str]:
    return ["subject", "add", c.base_case, f"Subject {w}-{i}", "--alias", f"李 {w}-{i}"]


def _note_add(c: Context, w: int, i: int) -> list[str]:
    return ["note", "add", c.base_case, f"Note from writer {w}, op {i}"]


def _evidence_small(c: Context, w: int, i: int) -> list[str]:
    path = c.files / f"small-{w}-{i}.txt"
    path.write_text(f"exhibit of writer {w}, op {i}\n", encoding="utf-8")
    return ["evidence", "add", c.base_case, str(path), "--json"]


def _evidence_big(c: Context, w: int, i: int) -> list[str]:
    # A distinct copy per op (same content would be a duplicate, not a new exhibit).
    path = c.files / f"big-{w}-{i}.bin"
    _copy_with_tail(c.big_file, path, f"{w}-{i}")
    return ["evidence", "add", c.base_case, str(path), "--json"]


def _tip_new(c: Context, w: int, i: int) -> list[str]:
    return ["tips", "new", "--content", f"Tip {w}-{i} about a laptop farm", "--channel",
            "hotline", "--json"]


def _flags_set(c: Context, w: int, i: int) -> list[str]:
    state = ("suspected", "confirmed", "not-observed")[(w + i) % 3]
    return ["flags", "set", c.base_case, ITEM, state, "--note", f"writer {w} op {i}"]


def _export(c: Context, w: int, i: int) -> list[str]:
    return ["export", c.base_case, "--out", str(c.files / f"case-{w}-{i}.pdf")]


def _backup(c: Context, w: int, i: int) -> list[str]:
    return ["backup", str(c.files / f"backup-{w}-{i}")]


OPERATIONS: dict[str, tuple[str, Command]] = {
    "case-new": ("case.created", _case_new),
    "subject-add": ("subject.added", _subject_add),
    "note-add": ("note.added", _note_add),
    "evidence-small": ("evidence.ingested", _evidence_small),
    "evidence-big": ("evidence.ingested", _evidence_big),
    "tip-new": ("tip.created", _tip_new),
    "flags-set": ("checklist.item-set", _flags_set),
    "export": ("case.exported", _export),
    "backup": ("store.backup", _backup),
}
KINDS = list(OPERATIONS)


def _copy_with_tail(src: Path, dest: Path, tail: str) -> None:
    with open(src, "rb") as inp, open(dest, "wb") as out:
        while chunk := inp.read(1 << 20):
            out.write(chunk)
        out.write(tail.encode())


@dataclass
class Outcome:
    kind: str
    code: int
    err: str


@dataclass
class Report:
    processes: int
    operations: int
    seconds: float
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def succeeded(self) -> Counter[str]:
        return Counter(o.kind for o in self.outcomes if o.code == 0)

    @property
    def busy(self) -> int:
        return sum(1 for o in self.outcomes if o.code == BUSY_EXIT)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.code not in (0, BUSY_EXIT)]


def prepare(root: Path, big_size: int) -> Context:
    """A home with one case, a started checklist and a big file to ingest."""
    home, files = root / "home", root / "files"
    files.mkdir(parents=True)
    made = caseapp(home, "case", "new", "--title", "Stress base case", "--json")
    assert made.code == 0, made.err
    base = made.json()["ref"]
    (files / "stress.toml").write_text(TEMPLATE, encoding="utf-8")
    for args in (["templates", "import", str(files / "stress.toml")],
                 ["flags", "start", base, "--template", "stress"]):
        run = caseapp(home, *args)
        assert run.code == 0, run.err
    big = files / "big.src"
    with open(big, "wb") as out:
        block = os.urandom(1 << 20)
        for _ in range(max(1, big_size >> 20)):
            out.write(block)
    return Context(home, files, base, big)


def start_gui(home: Path, timeout: float = 120) -> subprocess.Popen[str]:
    """The real desktop app on ``home`` (offscreen), returned once it is fully open."""
    env = {**ENV, "CASEAPP_BENCH_READY": "stay", "CASEAPP_PASSPHRASE": PASSPHRASE}
    gui = subprocess.Popen([sys.executable, "-m", "caseapp", "--home", str(home)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + timeout
    assert gui.stdout is not None
    while time.monotonic() < deadline:
        line = gui.stdout.readline()
        if not line:
            break
        if line.startswith("app-ready"):
            return gui
    gui.kill()
    raise AssertionError("the GUI did not open the store")


def run_writers(ctx: Context, processes: int, ops_each: int,
                kinds: list[str] | None = None) -> Report:
    """``processes`` workers, each running ``ops_each`` commands one after another."""
    kinds = kinds or KINDS

    def worker(w: int) -> list[Outcome]:
        done = []
        for i in range(ops_each):
            kind = kinds[(w + i * processes) % len(kinds)]
            run: Run = caseapp(ctx.home, *OPERATIONS[kind][1](ctx, w, i), timeout=900)
            done.append(Outcome(kind, run.code, run.err))
        return done

    started = time.monotonic()
    with ThreadPoolExecutor(processes) as pool:
        results = list(pool.map(worker, range(processes)))
    report = Report(processes, processes * ops_each, time.monotonic() - started)
    report.outcomes = [o for r in results for o in r]
    return report


def gap_free(refs: list[str], pattern: str) -> bool:
    """``refs`` are 1..n of ``pattern``'s numbered group, with no gap and no repeat."""
    numbers = sorted(int(m.group(1)) for r in refs if (m := re.fullmatch(pattern, r)))
    return len(numbers) == len(refs) and numbers == list(range(1, len(numbers) + 1))


@dataclass(frozen=True)
class StoreFacts:
    case_refs: list[str]
    exhibit_numbers: list[int]  # of the base case
    tip_refs: list[str]
    notes: int
    subjects: int
    actions: Counter[str]


def facts(home: Path, base_case: str) -> StoreFacts:
    """What the store holds, read through a normal open (which settles leftovers)."""
    from sqlmodel import col, func, select

    from caseapp.domain.models import AuditEntry, Case, Evidence, Note, Subject, Tip
    from caseapp.services.workspace import open_workspace

    ws = open_workspace(home, lambda _p: PASSPHRASE, create=False)
    try:
        with ws.session() as s:
            case = s.exec(select(Case).where(Case.ref == base_case)).one()
            return StoreFacts(
                case_refs=list(s.exec(select(Case.ref)).all()),
                exhibit_numbers=sorted(s.exec(select(Evidence.number)
                                              .where(Evidence.case_id == case.id)).all()),
                tip_refs=list(s.exec(select(Tip.ref)).all()),
                notes=s.exec(select(func.count(col(Note.id)))
                             .where(Note.case_id == case.id)).one(),
                subjects=s.exec(select(func.count(col(Subject.id)))
                                .where(Subject.case_id == case.id)).one(),
                actions=Counter(s.exec(select(AuditEntry.action)).all()))
    finally:
        ws.close()


def check(before: StoreFacts, after: StoreFacts, report: Report) -> list[str]:
    """Everything that does not add up, in words (empty when the run lost nothing)."""
    ok = report.succeeded
    problems = [f"{o.kind} exited {o.code}: {o.err.strip()[-300:]}" for o in report.failed]
    expect = {
        "cases": (len(after.case_refs) - len(before.case_refs), ok["case-new"]),
        "exhibits": (len(after.exhibit_numbers) - len(before.exhibit_numbers),
                     ok["evidence-small"] + ok["evidence-big"]),
        "tips": (len(after.tip_refs) - len(before.tip_refs), ok["tip-new"]),
        "notes": (after.notes - before.notes, ok["note-add"]),
        "subjects": (after.subjects - before.subjects, ok["subject-add"]),
    }
    problems += [f"{what}: {got} new, {want} commands succeeded"
                 for what, (got, want) in expect.items() if got != want]
    if not gap_free(after.case_refs, r"CASE-\d{4}-(\d+)"):
        problems.append(f"case refs are not gap-free: {sorted(after.case_refs)}")
    if after.exhibit_numbers != list(range(1, len(after.exhibit_numbers) + 1)):
        problems.append(f"exhibit numbers are not gap-free: {after.exhibit_numbers}")
    if not gap_free(after.tip_refs, r"TIP-\d{4}-(\d+)"):
        problems.append(f"tip refs are not gap-free: {sorted(after.tip_refs)}")
    wanted: Counter[str] = Counter()
    for kind, count in ok.items():
        wanted[OPERATIONS[kind][0]] += count
    for action in set(wanted) | {a for a, _c in OPERATIONS.values()}:
        got = after.actions[action] - before.actions[action]
        if got != wanted[action]:
            problems.append(f"audit {action}: {got} entries for {wanted[action]} successes")
    extra = {a: n for a, n in (after.actions - before.actions).items()
             if a not in wanted and not a.startswith(("store.verified", "vault."))}
    if extra:
        problems.append(f"audit entries no command accounts for: {extra}")
    return problems

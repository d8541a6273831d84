"""Concurrent writers on one data home beside the desktop app, by hand at full size.

    python benchmarks/stress_writers.py [--processes 8] [--ops 6] [--big-mb 200] [--dir DIR]

Starts the real GUI (offscreen) on a fresh passphrase-mode home, then ``--processes`` workers
each run ``--ops`` ``caseapp`` commands one after another, all at once: case new, subject add,
note add, evidence add of a small and of a ``--big-mb`` file, tip new, checklist answer,
export and backup (tests/stress/writers.py). Prints what ran, what said busy, and every
discrepancy: the counts of cases, exhibits, tips, notes and subjects against the commands that
succeeded, gap-free refs and exhibit numbers, one audit entry per success, ``verify``. The
floor is "nothing lost": 0 problems and 0 commands that failed other than with busy.
CI runs the same check at 6 x 3 with 8 MB files (tests/stress/test_concurrent_writers.py).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "stress"))

from harness import verify  # noqa: E402
from writers import check, facts, prepare, run_writers, start_gui  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--ops", type=int, default=6)
    parser.add_argument("--big-mb", type=int, default=200)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="caseapp-stress-", dir=args.dir))
    try:
        ctx = prepare(root, big_size=args.big_mb << 20)
        before = facts(ctx.home, ctx.base_case)
        gui = start_gui(ctx.home)
        try:
            report = run_writers(ctx, args.processes, args.ops)
            gui_alive = gui.poll() is None
        finally:
            gui.terminate()
            gui.wait(timeout=60)
        after = facts(ctx.home, ctx.base_case)
        problems = check(before, after, report)
        if not gui_alive:
            problems.append("the GUI died while the CLI wrote")
        verified = verify(ctx.home)
        if not verified["ok"]:
            problems.append(f"verify: {verified['problems']}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"writers {args.processes} x {args.ops} ops = {report.operations} commands "
          f"({args.big_mb} MB ingests) beside the GUI, {report.seconds:.1f} s")
    print("succeeded " + ", ".join(f"{k} {n}" for k, n in sorted(report.succeeded.items())))
    print(f"busy {report.busy}   failed {len(report.failed)}   floor: failed 0")
    print(f"problems {len(problems)}   floor: 0")
    for problem in problems:
        print(f"  - {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: import an N-row sign-in log with every rule vs a plain csv parse of the file.

    python benchmarks/signals_import.py [N]        # default 1,000,000 rows

Writes a generic sign-in CSV (200 accounts of 50 subjects plus 150 unattributed accounts,
~2,000 IPs over the seed ranges and elsewhere), then in ONE process: (1) a plain
``csv.reader`` pass over the file (rows/s), (2) ``import_signals`` into a fresh encrypted
store (vault ingest, streamed parse, attribution, all sign-in rules, one transaction).
Reports rows/s for both, the ratio, and peak RSS (ru_maxrss) after each phase. Not a test.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("CASEAPP_SCRYPT_LOG2N", "10")  # unlocking is not what we measure


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_log(path: Path, rows: int) -> None:
    rng = random.Random(12)
    ips = ([f"192.0.2.{i}" for i in range(256)] + [f"198.51.100.{i}" for i in range(256)]
           + [f"203.0.113.{i}" for i in range(256)]
           + [f"100.{a}.{b}.1" for a in range(64, 70) for b in range(200)])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    accounts = [f"user{n:03d}@bench.example" for n in range(350)]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["user", "time", "ip", "user_agent", "device_id", "result"])
        for n in range(rows):
            acct = rng.randrange(350)
            at = start + timedelta(seconds=n * 7)
            writer.writerow([accounts[acct], at.isoformat(), ips[(acct * 7 + n % 5) % len(ips)],
                             "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0",
                             f"DEV-{acct:03d}", "success" if n % 23 else "failure"])


def plain_parse(path: Path) -> tuple[int, float, float]:
    """Rows, wall seconds and CPU seconds of a plain csv.reader pass."""
    began, cpu = time.perf_counter(), time.process_time()
    count = 0
    with path.open(encoding="utf-8", newline="") as f:
        for _row in csv.reader(f):
            count += 1
    return count - 1, time.perf_counter() - began, time.process_time() - cpu


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from caseapp.services.cases.cases import create_case
    from caseapp.services.cases.subjects import IdentifierInput, add_subject
    from caseapp.services.signals.importer import import_signals
    from caseapp.services.workspace import open_workspace

    with tempfile.TemporaryDirectory(prefix="caseapp-bench-signals-") as tmp:
        work = Path(tmp)
        log = work / "signins.csv"
        write_log(log, rows)
        size = log.stat().st_size
        parsed, plain_s, plain_cpu = plain_parse(log)
        rss_plain = _rss_mb()
        ws = open_workspace(work / "home", lambda _p: "benchmark", key_mode="passphrase")
        try:
            ref = create_case(ws, "Benchmark").ref
            for s in range(50):
                add_subject(ws, ref, f"Subject {s}", claimed_location="Austin, TX",
                            identifiers=[IdentifierInput("email", f"user{a:03d}@bench.example")
                                         for a in range(s * 4, s * 4 + 4)])
            began, cpu = time.perf_counter(), time.process_time()
            report = import_signals(ws, ref, log)
            import_s, import_cpu = time.perf_counter() - began, time.process_time() - cpu
        finally:
            ws.close()
        rss_import = _rss_mb()
    print(f"rows: {rows:,} ({size / 1e6:.0f} MB); parsed by csv: {parsed:,}")
    print(f"plain csv parse: {plain_s:.2f} s = {rows / plain_s:,.0f} rows/s; "
          f"peak RSS {rss_plain:.0f} MB")
    print(f"signals import (vault + parse + rules + store): {import_s:.2f} s = "
          f"{rows / import_s:,.0f} rows/s; peak RSS {rss_import:.0f} MB")
    print(f"ratio import/plain: {import_s / plain_s:.1f}x; attributed {report.attributed:,}, "
          f"findings {len(report.findings)}, identifiers added {report.identifiers_added}")
    print(f"{'measure':<34}{'figure':>10}{'floor':>10}{'ratio':>8}{'target':>8}")
    print(f"{'import vs csv.reader, wall (s)':<34}{import_s:>10.2f}{plain_s:>10.2f}"
          f"{import_s / plain_s:>7.1f}x{'<= 3x':>8}")
    # CPU time: on a shared machine the wall ratio moves with the load, this much less
    print(f"{'import vs csv.reader, CPU (s)':<34}{import_cpu:>10.2f}{plain_cpu:>10.2f}"
          f"{import_cpu / plain_cpu:>7.1f}x{'<= 3x':>8}")
    print(f"{'peak RSS (MB)':<34}{rss_import:>10.0f}{rss_plain:>10.0f}{'':>8}{'< 500':>8}")
    one, five, fifteen = os.getloadavg()  # other work on the machine moves the wall ratio
    print(f"load average (1/5/15 min) at the end: {one:.2f} {five:.2f} {fifteen:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

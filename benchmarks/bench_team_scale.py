"""Team store at scale (issue 17): concurrent investigators doing list/filter/search/ingest.

    python benchmarks/bench_team_scale.py [--cases 100000] [--investigators 20] [--seconds 30]

Starts a throw-away PostgreSQL cluster on loopback, makes it a team store (``team init``),
creates ``--investigators`` login roles and loads ``--cases`` cases (one subject and one note
each; two members per case, so each of 20 investigators sees a tenth) plus the same cases into
a local SQLCipher store (``team_scale_data.py``; untimed). Then, for ``--seconds`` each:

1. local: one process on the local store (one user, as that store is used; it lists every
   case, not a tenth);
2. team, alone: one investigator process on the team store;
3. team, concurrent: every investigator at once, one process each.

Each process loops over four operations, timed one by one: ``list`` (ids in the newest-first
order from the server plus the first 100 rows: :class:`PostgresCaseListReader`), ``filter``
(the same with a status filter), ``search`` (the store's search statement over a fixed query
set, 50 rows) and ``ingest`` (a note added in a write transaction, indexed with it). Printed:
median and p95 per operation and phase next to the target (p95 <= 100 ms for list and search),
the load average, and the server's own time for each search statement (EXPLAIN ANALYZE as one
investigator, median of 5). Needs the PostgreSQL binaries (``initdb``).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from team_cluster import bench_cluster, p95

QUERIES = ("laptop", "kovalenko", "remote developer", "pay*", '"shipping label"',
           "status:open wallet", "priority:high visa", "type:note invoice", "müller courier")
OPS = ("list", "filter", "search", "ingest")
TARGET_P95_MS = 100.0
PASSWORD = "bench-investigator"  # a throw-away cluster's role, on loopback


def _open(kind: str, where: Any, role: str) -> Any:
    if kind == "local":
        from caseapp.store.sqlcipher.store import SqlcipherStore

        return SqlcipherStore(Path(where[0]), where[1])
    import keyring
    from memkeyring import MemoryKeyring  # pyright: ignore[reportMissingImports]

    from caseapp.store.postgresql.engine import KEYRING_SERVICE, keyring_user, parse_url
    from caseapp.store.postgresql.store import open_postgresql

    keyring.set_keyring(MemoryKeyring())
    keyring.set_password(KEYRING_SERVICE, keyring_user(parse_url(where)), PASSWORD)
    return open_postgresql(where)


def worker(kind: str, where: Any, role: str, seconds: float, seed: int, go: Any,
           out: Any) -> None:
    """One simulated investigator (a process); puts (cases seen, times) or the error."""
    try:
        out.put(_investigate(kind, where, role, seconds, seed, go))
    except Exception as exc:  # the parent reports it and stops instead of waiting
        out.put((-1, f"{type(exc).__name__}: {exc}"))
        raise


def _investigate(kind: str, where: Any, role: str, seconds: float, seed: int, go: Any
                 ) -> tuple[int, dict[str, list[float]]]:
    """The four operations in turn until ``seconds`` pass."""
    from caseapp.domain.models import Note
    from caseapp.domain.search_query import parse_query

    store = _open(kind, where, role)
    rng = random.Random(seed)
    reader = store.case_list_reader()
    visible = reader.order("updated", True)
    store.search.ensure_current()
    times: dict[str, list[float]] = {op: [] for op in OPS}
    go.wait()
    end = time.monotonic() + seconds
    turn = 0
    while time.monotonic() < end:
        op = OPS[turn % len(OPS)]
        start = time.perf_counter()
        if op == "list":
            reader.rows(reader.order("updated", True)[:100])
        elif op == "filter":
            reader.rows(reader.order("updated", True, status="open")[:100])
        elif op == "search":
            store.search.query(parse_query(QUERIES[(turn // 4) % len(QUERIES)]), 50)
        else:
            now = datetime.now(UTC)
            with store.write_session() as session:
                session.add(Note(case_id=rng.choice(visible), author=role, occurred_at=now,
                                 recorded_at=now, updated_at=now,
                                 text=f"bench note {turn} laptop courier"))
                session.commit()
        times[op].append((time.perf_counter() - start) * 1000)
        turn += 1
    reader.close()
    store.dispose()
    return len(visible), times


def run_phase(kind: str, targets: list[tuple[Any, str]], seconds: float
              ) -> tuple[dict[str, list[float]], int, tuple[float, float, float]]:
    """Run one process per (where, role) at once; every op's times, cases seen, load avg."""
    ctx = mp.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=worker, args=(kind, where, role, seconds, n, go, out))
             for n, (where, role) in enumerate(targets)]
    for proc in procs:
        proc.start()
    time.sleep(2.0 + 0.3 * len(procs))  # let every process connect and warm up first
    go.set()
    merged: dict[str, list[float]] = {op: [] for op in OPS}
    seen = 0
    for _ in procs:
        cases, times = out.get(timeout=seconds + 600)
        if cases < 0:
            raise SystemExit(f"an investigator process failed: {times}")
        seen = max(seen, cases)
        for op in OPS:
            merged[op].extend(times[op])
    for proc in procs:
        proc.join()
    return merged, seen, os.getloadavg()


def server_search_ms(url: str) -> dict[str, float]:
    """EXPLAIN ANALYZE's execution + planning time of each search statement, median of 5."""
    import sqlalchemy as sa

    from caseapp.domain.search_query import parse_query
    from caseapp.store.postgresql.search_sql import build_sql

    store = _open("team", url, "")
    found: dict[str, float] = {}
    try:
        with store.engine.connect() as conn:
            for query in QUERIES:
                sql, params = build_sql(parse_query(query), 50)
                runs = []
                for _ in range(6):
                    plan = conn.execute(sa.text("EXPLAIN (ANALYZE, FORMAT JSON) " + sql),
                                        params).scalar_one()[0]
                    runs.append(plan["Execution Time"] + plan["Planning Time"])
                found[query] = statistics.median(runs[1:])
    finally:
        store.dispose()
    return found


def _line(label: str, times: list[float]) -> str:
    if not times:
        return f"{label:>22} -"
    return (f"{label:>22} {statistics.median(times):7.1f} / {p95(times):7.1f} ms "
            f"(n={len(times)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--investigators", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    # a terminated run still stops its cluster (bench_cluster's finally)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    import team_scale_data as data

    from caseapp.services.team.admin import init_team
    from caseapp.store.postgresql.access import MEMBER

    people = data.investigators(args.investigators)
    with bench_cluster() as (cluster, url), tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "blobs").mkdir()
        init_team(url, str(Path(tmp) / "blobs"))
        for role in people:
            cluster.psql(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}' IN ROLE {MEMBER}")
        started = time.perf_counter()
        team_docs = data.load_team(url, args.cases, people)
        local = (str(Path(tmp) / "local.db"), os.urandom(32))
        data.load_local(local[0], local[1], args.cases)
        print(f"{args.cases} cases loaded into both stores in "
              f"{time.perf_counter() - started:.0f} s (untimed); team index {team_docs}")
        dsns = [cluster.dsn("bench", user=role) for role in people]
        phases = [("local, 1 process", run_phase("local", [(local, "local")], args.seconds)),
                  ("team, 1 investigator", run_phase("team", [(dsns[0], people[0])],
                                                     args.seconds)),
                  (f"team, {len(people)} at once", run_phase(
                      "team", list(zip(dsns, people, strict=True)), args.seconds))]
        server = server_search_ms(dsns[0])
    print(f"\n{args.cases} cases; median / p95 per operation; target p95 <= "
          f"{TARGET_P95_MS:.0f} ms for list and search")
    for label, (times, seen, load) in phases:
        print(f"{label}: sees {seen} cases, load average at the end "
              f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
        for op in OPS:
            verdict = ""
            if op in ("list", "search") and times[op]:
                verdict = "  met" if p95(times[op]) <= TARGET_P95_MS else "  MISSED"
            print(_line(op, times[op]) + verdict)
    print("server's own time of the search statement (EXPLAIN ANALYZE, planning + execution, "
          "as one investigator, median of 5):")
    for query, ms in server.items():
        print(f"{query:>22} {ms:7.2f} ms")


if __name__ == "__main__":
    main()

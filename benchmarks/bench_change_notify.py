"""What change notifications cost and how fast they arrive (loopback, throw-away cluster).

1. Delivery: a workspace writes (``cases.update_case``, one unit of work each) while another
   client's :class:`~caseapp.services.team.changes.ChangeFeed` waits; time from the writer's
   commit returning to the ref being handed back, 200 writes: median and p95 (ms), against a
   floor of 100 ms (the app then debounces 300 ms).
2. Trigger cost: the same writes with the notify triggers enabled and disabled (median ms per
   unit of work), and one UPDATE of 100,000 cases (one statement: one ``*``), enabled vs
   disabled.

Needs the PostgreSQL binaries (``initdb``); run ``.venv/bin/python
benchmarks/bench_change_notify.py``.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path

WRITES = 200
FLOOR_MS = 100.0
SEED = """
INSERT INTO case_file (ref, year, seq, title, summary, key_facts, status, priority, tags,
                       opened_at, updated_at, version)
SELECT 'CASE-2025-' || g, 2025, g, 'case ' || g, '', '', 'open', 'medium', '[]', now(), now(), 1
FROM generate_series(1, 100000) g;
ANALYZE;
"""


def main() -> None:
    from team_cluster import bench_cluster, p95

    from caseapp.services.cases import cases
    from caseapp.services.team.changes import open_change_feed
    from caseapp.services.workspace import open_workspace

    tmp = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    with bench_cluster() as (cluster, url):
        writer = open_workspace(tmp / "w", store_url=url)
        reader = open_workspace(tmp / "r", store_url=url)
        ref = cases.create_case(writer, "Benchmark case").ref
        feed = open_change_feed(reader)
        assert feed is not None
        feed.start()
        heard: dict[str, float] = {}
        stop = threading.Event()

        def listen() -> None:
            while not stop.is_set():
                for got in feed.wait(0.2):
                    heard[got] = time.perf_counter()

        thread = threading.Thread(target=listen)
        thread.start()
        latency, with_triggers = [], []
        for n in range(WRITES):
            heard.clear()
            started = time.perf_counter()
            cases.update_case(writer, ref, title=f"Benchmark case {n}")
            committed = time.perf_counter()
            with_triggers.append((committed - started) * 1000)
            deadline = committed + 5
            while ref not in heard and time.perf_counter() < deadline:
                time.sleep(0.0005)
            latency.append((heard.get(ref, deadline) - committed) * 1000)
        stop.set()
        thread.join()
        feed.stop()
        cluster.psql("ALTER TABLE case_file DISABLE TRIGGER USER", database="bench")
        without = []
        for n in range(WRITES):
            started = time.perf_counter()
            cases.update_case(writer, ref, title=f"Untriggered {n}")
            without.append((time.perf_counter() - started) * 1000)
        cluster.psql(SEED, database="bench")
        bulk = "UPDATE case_file SET summary = summary"
        t0 = time.perf_counter()
        cluster.psql(bulk, database="bench")
        bulk_off = (time.perf_counter() - t0) * 1000
        cluster.psql("ALTER TABLE case_file ENABLE TRIGGER USER", database="bench")
        t0 = time.perf_counter()
        cluster.psql(bulk, database="bench")
        bulk_on = (time.perf_counter() - t0) * 1000
        writer.close()
        reader.close()
    print(f"{'measure':44} {'median':>9} {'p95':>9} {'floor':>9}")
    print(f"{'commit -> ref heard by the other client, ms':44} "
          f"{statistics.median(latency):9.1f} {p95(latency):9.1f} {FLOOR_MS:9.1f}")
    print(f"{'update_case unit, triggers on, ms':44} {statistics.median(with_triggers):9.2f} "
          f"{p95(with_triggers):9.2f} {'-':>9}")
    print(f"{'update_case unit, triggers off, ms':44} {statistics.median(without):9.2f} "
          f"{p95(without):9.2f} {'-':>9}")
    print(f"{'UPDATE of 100,001 cases, triggers on / off, ms':44} {bulk_on:9.0f} "
          f"{bulk_off:9.0f} {'-':>9}")


if __name__ == "__main__":
    main()

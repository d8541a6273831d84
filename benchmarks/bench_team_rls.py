"""What row-level security costs a team-store member (loopback, throw-away cluster).

Creates 100,000 cases, puts one member on every second one, and times three reads as the
superuser (who bypasses RLS) and as the member: a count of every case, the newest-100 page of
the case list and a lookup by reference (median and p95 of 20 runs, ms). Needs the PostgreSQL
binaries (``initdb``); run ``.venv/bin/python benchmarks/bench_team_rls.py``.
"""

from __future__ import annotations

import statistics
import tempfile
import time

QUERIES = (("count", "SELECT count(*) FROM case_file"),
           ("page", "SELECT id, ref, title FROM case_file ORDER BY updated_at DESC LIMIT 100"),
           ("by ref", "SELECT id FROM case_file WHERE ref = 'CASE-2026-5000'"))
SEED = """
INSERT INTO case_file (ref, year, seq, title, summary, key_facts, status, priority, tags,
                       opened_at, updated_at)
SELECT 'CASE-2026-' || g, 2026, g, 'case ' || g, '', '', 'open', 'medium', '[]', now(),
       now() - (g || ' s')::interval FROM generate_series(1, 100000) g;
INSERT INTO case_member (case_id, role_name, access, added_at, added_by)
SELECT id, 'alice', 'investigator', now(), 'bench' FROM case_file WHERE id % 2 = 0;
ANALYZE;
"""


def main() -> None:
    import psycopg
    from team_cluster import bench_cluster

    from caseapp.services.team.admin import init_team

    with bench_cluster() as (cluster, url):
        from pg_cluster import ADMIN, ADMIN_PASSWORD  # tests/, on the path once bench_cluster runs

        init_team(url, tempfile.mkdtemp())
        cluster.psql("CREATE ROLE alice LOGIN PASSWORD 'bench' IN ROLE caseapp_member")
        cluster.psql(SEED, database="bench")

        def timed(user: str, password: str, sql: str, runs: int = 20) -> tuple[float, float]:
            with psycopg.connect(host="127.0.0.1", port=cluster.port, dbname="bench",
                                 user=user, password=password) as conn:
                conn.execute(sql).fetchall()
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    conn.execute(sql).fetchall()
                    times.append((time.perf_counter() - start) * 1000)
            times.sort()
            return statistics.median(times), times[int(0.95 * (runs - 1))]

        for label, sql in QUERIES:
            owner = timed(ADMIN, ADMIN_PASSWORD, sql)
            member = timed("alice", "bench", sql)
            print(f"{label:7} superuser {owner[0]:7.1f} / {owner[1]:7.1f} ms   "
                  f"member {member[0]:7.1f} / {member[1]:7.1f} ms (median / p95)")


if __name__ == "__main__":
    main()

"""Benchmark search and links at issue-7 scale, next to the targets.

    python benchmarks/bench_search.py [--home DIR] [--repeat 5] [--cases-sampled 100]

Without ``--home`` (or with an empty one) the store is generated first with
``generate_scale.py`` (1,000 cases, 5,000 subjects, 100,000 identifiers, 50,000 exhibit
records, 10,000 tips, 20,000 notes). In one run it measures:

- ``search()`` (parse, index checks, the FTS5 query, snippets, result objects) over a fixed
  query set, median and p95, against the very same SQL statements (from ``build_sql``) run
  through a raw ``sqlcipher3`` connection on the same file: target ≤ 1.2× raw, ≤ 20 ms median
  (issue 18, on the 10× store: ``generate_scale.py --scale 10`` into a folder outside the
  repository, then ``--home`` it);
- ``links_for_case`` over a fixed sample of cases: target ≤ 10 ms median.

Each query is run once to warm the page cache, then ``--repeat`` times for each side,
interleaved. Uses ``CASEAPP_PASSPHRASE`` (default "benchmark").
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

QUERIES = [
    "laptop", "kovalenko", "remote developer", '"shipping label"', "pay*", "anydesk kvm",
    "김철수", "철수", "北京", "王伟", "müller", "muller", "chloé", "chloe", "tucson",
    "status:open wallet", "type:tip telegram", "type:exhibit invoice", "priority:high visa",
    "github.com", "passport mismatch", "faci*", "reshipper courier customs",
]
TARGET_RATIO, TARGET_SEARCH_MS, TARGET_LINKS_MS = 1.2, 20.0, 10.0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cases-sampled", type=int, default=100)
    args = parser.parse_args()
    os.environ.setdefault("CASEAPP_PASSPHRASE", "benchmark")
    sys.path.insert(0, str(Path(__file__).parent))
    home = args.home or Path(tempfile.mkdtemp(prefix="caseapp-bench-")) / "home"
    if not (home / "caseapp.db").exists():
        from generate_scale import generate

        print(f"generating the scale store in {home} ...", flush=True)
        print(generate(home), flush=True)

    import sqlcipher3

    from caseapp.domain.search_query import parse_query
    from caseapp.security.keys import derive_keys
    from caseapp.services.discovery import links, search
    from caseapp.services.workspace import open_workspace
    from caseapp.store.sqlcipher.engine import PAGE_CACHE_KIB
    from caseapp.store.sqlcipher.search_sql import build_sql

    ws = open_workspace(home, lambda _p: os.environ["CASEAPP_PASSPHRASE"], create=False)
    raw = sqlcipher3.dbapi2.connect(str(home / "caseapp.db"))
    raw.execute(f"PRAGMA key = \"x'{derive_keys(ws.master_key).database.hex()}'\"")
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")  # the same page cache as the store
    try:
        ours_ms: list[float] = []
        raw_ms: list[float] = []
        per_query: list[tuple[str, int, float, float]] = []
        for query in QUERIES:
            sql, params = build_sql(parse_query(query), 50)
            hits = search.search(ws, query)  # warm-up
            raw.execute(sql, params).fetchall()
            q_ours, q_raw = [], []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                raw.execute(sql, params).fetchall()
                q_raw.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                search.search(ws, query)
                q_ours.append((time.perf_counter() - t0) * 1000)
            ours_ms += q_ours
            raw_ms += q_raw
            per_query.append((query, len(hits), statistics.median(q_ours),
                              statistics.median(q_raw)))

        with ws.store.engine.connect() as conn:
            refs = [r[0] for r in conn.exec_driver_sql("SELECT ref FROM case_file ORDER BY id")]
        sample = random.Random(11).sample(refs, min(args.cases_sampled, len(refs)))
        link_ms: list[float] = []
        groups = 0
        for ref in sample:
            groups += len(links.links_for_case(ws, ref))  # warm-up
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                links.links_for_case(ws, ref)
                link_ms.append((time.perf_counter() - t0) * 1000)
    finally:
        raw.close()
        ws.close()

    print(f"\n{'query':<28}{'hits':>5}{'search ms':>11}{'raw ms':>9}{'ratio':>7}")
    for query, count, ours, base in per_query:
        print(f"{query:<28}{count:>5}{ours:>11.2f}{base:>9.2f}{ours / base:>7.2f}")
    s_med, r_med = statistics.median(ours_ms), statistics.median(raw_ms)
    ratio = s_med / r_med
    l_med = statistics.median(link_ms)
    print(f"\nsearch  median {s_med:6.2f} ms  p95 {_p95(ours_ms):6.2f} ms   "
          f"(target median <= {TARGET_SEARCH_MS:.0f} ms: {'OK' if s_med <= TARGET_SEARCH_MS else 'MISSED'})")
    print(f"raw     median {r_med:6.2f} ms  p95 {_p95(raw_ms):6.2f} ms   same SQL via sqlcipher3")
    print(f"ratio   median search / median raw = {ratio:.2f}  "
          f"(target <= {TARGET_RATIO}: {'OK' if ratio <= TARGET_RATIO else 'MISSED'})")
    print(f"links   median {l_med:6.2f} ms  p95 {_p95(link_ms):6.2f} ms   over {len(sample)} cases, "
          f"{groups / len(sample):.1f} groups per case "
          f"(target median <= {TARGET_LINKS_MS:.0f} ms: {'OK' if l_med <= TARGET_LINKS_MS else 'MISSED'})")


if __name__ == "__main__":
    main()

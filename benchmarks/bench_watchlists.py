"""Benchmark watchlist import and hits against plain parses of the same files.

    python benchmarks/bench_watchlists.py [--dir DIR] [--cases 1000] [--sdn 18000]
                                         [--indicators 100000] [--keep]

Generates (untimed) a synthetic store (``generate_scale``: 1,000 cases, 5,000 subjects,
75,000 subject identifiers), an OFAC-shaped ``sdn.csv``/``alt.csv``/``add.csv`` set with
``--sdn`` entries (names, programmes, wallets, e-mails and websites in the remarks, one
alias and one address each) and a STIX 2.1 bundle with ``--indicators`` equality
indicators. Then measures in the same run:

* ``sdn_import`` vs ``sdn_plain``: ``import_watchlist`` (parse, normalise, store in one
  transaction) against ``csv.reader`` over the three files;
* ``stix_import`` vs ``stix_plain``: ``import_watchlist`` against ``json.loads``;
* ``sdn_parse`` / ``stix_parse``: the domain parser alone (normalising every identifier,
  no store), cyclic GC paused as the import pauses it: what bounds the import's ratio;
* ``hits``: ``hits_for_open_cases`` over every open case (identifiers and fuzzy names),
  with a SHA-256 of the hits' JSON so runs before and after a change can be compared;
* peak RSS of the process (``ru_maxrss``; the store is generated in a child process).

Target: each import <= 3 x its plain parse, and under 400 MB RSS. Everything is fictional.
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import io
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("CASEAPP_SCRYPT_LOG2N", "10")
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _sdn_files(folder: Path, n: int, rng: random.Random) -> None:
    sdn, alt, add = io.StringIO(), io.StringIO(), io.StringIO()
    w_sdn, w_alt, w_add = csv.writer(sdn), csv.writer(alt), csv.writer(add)
    programmes = ["DPRK3", "DPRK4", "CYBER2", "SDGT", "RUSSIA-EO14024", "IRAN"]
    for i in range(1, n + 1):
        name = f"ENTITY {rng.randrange(10**9):09d} TRADING CO." if i % 3 else \
            f"KIM, Person {i}"
        remarks = (f"Website www.front{i}.example; Email Address contact{i}@front{i}.example; "
                   f"Digital Currency Address - XBT bc1q{rng.randrange(16**38):038x}; "
                   "Secondary sanctions risk: see regulations.")
        w_sdn.writerow([i, name, "individual" if i % 3 == 0 else "-0- ",
                        "] [".join(rng.sample(programmes, 2)), *["-0- "] * 7, remarks])
        w_alt.writerow([i, i, "aka", f"ALIAS {i} GROUP", "-0- "])
        w_add.writerow([i, i, f"{i} Harbour Road", "Pyongyang", "Korea, North", "-0- "])
    (folder / "sdn.csv").write_text(sdn.getvalue(), encoding="utf-8")
    (folder / "alt.csv").write_text(alt.getvalue(), encoding="utf-8")
    (folder / "add.csv").write_text(add.getvalue(), encoding="utf-8")


def _stix_file(path: Path, n: int, rng: random.Random) -> None:
    objects = []
    for i in range(n):
        kind = i % 3
        pattern = ([f"[ipv4-addr:value = '10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}']",
                    f"[email-addr:value = 'user{i}@bad{i % 997}.example']",
                    f"[domain-name:value = 'infra{i}.example']"][kind])
        objects.append({"type": "indicator", "spec_version": "2.1",
                        "id": f"indicator--{rng.randrange(16**32):032x}"[:47],
                        "created": "2026-11-30T00:00:00Z", "modified": "2026-11-30T00:00:00Z",
                        "name": f"indicator {i}", "pattern": pattern, "pattern_type": "stix",
                        "valid_from": "2026-11-30T00:00:00Z"})
    path.write_text(json.dumps({"type": "bundle", "id": "bundle--0", "objects": objects}),
                    encoding="utf-8")


def _parse_only(path: Path) -> int:
    """Entries the domain parser gives for the SDN folder or the STIX bundle (no store)."""
    from caseapp.domain.exchange import advisory, sdn

    gc.disable()
    try:
        if path.is_dir():
            parsed = sdn.parse_csv_set({p.name: p.read_bytes() for p in path.iterdir()})
        else:
            parsed = advisory.parse_stix(path.read_bytes(), path.name)
        return parsed.entries
    finally:
        gc.enable()


CPU: dict[str, float] = {}  # label -> CPU seconds of the last _timed call with that label


def _timed(fn, label: str = ""):  # type: ignore[no-untyped-def]
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    if label:
        CPU[label] = time.process_time() - cpu
    return time.perf_counter() - start, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--sdn", type=int, default=18000)
    parser.add_argument("--indicators", type=int, default=100000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    work = args.dir or Path(tempfile.mkdtemp(prefix="caseapp-bench-watchlists-"))
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(15)
    try:
        from generate_scale import generate

        from caseapp.services.exchange.hits import hits_for_open_cases
        from caseapp.services.exchange.watchlists import import_watchlist
        from caseapp.services.workspace import open_workspace

        os.environ.setdefault("CASEAPP_PASSPHRASE", "benchmark")
        # The store is generated in a child process: its own peak memory is setup, not
        # what the imports and the hit check cost (ru_maxrss below is this process's).
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(1) as pool:
            generated = pool.apply(generate, (work / "home",), {"cases": args.cases})
        (work / "sdn").mkdir(exist_ok=True)
        _sdn_files(work / "sdn", args.sdn, rng)
        _stix_file(work / "advisory.json", args.indicators, rng)
        ws = open_workspace(work / "home", lambda _p: "benchmark", key_mode="passphrase")
        try:
            def plain_sdn() -> int:
                rows = 0
                for name in ("sdn.csv", "alt.csv", "add.csv"):
                    with open(work / "sdn" / name, encoding="utf-8", newline="") as handle:
                        rows += sum(1 for _ in csv.reader(handle))
                return rows

            t_sdn_plain, _ = _timed(plain_sdn, "sdn_plain")
            t_sdn, sdn_info = _timed(lambda: import_watchlist(ws, work / "sdn"), "sdn")
            t_stix_plain, _ = _timed(lambda: len(json.loads(
                (work / "advisory.json").read_text(encoding="utf-8"))["objects"]), "stix_plain")
            t_stix, stix_info = _timed(lambda: import_watchlist(ws, work / "advisory.json",
                                                                 name="advisory"), "stix")
            _timed(lambda: _parse_only(work / "sdn"), "sdn_parse")
            _timed(lambda: _parse_only(work / "advisory.json"), "stix_parse")
            t_hits, hits = _timed(lambda: hits_for_open_cases(ws))
        finally:
            ws.close()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        report = {
            "cases": args.cases, "store": {k: v for k, v in generated.items()
                                           if isinstance(v, int | float)},
            "sdn_entries": sdn_info.records, "sdn_kept": sdn_info.entries,
            "sdn_import_s": round(t_sdn, 3), "sdn_plain_s": round(t_sdn_plain, 3),
            "sdn_ratio": round(t_sdn / t_sdn_plain, 1),
            "stix_indicators": stix_info.records, "stix_import_s": round(t_stix, 3),
            "stix_plain_s": round(t_stix_plain, 3), "stix_ratio": round(t_stix / t_stix_plain, 1),
            "hits_s": round(t_hits, 3), "cases_with_hits": len(hits),
            "hits": sum(len(h) for h in hits.values()),
            "hits_sha256": hashlib.sha256(json.dumps(
                {ref: [h.to_json() for h in found] for ref, found in hits.items()},
                sort_keys=True).encode("utf-8")).hexdigest(),
            "peak_rss_mb": round(rss_mb),
            "targets": {"ratio": 3.0, "rss_mb": 400},
        }
        print(json.dumps(report, indent=2))
        print(f"{'measure':<40}{'figure':>9}{'floor':>9}{'ratio':>8}{'target':>8}")
        for label, got, floor in (
                (f"SDN import ({sdn_info.records:,} entries) vs csv", t_sdn, t_sdn_plain),
                (f"STIX import ({stix_info.records:,}) vs json.loads", t_stix, t_stix_plain)):
            print(f"{label:<40}{got:>9.2f}{floor:>9.2f}{got / floor:>7.1f}x{'<= 3x':>8}")
        for label, key in (("SDN import, CPU (s)", "sdn"), ("STIX import, CPU (s)", "stix"),
                           ("SDN parse only, CPU (s)", "sdn_parse"),
                           ("STIX parse only, CPU (s)", "stix_parse")):
            got, floor = CPU[key], CPU[key.split("_")[0] + "_plain"]
            print(f"{label:<40}{got:>9.2f}{floor:>9.2f}{got / floor:>7.1f}x{'<= 3x':>8}")
        print(f"{'hits over ' + str(args.cases) + ' cases (s)':<40}{t_hits:>9.2f}")
        print(f"{'peak RSS (MB)':<40}{rss_mb:>9.0f}{'':>9}{'':>8}{'< 400':>8}")
        return 0
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())

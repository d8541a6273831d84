"""Benchmark a legal production (per-document PDFs and load files) against the combined export.

    python benchmarks/bench_produce.py [--dir DIR] [--repeat 1] [--sign] [--keep]

Generates (untimed) the 300-exhibit case of ``bench_export.py`` in a fresh passphrase-mode
store, then measures in the same run:

* ``export``: ``export_case_file`` with a production package (one combined PDF, natives,
  manifest), end to end;
* ``produce``: ``produce.produce`` of every exhibit (300 Bates-stamped PDFs, natives, text,
  DAT/OPT/CSV, privilege log, SHA256SUMS), end to end; ``--sign`` signs every PDF too.

Medians of ``--repeat`` rounds; the target is ``produce <= 2 x export`` (wall time; the CPU
time of the process is reported beside it, steadier on a shared machine). Both sides include
the PDF/A-2b step (the case file, every rendition and the privilege log). Everything is
fictional.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("CASEAPP_SCRYPT_LOG2N", "10")  # unlocking is not what we measure
TARGET_RATIO = 2.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--dir", type=Path, help="work folder (default: a temp folder)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--sign", action="store_true", help="also sign every produced PDF")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_export import N_EXHIBITS, bench_case, load_average, timed

    with bench_case(args.dir, keep=args.keep) as (ws, ref, work):
        from caseapp.pdf.options import ExportOptions
        from caseapp.services.casefile import exports, produce, signing

        signer = signing.self_signed(ws) if args.sign else None
        load_before = load_average()
        export_s, produce_s, export_cpu, produce_cpu, rounds = [], [], [], [], []
        for n in range(args.repeat):
            exported, wall, cpu = timed(exports.export_case_file, ws, ref, work / f"case-{n}.pdf",
                                        ExportOptions(package_dir=work / f"pkg-{n}"))
            export_s.append(wall)
            export_cpu.append(cpu)
            result, wall, cpu = timed(produce.produce, ws, ref, work / f"prod-{n}",
                                      produce.ProduceOptions(prefix="BENCH", signer=signer))
            produce_s.append(wall)
            produce_cpu.append(cpu)
            rounds.append({"export_s": round(export_s[-1], 2), "export_pages": exported.pages,
                           "export_cpu_s": round(export_cpu[-1], 2),
                           "produce_s": round(produce_s[-1], 2), "produce_pages": result.pages,
                           "produce_cpu_s": round(produce_cpu[-1], 2),
                           "documents": len(result.documents),
                           "pdfa": sum(1 for d in result.documents if d["pdfa"])})
        export_med, produce_med = statistics.median(export_s), statistics.median(produce_s)
        cpu_ratio = statistics.median(produce_cpu) / statistics.median(export_cpu)
        report = {"exhibits": N_EXHIBITS, "signed": bool(args.sign),
                  "export_s": round(export_med, 2), "produce_s": round(produce_med, 2),
                  "ratio": round(produce_med / export_med, 2),
                  # CPU time of this process: steadier than wall time on a shared machine
                  "export_cpu_s": round(statistics.median(export_cpu), 2),
                  "produce_cpu_s": round(statistics.median(produce_cpu), 2),
                  "cpu_ratio": round(cpu_ratio, 2), "target_ratio": TARGET_RATIO,
                  "ok": produce_med <= TARGET_RATIO * export_med,
                  "load_average": [load_before, load_average()], "rounds": rounds}
        print(json.dumps(report, indent=2))
        print(f"produce{' --sign' if args.sign else ''} {produce_med:.2f} s vs export "
              f"{export_med:.2f} s = {report['ratio']:.2f}x wall (target <= "
              f"{TARGET_RATIO:.1f}x: {'OK' if report['ok'] else 'OVER TARGET'}); CPU "
              f"{report['produce_cpu_s']:.2f} s vs {report['export_cpu_s']:.2f} s = "
              f"{cpu_ratio:.2f}x; load average {load_before} -> {load_average()}")
        return 0 if report["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

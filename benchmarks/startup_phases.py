"""Where the app's start-up time goes, phase by phase, in one process (what bounds "fully open").

    python benchmarks/startup_phases.py --home DIR [--rounds 3]

DIR is a keyring-mode store made by ``bench_startup.py`` (``DIR`` = its ``home-keyring``; the
benchmark keyring file sits in the folder above). Each round is a fresh process that runs
the app's start-up steps in order on one thread and prints the wall time of each: the bare
part (Python, PySide6, QApplication, a shown window: what the bare-window process of
``bench_startup.py`` also pays), unlocking and previewing the case list, importing the
database layer (SQLAlchemy, SQLModel, the models), opening the workspace, importing the
feature modules and building the pages. Medians over the rounds (wall and CPU time), with
each phase's share and the total against 3x the bare part (the issue-18 target for "fully
open"). Bytecode is cached in DIR's parent (``pycache``), as for ``bench_startup.py``; one
untimed round fills it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import os, sys, time
T0, C0 = time.perf_counter(), time.process_time()
marks = []
def mark(name):
    marks.append((name, time.perf_counter(), time.process_time()))
from PySide6.QtWidgets import QApplication
from caseapp.ui.app import skip_pyside_source_scan
skip_pyside_source_scan()  # as caseapp.ui.app.run does
app = QApplication([])
from caseapp.ui.main_window import MainWindow
w = MainWindow(); w.show(); app.processEvents()
mark("bare: Python + PySide6 + QApplication + window")
from caseapp.services.maintenance.startup import probe_store, quick_open
probe = probe_store(sys.argv[1]); q = quick_open(probe.home)
mark("probe + keyring unlock")
w.show_preview(q.source, str(q.home)); app.processEvents()
mark("case-list preview shown")
import sqlalchemy
mark("import SQLAlchemy")
import sqlmodel, caseapp.domain.models
mark("import SQLModel + models")
from caseapp.ui import startup as st
ws = st._open(probe.home, None, False, None, q.master_key)
mark("open workspace + services")
from caseapp.ui.features import app_features
app_features()
mark("import feature modules")
from caseapp.ui.context import AppContext
from caseapp.ui.workers import TaskRunner
w.attach(AppContext(ws, TaskRunner(w), w)); app.processEvents()
mark("build pages, enable actions")
last, cpu = T0, C0
for name, at, used in marks:
    print(f"{name}\t{(at - last) * 1000:.1f}\t{(used - cpu) * 1000:.1f}")
    last, cpu = at, used
ws.close()
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    home = args.home.resolve()
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               PYTHON_KEYRING_BACKEND="bench_keyring.BenchKeyring",
               CASEAPP_BENCH_KEYRING_FILE=str(home.parent / "keyring.json"),
               XDG_CONFIG_HOME=str(home.parent / "config"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
               PYTHONPYCACHEPREFIX=str(home.parent / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    runs: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    order: list[str] = []
    for round_ in range(args.rounds + 1):
        out = subprocess.run([sys.executable, "-c", CHILD, str(home)], env=env, check=True,
                             capture_output=True, text=True, timeout=300).stdout
        if round_ == 0:
            continue  # fills the bytecode cache
        for line in out.splitlines():
            name, _, rest = line.partition("\t")
            ms, _, cpu = rest.partition("\t")
            if cpu:
                if name not in runs:
                    order.append(name)
                runs.setdefault(name, []).append(float(ms))
                cpus.setdefault(name, []).append(float(cpu))
    med = {name: statistics.median(runs[name]) for name in order}
    cpu_med = {name: statistics.median(cpus[name]) for name in order}
    total = sum(med.values())
    cpu_total = sum(cpu_med.values())
    bare = med[order[0]]
    cpu_bare = cpu_med[order[0]]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"start-up phases, {args.rounds} rounds (medians), {os.cpu_count()} CPUs, "
          f"load average {load:.2f}")
    print(f"{'phase':<48} {'wall':>7}  {'share':>7}  {'CPU':>7}  {'share':>7}")
    for name in order:
        print(f"{name:<48} {med[name]:7.0f} ms {100 * med[name] / total:5.1f} % "
              f"{cpu_med[name]:7.0f} ms {100 * cpu_med[name] / cpu_total:5.1f} %")
    print(f"{'fully open, sum of the phases':<48} {total:7.0f} ms = {total / bare:4.2f}x the bare "
          f"part   target <= 3.00x ({3 * bare:.0f} ms)  "
          f"{'OK' if total <= 3 * bare else 'OVER TARGET'}")
    print(f"{'  in CPU time':<48} {cpu_total:7.0f} ms = {cpu_total / cpu_bare:4.2f}x the bare "
          f"part's CPU ({cpu_bare:.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

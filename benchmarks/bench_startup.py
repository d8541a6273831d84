"""Cold start of the desktop app against a bare PySide6 window, side by side in one run.

    python benchmarks/bench_startup.py [--cases 1000] [--rounds 7] [--dir DIR] [--no-pyc]

Spawns fresh processes, interleaved round by round:

* ``bare``: a PySide6 process that shows an empty 1280x800 QMainWindow and prints the time
  of its first paint;
* ``keyring``: ``python -m caseapp --home H`` on a store of N synthetic cases whose key is in
  the benchmark-only keyring (:mod:`bench_keyring`);
* ``passphrase``: the same on a passphrase store (``CASEAPP_PASSPHRASE``; scrypt at the
  production cost, 2^17), reported separately.

The app runs with ``CASEAPP_BENCH_READY=1``: it prints ``first-paint`` when the main window
first paints, ``list-ready`` once the case table has painted its rows (filter, sort and
selection work; the list is read before SQLAlchemy loads) and ``app-ready`` when the store is
fully open with every action enabled, then quits. Times
are ``time.monotonic()`` from just before the process is spawned; CPU is the child's user +
system time until it exits. Targets, keyring mode: first paint <= 1.5x the bare window's
first paint, case list <= 4x (issue 3), fully open <= 3x (issue 18).

Every process reads its bytecode from a cache in the bench folder (``PYTHONPYCACHEPREFIX``),
filled by one untimed run of each command, as an installed app reads the ``.pyc`` files its
install wrote (an editable checkout run with ``PYTHONDONTWRITEBYTECODE`` would otherwise
compile ~150 of caseapp's modules from source on every start, ~0.3 s). ``--no-pyc``
measures that case: nothing cached, every start compiles caseapp.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PASSPHRASE = "bench passphrase, not a secret"

BARE = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
class W(QMainWindow):
    done = False
    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.done:
            self.done = True
            print(f"first-paint {time.monotonic():.6f}", flush=True)
            QTimer.singleShot(0, app.quit)
app = QApplication(sys.argv)
w = W()
w.resize(1280, 800)
w.show()
app.exec()
"""


def _env(bench: Path, mode: str, pyc: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    if pyc:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bench / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = str(bench / "pycache-none")  # stays empty
    env.setdefault("QT_QPA_PLATFORM", "offscreen" if not env.get("DISPLAY") else "xcb")
    env["XDG_CONFIG_HOME"] = str(bench / "config")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    env["CASEAPP_BENCH_READY"] = "1"
    env.pop("CASEAPP_SCRYPT_LOG2N", None)
    if mode == "passphrase":
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        env["CASEAPP_PASSPHRASE"] = PASSPHRASE
    else:
        env["PYTHON_KEYRING_BACKEND"] = "bench_keyring.BenchKeyring"
        env["CASEAPP_BENCH_KEYRING_FILE"] = str(bench / "keyring.json")
        env.pop("CASEAPP_PASSPHRASE", None)
    return env


def _prepare(bench: Path, mode: str, cases: int) -> Path:
    home = bench / f"home-{mode}"
    if (home / "store.json").exists():
        return home
    env = _env(bench, mode)
    env.pop("CASEAPP_BENCH_READY")
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--home", str(home), "--cases",
                    str(cases), "--key-mode", mode], env=env, check=True)
    return home


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    cpu = _child_cpu()
    started = time.monotonic()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    cpu = (_child_cpu() - cpu) * 1000
    if out.returncode != 0:
        raise RuntimeError(f"{cmd[-1]} failed ({out.returncode}): {out.stderr[-2000:]}")
    marks: dict[str, float] = {"cpu": cpu}
    for line in out.stdout.splitlines():
        name, _, value = line.partition(" ")
        if name in ("first-paint", "list-ready", "app-ready"):
            marks[name] = (float(value) - started) * 1000
        elif name == "rows":
            marks["rows"] = float(value)
        elif name == "cpu-at-app-ready":
            marks["cpu-ready"] = float(value) * 1000
    return marks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cold start benchmark")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--dir", type=Path, help="bench folder (kept; its name must contain "
                        "'bench')")
    parser.add_argument("--no-pyc", action="store_true",
                        help="no bytecode cache: every start compiles caseapp from source")
    args = parser.parse_args(argv)
    pyc = not args.no_pyc
    bench = (args.dir or Path(tempfile.mkdtemp(prefix="caseapp-bench-start-"))).resolve()
    bench.mkdir(parents=True, exist_ok=True)
    homes = {mode: _prepare(bench, mode, args.cases) for mode in ("keyring", "passphrase")}
    results: dict[str, list[dict[str, float]]] = {"bare": [], "keyring": [], "passphrase": []}
    app_cmd = [sys.executable, "-m", "caseapp", "--home"]
    # warm the page cache (and the bytecode cache) once
    _run([sys.executable, "-c", BARE], _env(bench, "keyring", pyc))
    for mode in ("keyring", "passphrase"):
        _run([*app_cmd, str(homes[mode])], _env(bench, mode, pyc))
    for _ in range(args.rounds):
        results["bare"].append(_run([sys.executable, "-c", BARE], _env(bench, "keyring", pyc)))
        for mode in ("keyring", "passphrase"):
            marks = _run([*app_cmd, str(homes[mode])], _env(bench, mode, pyc))
            if marks.get("rows") != args.cases:
                raise RuntimeError(f"{mode}: expected {args.cases} rows, got {marks}")
            results[mode].append(marks)

    def med(mode: str, mark: str) -> float:
        return statistics.median(r[mark] for r in results[mode])

    bare = med("bare", "first-paint")
    platform = _env(bench, "keyring")["QT_QPA_PLATFORM"]
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cold start, {args.cases:,} cases, {args.rounds} rounds (medians), platform "
          f"{platform}, {os.cpu_count()} CPUs, load average {load_avg:.2f}, "
          f"{'bytecode cached' if pyc else 'no bytecode cache (caseapp compiled each start)'}")
    print(f"bare PySide6 window, first paint        {bare:7.0f} ms   "
          f"(process CPU {med('bare', 'cpu'):.0f} ms)")
    for mode in ("keyring", "passphrase"):
        paint, ready = med(mode, "first-paint"), med(mode, "list-ready")
        print(f"caseapp ({mode:<10}) first paint         {paint:7.0f} ms = "
              f"{paint / bare:4.2f}x bare" + ("   target <= 1.50x  " + (
                  "OK" if paint / bare <= 1.5 else "OVER") if mode == "keyring" else ""))
        print(f"caseapp ({mode:<10}) case list usable    {ready:7.0f} ms = "
              f"{ready / bare:4.2f}x bare" + ("   target <= 4.00x  " + (
                  "OK" if ready / bare <= 4 else "OVER") if mode == "keyring" else
                  "   (includes scrypt 2^17)"))
        full = med(mode, "app-ready")
        print(f"caseapp ({mode:<10}) fully open          {full:7.0f} ms = "
              f"{full / bare:4.2f}x bare" + ("   target <= 3.00x  " + (
                  "OK" if full / bare <= 3 else "OVER") if mode == "keyring" else
                  "   (includes scrypt 2^17)")
              + f"   CPU when fully open {med(mode, 'cpu-ready'):.0f} ms (to exit "
              f"{med(mode, 'cpu'):.0f} ms = {med(mode, 'cpu') / med('bare', 'cpu'):4.2f}x the "
              "bare process's)")
    ok = med("keyring", "first-paint") / bare <= 1.5 and med("keyring", "list-ready") / bare <= 4
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

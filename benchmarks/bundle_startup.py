"""The frozen bundle against the source install: size and cold start, side by side in one run.

    python benchmarks/bundle_startup.py [--bundle DIR] [--build] [--cases 1000] [--rounds 5]
                                        [--dir DIR]

``--bundle`` is the one-folder build (default ``dist/bundle/caseapp``, as
``packaging/build.py`` leaves it; ``--build`` runs build.py first). Prints the bundle's size
(folder, files, the Linux tar.gz when present, the largest parts) and, for fresh processes
interleaved round by round, medians of:

* ``--version``: process start to exit (interpreter + launcher cost);
* ``case list --json`` on a store of N synthetic cases (CLI: imports + unlock + query);
* the GUI offscreen (``CASEAPP_BENCH_READY=1``): ``first-paint``, ``list-ready`` (the case
  table painted its rows) and ``app-ready`` (store fully open).

"source" is ``python -m caseapp`` of this checkout's environment; "frozen" is the bundle's
executable. Both use a passphrase-mode store (scrypt at the production cost, 2^17; the same
work on both sides). Times are ``time.monotonic()`` from just before the spawn; the page cache
is warm after the first round ("cold" = a new process, not a cold disk).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PASSPHRASE = "bench passphrase, not a secret"
MARKS = ("first-paint", "list-ready", "app-ready")


def _env(bench: Path, gui: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEAPP_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(bench / "config")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["CASEAPP_PASSPHRASE"] = PASSPHRASE
    if gui:
        env["CASEAPP_BENCH_READY"] = "1"
    return env


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, dict[str, float]]:
    started = time.monotonic()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    total = (time.monotonic() - started) * 1000
    if out.returncode != 0:
        raise RuntimeError(f"{cmd} failed ({out.returncode}): {out.stderr[-2000:]}")
    marks = {}
    for line in out.stdout.splitlines():
        name, _, value = line.partition(" ")
        if name in MARKS:
            marks[name] = (float(value) - started) * 1000
    return total, marks


def _size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def _largest(folder: Path, count: int = 6) -> list[tuple[str, int]]:
    internal = folder / "_internal" if (folder / "_internal").is_dir() else folder
    parts = []
    for child in internal.iterdir():
        size = _size(child)[0] if child.is_dir() else child.stat().st_size
        parts.append((child.name, size))
    return sorted(parts, key=lambda p: -p[1])[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="frozen bundle vs source install")
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "bundle" / "caseapp")
    parser.add_argument("--build", action="store_true", help="run packaging/build.py first")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", type=Path, help="bench folder (kept)")
    args = parser.parse_args(argv)
    if args.build:
        subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--dist",
                        str(args.bundle.parent)], check=True)
    exe = args.bundle / ("caseapp.exe" if sys.platform == "win32" else "caseapp")
    cli_exe = args.bundle / ("caseapp-cli.exe" if sys.platform == "win32" else "caseapp")
    if not exe.exists():
        print(f"no bundle at {args.bundle}: run packaging/build.py (or pass --build)",
              file=sys.stderr)
        return 2
    bench = (args.dir or Path(tempfile.mkdtemp(prefix="caseapp-bench-bundle-"))).resolve()
    bench.mkdir(parents=True, exist_ok=True)
    home = bench / "home"
    if not (home / "store.json").exists():
        env = _env(bench, gui=False)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--home", str(home),
                        "--cases", str(args.cases), "--key-mode", "passphrase"], env=env,
                       check=True)
    sides = {"source": ([sys.executable, "-m", "caseapp"], [sys.executable, "-m", "caseapp"]),
             "frozen": ([str(exe)], [str(cli_exe)])}
    results: dict[str, dict[str, list[float]]] = {s: {} for s in sides}

    def add(side: str, name: str, value: float) -> None:
        results[side].setdefault(name, []).append(value)

    for _gui, cli in sides.values():  # warm the page cache once per side
        _timed([*cli, "--version"], _env(bench, gui=False))
    for _ in range(args.rounds):
        for side, (gui, cli) in sides.items():
            add(side, "--version", _timed([*cli, "--version"], _env(bench, False))[0])
            add(side, "case list --json", _timed([*cli, "--home", str(home), "case", "list",
                                                  "--json"], _env(bench, False))[0])
            _total, marks = _timed([*gui, "--home", str(home)], _env(bench, gui=True))
            if set(marks) != set(MARKS):
                raise RuntimeError(f"{side}: GUI marks missing: {marks}")
            for name, value in marks.items():
                add(side, f"GUI {name}", value)

    size, files = _size(args.bundle)
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"bundle {args.bundle}: {size / 1e6:.1f} MB in {files:,} files")
    for archive in sorted(args.bundle.parent.glob("caseapp-*.tar.gz")):
        print(f"  download {archive.name}: {archive.stat().st_size / 1e6:.1f} MB")
    print("  largest parts: " + ", ".join(f"{n} {s / 1e6:.1f} MB"
                                          for n, s in _largest(args.bundle)))
    print(f"\ncold start, {args.cases:,} cases, passphrase store, {args.rounds} rounds "
          f"(medians), offscreen, {os.cpu_count()} CPUs, load average {load_avg:.2f}")
    print(f"{'':28}{'source':>10}{'frozen':>10}{'frozen/source':>15}")
    for name in results["source"]:
        src = statistics.median(results["source"][name])
        frz = statistics.median(results["frozen"][name])
        print(f"{name:<28}{src:8.0f}ms{frz:8.0f}ms{frz / src:14.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

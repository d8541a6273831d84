"""Smoke test of the frozen desktop bundle (slow: builds it with PyInstaller).

Off unless ``CASEAPP_BUILD_BUNDLE=1`` (build now, with ``packaging/build.py``; needs the
``package`` extra) or ``CASEAPP_BUNDLE_DIR=DIR`` (a folder where build.py already put its
output, e.g. ``dist/bundle``). On Linux the test unpacks the tar.gz a user downloads and runs
the copy inside it, in a clean environment: no virtualenv on PATH, no PYTHONPATH, a fresh
HOME, ``--home`` in a temp folder, a passphrase-mode store (no OS keyring). It runs
``--version``, ``about``, ``demo``, ``case list --json``, ``export`` to a PDF, ``verify`` and the GUI
offscreen until its first paint (``CASEAPP_BENCH_READY``); with Xvfb on PATH also on a real X
server through Qt's xcb plugin, which must load from the bundle's own libraries.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from caseapp import __version__

ROOT = Path(__file__).resolve().parents[2]
BUILD_SWITCH = "CASEAPP_BUILD_BUNDLE"
DIR_SWITCH = "CASEAPP_BUNDLE_DIR"
PASSPHRASE = "frozen smoke test passphrase"

pytestmark = pytest.mark.skipif(
    os.environ.get(BUILD_SWITCH) != "1" and not os.environ.get(DIR_SWITCH),
    reason=f"frozen bundle not built: set {BUILD_SWITCH}=1 to build it with PyInstaller "
           f"(several minutes) or {DIR_SWITCH}=DIR to test an existing build",
)


def _executables(app_dir: Path) -> tuple[Path, Path]:
    """(GUI launcher, command-line launcher) inside a one-folder build."""
    if sys.platform == "win32":
        return app_dir / "caseapp.exe", app_dir / "caseapp-cli.exe"
    return app_dir / "caseapp", app_dir / "caseapp"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The one-folder app as a user gets it (Linux: unpacked from the tar.gz)."""
    given = os.environ.get(DIR_SWITCH)
    if given:
        dist = Path(given).resolve()
    else:
        dist = tmp_path_factory.mktemp("dist")
        work = tmp_path_factory.mktemp("work")
        subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--dist",
                        str(dist), "--work", str(work)], check=True, timeout=3600)
    if sys.platform.startswith("linux"):
        archives = sorted(dist.glob(f"caseapp-{__version__}-linux-*.tar.gz"))
        assert len(archives) == 1, f"one Linux archive expected in {dist}: {archives}"
        unpack = tmp_path_factory.mktemp("download")
        with tarfile.open(archives[0]) as tar:
            tar.extractall(unpack, filter="tar")
        top = next(unpack.iterdir())
        for name in ("caseapp.desktop", "caseapp.png", "install-desktop-entry.sh", "README.txt"):
            assert (top / name).is_file(), name
        yield top / "caseapp"
    elif sys.platform == "darwin":
        yield dist / "caseapp.app" / "Contents" / "MacOS"
    else:
        yield dist / "caseapp"


def _clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """Nothing of this test's Python: system PATH only, a fresh HOME, no keyring."""
    home = tmp / "user-home"
    home.mkdir(exist_ok=True)
    env = {"HOME": str(home), "USERPROFILE": str(home), "LANG": "C.UTF-8",
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local"),
           "XDG_CACHE_HOME": str(home / ".cache"), "XDG_RUNTIME_DIR": str(home / "run"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "CASEAPP_PASSPHRASE": PASSPHRASE}
    if sys.platform == "win32":
        for name in ("SYSTEMROOT", "WINDIR", "TEMP", "TMP", "APPDATA", "LOCALAPPDATA",
                     "COMSPEC"):
            if name in os.environ:
                env[name] = os.environ[name]
        env["PATH"] = os.path.join(os.environ.get("SYSTEMROOT", r"C:\Windows"), "System32")
    else:
        env["PATH"] = "/usr/bin:/bin"
    (home / "run").mkdir(mode=0o700, exist_ok=True)
    env.update(extra)
    return env


def _run(exe: Path, *args: str, env: dict[str, str], timeout: int = 300
         ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=env["HOME"], encoding="utf-8")
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.fixture(scope="module")
def session(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A fresh passphrase-mode store filled by the bundle's ``demo`` command."""
    tmp = tmp_path_factory.mktemp("frozen-run")
    env = _clean_env(tmp)
    data = tmp / "data"
    _gui, cli = _executables(bundle)
    demo = _run(cli, "--home", str(data), "demo", "--json", env=env)
    assert demo.returncode == 0, demo.stderr
    assert "RECOVERY CODE" in demo.stderr
    return {"tmp": tmp, "data": data, "env": env, "refs": json.loads(demo.stdout)["cases"]}


def test_bundle_ships_its_libraries(bundle: Path) -> None:
    gui, cli = _executables(bundle)
    assert gui.is_file() and cli.is_file()
    internal = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle.parent
    if sys.platform.startswith("linux"):
        from caseapp.ui.xcb_check import BUNDLED_SONAMES

        qt_lib = internal / "PySide6" / "Qt" / "lib"
        assert {s for s in BUNDLED_SONAMES if not (qt_lib / s).exists()} == set()
        assert (qt_lib.parent / "plugins" / "platforms" / "libqxcb.so").is_file()
    found = {p.name for p in internal.rglob("*") if p.is_file()}
    assert {"BUILD_INFO.json", "script.py.mako", "env.py", "0001_initial.py",
            "dprk-remote-it-worker.toml", "NanumGothic.ttf"} <= found


def test_version(bundle: Path, session: dict[str, object]) -> None:
    _gui, cli = _executables(bundle)
    done = _run(cli, "--version", env=session["env"])  # type: ignore[arg-type]
    assert done.returncode == 0 and done.stdout.strip() == f"caseapp {__version__}"


def test_about_reports_the_bundle_build(bundle: Path, session: dict[str, object]) -> None:
    _gui, cli = _executables(bundle)
    done = _run(cli, "about", "--json", env=session["env"])  # type: ignore[arg-type]
    assert done.returncode == 0, done.stderr
    about = json.loads(done.stdout)
    assert about["frozen"] is True and about["version"] == __version__
    assert about["built"] and about["built"].endswith("+00:00")
    assert about["sqlcipher"].startswith("4.")


def test_demo_list_export_verify(bundle: Path, session: dict[str, object]) -> None:
    _gui, cli = _executables(bundle)
    env: dict[str, str] = session["env"]  # type: ignore[assignment]
    data, tmp = str(session["data"]), Path(str(session["tmp"]))
    refs: list[str] = session["refs"]  # type: ignore[assignment]
    assert len(refs) == 3
    store = json.loads((Path(data) / "store.json").read_text(encoding="utf-8"))
    assert store.get("key_mode") == "passphrase"

    listed = _run(cli, "--home", data, "case", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert sorted(c["ref"] for c in json.loads(listed.stdout)) == sorted(refs)

    pdf = tmp / "case-file.pdf"
    exported = _run(cli, "--home", data, "export", refs[0], "--out", str(pdf), "--json",
                    env=env)
    assert exported.returncode == 0, exported.stderr
    result = json.loads(exported.stdout)
    assert result["pages"] > 0 and pdf.read_bytes()[:5] == b"%PDF-"
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(pdf).pages[:2])
    assert refs[0] in text  # fonts and templates came out of the bundle

    verified = _run(cli, "--home", data, "verify", "--json", env=env)
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["ok"] is True


def _gui_marks(out: str) -> dict[str, str]:
    return {line.split(" ")[0]: line for line in out.splitlines() if " " in line}


def test_gui_offscreen_until_first_paint(bundle: Path, session: dict[str, object]) -> None:
    gui, _cli = _executables(bundle)
    env = dict(session["env"], QT_QPA_PLATFORM="offscreen",  # type: ignore[arg-type]
               CASEAPP_BENCH_READY="1")
    done = _run(gui, "--home", str(session["data"]), env=env, timeout=120)
    marks = _gui_marks(done.stdout)
    assert done.returncode == 0, done.stderr
    assert {"first-paint", "list-ready", "app-ready"} <= set(marks), done.stdout
    assert marks["rows"] == "rows 3"


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("Xvfb"),
                    reason="needs Linux with Xvfb on PATH (a real X server for xcb)")
def test_gui_on_x11_loads_xcb_from_the_bundle(bundle: Path, session: dict[str, object]) -> None:
    """Qt's xcb plugin on an X server; the xcb-util libraries come from the bundle."""
    gui, _cli = _executables(bundle)
    display = f":{90 + os.getpid() % 800}"
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten",
                               "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        socket = Path(f"/tmp/.X11-unix/X{display[1:]}")
        for _ in range(100):
            if socket.exists():
                break
            subprocess.run(["sleep", "0.1"], check=False)
        env = dict(session["env"], DISPLAY=display, CASEAPP_BENCH_READY="1")  # type: ignore[arg-type]
        done = _run(gui, "--home", str(session["data"]), env=env, timeout=120)
    finally:
        server.terminate()
        server.wait(10)
    assert "xcb" not in done.stderr.lower() or "could not" not in done.stderr.lower(), \
        done.stderr
    assert done.returncode == 0, done.stderr
    assert {"first-paint", "app-ready"} <= set(_gui_marks(done.stdout)), done.stdout

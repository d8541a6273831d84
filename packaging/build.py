"""Build caseapp's desktop bundle for the OS this runs on.

    python packaging/build.py [--dist DIR] [--work DIR] [--xcb-libs DIR] [--no-package]

Needs the ``package`` extra (``pip install -e '.[package]'``: PyInstaller, Pillow). Steps:

1. build caseapp's wheel and unpack it into a staging folder, so the bundle holds exactly the
   wheel's files (``resources/`` as the package ``caseapp.resources``, the Alembic migrations
   with ``script.py.mako`` and ``versions/``), found through ``importlib.resources`` as in a
   wheel;
2. Linux: gather the xcb libraries Qt's xcb plugin needs and desktops often lack
   (:data:`caseapp.ui.xcb_check.BUNDLED_SONAMES`): from ``--xcb-libs``, else this system,
   else ``apt-get download`` + ``dpkg-deb -x`` (nothing is installed on this machine);
3. write ``BUILD_INFO.json`` (version, UTC build time or ``SOURCE_DATE_EPOCH``, git commit);
4. run PyInstaller on ``packaging/caseapp.spec`` (one folder, windowed) into
   ``DIST/caseapp`` (macOS: ``DIST/caseapp.app``);
5. package it: Linux ``caseapp-VERSION-linux-ARCH.tar.gz`` (the folder, a ``.desktop`` file,
   the icon, ``install-desktop-entry.sh``); Windows the Inno Setup installer
   (``packaging/windows/caseapp.iss``, needs ``iscc``); macOS a ``.dmg`` (``hdiutil``).

Prints the bundle folder, its size and the package file; exit code 0 on success.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "caseapp.spec"
ICON = HERE / "icons" / "caseapp.png"


def log(message: str) -> None:
    print(f"build: {message}", flush=True)


def project_version() -> str:
    """caseapp.__version__, read from the source (the one place it is written)."""
    text = (ROOT / "caseapp" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.M)
    if not match:
        raise SystemExit("build: no __version__ in caseapp/__init__.py")
    return match.group(1)


def build_wheel(work: Path) -> Path:
    """caseapp's wheel unpacked into ``work/site``; returns that folder."""
    wheel_dir = work / "wheel"
    shutil.rmtree(wheel_dir, ignore_errors=True)
    base = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir)]
    done = subprocess.run([*base, str(ROOT)], check=False)
    if done.returncode != 0:  # offline: build with this environment's setuptools + wheel
        log("isolated wheel build failed; retrying with --no-build-isolation")
        subprocess.run([*base, "--no-build-isolation", str(ROOT)], check=True)
    wheels = sorted(wheel_dir.glob("caseapp-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"build: expected one caseapp wheel in {wheel_dir}, found {wheels}")
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    with zipfile.ZipFile(wheels[0]) as zf:
        zf.extractall(site)
    for need in ("caseapp/resources/redflags", "caseapp/resources/fonts",
                 "caseapp/store/migrations/script.py.mako", "caseapp/store/migrations/versions"):
        if not (site / need).exists():
            raise SystemExit(f"build: the wheel lacks {need}")
    return site


def _system_library(soname: str) -> Path | None:
    try:
        out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True,
                             check=False).stdout
    except OSError:
        out = ""
    arch = "x86-64" if platform.machine() in ("x86_64", "AMD64") else platform.machine()
    for line in out.splitlines():
        name, _, target = line.strip().partition(" => ")
        if name.split(" ")[0] == soname and (arch in name or "x86-64" not in name):
            path = Path(target.strip())
            if path.exists():
                return path
    for folder in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64",
                   "/usr/lib", "/lib/x86_64-linux-gnu"):
        if (Path(folder) / soname).exists():
            return Path(folder) / soname
    return None


def _apt_fetch(packages: list[str], work: Path) -> Path:
    """Download the .deb files (not installed) and unpack them; returns the unpack root."""
    debs, root = work / "xcb-debs", work / "xcb-root"
    shutil.rmtree(root, ignore_errors=True)
    debs.mkdir(parents=True, exist_ok=True)
    root.mkdir(parents=True)
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        raise SystemExit("build: missing xcb libraries and no apt-get here; pass --xcb-libs DIR "
                         f"holding them (Debian/Ubuntu packages: {' '.join(packages)})")
    log(f"apt-get download {' '.join(packages)} (unpacked into the build, not installed)")
    subprocess.run(["apt-get", "download", *packages], cwd=debs, check=True)
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root


def gather_xcb_libs(work: Path, given: Path | None) -> Path:
    """A folder holding every bundled xcb library (real files, named by soname)."""
    sys.path.insert(0, str(ROOT))
    from caseapp.ui.xcb_check import BUNDLED_SONAMES, XCB_PACKAGES

    out = work / "xcb-libs"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    found: dict[str, Path] = {}
    for soname in BUNDLED_SONAMES:
        if given and (given / soname).exists():
            found[soname] = given / soname
        elif (path := _system_library(soname)) is not None:
            found[soname] = path
    missing = [s for s in BUNDLED_SONAMES if s not in found]
    if missing:
        root = _apt_fetch(sorted({XCB_PACKAGES[s] for s in missing}), work)
        for soname in missing:
            hits = sorted(root.rglob(soname))
            if not hits:
                raise SystemExit(f"build: {soname} not found in the downloaded packages")
            found[soname] = hits[0]
    for soname, path in found.items():
        shutil.copy2(path.resolve(), out / soname)
        log(f"xcb: {soname} <- {path}")
    return out


def write_build_info(work: Path, version: str) -> Path:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC))
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        commit = ""
    info = {"version": version, "built": when.replace(microsecond=0).isoformat(),
            "commit": commit or None, "platform": f"{sys.platform}-{platform.machine()}"}
    path = work / "BUILD_INFO.json"
    path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return path


def run_pyinstaller(work: Path, dist: Path, site: Path, build_info: Path,
                    xcb: Path | None, version: str) -> None:
    env = dict(os.environ, CASEAPP_SPEC_SITE=str(site), CASEAPP_SPEC_BUILD_INFO=str(build_info),
               CASEAPP_SPEC_ICON=str(ICON), CASEAPP_SPEC_VERSION=version)
    if xcb is not None:
        env["CASEAPP_SPEC_XCB_LIBS"] = str(xcb)
    for stale in (dist / "caseapp", dist / "caseapp.app"):
        shutil.rmtree(stale, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--log-level", "WARN", "--distpath", str(dist),
                    "--workpath", str(work / "pyinstaller"), str(SPEC)],
                   env=env, check=True, cwd=work)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def package_linux(dist: Path, version: str) -> Path:
    arch = platform.machine() or "x86_64"
    name = f"caseapp-{version}-linux-{arch}"
    archive = dist / f"{name}.tar.gz"
    extras = {
        "caseapp.desktop": HERE / "linux" / "caseapp.desktop",
        "caseapp.png": ICON,
        "install-desktop-entry.sh": HERE / "linux" / "install-desktop-entry.sh",
        "README.txt": HERE / "linux" / "README.txt",
    }

    def executable(info: tarfile.TarInfo) -> tarfile.TarInfo:
        if info.name.endswith(".sh"):
            info.mode = 0o755
        return info

    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(dist / "caseapp", arcname=f"{name}/caseapp")
        for arcname, source in extras.items():
            tar.add(source, arcname=f"{name}/{arcname}", filter=executable)
    return archive


def package_windows(dist: Path, version: str, icon: Path) -> Path | None:
    default = Path(os.environ.get("PROGRAMFILES(X86)", "C:/Program Files (x86)"))
    default = default / "Inno Setup 6" / "ISCC.exe"
    iscc = shutil.which("iscc") or (str(default) if default.exists() else None)
    if not iscc:
        log("Inno Setup (iscc) not found: the one-folder build is ready, no installer made")
        return None
    subprocess.run([iscc, f"/DAppVersion={version}", f"/DSourceDir={dist / 'caseapp'}",
                    f"/DOutputDir={dist}", f"/DIconFile={icon}",
                    str(HERE / "windows" / "caseapp.iss")], check=True)
    return dist / f"caseapp-{version}-windows-setup.exe"


def package_macos(dist: Path, version: str) -> Path:
    stage = dist / "dmg"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    subprocess.run(["ditto", str(dist / "caseapp.app"), str(stage / "caseapp.app")], check=True)
    (stage / "Applications").symlink_to("/Applications")
    image = dist / f"caseapp-{version}-macos-{platform.machine()}.dmg"
    image.unlink(missing_ok=True)
    subprocess.run(["hdiutil", "create", "-volname", f"caseapp {version}", "-srcfolder",
                    str(stage), "-ov", "-format", "UDZO", str(image)], check=True)
    shutil.rmtree(stage, ignore_errors=True)
    return image


def windows_icon(work: Path) -> Path:
    """``work/caseapp.ico`` for the installer (Pillow, from the PNG)."""
    from PIL import Image

    ico = work / "caseapp.ico"
    Image.open(ICON).save(ico, sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128),
                                      (256, 256)])
    return ico


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="build the caseapp desktop bundle")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist" / "bundle")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bundle")
    parser.add_argument("--xcb-libs", type=Path, help="Linux: folder holding the xcb libraries "
                        "to bundle (default: this system, else apt-get download)")
    parser.add_argument("--no-package", action="store_true",
                        help="stop after the one-folder build (no tar.gz/installer/dmg)")
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    dist.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    version = project_version()
    log(f"caseapp {version} for {sys.platform}-{platform.machine()} into {dist}")
    site = build_wheel(work)
    xcb = gather_xcb_libs(work, args.xcb_libs) if sys.platform.startswith("linux") else None
    info = write_build_info(work, version)
    run_pyinstaller(work, dist, site, info, xcb, version)
    bundle = dist / ("caseapp.app" if sys.platform == "darwin" else "caseapp")
    log(f"bundle {bundle} ({folder_size(bundle) / 1e6:.1f} MB)")
    if args.no_package:
        return 0
    if sys.platform.startswith("linux"):
        out: Path | None = package_linux(dist, version)
    elif sys.platform == "win32":
        out = package_windows(dist, version, windows_icon(work))
    elif sys.platform == "darwin":
        out = package_macos(dist, version)
    else:
        out = None
    if out is not None:
        log(f"package {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

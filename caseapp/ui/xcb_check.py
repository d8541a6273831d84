"""Before QApplication: can Qt's xcb platform plugin load? If not, one clear line.

PySide6 6.5+ needs the xcb-util libraries (``libxcb-cursor0``, ``libxcb-icccm4``,
``libxcb-keysyms1`` ...) that stock Debian/Ubuntu desktops often lack; Qt then aborts with a
long "could not load the Qt platform plugin" text. :func:`check_xcb` tries to load the plugin
the way Qt will (``dlopen``) and, when that fails, names the missing libraries and the
Debian/Ubuntu packages that provide them. The frozen bundle ships these libraries
(``packaging/build.py`` copies :data:`BUNDLED_SONAMES` next to ``libQt6XcbQpa``).

No Qt import here: the check must run before anything could abort.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

#: Every library ``libQt6XcbQpa.so.6`` needs beyond Qt and libc -> its Debian/Ubuntu package.
XCB_PACKAGES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libGL.so.1": "libgl1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}

#: What the frozen Linux bundle carries itself: the xcb-util family, often missing on
#: desktops (the core X libraries, libxcb1 and the GL stack come from the system).
BUNDLED_SONAMES: tuple[str, ...] = (
    "libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-image.so.0",
    "libxcb-render-util.so.0", "libxcb-util.so.1", "libxkbcommon-x11.so.0", "libxcb-xkb.so.1",
)

#: Always suggested: the three that PySide6 6.5+ added and most desktops lack.
USUAL_PACKAGES: tuple[str, ...] = ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1")

_MISSING = re.compile(r"(lib[\w.+-]+\.so[\w.]*): cannot open shared object file")

Loader = Callable[[str], object]


def _dlopen(path: str) -> object:
    return ctypes.CDLL(path, mode=os.RTLD_LAZY | getattr(os, "RTLD_LOCAL", 0))


def wants_xcb(environ: Mapping[str, str] | None = None, platform: str | None = None,
              requested: str | None = None) -> bool:
    """True when Qt will pick the xcb platform: asked for (``requested``, Qt's ``-platform``
    option, else ``QT_QPA_PLATFORM``), or the default on an X session."""
    env = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return False
    requested = (requested or env.get("QT_QPA_PLATFORM", "")).split(";")[0].split(":")[0]
    requested = requested.strip()
    if requested:
        return requested == "xcb"
    if env.get("XDG_SESSION_TYPE") == "wayland" and env.get("WAYLAND_DISPLAY"):
        return False
    return bool(env.get("DISPLAY"))


def platform_option(qt_args: Sequence[str]) -> str | None:
    """The value of Qt's ``-platform NAME`` command-line option, if given."""
    args = list(qt_args)
    for i, arg in enumerate(args[:-1]):
        if arg in ("-platform", "--platform"):
            return args[i + 1]
    return None


def xcb_plugin() -> Path | None:
    """``libqxcb.so`` of the PySide6 in use (wheel or frozen bundle), if present."""
    try:
        import PySide6  # the package only: no Qt library is loaded yet
    except ImportError:
        return None
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def missing_xcb_libraries(plugin: Path, load: Loader = _dlopen) -> list[str]:
    """Sonames the plugin cannot find; empty when it loads."""
    try:
        load(str(plugin))
        return []
    except OSError as exc:
        first = _MISSING.search(str(exc))
    qt_lib = plugin.parent.parent.parent / "lib"
    missing = []
    for soname in XCB_PACKAGES:
        local = qt_lib / soname
        try:
            load(str(local) if local.exists() else soname)
        except OSError:
            missing.append(soname)
    if not missing and first:
        missing.append(first.group(1))
    return missing or ["(unknown library)"]


def xcb_hint(missing: list[str]) -> str:
    """The one line printed instead of Qt's abort text."""
    packages = list(USUAL_PACKAGES)
    for soname in missing:
        package = XCB_PACKAGES.get(soname)
        if package and package not in packages:
            packages.append(package)
    return (f"caseapp: Qt's xcb platform plugin cannot load (missing {', '.join(missing)}); "
            f"on Debian/Ubuntu: sudo apt install {' '.join(packages)}")


def check_xcb(environ: Mapping[str, str] | None = None, load: Loader = _dlopen,
              requested: str | None = None) -> str | None:
    """The hint line when Qt is about to use xcb and its plugin cannot load, else None."""
    if not wants_xcb(environ, requested=requested):
        return None
    plugin = xcb_plugin()
    if plugin is None:
        return None
    missing = missing_xcb_libraries(plugin, load)
    return xcb_hint(missing) if missing else None

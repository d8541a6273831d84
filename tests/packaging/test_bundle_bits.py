"""The parts of the desktop bundle that need no build: the version's one source, the build
info, the xcb hint, and what the PyInstaller spec puts in the bundle."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from caseapp import __version__
from caseapp.ui import xcb_check

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "caseapp.spec"

ICCCM_ERROR = "libxcb-icccm.so.4: cannot open shared object file: No such file or directory"


# -- version -------------------------------------------------------------------------------
def test_version_has_one_source() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in config["project"]
    assert "version" in config["project"]["dynamic"]
    assert config["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "caseapp.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.\w+)?", __version__)


def test_cli_version(capsys: pytest.CaptureFixture[str]) -> None:
    from caseapp.cli.main import main

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"caseapp {__version__}"


def test_build_info_of_a_source_install_has_no_date() -> None:
    from caseapp.buildinfo import build_info

    info = build_info()
    assert info.version == __version__
    assert info.built is None and info.frozen is False


def test_build_info_read_from_the_bundle_file(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    from caseapp import buildinfo

    (tmp_path / buildinfo.BUILD_INFO_NAME).write_text(json.dumps(
        {"version": __version__, "built": "2026-12-08T10:00:00+00:00", "commit": "abc123"}))
    monkeypatch.setattr(buildinfo, "files", lambda _pkg: tmp_path)
    info = buildinfo.build_info()
    assert (info.built, info.commit) == ("2026-12-08T10:00:00+00:00", "abc123")


def test_about_info_names_the_engines() -> None:
    from caseapp.services.maintenance.about import about_info

    info = about_info()
    assert info.version == __version__
    assert re.match(r"\d+\.\d+", info.sqlcipher) and re.match(r"3\.\d+", info.sqlite)


# -- xcb hint ------------------------------------------------------------------------------
@pytest.mark.parametrize(("env", "expected"), [
    ({"DISPLAY": ":0"}, True),
    ({"QT_QPA_PLATFORM": "xcb"}, True),
    ({"QT_QPA_PLATFORM": "xcb:nograb", "DISPLAY": ":0"}, True),
    ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, False),
    ({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":0"}, False),
    ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, False),
    ({}, False),
])
def test_wants_xcb(env: dict[str, str], expected: bool) -> None:
    assert xcb_check.wants_xcb(env, platform="linux") is expected


def test_wants_xcb_never_off_linux() -> None:
    assert not xcb_check.wants_xcb({"QT_QPA_PLATFORM": "xcb"}, platform="win32")
    assert not xcb_check.wants_xcb({"DISPLAY": ":0"}, platform="darwin")


def test_platform_option_wins_over_the_environment() -> None:
    assert xcb_check.platform_option(["-platform", "xcb"]) == "xcb"
    assert xcb_check.platform_option(["-style", "fusion"]) is None
    assert xcb_check.wants_xcb({"QT_QPA_PLATFORM": "offscreen"}, platform="linux",
                               requested="xcb")


def _loader(missing: set[str]):
    def load(path: str) -> object:
        name = Path(path).name
        if name == "libqxcb.so" and missing:
            raise OSError(f"{sorted(missing)[0]}: cannot open shared object file: "
                          "No such file or directory")
        if name in missing:
            raise OSError(f"{name}: cannot open shared object file")
        return object()
    return load


def test_hint_names_every_missing_library_and_the_packages(tmp_path: Path) -> None:
    plugin = tmp_path / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    missing = xcb_check.missing_xcb_libraries(
        plugin, _loader({"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-image.so.0"}))
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-image.so.0"]
    hint = xcb_check.xcb_hint(missing)
    assert "\n" not in hint
    assert hint.endswith("sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 "
                         "libxcb-image0")
    assert "libxcb-icccm.so.4" in hint


def test_hint_falls_back_to_the_loader_message(tmp_path: Path) -> None:
    plugin = tmp_path / "libqxcb.so"

    def load(path: str) -> object:
        if path.endswith("libqxcb.so"):
            raise OSError("libfoo.so.3: cannot open shared object file: No such file")
        return object()

    assert xcb_check.missing_xcb_libraries(plugin, load) == ["libfoo.so.3"]


def test_no_hint_when_the_plugin_loads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plugin = tmp_path / "libqxcb.so"
    monkeypatch.setattr(xcb_check, "xcb_plugin", lambda: plugin)
    monkeypatch.setattr(xcb_check.sys, "platform", "linux")
    assert xcb_check.check_xcb({"DISPLAY": ":0"}, _loader(set())) is None
    assert xcb_check.check_xcb({"DISPLAY": ":0"}, _loader({"libxcb-icccm.so.4"})) == \
        xcb_check.xcb_hint(["libxcb-icccm.so.4"])
    assert xcb_check.check_xcb({"QT_QPA_PLATFORM": "offscreen"},
                               _loader({"libxcb-icccm.so.4"})) is None


def test_gui_prints_the_hint_instead_of_starting_qt(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from caseapp.ui import app

    monkeypatch.setattr(xcb_check, "check_xcb", lambda **_kw: xcb_check.xcb_hint(
        ["libxcb-icccm.so.4"]))
    assert app.run(home=None) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sudo apt install libxcb-cursor0" in err


def test_every_bundled_library_has_a_package() -> None:
    assert set(xcb_check.BUNDLED_SONAMES) <= set(xcb_check.XCB_PACKAGES)
    assert set(xcb_check.USUAL_PACKAGES) <= set(xcb_check.XCB_PACKAGES.values())


# -- the spec ------------------------------------------------------------------------------
def _spec_helpers(site: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Run the plain-Python head of the spec (before it imports PyInstaller)."""
    head = SPEC.read_text(encoding="utf-8").split("from PyInstaller")[0]
    monkeypatch.setenv("CASEAPP_SPEC_SITE", str(site))
    monkeypatch.setenv("CASEAPP_SPEC_BUILD_INFO", str(site / "BUILD_INFO.json"))
    namespace: dict[str, object] = {"SPECPATH": str(SPEC.parent), "__name__": "spec"}
    exec(compile(head, str(SPEC), "exec"), namespace)  # noqa: S102
    return namespace


@pytest.fixture
def wheel_site(tmp_path: Path) -> Path:
    """The wheel's layout, as build.py unpacks it: resources/ becomes caseapp/resources."""
    site = tmp_path / "site"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "caseapp", site / "caseapp", ignore=ignore)
    shutil.copytree(ROOT / "resources", site / "caseapp" / "resources", ignore=ignore)
    return site


def test_spec_lists_the_data_dirs(wheel_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ns = _spec_helpers(wheel_site, monkeypatch)
    datas = ns["_datas"]()  # type: ignore[operator]
    shipped = {(Path(src).relative_to(wheel_site).as_posix() if src.startswith(str(wheel_site))
                else Path(src).name, dest) for src, dest in datas}
    for folder in ns["DATA_DIRS"]:  # type: ignore[union-attr]
        assert any(dest == folder for _src, dest in shipped), folder
    expected = {
        ("caseapp/resources/redflags/dprk-remote-it-worker.toml", "caseapp/resources/redflags"),
        ("caseapp/resources/fonts/NanumGothic.ttf", "caseapp/resources/fonts"),
        ("caseapp/store/migrations/script.py.mako", "caseapp/store/migrations"),
        ("caseapp/store/migrations/env.py", "caseapp/store/migrations"),
        ("BUILD_INFO.json", "caseapp"),
    }
    for version in (ROOT / "caseapp/store/migrations/versions").glob("0*.py"):
        expected.add((f"caseapp/store/migrations/versions/{version.name}",
                      "caseapp/store/migrations/versions"))
    assert expected <= shipped
    # Modules are compiled into the archive, not shipped as sources:
    assert ("caseapp/cli/main.py", "caseapp/cli") not in shipped


def test_spec_hidden_imports_cover_lazy_modules(wheel_site: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    modules = _spec_helpers(wheel_site, monkeypatch)["_modules"]()  # type: ignore[operator]
    assert {"caseapp.cli.main", "caseapp.resources", "caseapp.ui.features",
            "caseapp.store.migrations.runner"} <= set(modules)
    assert not any(".versions" in m or m.endswith(".env") for m in modules)


def test_linux_archive_extras_exist() -> None:
    for name in ("caseapp.desktop", "install-desktop-entry.sh", "README.txt"):
        assert (ROOT / "packaging" / "linux" / name).is_file()
    desktop = (ROOT / "packaging" / "linux" / "caseapp.desktop").read_text(encoding="utf-8")
    assert "Exec=caseapp" in desktop and "Icon=caseapp" in desktop
    assert (ROOT / "packaging" / "icons" / "caseapp.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_about_json(capsys: pytest.CaptureFixture[str]) -> None:
    from caseapp.cli.main import main

    assert main(["about", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"version", "built", "commit", "frozen", "sqlcipher", "sqlite",
                         "python", "system"}
    assert data["version"] == __version__ and data["built"] is None

"""Packaging: every sub-package and resource ships in the wheel, not just in the repo."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "caseapp").rglob("__init__.py")}
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"
    assert "caseapp.resources" in listed


def test_resources_reachable_through_importlib() -> None:
    from caseapp.resources_access import resource

    assert resource("redflags", "dprk-remote-it-worker.toml").is_file()
    assert resource("fonts", "NanumGothic.ttf").is_file()

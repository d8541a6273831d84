"""The version and, in a frozen bundle, when and from what it was built.

The version has one source, :data:`caseapp.__version__` (``pyproject.toml`` reads it through
``[tool.setuptools.dynamic]``), so a wheel, an editable install and a PyInstaller bundle agree
without needing package metadata. ``packaging/caseapp.spec`` writes ``BUILD_INFO.json`` into
the bundle's ``caseapp`` package; a source install has none.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from importlib.resources import files

BUILD_INFO_NAME = "BUILD_INFO.json"


@dataclass(frozen=True)
class BuildInfo:
    """Where this copy of caseapp comes from."""

    version: str
    #: ISO 8601 UTC build time of a bundle; None for a source install.
    built: str | None = None
    #: Git commit the bundle was built from, when known.
    commit: str | None = None
    frozen: bool = False


def version() -> str:
    """caseapp's version string."""
    from caseapp import __version__

    return __version__


def build_info() -> BuildInfo:
    """This copy's build information (a bundle's ``BUILD_INFO.json``, else the version only)."""
    frozen = bool(getattr(sys, "frozen", False))
    try:
        raw = (files("caseapp") / BUILD_INFO_NAME).read_text(encoding="utf-8")
        data = json.loads(raw)
    except (OSError, ValueError):
        return BuildInfo(version=version(), frozen=frozen)
    return BuildInfo(version=version(), built=data.get("built") or None,
                     commit=data.get("commit") or None, frozen=frozen)

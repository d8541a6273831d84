"""What Help > About and bug reports show: caseapp's version and build, and its engines."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass

from caseapp.buildinfo import build_info


@dataclass(frozen=True)
class AboutInfo:
    """Versions of this copy of caseapp (no case data)."""

    version: str
    #: ISO 8601 UTC build time of a bundle; None for a source install.
    built: str | None
    commit: str | None
    frozen: bool
    sqlcipher: str
    sqlite: str
    python: str
    system: str


def about_info() -> AboutInfo:
    """Collect the versions (opens a throw-away in-memory SQLCipher connection)."""
    from caseapp.store.sqlcipher.versions import engine_versions

    build = build_info()
    engines = engine_versions()
    return AboutInfo(version=build.version, built=build.built, commit=build.commit,
                     frozen=build.frozen, sqlcipher=engines["sqlcipher"],
                     sqlite=engines["sqlite"], python=platform.python_version(),
                     system=f"{platform.system()} {platform.release()} ({sys.platform}, "
                     f"{platform.machine()})")

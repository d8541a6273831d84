"""THE place where feature modules join the app: one import line each.

Each module imported here registers its pages, case tabs and actions with
:mod:`caseapp.ui.registry` when imported. The app imports this module after the first paint
and after the store is unlocked, so these imports may be heavy.

To add a feature (e.g. the Tips page, a Red flags tab, Export PDF), add its import below.
"""

from __future__ import annotations

import importlib

#: Modules that register themselves, in no particular order (``order`` decides placement).
MODULES = [
    "caseapp.ui.pages.cases",
    "caseapp.ui.pages.placeholders",
    "caseapp.ui.pages.audit",
    "caseapp.ui.pages.search",
    "caseapp.ui.pages.tips",
    "caseapp.ui.tabs.overview",
    "caseapp.ui.tabs.subjects",
    "caseapp.ui.tabs.evidence",
    "caseapp.ui.tabs.timeline",
    "caseapp.ui.tabs.links",
    "caseapp.ui.tabs.redflags",
    "caseapp.ui.export.actions",
]


def load() -> None:
    """Import every feature module (idempotent)."""
    for name in MODULES:
        importlib.import_module(name)

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
    "caseapp.ui.cases.page",
    "caseapp.ui.pages.placeholders",
    "caseapp.ui.maintenance.audit_page",
    "caseapp.ui.discovery.search_page",
    "caseapp.ui.tips.page",
    "caseapp.ui.cases.overview",
    "caseapp.ui.cases.subjects",
    "caseapp.ui.evidence.tab",
    "caseapp.ui.cases.timeline",
    "caseapp.ui.discovery.links_tab",
    "caseapp.ui.redflags.tab",
    "caseapp.ui.casefile.actions",
]


def load() -> None:
    """Import every feature module (idempotent)."""
    for name in MODULES:
        importlib.import_module(name)

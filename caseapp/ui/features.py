"""Every navigation page, case-view tab and action of the app, listed once, in display order.

A new feature adds its page or tab class (a :class:`~caseapp.ui.widgets.panes.Page` or
:class:`~caseapp.ui.widgets.panes.CaseTab`) and its actions here. The window builds them after the
store is unlocked (:func:`app_features` imports the feature modules then, off the first-paint
path). Callbacks get the :class:`~caseapp.ui.context.AppContext` and the widget to parent
dialogs on; case actions also get the ref of the case in front.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from caseapp.ui.context import AppContext
    from caseapp.ui.widgets.panes import CaseTab, Page

#: Menus of the main window that features may add to, in menu-bar order.
MENUS = ("File", "Edit", "View", "Case", "Tools", "Help")


@dataclass(frozen=True)
class PageSpec:
    """A page in the navigation list (Ctrl+1..9 in list order)."""

    key: str
    title: str
    factory: Callable[[AppContext], Page]


@dataclass(frozen=True)
class CaseTabSpec:
    """A tab of every case view."""

    key: str
    title: str
    factory: Callable[[AppContext, str], CaseTab]


@dataclass(frozen=True)
class WindowActionSpec:
    """An action of the whole window, in ``menu``."""

    key: str
    text: str
    callback: Callable[[AppContext, QWidget], object]
    menu: str = "Tools"
    shortcut: str | None = None
    toolbar: bool = False
    tip: str = ""


@dataclass(frozen=True)
class CaseActionSpec:
    """An action on the case in front (Case menu); disabled while no case is in front."""

    key: str
    text: str
    callback: Callable[[AppContext, str, QWidget], object]
    shortcut: str | None = None
    toolbar: bool = False
    tip: str = ""
    #: Drawn after a separator (e.g. closing the tab, apart from what works on the case).
    separated: bool = False


@dataclass(frozen=True)
class Features:
    """What the window shows; tests build their own to add or replace parts."""

    pages: tuple[PageSpec, ...] = ()
    case_tabs: tuple[CaseTabSpec, ...] = ()
    window_actions: tuple[WindowActionSpec, ...] = ()
    case_actions: tuple[CaseActionSpec, ...] = field(default=())

    def check(self) -> Features:
        """Keys are unique per kind and menus exist; returns self."""
        for kind, specs in (("page", self.pages), ("case tab", self.case_tabs),
                            ("window action", self.window_actions),
                            ("case action", self.case_actions)):
            keys = [s.key for s in specs]
            duplicates = sorted({k for k in keys if keys.count(k) > 1})
            if duplicates:
                raise ValueError(f"{kind} keys listed twice: {', '.join(duplicates)}")
        for action in self.window_actions:
            if action.menu not in MENUS:
                raise ValueError(f"window action {action.key!r}: no menu {action.menu!r}")
        return self


def app_features() -> Features:
    """The app as shipped. Imports every feature module (heavy: call after the first paint)."""
    from caseapp.ui.casefile.actions import export_pdf, finish_productions
    from caseapp.ui.casefile.history import ExportsTab
    from caseapp.ui.casefile.produce_dialog import open_produce_dialog
    from caseapp.ui.cases import actions as case_actions
    from caseapp.ui.cases.overview import OverviewTab
    from caseapp.ui.cases.page import CasesPage
    from caseapp.ui.cases.subjects import SubjectsTab
    from caseapp.ui.cases.timeline import TimelineTab
    from caseapp.ui.discovery.links_tab import LinksTab
    from caseapp.ui.discovery.search_page import SHORTCUT as SEARCH_SHORTCUT
    from caseapp.ui.discovery.search_page import SearchPage, focus_search
    from caseapp.ui.evidence.tab import EvidenceTab, add_evidence
    from caseapp.ui.exchange.share_dialog import open_share_dialog
    from caseapp.ui.exchange.watchlists import (
        WatchlistTab,
        import_watchlist_action,
        open_watchlists_dialog,
    )
    from caseapp.ui.investigator import edit_profile
    from caseapp.ui.maintenance import actions as maintenance
    from caseapp.ui.maintenance.audit_page import AuditPage
    from caseapp.ui.redflags.tab import RedFlagsTab
    from caseapp.ui.redflags.templates import import_template_action
    from caseapp.ui.signals.tab import FindingsTab, import_signals_action
    from caseapp.ui.team.connect_dialog import open_connect_dialog
    from caseapp.ui.tips import page as tips
    from caseapp.ui.tips.case_tab import CaseTipsTab

    return Features(
        pages=(
            PageSpec("cases", "Cases", CasesPage),
            PageSpec("tips", "Tips", tips.TipsPage),
            PageSpec("search", "Search", SearchPage),
            PageSpec("audit", "Audit", AuditPage),
        ),
        case_tabs=(
            CaseTabSpec("overview", "Overview", OverviewTab),
            CaseTabSpec("subjects", "Subjects", SubjectsTab),
            CaseTabSpec("redflags", "Red flags", RedFlagsTab),
            CaseTabSpec("evidence", "Evidence", EvidenceTab),
            CaseTabSpec("tips", "Tips", CaseTipsTab),
            CaseTabSpec("timeline", "Timeline", TimelineTab),
            CaseTabSpec("links", "Links", LinksTab),
            CaseTabSpec("watchlist", "Watchlist", WatchlistTab),
            CaseTabSpec("findings", "Findings", FindingsTab),
            CaseTabSpec("exports", "Exports", ExportsTab),
        ),
        window_actions=(
            WindowActionSpec("new-case", "&New case…", case_actions.new_case, "File", "Ctrl+N",
                             toolbar=True, tip="Open a new case (Ctrl+N)"),
            WindowActionSpec("new-tip", "New &tip…", tips.new_tip, "File", "Ctrl+Shift+T",
                             tip="Log a new tip on the Tips page"),
            WindowActionSpec("import-tips", "&Import tips from CSV…", tips.import_tips, "File",
                             "Ctrl+Shift+I", tip="Import tips from a CSV file"),
            WindowActionSpec("load-demo", "Load &demo data…", maintenance.load_demo, "File"),
            WindowActionSpec("backup", "&Back up store…", maintenance.backup_store, "File",
                             "Ctrl+Shift+B"),
            WindowActionSpec("connect-team-store", "Connect to team &store…",
                             open_connect_dialog, "File", tip="Open the team's PostgreSQL "
                             "store (or this computer's own again); the password is kept in "
                             "the OS keyring"),
            WindowActionSpec("search-everywhere", "&Search everywhere…", focus_search, "View",
                             SEARCH_SHORTCUT, tip="Search every case, note, subject, "
                             "identifier, exhibit and tip"),
            WindowActionSpec("verify", "&Verify store", maintenance.verify_store, "Tools",
                             "Ctrl+Shift+V", toolbar=True),
            WindowActionSpec("investigator-profile", "Investigator &profile…", edit_profile,
                             "Tools", tip="Who investigates in this store (recorded in the "
                             "audit log, custody and exports)"),
            WindowActionSpec("import-redflag-template", "Import red-flag &template…",
                             import_template_action, "Tools", tip="Import a custom red-flag "
                             "template (TOML) and list the templates"),
            WindowActionSpec("import-watchlist", "Import &watchlist…", import_watchlist_action,
                             "Tools", tip="Import the OFAC SDN list or an advisory (STIX, "
                             "MISP, CSV) you downloaded; every open case is checked"),
            WindowActionSpec("watchlists", "Watch&lists…", open_watchlists_dialog, "Tools"),
        ),
        case_actions=(
            CaseActionSpec("add-subject", "Add &subject…", case_actions.add_subject,
                           "Ctrl+Shift+S"),
            CaseActionSpec("add-evidence", "Add &evidence…", add_evidence, "Ctrl+I",
                           toolbar=True, tip="Add files as exhibits (Ctrl+I)"),
            CaseActionSpec("add-note", "Add &note…", case_actions.add_note, "Ctrl+Shift+N"),
            CaseActionSpec("export-pdf", "Export &PDF…", export_pdf, "Ctrl+E", toolbar=True,
                           tip="Export the case as a Bates-numbered PDF case file (Ctrl+E)"),
            CaseActionSpec("produce", "P&roduce…", open_produce_dialog, "Ctrl+Shift+P",
                           tip="Write a legal production volume with load files and a "
                           "privilege log (Ctrl+Shift+P)"),
            CaseActionSpec("finish-productions", "&Finish interrupted productions",
                           finish_productions,
                           tip="Move a production that was recorded but interrupted before "
                           "it was moved into place, after checking every file, and remove "
                           "the leftovers of productions interrupted before they were "
                           "recorded"),
            CaseActionSpec("share", "S&hare (STIX, MISP, chart, IC3/RFJ)…", open_share_dialog,
                           "Ctrl+Shift+H", tip="Prepare a STIX 2.1 bundle, MISP event, i2/"
                           "GraphML chart or an IC3/Rewards for Justice referral pack; caseapp "
                           "sends nothing (Ctrl+Shift+H)"),
            CaseActionSpec("import-signals", "Import si&gn-in log / inventory…",
                           import_signals_action, "Ctrl+Shift+G",
                           tip="Import a sign-in log or endpoint inventory and run the "
                           "detection rules (Ctrl+Shift+G)"),
            CaseActionSpec("close-case-tab", "&Close case tab", case_actions.close_case_tab,
                           "Ctrl+W", separated=True),
        ),
    ).check()

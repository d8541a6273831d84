"""Going to a record from anywhere: a case (on a given tab, with the record selected) or a tip.

Used by the Search page and the Links tab. The case tab that lists a record type selects it
through :meth:`caseapp.ui.widgets.panes.CaseTab.select_record`.
"""

from __future__ import annotations

from caseapp.ui.cases.case_view import CaseView
from caseapp.ui.context import AppContext

#: The case tab that shows each search result type (and "links": the Links tab).
TAB_FOR_TYPE = {"case": "overview", "note": "timeline", "subject": "subjects",
                "identifier": "subjects", "exhibit": "evidence", "links": "links"}


def is_tip_ref(ref: str) -> bool:
    """True for ``TIP-…`` references."""
    return ref.strip().upper().startswith("TIP-")


def open_tip(ctx: AppContext, ref: str) -> bool:
    """Show the tip ``ref`` on the Tips page."""
    from caseapp.ui.tips.page import TipsPage

    return ctx.page(TipsPage).open_tip(ref)


def open_record(ctx: AppContext, ref: str, record_type: str = "case",
                record_id: int | None = None, exhibit: str | None = None,
                ) -> CaseView | bool:
    """Open the case ``ref`` on the tab showing ``record_type`` with the record selected.

    A tip ref (a tip, or an identifier recorded on a tip) goes to the Tips page instead.
    Returns the case view (or whether the Tips page found the tip).
    """
    if is_tip_ref(ref):
        return open_tip(ctx, ref)
    view = ctx.open_case(ref)
    key = TAB_FOR_TYPE.get(record_type)
    if key is None or key not in view.keys:
        return view
    tab = view.show_tab(key)
    tab.select_record(record_type, record_id, exhibit)
    return view

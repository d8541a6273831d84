"""Going to a record from anywhere: a case (on a given tab, with the record selected) or a tip.

Used by the Search page and the Links tab. Tabs are selected through their public methods where
they have them (``select_exhibit``) and otherwise through their public model/list attributes;
if a tab changes shape the case still opens on the right tab, only the row is not selected.
"""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtWidgets import QWidget

from caseapp.ui.context import AppContext

#: The case tab that shows each search result type (and "links": the Links tab).
TAB_FOR_TYPE = {"case": "overview", "note": "timeline", "subject": "subjects",
                "identifier": "subjects", "exhibit": "evidence", "links": "links"}


def is_tip_ref(ref: str) -> bool:
    """True for ``TIP-…`` references."""
    return ref.strip().upper().startswith("TIP-")


def open_tip(ctx: AppContext, widget: QWidget, ref: str) -> bool:
    """Show the tip ``ref`` on the Tips page; a status message if there is no such page."""
    window = widget.window()
    pages = getattr(window, "pages", {})
    page = pages.get("tips") if isinstance(pages, dict) else None
    if page is None or not callable(getattr(page, "open_tip", None)):
        ctx.show_message(f"{ref} is a tip, and the Tips page is not available to show it.",
                         error=True)
        return False
    window.show_page("tips")  # type: ignore[attr-defined]
    return bool(page.open_tip(ref))


def open_record(ctx: AppContext, widget: QWidget, ref: str, record_type: str = "case",
                record_id: int | None = None, exhibit: str | None = None) -> Any:
    """Open the case ``ref`` on the tab showing ``record_type`` with the record selected.

    A tip ref (a tip, or an identifier recorded on a tip) goes to the Tips page instead.
    Returns the case view (or the Tips page's answer).
    """
    if is_tip_ref(ref):
        return open_tip(ctx, widget, ref)
    view = ctx.open_case(ref)
    key = TAB_FOR_TYPE.get(record_type)
    if key is None or view is None or not callable(getattr(view, "show_tab", None)):
        return view
    try:
        tab = view.show_tab(key)
    except ValueError:  # that tab is not registered in this build
        return view
    # If the tab changed shape the case is still open on the right tab, with nothing selected.
    with contextlib.suppress(AttributeError, TypeError, IndexError):
        _select(tab, record_type, record_id, exhibit)
    return view


def _select(tab: Any, record_type: str, record_id: int | None, exhibit: str | None) -> None:
    if record_type == "exhibit" and exhibit and callable(getattr(tab, "select_exhibit", None)):
        if tab.select_exhibit(exhibit):
            tab.table.setFocus()
    elif record_type == "note" and record_id is not None:
        for row, entry in enumerate(tab.model.records):
            if getattr(entry, "note_id", None) == record_id:
                tab.table.selectRow(row)
                tab.table.setFocus()
                return
    elif record_type == "subject" and record_id is not None:
        for row, view in enumerate(tab.views):
            if view.subject.id == record_id:
                tab.list.setCurrentRow(row)
                tab.list.setFocus()
                return
    elif record_type == "identifier" and record_id is not None:
        for row, view in enumerate(tab.views):
            for ident_row, ident in enumerate(view.identifiers):
                if ident.id == record_id:
                    tab.list.setCurrentRow(row)
                    tab.table.selectRow(ident_row)
                    tab.table.setFocus()
                    return

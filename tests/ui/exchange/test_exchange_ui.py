"""Share dialog (preview, TLP per format, background export) and watchlist import with hits
shown at once and on the case's Watchlist tab; screenshots."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from uihelpers import wait_idle, wait_task

from caseapp.services.maintenance import demo
from caseapp.ui.exchange.share_dialog import SENDS_NOTHING, ShareDialog
from caseapp.ui.exchange.watchlists import WatchlistsDialog, WatchlistTab, start_import

CASE1, CASE3 = "CASE-2026-0001", "CASE-2026-0003"


def shot(widget: Any, tmp_path: Path, name: str) -> None:
    os.makedirs(tmp_path / "shots", exist_ok=True)
    widget.grab().save(str(tmp_path / "shots" / name))
    if os.environ.get("CASEAPP_SCREENSHOT_DIR"):
        widget.grab().save(os.path.join(os.environ["CASEAPP_SCREENSHOT_DIR"], name))


@pytest.fixture
def view(window: Any) -> Any:
    demo.load_demo(window.ctx.ws)
    window.show_page("cases").list.reload()
    return window.open_case(CASE1)


def _dialog(window: Any, view: Any, qtbot: Any) -> ShareDialog:
    next(a for a in window.actions_.case_actions
         if a.text().replace("&", "").startswith("Share")).trigger()
    found = next(d for d in view.findChildren(ShareDialog) if d.isVisible())
    qtbot.waitExposed(found)
    return found


def test_share_dialog_preview_tlp_and_export(window, view, qtbot, tmp_path: Path) -> None:
    dialog = _dialog(window, view, qtbot)
    wait_task(qtbot, dialog.preview_handle)
    counts = dict(dialog.model.records)
    assert counts["threat-actor"] == 1 and counts["indicator"] >= 1
    assert "last four" in dialog.redactions.text()
    assert any(label.text() == SENDS_NOTHING for label in dialog.findChildren(
        type(dialog.redactions)))
    levels = [dialog.tlp.itemData(i) for i in range(dialog.tlp.count())]
    assert levels == ["clear", "green", "amber", "amber+strict", "red"]
    dialog.format.setCurrentIndex(dialog.format.findData("graphml"))
    levels = [dialog.tlp.itemData(i) for i in range(dialog.tlp.count())]
    assert levels == ["clear", "green", "amber"]  # RED/AMBER+STRICT refused for a chart
    dialog.format.setCurrentIndex(dialog.format.findData("stix"))
    dialog.tlp.setCurrentIndex(dialog.tlp.findData("green"))
    wait_task(qtbot, dialog.preview_handle)
    out = tmp_path / "case1.stix.json"
    dialog.out.setText(str(out))
    shot(dialog, tmp_path, "share-dialog.png")
    qtbot.mouseClick(dialog.share_button, Qt.MouseButton.LeftButton)
    assert dialog.handle is not None, dialog.error.text()
    wait_task(qtbot, dialog.handle)
    assert dialog.outcome is not None and out.is_file()
    assert "TLP:GREEN" in json.loads(out.read_text(encoding="utf-8"))["objects"][0]["name"] \
        or "tlp_2_0" in out.read_text(encoding="utf-8")


def test_watchlist_import_names_cases_and_tab_shows_hits(window, view, qtbot, dialogs,
                                                         tmp_path: Path) -> None:
    from tests.services.exchange import listfixtures as fx

    path = fx.write(tmp_path, "sdn.xml", fx.SDN_XML)
    handle = start_import(window.ctx, window, str(path))
    wait_task(qtbot, handle)
    info = [args for name, args in dialogs.calls if name == "information"]
    assert info and CASE3 in info[-1][2] and "strong" in info[-1][2]
    case3 = window.open_case(CASE3)
    tab = case3.show_tab_of(WatchlistTab)
    tab.refresh()
    wait_task(qtbot, tab.handle)
    assert tab.model.rowCount() >= 1 and tab.banner.kind == "error"
    first = tab.model.index(0, 0)
    assert tab.model.data(first) == "STRONG"
    assert "DPRK3" in tab.model.data(tab.model.index(0, 5))
    shot(case3, tmp_path, "watchlist-tab.png")
    lists = WatchlistsDialog(window.ctx, window)
    assert lists.model.rowCount() == 1
    wait_idle(qtbot, window)


def test_clean_case_tab_shows_no_hits(window, view, qtbot) -> None:
    tab = view.show_tab_of(WatchlistTab)
    tab.refresh()
    wait_task(qtbot, tab.handle)
    assert tab.model.rowCount() == 0 and not tab.banner.isVisible()
    assert tab.empty.isVisibleTo(tab)


def test_clean_case_tab_shows_no_hits_with_a_list_imported(window, view, qtbot,
                                                           tmp_path: Path) -> None:
    """The clean control of the hits: a list is imported, this case's subjects match none."""
    from caseapp.services.cases import cases, subjects
    from caseapp.services.exchange.watchlists import import_watchlist
    from tests.services.exchange import listfixtures as fx

    import_watchlist(window.ctx.ws, fx.write(tmp_path, "sdn.xml", fx.SDN_XML))
    ref = cases.create_case(window.ctx.ws, "Ordinary contractor").ref
    subjects.add_subject(window.ctx.ws, ref, "Margaret Oyelaran-Whitcombe")
    tab = window.open_case(ref).show_tab_of(WatchlistTab)
    tab.refresh()
    wait_task(qtbot, tab.handle)
    assert tab.model.rowCount() == 0 and not tab.banner.isVisible()
    assert tab.empty.isVisibleTo(tab)


def _links_tab(qtbot: Any, window: Any, ref: str) -> Any:
    tab = window.open_case(ref).show_tab("links")
    tab.refresh()
    wait_task(qtbot, tab.handle)
    qtbot.waitUntil(lambda: tab.handle is None, timeout=15_000)
    return tab


def test_links_tab_has_a_watchlist_section(window, view, qtbot, tmp_path: Path) -> None:
    from caseapp.services.exchange.watchlists import import_watchlist
    from tests.services.exchange import listfixtures as fx

    clean = _links_tab(qtbot, window, CASE3)
    assert not clean.watchlist.isVisibleTo(clean)  # no list imported yet: no section
    import_watchlist(window.ctx.ws, fx.write(tmp_path, "sdn.xml", fx.SDN_XML))
    tab = _links_tab(qtbot, window, CASE3)
    panel = tab.watchlist
    assert panel.isVisibleTo(tab) and panel.model.rowCount() >= 1
    assert panel.model.data(panel.model.index(0, 0)) == "STRONG"
    assert "DPRK3" in panel.model.data(panel.model.index(0, 5))
    assert panel.banner.kind == "error" and panel.heading.text().startswith("Watchlist hits (")
    assert panel.heading.text() == f"Watchlist hits ({panel.model.rowCount()})"
    shot(tab, tmp_path, "links-watchlist.png")
    other = _links_tab(qtbot, window, CASE1)  # only a weak name hit (김민준)
    rows = other.watchlist.model.rowCount()
    assert rows >= 1 and other.watchlist.banner.kind == "warn"
    assert all(other.watchlist.model.data(other.watchlist.model.index(r, 0)) == "WEAK"
               for r in range(rows))
    # clean control, with the list imported: a case whose subjects match nothing has no section
    from caseapp.services.cases import cases

    quiet = _links_tab(qtbot, window, cases.create_case(window.ctx.ws, "Nothing listed").ref)
    assert not quiet.watchlist.isVisibleTo(quiet) and quiet.watchlist.model.rowCount() == 0
    panel.show_hits([])  # the hits went away (list removed): the section goes too
    assert not panel.isVisibleTo(tab) and panel.model.rowCount() == 0

"""The Findings tab on real widgets: import in the background with progress, the table
model, the hour chart, keyboard accept/dismiss, cancel leaves nothing."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from sqlmodel import select

from caseapp.domain.models import Evidence
from caseapp.services.redflags import checklists
from tests.services.signals.helpers import make_case, signin_log
from tests.ui.uihelpers import wait_task

SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def _tab(window: Any, ref: str) -> Any:
    return window.open_case(ref).show_tab("findings")


def test_import_fills_table_chart_locations_and_keyboard_decides(qtbot, window,
                                                                 tmp_path) -> None:
    ref = make_case(window.ctx.ws)
    tab = _tab(window, ref)
    assert tab.empty.isVisible() and tab.model.rowCount() == 0
    handle = tab.import_file(signin_log(tmp_path / "signins.csv"))
    wait_task(qtbot, handle)
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=10_000)
    rules = {tab.model.record(r)["rule"] for r in range(tab.model.rowCount())}
    assert {"vpn-egress", "working-hours", "impossible-travel"} <= rules
    subjects = {tab.model.record(r)["subject"] for r in range(tab.model.rowCount())}
    assert subjects == {"Jane Roe"}
    cites = tab.model.index(0, 5).data()
    assert cites.startswith("E-001 lines")
    assert tab.banner.text().startswith("E-001: 53 rows")
    # hour chart: Jane's profile, shaded claimed day, bars at her UTC+8 hours
    assert tab.subject_box.count() == 2 and tab.subject_box.currentText() == "Jane Roe"
    assert sum(tab.chart.hours) == 27 and "America/Chicago" in tab.chart.title
    assert "score" in tab.score_label.text()
    assert tab.locations.rowCount() >= 3
    places = {tab.locations.record(r).place for r in range(tab.locations.rowCount())}
    assert any(p.startswith("Shenyang") for p in places)
    window.resize(1280, 800)
    image: QImage = tab.grab().toImage()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.grab().save(str(SHOTS / "findings-tab.png"))
    assert image.width() > 400

    # keyboard: select the vpn finding, Ctrl+Return accepts it
    row = next(r for r in range(tab.model.rowCount())
               if tab.model.record(r)["rule"] == "vpn-egress")
    tab.table.setFocus()
    tab.table.selectRow(row)
    qtbot.keyClick(tab.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(tab.model.record(r)["status"] == "accepted"
                                for r in range(tab.model.rowCount())))
    item = checklists.get_checklist(window.ctx.ws, ref).item("technical.vpn-unusual-asn")
    assert item.state.value == "not-assessed" and item.suggestion is not None
    # Delete dismisses the selected open finding (reason given programmatically)
    open_row = next(r for r in range(tab.model.rowCount())
                    if tab.model.record(r)["status"] == "open")
    tab.table.selectRow(open_row)
    finding_id = tab.model.record(open_row)["id"]
    tab.dismiss_selected(reason="explained by travel")
    qtbot.waitUntil(lambda: tab.loading is None)  # the tab reloads in the background
    row = tab.model.row_of(finding_id)
    assert tab.model.record(row)["status"] == "dismissed"
    assert tab.model.index(row, 1).data(Qt.ItemDataRole.FontRole).italic()


def test_cancelled_import_leaves_nothing(qtbot, window, tmp_path) -> None:
    ref = make_case(window.ctx.ws)
    tab = _tab(window, ref)
    big = tmp_path / "big.csv"
    big.write_text("user,time,ip,user_agent,device_id,result\n" + "".join(
        f"jane.roe@example.com,2026-03-02T01:{i % 60:02d}:00Z,192.0.2.10,UA,,success\n"
        for i in range(40000)), encoding="utf-8")
    handle = tab.import_file(big)
    handle.cancel()
    wait_task(qtbot, handle)
    from caseapp.domain.progress import Cancelled

    assert isinstance(handle.error, Cancelled)
    assert "nothing was imported" in tab.banner.text().lower()
    with window.ctx.ws.session() as session:
        assert session.exec(select(Evidence)).all() == []


def test_findings_load_off_the_ui_thread_and_select_on_arrival(qtbot, window, tmp_path,
                                                              monkeypatch) -> None:
    """refresh() returns while list_findings is still held on a worker thread; the table
    keeps what it had until the load arrives; select_record selects its row on arrival."""
    from caseapp.services.signals import findings

    ref = make_case(window.ctx.ws)
    tab = _tab(window, ref)
    wait_task(qtbot, tab.import_file(signin_log(tmp_path / "signins.csv")))
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0 and tab.loading is None, timeout=10_000)
    before = [tab.model.record(r)["id"] for r in range(tab.model.rowCount())]
    real = findings.list_findings
    release = threading.Event()
    threads: list[threading.Thread] = []

    def held(ws: Any, case_ref: str) -> Any:
        threads.append(threading.current_thread())
        release.wait(5)  # the old, synchronous refresh would sit here for 5 s, then fail
        return real(ws, case_ref)

    monkeypatch.setattr(findings, "list_findings", held)
    last = before[-1]
    assert len(before) > 1 and tab.selected()["id"] != last
    assert tab.select_record("finding", last, None)
    qtbot.waitUntil(lambda: bool(threads))
    assert threads[0] is not threading.main_thread()
    assert not release.is_set() and tab.loading is not None
    assert [tab.model.record(r)["id"] for r in range(tab.model.rowCount())] == before
    release.set()
    qtbot.waitUntil(lambda: tab.loading is None, timeout=10_000)
    assert tab.selected() is not None and tab.selected()["id"] == last
    # control: a record type the tab does not list
    assert not tab.select_record("subject", 1, None)


def test_exhibit_scan_runs_off_the_ui_thread(qtbot, window, monkeypatch) -> None:
    """Scan exhibits returns at once while the scan is held on a worker thread, with its
    button disabled; the banner reports the scan when it ends and the button comes back."""
    from caseapp.services.signals import scan

    ref = make_case(window.ctx.ws)
    tab = _tab(window, ref)
    real = scan.scan_exhibits
    release = threading.Event()
    threads: list[threading.Thread] = []

    def held(ws: Any, case_ref: str) -> Any:
        threads.append(threading.current_thread())
        release.wait(5)  # a scan on the UI thread would sit here for 5 s, then fail
        return real(ws, case_ref)

    monkeypatch.setattr(scan, "scan_exhibits", held)
    handle = tab.scan()
    qtbot.waitUntil(lambda: bool(threads))
    assert threads[0] is not threading.main_thread() and not release.is_set()
    assert not tab.scan_button.isEnabled() and "Exhibit scan" not in tab.banner.text()
    release.set()
    wait_task(qtbot, handle)
    assert tab.banner.text() == "Exhibit scan: 0 finding(s)." and tab.scan_button.isEnabled()

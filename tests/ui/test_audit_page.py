"""The Audit page in words: events with case/record refs, the full entry in a pane, filters
by case, event, person and date, and the filtered log exported as CSV."""

from __future__ import annotations

import csv
from typing import Any

import pytest
from PySide6.QtCore import QDate
from uihelpers import wait_task

from caseapp.services.maintenance import demo

CASE3 = "CASE-2026-0003"


@pytest.fixture
def audit(window: Any) -> Any:
    demo.load_demo(window.ctx.ws)
    page = window.show_page("audit")
    page.refresh()
    return page


def _column(page: Any, column: int) -> list[str]:
    return [page.model.index(r, column).data() for r in range(page.model.rowCount())]


def _pick(combo: Any, value: str) -> None:
    combo.setCurrentIndex(combo.findData(value))
    combo.activated.emit(combo.currentIndex())


def test_events_read_as_words_with_refs(audit) -> None:
    events = _column(audit, 3)
    assert "Red-flag item assessed" in events and "checklist.item-set" not in events
    entities = " ".join(_column(audit, 5))
    assert "checklist 3" not in entities and "note 6" not in entities
    assert "E-001" in entities and "TIP-2026-0001" in entities
    whats = " ".join(_column(audit, 6))
    assert "['" not in whats and "lazy=True" not in whats and "=" not in whats
    row = next(r for r in range(audit.model.rowCount())
               if audit.model.record(r).action == "subject.added"
               and audit.model.record(r).case == CASE3)
    audit.table.selectRow(row)
    text = audit.detail.toPlainText()
    assert "Subject added" in text and f"Case: {CASE3}" in text
    assert "Aliases: 王伟; Lee Way" in text and "Hash: " in text
    assert audit.detail.isReadOnly()


def test_filters_by_case_event_person_and_date(audit) -> None:
    total = audit.model.rowCount()
    _pick(audit.case_filter, CASE3)
    assert 0 < audit.model.rowCount() < total
    assert set(_column(audit, 4)) == {CASE3}
    assert audit.count.text() == f"{audit.model.rowCount()} of {total} entries"
    _pick(audit.action_filter, "checklist.item-set")
    assert set(_column(audit, 3)) == {"Red-flag item assessed"}
    assert set(_column(audit, 4)) == {CASE3}
    audit.clear_filters()
    assert audit.model.rowCount() == total
    actor = audit.actor_filter.itemData(1)
    _pick(audit.actor_filter, actor)
    assert audit.model.rowCount() == total
    audit.clear_filters()
    tomorrow = QDate.currentDate().addDays(1)
    audit.since_edit.setDate(tomorrow)
    assert audit.model.rowCount() == 0 and audit.detail.toPlainText() == ""
    audit.since_edit.setDate(QDate.currentDate().addDays(-1))
    audit.until_edit.setDate(tomorrow)
    assert audit.model.rowCount() == total


def test_filtered_log_exports_as_csv(qtbot, audit, dialogs, tmp_path) -> None:
    _pick(audit.case_filter, CASE3)
    shown = audit.model.rowCount()
    dest = tmp_path / "audit.csv"
    dialogs.queue("getSaveFileName", (str(dest), "CSV files (*.csv)"))
    handle = audit.export_csv()
    wait_task(qtbot, handle)
    with open(dest, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == shown and {r["case"] for r in rows} == {CASE3}
    assert audit.banner.kind == "ok" and f"Exported {shown} audit entries" in audit.banner.text()
    assert audit.export_button.isEnabled()

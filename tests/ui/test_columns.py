"""Columns sized for their content at 1280x800: the main text column keeps its share, refs
keep their full width (or elide in the middle), every cut value is in a tooltip."""

from __future__ import annotations

from operator import itemgetter

from PySide6.QtWidgets import QApplication

from caseapp.services.maintenance import demo
from caseapp.ui.widgets.columns import fit_columns
from caseapp.ui.widgets.records import Column, RecordTableModel, read_only_table


def _text_fits(view, column: int, text: str) -> bool:
    return view.columnWidth(column) >= view.fontMetrics().horizontalAdvance(text)


def test_tips_queue_content_and_refs_are_readable(qtbot, window) -> None:
    demo.load_demo(window.ctx.ws)
    window.resize(1280, 800)
    page = window.show_page("tips")
    page.refresh()
    QApplication.processEvents()
    table = page.table
    viewport = table.viewport().width()
    assert table.columnWidth(8) >= 0.25 * viewport  # Content
    for row in range(page.proxy.rowCount()):
        assert _text_fits(table, 0, page.proxy.index(row, 0).data())  # Ref
        assert _text_fits(table, 6, page.proxy.index(row, 6).data() or "")  # Cases
        tip = page.proxy.index(row, 8).data(0x0003)  # ToolTipRole: the whole content
        assert tip and tip.startswith("<qt>")
    total = sum(table.columnWidth(c) for c in range(9))
    assert total <= viewport + 2  # nothing pushed off screen


def test_links_linked_to_refs_are_whole(qtbot, window) -> None:
    demo.load_demo(window.ctx.ws)
    window.resize(1280, 800)
    tab = window.open_case("CASE-2026-0001").show_tab("links")
    tab.refresh()
    qtbot.waitUntil(lambda: tab.handle is None and tab.model.rowCount() > 0, timeout=15_000)
    QApplication.processEvents()
    for row in range(tab.table.model().rowCount()):
        text = tab.table.model().index(row, 5).data()
        assert _text_fits(tab.table, 5, text), text


def test_fit_columns_keeps_last_columns_on_screen(qtbot) -> None:
    """The Exports table's shape: By and Options stay visible, the path gives way."""
    columns = [Column(t, itemgetter(i)) for i, t in enumerate(
        ("Exported", "Recipient", "Pages", "Bates range", "SHA-256", "File", "By", "Options"))]
    model = RecordTableModel(columns)
    model.set_records([("2026-03-02 10:15 UTC", "Outside counsel (Smith LLP)", "42",
                        "CASE-2026-0001-000001 to CASE-2026-0001-000042", "ab" * 32,
                        "/home/investigator/exports/" + "deep/" * 12 + "case.pdf",
                        "Jane Investigator", "sections: all; reveal tipsters: no; tz UTC")])
    table = read_only_table(model, "Exports")
    qtbot.addWidget(table)
    table.resize(1100, 300)
    table.show()
    QApplication.processEvents()
    fit_columns(table, stretch=5, max_ems=16, keep=(0, 2, 6, 7))
    QApplication.processEvents()
    header = table.horizontalHeader()
    right = header.sectionViewportPosition(7) + header.sectionSize(7)
    assert right <= table.viewport().width() + 1
    assert _text_fits(table, 6, "Jane Investigator")
    assert header.sectionSize(5) >= 0.2 * table.viewport().width()

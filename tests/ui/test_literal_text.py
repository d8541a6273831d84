"""User text that looks like markup is shown as typed, everywhere the app shows it.

Every user-editable field gets ``<img src=x><b>big<b> &amp; 김민준 <field>``; then every
item view (DisplayRole and ToolTipRole of every cell), label and read-only text view of the
case view, the Tips page, the Search page and the Audit page is read as Qt would render it
(a tooltip or an AutoText label that looks like markup is rendered as rich text). Wherever
the marker's word shows, the whole marker must show literally (no bold, no image, ``&amp;``
not turned into ``&``), never double-escaped; and each field must be seen at least once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from uihelpers import wait_idle

from caseapp.services.cases import cases, notes, subjects
from caseapp.services.evidence import evidence
from caseapp.services.exchange import watchlists
from caseapp.services.maintenance import demo
from caseapp.services.redflags import checklists
from caseapp.services.tips import casework, tips
from caseapp.ui.exchange.watchlists import WatchlistsDialog

CASE1 = "CASE-2026-0001"
CORE = "<img src=x><b>big<b> &amp; 김민준"  # no "/": it is also a file name
FIELDS = ("case-title", "case-summary", "subject-name", "subject-alias", "subject-role",
          "identifier", "note", "exhibit-title", "exhibit-description", "exhibit-file",
          "redflag-note", "tip-content", "tip-programme", "tip-reference", "watchlist-file",
          "watchlist-entry")


def mark(field: str) -> str:
    return f"{CORE} {field}"


def rendered(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What Qt shows for ``text`` (a tooltip, or a label in format ``fmt``)."""
    rich = fmt == Qt.TextFormat.RichText or (
        fmt == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text))
    if not rich:
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText().replace("\xa0", " ").replace("\u2029", "\n")


def _indexes(model: QAbstractItemModel, parent: QModelIndex = QModelIndex(),  # noqa: B008
             depth: int = 0) -> Iterator[QModelIndex]:
    try:
        columns = model.columnCount(parent)
    except TypeError:  # a list model (columnCount is private there)
        columns = 1
    for row in range(model.rowCount(parent)):
        for column in range(columns):
            index = model.index(row, column, parent)
            yield index
            if column == 0 and depth < 2 and columns > 1 and model.rowCount(index) > 0:
                yield from _indexes(model, index, depth + 1)


def shown_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text as rendered) of every cell, label and text view under ``root``."""
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        for index in _indexes(model):
            for role, name in ((Qt.ItemDataRole.DisplayRole, "display"),
                               (Qt.ItemDataRole.ToolTipRole, "tooltip")):
                value = index.data(role)
                if isinstance(value, str) and value:
                    text = value if role == Qt.ItemDataRole.DisplayRole else rendered(value)
                    yield f"{type(model).__name__}[{index.row()},{index.column()}] {name}", text
    for label in root.findChildren(QLabel):
        if label.text():
            yield f"QLabel {label.objectName() or label.accessibleName()}", rendered(
                label.text(), label.textFormat())
        if label.toolTip():
            yield "QLabel tooltip", rendered(label.toolTip())
    for edit in root.findChildren(QTextEdit):  # rich text views: what they render
        yield type(edit).__name__, edit.toPlainText()
    for plain in root.findChildren(QPlainTextEdit):
        yield "QPlainTextEdit", plain.toPlainText()
    for line in root.findChildren(QLineEdit):
        yield "QLineEdit", line.text()


def check_literal(root: QWidget, seen: set[str]) -> None:
    """Every rendered text holding the marker's word holds the whole marker, literally."""
    for where, text in shown_texts(root):
        assert "&lt;" not in text and "&gt;" not in text, f"double-escaped in {where}: {text!r}"
        if "big" in text and "김민준" in text:  # tags and entity as typed (a normalised
            # identifier may drop the ";")
            assert "<img src=x><b>big<b>" in text and "&amp" in text, \
                f"not literal in {where}: {text!r}"
            seen.update(f for f in FIELDS if mark(f) in text)


@pytest.fixture
def marked(window: Any, tmp_path: Path) -> Any:
    """Demo data with a marker in every user-editable field of CASE-2026-0001 and a tip."""
    ws = window.ctx.ws
    demo.load_demo(ws, signals=True)
    cases.update_case(ws, CASE1, title=mark("case-title"), summary=mark("case-summary"))
    first = subjects.list_subjects(ws, CASE1)[0]
    assert first.subject.id is not None
    subjects.update_subject(ws, first.subject.id, name=mark("subject-name"),
                            aliases=[mark("subject-alias")], role_applied=mark("subject-role"))
    subjects.add_identifier(ws, first.subject.id, "address", mark("identifier"))
    notes.add_note(ws, CASE1, mark("note"))
    src = tmp_path / f"{mark('exhibit-file')}.txt"
    src.write_text("exhibit", encoding="utf-8")
    evidence.ingest_file(ws, CASE1, src, title=mark("exhibit-title"),
                         description=mark("exhibit-description"))
    item = checklists.get_checklist(ws, CASE1).items[0].item.id
    checklists.set_item(ws, CASE1, item, state="suspected", note=mark("redflag-note"))
    saved = tips.create_tip(ws, mark("tip-content"), channel="email",
                            programme=mark("tip-programme"), reference=mark("tip-reference"))
    casework.link_tip(ws, saved.tip.ref, CASE1)
    from tests.services.exchange.listfixtures import EMAIL

    subjects.add_identifier(ws, first.subject.id, "email", EMAIL)
    listed = tmp_path / f"{mark('watchlist-file')}.csv"
    listed.write_text(f"kind,value,name\nemail,{EMAIL},{mark('watchlist-entry')}\n",
                      encoding="utf-8")
    watchlists.import_watchlist(ws, listed, name="marked")
    return saved.tip.ref


def test_every_user_field_is_shown_literally(qtbot, window, marked) -> None:
    seen: set[str] = set()
    view = window.open_case(CASE1)
    for key in view.keys:
        tab = view.show_tab(key)
        tab.refresh()
        wait_idle(qtbot, window)
        if key == "evidence":
            tab.table.selectRow(tab.model.rowCount() - 1)  # the marked exhibit's details
        if key == "redflags":
            tab.tree.setCurrentIndex(tab.proxy.index(0, 0, tab.proxy.index(0, 0)))
        check_literal(view, seen)
        if key == "subjects":  # its dialogs name the subject
            for dialog in (tab.add_identifier(), tab.edit_subject()):
                assert dialog is not None
                check_literal(dialog, seen)
                dialog.reject()
    page = window.show_page("tips")
    page.refresh()
    assert page.open_tip(marked)
    check_literal(page, seen)
    search = window.show_page("search")
    search.box.setText("big")
    search.run_search()
    wait_idle(qtbot, window)
    check_literal(search, seen)
    lists = WatchlistsDialog(window.ctx, window)
    check_literal(lists, seen)
    audit = window.show_page("audit")
    audit.refresh()
    check_literal(audit, seen)
    assert seen == set(FIELDS), f"never shown: {sorted(set(FIELDS) - seen)}"


def test_case_list_title_tooltip_is_literal(window, marked) -> None:
    page = window.show_page("cases")
    page.list.reload()
    check_literal(page, set())



def test_shared_buttons_show_their_tooltips_as_typed(qapp) -> None:
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QLabel

    from caseapp.ui.widgets.common import action_button, dismiss_button

    tip = "Open <b>E-001</b> & more"
    for button in (action_button("&Open", lambda: None, tip), dismiss_button(QLabel(), tip)):
        doc = QTextDocument()
        doc.setHtml(button.toolTip())
        assert doc.toPlainText() == tip  # markup typed in the tip is shown, not rendered
    assert action_button("&Open", lambda: None).toolTip() == ""

"""The Links tab over the demo data: the table of exact and near groups, the graph (nodes for
the other cases, dashed near links, click to open), row/node selection both ways, keyboard use,
and the layout's determinism and readability with many nodes."""

from __future__ import annotations

import math
from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QMenu
from uihelpers import wait_task

from caseapp.services.cases import subjects
from caseapp.services.cases.subjects import IdentifierInput
from caseapp.services.discovery.links import LinkedCase, LinkedTip, LinkGroup
from caseapp.services.maintenance import demo
from caseapp.ui.discovery.links_graph import NodeItem
from caseapp.ui.discovery.links_layout import GAP, bezier, layout_links, spread
from caseapp.ui.discovery.links_model import COLUMNS, GROUP_ROLE

CASE1, CASE2, CASE3 = "CASE-2026-0001", "CASE-2026-0002", "CASE-2026-0003"
NEAR_ADDRESS = "1208 Larkspur Ct, Apt 7C, Millbrook, NJ 07999, USA"  # CASE1's, another flat


@pytest.fixture
def demo_window(window: Any) -> Any:
    ws = window.ctx.ws
    demo.load_demo(ws)
    # The demo shares a bank account (exact) with CASE2; add a near match in CASE3.
    subjects.add_subject(ws, CASE3, "Jordan Reyes",
                         identifiers=[IdentifierInput("address", NEAR_ADDRESS)])
    window.show_page("cases").list.reload()
    return window


def _links(qtbot: Any, window: Any, ref: str = CASE1) -> Any:
    view = window.open_case(ref)
    tab = view.show_tab("links")
    wait_task(qtbot, tab.handle)
    qtbot.waitUntil(lambda: tab.handle is None, timeout=15_000)
    return tab


def _cells(tab: Any) -> list[list[str]]:
    model = tab.proxy
    return [[model.index(r, c).data() for c in range(len(COLUMNS))]
            for r in range(model.rowCount())]


def _click_node(qtbot: Any, tab: Any, key: str) -> None:
    graph = tab.graph
    item = graph.node_items[key]
    graph.ensureVisible(item)
    point = graph.mapFromScene(item.scenePos())
    qtbot.mouseClick(graph.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_table_lists_exact_and_near_groups_for_demo_case_1(qtbot, demo_window) -> None:
    tab = _links(qtbot, demo_window)
    rows = {(r[0], r[2].split(":")[0]): r for r in _cells(tab)}
    bank = rows[("Bank account", "Exact")]
    assert bank[1] == "US00FICT00001234567890" and bank[2] == "Exact: same bank account"
    assert (bank[3], bank[4]) == ("1", "0") and bank[5] == f"{CASE2} (Alex Morgan)"
    assert bank[6] and bank[7], "first and last seen are shown"
    assert rows[("Address", "Exact")][5] == f"{CASE2} (Alex Morgan), TIP-2026-0001"
    near = rows[("Address", "Near")]
    assert near[2] == "Near: same address apart from the unit, flat or room number"
    assert near[5] == f"{CASE3} (Jordan Reyes)"
    assert tab.proxy.index(0, 2).data().startswith("Exact"), "exact groups come first"
    assert "2 other cases and 1 tip" in tab.summary.text()
    tooltip = QTextDocument()
    tooltip.setHtml(tab.proxy.index(list(rows).index(("Address", "Near")), 0).data(
        Qt.ItemDataRole.ToolTipRole))
    assert ("Jordan Reyes · recorded as " + NEAR_ADDRESS in
            tooltip.toPlainText().replace("\xa0", " "))
    qtbot.keyClicks(tab.filter, "bank")
    assert [r[0] for r in _cells(tab)] == ["Bank account"]


def test_graph_has_the_other_cases_and_clicking_one_opens_it(qtbot, demo_window) -> None:
    tab = _links(qtbot, demo_window)
    graph = tab.graph
    keys = set(graph.node_items)
    assert {"centre", f"case:{CASE2}", f"case:{CASE3}", "tip:TIP-2026-0001"} <= keys
    assert graph.node_items["centre"].pos().toTuple() == (0.0, 0.0)
    near_lines = {(e.a, e.b): line.pen().style() for e, line in graph.edges}
    near_id = next(e.a for e in graph.layout_.edges if e.b == f"case:{CASE3}")
    assert near_lines[(near_id, f"case:{CASE3}")] == Qt.PenStyle.DashLine
    bank_id = next(e.a for e in graph.layout_.edges if e.b == f"case:{CASE2}")
    assert near_lines[(bank_id, f"case:{CASE2}")] == Qt.PenStyle.SolidLine
    assert near_lines[("centre", near_id)] == Qt.PenStyle.SolidLine
    _click_node(qtbot, tab, f"case:{CASE2}")
    view = demo_window.current_case_view()
    assert view.case_ref == CASE2 and view.current_key == "links"
    wait_task(qtbot, view.tab("links").handle)
    qtbot.waitUntil(lambda: view.tab("links").handle is None, timeout=15_000)
    assert f"case:{CASE1}" in view.tab("links").graph.node_items


def test_row_and_node_selection_follow_each_other(qtbot, demo_window) -> None:
    tab = _links(qtbot, demo_window)
    table = tab.table
    for row in range(tab.proxy.rowCount()):
        rect = table.visualRect(tab.proxy.index(row, 1))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        node = tab.graph.selected_node()
        assert node is not None and node.kind == "identifier"
        assert tab.model.groups[node.group] is tab.proxy.index(row, 0).data(GROUP_ROLE)
        hot = [e for e, line in tab.graph.edges if line.pen().widthF() > 2]
        assert hot and all(node.key in (e.a, e.b) for e in hot)
    _click_node(qtbot, tab, "id:1")
    assert tab.selected_group() is tab.model.groups[1]
    assert demo_window.current_case_view().case_ref == CASE1, "an identifier node opens nothing"


def test_keyboard_opens_rows_and_nodes(qtbot, demo_window) -> None:
    tab = _links(qtbot, demo_window)
    rows = [tab.proxy.index(r, 0).data(GROUP_ROLE) for r in range(tab.proxy.rowCount())]
    bank = next(r for r, g in enumerate(rows) if g.kind == "bank")
    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.proxy.index(bank, 0))
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    assert demo_window.current_case_view().case_ref == CASE2
    tab = _links(qtbot, demo_window)
    tip_only = next(r for r, g in enumerate(rows) if g.tips and not g.cases)
    tab.table.setCurrentIndex(tab.proxy.index(tip_only, 0))
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    assert demo_window.current_page_key() == "tips"
    assert demo_window.pages["tips"].editor.ref == "TIP-2026-0001"
    tab = _links(qtbot, demo_window)
    tab.graph.setFocus()
    tab.graph.scene().clearSelection()
    order = [n.key for n in tab.graph.layout_.nodes]
    qtbot.keyClick(tab.graph, Qt.Key.Key_Right)
    assert tab.graph.selected_node().key == order[0] == "centre"
    qtbot.keyClick(tab.graph, Qt.Key.Key_Left)
    assert tab.graph.selected_node().key == order[-1]
    target = order.index(f"case:{CASE3}")
    while tab.graph.selected_node().key != f"case:{CASE3}":
        qtbot.keyClick(tab.graph, Qt.Key.Key_Left if target < len(order) // 2 else
                       Qt.Key.Key_Right)
    qtbot.keyClick(tab.graph, Qt.Key.Key_Return)
    assert demo_window.current_case_view().case_ref == CASE3


def test_a_row_with_several_links_offers_a_menu(qtbot, demo_window) -> None:
    ws = demo_window.ctx.ws
    subjects.add_subject(ws, CASE3, "Sam Lee", identifiers=[
        IdentifierInput("bank", "US00 FICT 0000 1234 5678 90")])
    tab = _links(qtbot, demo_window)
    bank = next(r for r in range(tab.proxy.rowCount())
                if tab.proxy.index(r, 0).data(GROUP_ROLE).kind == "bank")
    tab.table.setCurrentIndex(tab.proxy.index(bank, 0))
    menu = tab.open_selected()
    assert isinstance(menu, QMenu)
    texts = [a.text() for a in menu.actions()]
    assert texts[0].startswith(f"{CASE2} — Alex Morgan") and texts[1].startswith(f"{CASE3}")
    menu.actions()[1].trigger()
    menu.close()
    assert demo_window.current_case_view().case_ref == CASE3


def test_links_reload_when_another_case_changes(qtbot, demo_window) -> None:
    tab = _links(qtbot, demo_window)
    before = tab.model.rowCount()
    ws = demo_window.ctx.ws
    subjects.add_subject(ws, CASE3, "Device reuse", identifiers=[
        IdentifierInput("device", "LAPTOP-SN-FX12-0042")])
    demo_window.ctx.notify_changed(CASE3)
    qtbot.waitUntil(lambda: tab.model.rowCount() == before + 1, timeout=15_000)
    assert any(g.kind == "device" for g in tab.model.groups)


def test_case_without_links_says_so(qtbot, demo_window) -> None:
    from caseapp.services.cases import cases

    ref = cases.create_case(demo_window.ctx.ws, "Lonely case").ref
    demo_window.show_page("cases").list.reload()
    tab = _links(qtbot, demo_window, ref)
    assert tab.model.rowCount() == 0 and "No other case or tip" in tab.summary.text()
    assert list(tab.graph.node_items) == ["centre"] and not tab.open_button.isEnabled()


def _groups(n_groups: int, n_cases: int, n_tips: int) -> list[LinkGroup]:
    groups = []
    for g in range(n_groups):
        near = g % 5 == 4
        group = LinkGroup("email", f"person{g}@mail.example", "near" if near else "exact",
                          "same mailbox: Gmail ignores dots" if near else "same e-mail address")
        for c in range(n_cases):
            if c % n_groups == g or (c * 7) % n_groups == g:
                group.cases.append(LinkedCase(f"CASE-2026-{c + 10:04d}", f"<b>Case {c}</b>",
                                              f"Subject <i>{c}</i>", c, "x"))
        for t in range(n_tips):
            if t % n_groups == g:
                group.tips.append(LinkedTip(f"TIP-2026-{t + 1:04d}", t, "x"))
        groups.append(group)
    return groups


@pytest.mark.parametrize(("n_groups", "n_cases", "n_tips"), [(1, 1, 0), (3, 2, 1), (12, 20, 6),
                                                              (25, 30, 8), (40, 60, 12)])
def test_layout_is_deterministic_and_nodes_never_overlap(n_groups, n_cases, n_tips) -> None:
    groups = _groups(n_groups, n_cases, n_tips)
    first = layout_links(CASE1, "Title", groups)
    again = layout_links(CASE1, "Title", _groups(n_groups, n_cases, n_tips))
    assert first == again
    nodes = first.nodes
    assert nodes[0].key == "centre" and (nodes[0].x, nodes[0].y) == (0.0, 0.0)
    others = {n.key for n in nodes if n.kind in ("case", "tip")}
    expected = {f"case:{c.ref}" for g in groups for c in g.cases} | {
        f"tip:{t.ref}" for g in groups for t in g.tips}
    assert others <= expected and len(others) + first.omitted_others == len(expected)
    assert len(others) == min(len(expected), 60)
    rects = [n.rect(GAP / 2 - 0.5) for n in nodes]
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not a.intersects(b), "two nodes touch"
    keys = {n.key for n in nodes}
    assert all(e.a in keys and e.b in keys for e in first.edges)
    assert {e.near for e in first.edges if e.b.startswith("case:")} == (
        {False, True} if n_groups >= 5 else {False})
    width = max(r.right() for r in rects) - min(r.left() for r in rects)
    height = max(r.bottom() for r in rects) - min(r.top() for r in rects)
    assert width * height / len(nodes) < 100_000, "the picture stays compact"
    assert width > height or len(nodes) < 10, "wide, like the view it is shown in"


def test_layout_caps_identifier_nodes_and_keeps_text_literal(qtbot) -> None:
    layout = layout_links(CASE1, "<script>x</script>", _groups(50, 10, 0), max_groups=40)
    assert layout.omitted == 10
    assert sum(n.kind == "identifier" for n in layout.nodes) == 40
    crowded = layout_links(CASE1, "T", _groups(20, 90, 10), max_others=60)
    assert sum(n.kind in ("case", "tip") for n in crowded.nodes) == 60
    assert crowded.omitted_others == 40
    linked = {n.key: sum(e.b == n.key for e in crowded.edges) for n in crowded.nodes}
    assert min(v for k, v in linked.items() if ":" in k and not k.startswith("id:")) >= 1
    case = next(n for n in layout.nodes if n.kind == "case")
    item = NodeItem(case, {k: Qt.GlobalColor.black for k in (
        "highlight", "highlight_text", "text", "selected", "case_fill", "case_border")})
    texts = [child.text() for child in item.childItems()]
    assert texts[1].startswith("Subject <i>")
    assert "&lt;b&gt;Case" in item.toolTip() and "<b>Case" not in item.toolTip()
    centre = layout.nodes[0]
    assert centre.lines[1] == "<script>x</script>"


def test_edges_to_the_outer_ring_go_round_the_centre() -> None:
    # A tip sharing two identifiers on opposite sides of the centre (the demo's TIP-2026-0001
    # with CASE1's address and phone): its two edges must not run through the centre node.
    opposite = [LinkGroup("address", "a", "exact", "same postal address",
                          tips=[LinkedTip("TIP-2026-0001", 1, "a")]),
                LinkGroup("bank", "b", "exact", "same bank account",
                          cases=[LinkedCase(CASE2, "t", "Alex Morgan", 2, "b")]),
                LinkGroup("phone", "p", "exact", "same phone number",
                          tips=[LinkedTip("TIP-2026-0001", 1, "p")]),
                LinkGroup("address", "n", "near", "same address apart from the unit",
                          cases=[LinkedCase(CASE3, "t", "Jordan Reyes", 3, "n")])]
    everywhere = [LinkGroup(kind, kind, "exact", "same", tips=[LinkedTip("TIP-2026-0009", 9, "x")])
                  for kind in ("email", "phone", "url")]  # one tip, three identifiers around
    for groups in (opposite, everywhere, _groups(12, 20, 6), _groups(25, 30, 8)):
        layout = layout_links(CASE1, "Title", groups)
        centre = layout.nodes[0].rect(2.0)
        for edge in layout.edges:
            if edge.a == "centre":
                continue
            a, b = layout.node(edge.a), layout.node(edge.b)
            points = bezier((a.x, a.y), (b.x, b.y), edge.control)
            assert not any(centre.contains(QPointF(x, y)) for x, y in points), edge
    tip = next(n for n in layout_links(CASE1, "T", opposite).nodes if n.kind == "tip")
    assert abs(tip.x) > abs(tip.y), "between two opposite identifiers: off to the side"


def test_spread_keeps_order_and_separates_crowded_angles() -> None:
    assert spread([1.0]) == [1.0]
    angles = spread([0.1, 0.1, 0.1, 3.0])
    assert angles[0] < angles[1] < angles[2]
    assert min(b - a for a, b in zip(angles, angles[1:], strict=False)) >= 0.5 - 1e-6
    crowded = spread([0.0] * 20)
    gaps = [(b - a) for a, b in zip(crowded, crowded[1:], strict=False)]
    assert min(gaps) >= 2 * math.pi / 20 - 1e-3

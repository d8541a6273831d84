"""The Links tab: other cases and tips sharing an identifier with this case, as a table of
identifier groups and a small graph (this case, its shared identifiers, the others around).

Selecting a row selects its identifier in the graph and the other way round; clicking a case
or tip in the graph opens it; Enter (or Open…) on a row opens what the row links to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.context import AppContext
from caseapp.ui.discovery import navigation
from caseapp.ui.discovery.links_graph import LinkGraphView
from caseapp.ui.discovery.links_layout import GraphLayout, GraphNode, layout_links
from caseapp.ui.discovery.links_model import (
    GROUP_ROLE,
    LinksFilterProxy,
    LinksTableModel,
    case_refs,
)
from caseapp.ui.errors import log_event
from caseapp.ui.exchange.watchlists import WatchlistHitsPanel
from caseapp.ui.widgets.columns import elide_middle, fit_columns, set_widths
from caseapp.ui.widgets.common import ErrorLabel, plain_label
from caseapp.ui.widgets.panes import CaseTab
from caseapp.ui.widgets.records import OpenableTable
from caseapp.ui.workers import TaskControl, TaskHandle

if TYPE_CHECKING:
    from caseapp.services.discovery.links import LinkGroup
    from caseapp.services.exchange.watchlists import WatchlistHit
    from caseapp.ui.cases.case_view import CaseView

    Loaded = tuple[list[LinkGroup], GraphLayout, list[WatchlistHit]]


_WIDTHS = (100, 230, 280, 52, 44, 300, 150, 150)
LEGEND = ("Solid line: exact match · dashed line: near match.  Click a case or tip to open it; "
          "in the graph the arrow keys move between nodes, Enter opens, + / − / 0 zoom.")


class LinksTable(OpenableTable):
    """Identifier groups; Enter or a double-click asks to open what the row links to."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Shared identifiers", parent)
        self.setSortingEnabled(True)


class LinksTab(CaseTab):
    """Table of shared identifiers above the case–identifier–case graph."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_ref, parent)
        self.handle: TaskHandle | None = None
        self.menu: QMenu | None = None
        self._stale = False
        self._syncing = False
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.summary = plain_label("Loading links…", wrap=True)
        self.filter = QLineEdit(placeholderText="Filter shared identifiers")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Filter shared identifiers")
        self.filter.setMaximumWidth(320)
        self.open_button = QPushButton("&Open…")
        self.open_button.setToolTip("Open the case or tip the selected row links to (Enter)")
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.filter)
        bar.addWidget(self.open_button)
        layout.addLayout(bar)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        self.watchlist = WatchlistHitsPanel()  # hidden while the case has no hit
        layout.addWidget(self.watchlist)
        self.model = LinksTableModel(self)
        self.proxy = LinksFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = LinksTable()
        self.table.setModel(self.proxy)
        self.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # the service's order
        set_widths(self.table, _WIDTHS, 5)
        elide_middle(self.table, (1, 5))  # identifier, "Linked to" refs
        self._fitted = False
        self.graph = LinkGraphView()
        self.legend = plain_label(LEGEND, wrap=True)
        self.legend.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        graph_panel = QWidget()
        graph_layout = QVBoxLayout(graph_panel)
        graph_layout.setContentsMargins(0, 0, 0, 0)
        graph_layout.addWidget(self.graph, 1)
        graph_layout.addWidget(self.legend)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(graph_panel)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout.addWidget(self.splitter, 1)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.open_button.clicked.connect(self.open_selected)
        self.table.open_requested.connect(lambda _i: self.open_selected())
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.graph.node_selected.connect(self._node_selected)
        self.graph.node_activated.connect(self.activate_node)
        self._reload_timer = QTimer(self, singleShot=True, interval=150)
        self._reload_timer.timeout.connect(self.refresh)
        ctx.data_changed.connect(self._data_changed)
        self._sync_buttons()

    # -- loading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Load the links again, in the background."""
        from caseapp.services.cases.cases import get_case
        from caseapp.services.discovery.links import links_for_case
        from caseapp.services.exchange.hits import hits_for_case

        ws, ref = self.ctx.ws, self.case_ref
        self._stale = False

        def work(_control: TaskControl) -> Loaded:
            groups = links_for_case(ws, ref)
            layout = layout_links(ref, get_case(ws, ref).title, groups)  # pure: off-thread
            return groups, layout, hits_for_case(ws, ref)

        handle = self.ctx.runner.submit(work, name="links")
        self.handle = handle
        handle.succeeded.connect(self._loaded)
        handle.failed.connect(self._failed)

    def _loaded(self, result: Loaded) -> None:
        if self.sender() is not self.handle:
            return  # an older load
        self.handle = None
        groups, layout, hits = result
        self.watchlist.show_hits(hits)
        keep = self.selected_group()
        self.error.clear_error()
        self.model.set_groups(groups)
        if groups and not self._fitted:
            self._fitted = True  # once: later reloads keep the user's own widths
            fit_columns(self.table, stretch=5, max_ems=18, keep=(0, 3, 4))
        self.graph.set_layout(layout)
        self._summarise(groups, layout)
        self._size_panels(len(groups))
        row = next((i for i, g in enumerate(groups) if keep is not None and
                    (g.kind, g.normalized, g.match) == (keep.kind, keep.normalized, keep.match)),
                   0)
        if groups:
            self.table.setCurrentIndex(self.proxy.group_row(row))
        self._sync_buttons()
        log_event("links.shown", case=self.case_ref, groups=len(groups))

    def _size_panels(self, rows: int) -> None:
        """Give the table the height of its rows (up to 6 rows, 40 %), the graph the rest."""
        total = sum(self.splitter.sizes())
        if total <= 0:
            return
        wanted = (self.table.horizontalHeader().height() + 2 * self.table.frameWidth() + 4
                  + min(max(rows, 2), 6) * self.table.verticalHeader().defaultSectionSize())
        table = min(wanted, int(total * 0.4))
        self.splitter.setSizes([table, total - table])

    def _failed(self, exc: BaseException) -> None:
        if self.sender() is not self.handle:
            return
        self.handle = None
        self.error.show_error(self.ctx.report_error(exc, "Links"))
        self.summary.setText("The links could not be loaded.")

    def _summarise(self, groups: list[LinkGroup], layout: GraphLayout) -> None:
        if not groups:
            self.summary.setText(f"No other case or tip shares an identifier with "
                                 f"{self.case_ref}.")
            return
        cases = {ref for g in groups for ref in case_refs(g)}
        tips = {t.ref for g in groups for t in g.tips}
        near = sum(g.match == "near" for g in groups)
        text = (f"{len(groups)} shared identifier{'s' if len(groups) != 1 else ''} link "
                f"{self.case_ref} to {len(cases)} other case{'s' if len(cases) != 1 else ''} "
                f"and {len(tips)} tip{'s' if len(tips) != 1 else ''} "
                f"({len(groups) - near} exact, {near} near).")
        if layout.omitted or layout.omitted_others:
            text += (f" To stay readable the graph leaves out {layout.omitted} identifiers and "
                     f"{layout.omitted_others} less connected cases or tips; the table lists "
                     "every link.")
        self.summary.setText(text)

    def _data_changed(self, ref: str) -> None:
        if ref in ("", self.case_ref):
            return  # the case view refreshes its tabs for these
        if self.isVisible():
            self._reload_timer.start()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self._reload_timer.start()

    # -- selection ---------------------------------------------------------------------------
    def selected_group(self) -> LinkGroup | None:
        index = self.table.currentIndex()
        return index.data(GROUP_ROLE) if index.isValid() else None

    def _source_row(self, index: QModelIndex) -> int:
        return self.proxy.mapToSource(index).row() if index.isValid() else -1

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._sync_buttons()
        if self._syncing:
            return
        row = self._source_row(current)
        self._syncing = True
        try:
            if row >= 0:
                self.graph.select_node(f"id:{row}")
        finally:
            self._syncing = False

    def _node_selected(self, node: GraphNode | None) -> None:
        if self._syncing or node is None or node.group is None:
            return
        index = self.proxy.group_row(node.group)
        if index.isValid():
            self._syncing = True
            try:
                self.table.setCurrentIndex(index)
            finally:
                self._syncing = False

    def _sync_buttons(self) -> None:
        group = self.selected_group()
        self.open_button.setEnabled(group is not None and bool(group.cases or group.tips))

    # -- opening -----------------------------------------------------------------------------
    def targets(self, group: LinkGroup) -> list[tuple[str, str]]:
        """What a row links to: (ref, menu text) for each other case, then each tip."""
        items = []
        for ref in case_refs(group):
            cases = [c for c in group.cases if c.ref == ref]
            who = ", ".join(c.subject for c in cases)
            items.append((ref, f"{ref} — {who} — {cases[0].title}"))
        items += [(t.ref, f"{t.ref} (tip)") for t in group.tips]
        return items

    def open_selected(self) -> QMenu | None:
        """Open the selected row's only link, or offer a menu when it has several."""
        group = self.selected_group()
        if group is None:
            return None
        targets = self.targets(group)
        if len(targets) == 1:
            self.open_ref(targets[0][0])
            return None
        menu = QMenu(self)
        for ref, text in targets:
            action = menu.addAction(text.replace("&", "&&"))
            action.triggered.connect(lambda _c=False, r=ref: self.open_ref(r))
        self.menu = menu
        rect = self.table.visualRect(self.table.currentIndex())
        menu.popup(self.table.viewport().mapToGlobal(rect.bottomLeft()))
        return menu

    def open_ref(self, ref: str) -> CaseView | bool:
        """Open a linked case (on its Links tab) or tip."""
        log_event("links.opened", case=self.case_ref, target=ref)
        return navigation.open_record(self.ctx, ref, "links")

    def activate_node(self, node: GraphNode) -> CaseView | bool | None:
        """A click (or Enter) on a graph node: open a case or tip; show an identifier's row."""
        if node.kind in ("case", "tip"):
            return self.open_ref(node.ref)
        if node.kind == "identifier" and node.group is not None:
            self._node_selected(node)
        return None

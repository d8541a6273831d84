"""The Links tab's graph drawn with Qt: node boxes with plain-text labels, straight edges
(dashed for near links), selection highlighting the node's edges, keyboard and mouse use.
The positions come from :func:`caseapp.ui.discovery.links_layout.layout_links`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QStyle,
    QStyleOptionGraphicsItem,
    QWidget,
)

from caseapp.ui import theme
from caseapp.ui.discovery.links_layout import MIN_SCALE, GraphEdge, GraphLayout, GraphNode
from caseapp.ui.widgets.records import plain_tooltip


class NodeItem(QGraphicsPathItem):
    """One node: a rounded box with two lines of plain text."""

    def __init__(self, node: GraphNode, colours: dict[str, QColor]) -> None:
        super().__init__()
        self.node = node
        w, h = node.size
        radius = {"centre": 14.0, "identifier": 4.0, "case": 10.0, "tip": h / 2}[node.kind]
        path = QPainterPath()
        path.addRoundedRect(QRectF(-w / 2, -h / 2, w, h), radius, radius)
        self.setPath(path)
        self.setPos(node.x, node.y)
        self.setZValue(1)
        self.colours = colours
        fill = colours["highlight"] if node.kind == "centre" else colours[f"{node.kind}_fill"]
        self.setBrush(QBrush(fill))
        self.setPen(QPen(colours[f"{node.kind}_border"], 1.6))
        # Selectable, not focusable: Tab must leave the view (arrows move between nodes).
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setToolTip(plain_tooltip(node.tooltip) or "")
        if node.kind in ("case", "tip"):
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        text_colour = colours["highlight_text"] if node.kind == "centre" else colours["text"]
        for row, line in enumerate(node.lines):
            item = QGraphicsSimpleTextItem(line, self)  # plain text: user text shown literally
            font = item.font()
            font.setBold(row == 0)
            item.setFont(font)
            item.setBrush(QBrush(text_colour))
            box = item.boundingRect()
            item.setPos(-box.width() / 2, (-box.height() if row == 0 else 0.0) + (row * 2 - 1))

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        plain = QStyleOptionGraphicsItem(option)
        plain.state &= ~QStyle.StateFlag.State_Selected  # our own highlight, not a dashed box
        pen = QPen(self.colours["selected"], 3.2) if self.isSelected() else self.pen()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(pen)
        painter.setBrush(self.brush())
        painter.drawPath(self.path())


def graph_colours(palette: QPalette) -> dict[str, QColor]:
    """Node and edge colours for the current palette (text stays readable on both themes)."""
    role = QPalette.ColorRole
    base, text = palette.color(role.Base), palette.color(role.Text)
    return {"highlight": palette.color(role.Highlight),
            "highlight_text": palette.color(role.HighlightedText), "text": text,
            "selected": theme.accent("escalated"),
            "centre_border": palette.color(role.Highlight),
            "identifier_fill": palette.color(role.AlternateBase),
            "identifier_border": palette.color(role.PlaceholderText), "case_fill": base,
            "case_border": palette.color(role.Highlight), "tip_fill": base,
            "tip_border": theme.accent("warn"), "edge": QColor(text.red(), text.green(),
                                                                text.blue(), 150)}


class LinkGraphView(QGraphicsView):
    """Shows a :class:`GraphLayout`. Click or Enter on a node emits ``node_activated``;
    arrows move between nodes; ``+``/``-``/``0`` (or Ctrl+wheel) zoom; dragging pans."""

    node_activated = Signal(object)
    node_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Links graph")
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.layout_: GraphLayout = GraphLayout()
        self.node_items: dict[str, NodeItem] = {}
        self.edges: list[tuple[GraphEdge, QGraphicsPathItem]] = []
        self._zoom = 1.0
        self._press: QPointF | None = None
        self.scene().selectionChanged.connect(self._selection_changed)

    def set_layout(self, layout: GraphLayout) -> None:
        """Draw ``layout`` (replacing the picture)."""
        self.layout_ = layout
        self._build()

    def _build(self) -> None:
        scene = self.scene()
        scene.blockSignals(True)
        scene.clear()
        scene.blockSignals(False)
        self.node_items, self.edges = {}, []
        colours = graph_colours(self.palette())
        for node in self.layout_.nodes:
            item = NodeItem(node, colours)
            scene.addItem(item)
            self.node_items[node.key] = item
        for edge in self.layout_.edges:
            a, b = self.node_items[edge.a].pos(), self.node_items[edge.b].pos()
            pen = QPen(colours["edge"], 1.6)
            if edge.near:
                pen.setStyle(Qt.PenStyle.DashLine)
            path = QPainterPath(a)
            if edge.control is None:
                path.lineTo(b)
            else:
                path.quadTo(QPointF(*edge.control), b)
            line = scene.addPath(path, pen)
            line.setZValue(0)
            line.setToolTip(plain_tooltip(edge.tooltip) or "")
            self.edges.append((edge, line))
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-30, -30, 30, 30))
        self._zoom = 1.0
        self.fit()

    def fit(self) -> None:
        """Scale to show everything, never above 100 % nor below :data:`MIN_SCALE`."""
        rect = self.sceneRect()
        view = self.viewport().rect()
        if rect.isEmpty() or view.isEmpty():
            return
        scale = min(view.width() / rect.width(), view.height() / rect.height(), 1.0)
        scale = max(scale, MIN_SCALE) * self._zoom
        self.resetTransform()
        self.scale(scale, scale)
        self.centerOn(0.0, 0.0)

    def select_node(self, key: str) -> bool:
        """Select the node ``key`` and bring it into view."""
        item = self.node_items.get(key)
        if item is None:
            return False
        if not item.isSelected():
            self.scene().clearSelection()
            item.setSelected(True)
        self.ensureVisible(item, 40, 40)
        return True

    def selected_node(self) -> GraphNode | None:
        chosen = [i for i in self.scene().selectedItems() if isinstance(i, NodeItem)]
        return chosen[0].node if chosen else None

    def _selection_changed(self) -> None:
        node = self.selected_node()
        keys = {node.key} if node else set()
        colours = graph_colours(self.palette())
        for edge, line in self.edges:
            pen = line.pen()
            hot = edge.a in keys or edge.b in keys
            pen.setColor(colours["selected"] if hot else colours["edge"])
            pen.setWidthF(2.8 if hot else 1.6)
            line.setPen(pen)
        self.node_selected.emit(node)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if event.button() != Qt.MouseButton.LeftButton or press is None:
            return
        if (event.position() - press).manhattanLength() > 6:
            return  # a drag (panning), not a click
        item = self.itemAt(event.position().toPoint())
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        if isinstance(item, NodeItem):
            self.node_activated.emit(item.node)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        keys = [n.key for n in self.layout_.nodes]
        current = self.selected_node()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Up) and keys:
            step = 1 if key in (Qt.Key.Key_Right, Qt.Key.Key_Down) else -1
            at = keys.index(current.key) if current else (-1 if step > 0 else 0)
            self.select_node(keys[(at + step) % len(keys)])
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and current:
            self.node_activated.emit(current)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus, Qt.Key.Key_0):
            self.zoom({Qt.Key.Key_Minus: 0.8, Qt.Key.Key_0: 0.0}.get(Qt.Key(key), 1.25))
        else:
            super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.25 if event.angleDelta().y() > 0 else 0.8)
            return
        super().wheelEvent(event)

    def zoom(self, factor: float) -> None:
        """Zoom relative to the fitted scale (``0`` factor: back to fitted)."""
        self._zoom = 1.0 if factor == 0 else min(3.0, max(0.4, self._zoom * factor))
        self.fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange) \
                and self.node_items:
            selected = self.selected_node()
            self._build()  # colours follow a live theme switch
            if selected is not None:
                self.select_node(selected.key)

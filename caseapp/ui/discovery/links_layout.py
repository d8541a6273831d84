"""Layout of the Links tab's graph: this case in the centre, its shared identifiers on an
inner ring, the other cases and tips on an outer ring.

:func:`layout_links` is pure and deterministic (same groups, same picture): identifiers are
spread evenly from the top, clockwise; each other case or tip sits near the mean angle of the
identifiers it shares, in that order around the outer ring, nudged apart where they crowd; an
edge that would cut through another node bends round it where a simple curve can.
Each ring grows until no two node boxes come closer than :data:`GAP` (crowded rings are
staggered), so 20, 40 or more nodes stay readable: the view scrolls rather than shrinking text
below :data:`MIN_SCALE`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF

from caseapp.ui.discovery.links_model import kind_label

if TYPE_CHECKING:
    from caseapp.services.discovery.links import LinkGroup


MAX_GROUPS = 40  # identifier nodes drawn; the table lists every group
MAX_OTHERS = 60  # other cases and tips drawn
SIZES = {"centre": (210.0, 50.0), "identifier": (200.0, 44.0), "case": (190.0, 44.0),
         "tip": (150.0, 44.0)}
GAP = 14.0
ASPECT = 2.0  # rings are ellipses this much wider than tall (labels and views are wide)
MIN_SCALE = 0.75
STAGGER = 0.22
STAGGER_FROM = 12
BENDS = (0.35, 0.6, 0.9)  # control-point offsets tried, as a share of half the edge's length
WIDE_BENDS = (1.3, 1.8, 2.4)  # only to keep a line out of the centre node
_LABEL = 26


def _elide(text: str, limit: int = _LABEL) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True)
class GraphNode:
    """A box of the graph. ``ref`` is the case or tip ref; ``group`` the identifier's row."""

    key: str
    kind: str  # centre | identifier | case | tip
    lines: tuple[str, str]
    tooltip: str
    ref: str = ""
    group: int | None = None
    x: float = 0.0
    y: float = 0.0

    @property
    def size(self) -> tuple[float, float]:
        return SIZES[self.kind]

    def rect(self, margin: float = 0.0) -> QRectF:
        w, h = self.size
        return QRectF(self.x - w / 2 - margin, self.y - h / 2 - margin, w + 2 * margin,
                      h + 2 * margin)


@dataclass(frozen=True)
class GraphEdge:
    """A line between two node keys; ``near`` lines are dashed."""

    a: str
    b: str
    near: bool
    tooltip: str
    control: tuple[float, float] | None = None  # bends the line round the centre


@dataclass
class GraphLayout:
    """Positioned nodes and edges; ``omitted`` identifier groups and ``omitted_others`` other
    cases/tips were left out of the picture (the table lists everything)."""

    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    omitted: int = 0
    omitted_others: int = 0

    def node(self, key: str) -> GraphNode:
        return next(n for n in self.nodes if n.key == key)


def _place(angles: Sequence[float], ry: float, stagger: bool = False) -> list[tuple[float, float]]:
    """Points on the ellipse; ``stagger`` puts every other point on a wider ellipse, so that
    crowded neighbours sit side by side instead of forcing the whole ring outwards."""
    points = []
    odd_last = len(angles) % 2 == 1
    for i, a in enumerate(angles):
        step = 0.5 if odd_last and i == len(angles) - 1 else i % 2  # halfway at an odd wrap
        r = ry * (1.0 + STAGGER * step) if stagger else ry
        points.append((round(ASPECT * r * math.cos(a), 1), round(r * math.sin(a), 1)))
    return points


def _boxes(kind: str, points: Sequence[tuple[float, float]]) -> list[QRectF]:
    w, h = SIZES[kind]
    return [QRectF(x - w / 2 - GAP / 2, y - h / 2 - GAP / 2, w + GAP, h + GAP) for x, y in points]


def _fit_ring(kinds: Sequence[str], angles: Sequence[float], start: float,
              avoid: Sequence[QRectF]) -> tuple[float, list[tuple[float, float]]]:
    """The smallest radius (growing from ``start``) at which the ring's boxes are clear of
    each other and of ``avoid``; and the positions there. Rings of more than
    :data:`STAGGER_FROM` nodes are staggered."""
    ry = start
    stagger = len(angles) > STAGGER_FROM
    points = _place(angles, ry, stagger)
    for _ in range(80):
        points = _place(angles, ry, stagger)
        boxes = [_boxes(k, [p])[0] for k, p in zip(kinds, points, strict=True)]
        clash = any(b.intersects(o) for b in boxes for o in avoid) or any(
            boxes[i].intersects(boxes[j]) for i in range(len(boxes))
            for j in range(i + 1, len(boxes)))
        if not clash:
            return ry, points
        ry *= 1.1
    return ry, points


def _circular_mean(angles: Sequence[float]) -> float:
    x = sum(math.cos(a) for a in angles)
    y = sum(math.sin(a) for a in angles)
    return math.atan2(y, x) if abs(x) + abs(y) > 1e-9 else angles[0]


def direction(angles: Sequence[float]) -> float:
    """Where a node linked to identifiers at ``angles`` should sit: their mean direction, or,
    when they pull evenly apart (opposite sides), the middle of the widest gap between them."""
    x = sum(math.cos(a) for a in angles)
    y = sum(math.sin(a) for a in angles)
    if math.hypot(x, y) > 0.25 * len(angles):
        return math.atan2(y, x)
    ring = sorted(a % (2 * math.pi) for a in angles)
    gaps = [((ring[(i + 1) % len(ring)] - a) % (2 * math.pi) or 2 * math.pi, a)
            for i, a in enumerate(ring)]
    width, start = max(gaps, key=lambda g: (round(g[0], 9), -g[1]))
    return start + width / 2


Box = tuple[float, float, float, float]


def _box(node: GraphNode) -> Box:
    w, h = node.size
    return (node.x - w / 2 - 2, node.y - h / 2 - 2, node.x + w / 2 + 2, node.y + h / 2 + 2)


def _crossings(points: Sequence[tuple[float, float]], boxes: Sequence[Box]) -> int:
    """How many boxes the sampled curve enters."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    return sum(any(x0 <= x <= x1 and y0 <= y <= y1 for x, y in points)
               for x0, y0, x1, y1 in boxes
               if x1 >= left and x0 <= right and y1 >= top and y0 <= bottom)


def _samples(a: tuple[float, float], b: tuple[float, float],
             control: tuple[float, float] | None) -> list[tuple[float, float]]:
    """Inner points of the edge every ~12 px (boxes are at least 48 px tall)."""
    steps = max(8, int(math.hypot(b[0] - a[0], b[1] - a[1]) / 12))
    return bezier(a, b, control, steps)[1:-1]


def edge_control(a: tuple[float, float], b: tuple[float, float], boxes: Sequence[Box],
                 centre: Box) -> tuple[float, float] | None:
    """A control point bending the edge a–b round the boxes it would cut through.

    None when the straight line is clear. Otherwise the first gentle bend (:data:`BENDS`, away
    from the centre first, then the other side) that clears every box; failing that, a line
    through the ``centre`` box (which would read as a link of this case) takes the wider bend
    that clears the centre and crosses the fewest nodes, and any other line stays straight: in
    a dense graph wide arcs are worse than a straight line behind a node.
    """
    everything = [*boxes, centre]
    if not _crossings(_samples(a, b, None), everything):
        return None
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    half = math.hypot(b[0] - a[0], b[1] - a[1]) / 2 or 1.0
    px, py = (a[1] - b[1]) / (2 * half), (b[0] - a[0]) / (2 * half)  # unit, across a–b
    if mx * px + my * py < 0:
        px, py = -px, -py  # "across" pointing away from the centre
    options = [(factor, (round(mx + sx * factor * half, 1), round(my + sy * factor * half, 1)))
               for factor in (*BENDS, *WIDE_BENDS) for sx, sy in ((px, py), (-px, -py))]
    for factor, control in options:
        if factor in BENDS and not _crossings(_samples(a, b, control), everything):
            return control
    if not _crossings(_samples(a, b, None), [centre]):
        return None
    clear = [(_crossings(_samples(a, b, c), boxes), n, c) for n, (_f, c) in enumerate(options)
             if not _crossings(_samples(a, b, c), [centre])]
    return min(clear)[2] if clear else None


def _route(layout: GraphLayout) -> None:
    """Bend the identifier–case/tip edges that would cut through other nodes."""
    boxes = {n.key: _box(n) for n in layout.nodes}
    centre = boxes.pop("centre")
    routed = []
    for edge in layout.edges:
        if edge.a != "centre":
            a, b = layout.node(edge.a), layout.node(edge.b)
            others = [box for key, box in boxes.items() if key not in (edge.a, edge.b)]
            edge = replace(edge, control=edge_control((a.x, a.y), (b.x, b.y), others, centre))
        routed.append(edge)
    layout.edges = routed


def bezier(a: tuple[float, float], b: tuple[float, float], control: tuple[float, float] | None,
           steps: int = 24) -> list[tuple[float, float]]:
    """Points along the (quadratic) edge, for hit tests."""
    c = control or ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    return [((1 - t) ** 2 * a[0] + 2 * (1 - t) * t * c[0] + t * t * b[0],
             (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * c[1] + t * t * b[1])
            for t in (i / steps for i in range(steps + 1))]


def spread(wanted: Sequence[float], min_gap: float = 0.5) -> list[float]:
    """Angles close to ``wanted`` (sorted, radians) but at least ``min_gap`` apart (or evenly
    spaced when there is no room), keeping their order around the circle."""
    m = len(wanted)
    if m < 2:
        return list(wanted)
    if m * min_gap >= 2 * math.pi * 0.9:  # no room to spare: evenly, turned to fit best
        steps = [2 * math.pi * j / m for j in range(m)]
        base = _circular_mean([w - s for w, s in zip(wanted, steps, strict=True)])
        return [base + s for s in steps]
    gap = min_gap
    angles = list(wanted)
    for _ in range(200):
        moved = False
        for i in range(m):
            j = (i + 1) % m
            between = angles[j] - angles[i] if j else angles[0] + 2 * math.pi - angles[i]
            if between < gap - 1e-6:
                push = (gap - between) / 2
                angles[i] -= push
                angles[j] += push
                moved = True
        if not moved:
            break
    return angles


def layout_links(case_ref: str, case_title: str, groups: Sequence[LinkGroup],
                 max_groups: int = MAX_GROUPS, max_others: int = MAX_OTHERS) -> GraphLayout:
    """Nodes and edges for the link groups of ``case_ref`` (see the module docstring)."""
    shown = list(groups[:max_groups])
    layout = GraphLayout(omitted=len(groups) - len(shown))
    centre = GraphNode("centre", "centre", (case_ref, _elide(case_title, 30)),
                       f"{case_ref}\n{case_title}\n(this case)", case_ref)
    layout.nodes.append(centre)
    if not shown:
        return layout
    n = len(shown)
    angles = [-math.pi / 2 + 2 * math.pi * i / n for i in range(n)]
    ry1, points = _fit_ring(["identifier"] * n, angles, 150.0, _boxes("centre", [(0.0, 0.0)]))
    outer: dict[str, dict[str, Any]] = {}
    for i, (group, (x, y)) in enumerate(zip(shown, points, strict=True)):
        near = group.match == "near"
        key = f"id:{i}"
        title = kind_label(group.kind) + (" ≈ near" if near else "")
        layout.nodes.append(GraphNode(key, "identifier", (title, _elide(group.normalized)),
                                      f"{kind_label(group.kind)} {group.normalized}\n"
                                      f"{'Near' if near else 'Exact'}: {group.reason}",
                                      group=i, x=x, y=y))
        layout.edges.append(GraphEdge("centre", key, False, f"{case_ref} holds this "
                                      f"{kind_label(group.kind).lower()}"))
        for ref, kind, who, reason in ([(c.ref, "case", c.subject, c.reason)
                                        for c in group.cases]
                                       + [(t.ref, "tip", "", t.reason) for t in group.tips]):
            entry = outer.setdefault(f"{kind}:{ref}", {"kind": kind, "ref": ref, "links": {},
                                                       "who": [], "title": ""})
            entry["links"].setdefault(i, (near, reason))
            if who and who not in entry["who"]:
                entry["who"].append(who)
            if kind == "case":
                entry["title"] = next(c.title for c in group.cases if c.ref == ref)
    if len(outer) > max_others:  # keep the most connected ones
        keep = sorted(outer, key=lambda k: (-len(outer[k]["links"]), k))[:max_others]
        layout.omitted_others = len(outer) - max_others
        outer = {k: outer[k] for k in outer if k in keep}
    if not outer:
        return layout
    wanted = {k: direction([angles[i] for i in e["links"]]) % (2 * math.pi)
              for k, e in outer.items()}
    order = sorted(outer, key=lambda k: (round(wanted[k], 6), k))
    outer_angles = spread([wanted[k] for k in order])
    kinds = [outer[k]["kind"] for k in order]
    avoid = _boxes("centre", [(0.0, 0.0)]) + _boxes("identifier", points)
    _ry2, outer_points = _fit_ring(kinds, outer_angles, ry1 + 120.0, avoid)
    for key, (x, y) in zip(order, outer_points, strict=True):
        entry = outer[key]
        ref = entry["ref"]
        if entry["kind"] == "case":
            lines = (ref, _elide(", ".join(entry["who"])) or "case")
            tip = f"{ref}\n{entry['title']}\nSubjects: {', '.join(entry['who'])}"
        else:
            lines = (ref, "tip")
            tip = ref
        layout.nodes.append(GraphNode(key, entry["kind"], lines, tip + "\n(click to open)",
                                      ref, x=x, y=y))
        for i, (near, reason) in sorted(entry["links"].items()):
            text = f"{'Near' if near else 'Exact'}: " + (reason or shown[i].reason)
            layout.edges.append(GraphEdge(f"id:{i}", key, near, text))
    _route(layout)
    return layout

"""Where the chart's nodes go: laid out once, then pinned, so options never move a node.

A chart is rendered in two passes. The **layout pass** runs Graphviz ``dot`` on the chart's
nodes and edges as they are with every option off (``-Tjson``): it decides where each node
goes and how each edge bends. The **drawing pass** writes the chart with its options
(highlight, edge derivatives, show_grad) at exactly those positions, rendered by
``neato -n2``, which draws nodes and edges where it is told. So the same graph keeps the
same node positions whatever is turned on, and a number written on an edge is placed by us,
on that edge.

Bands. The layout follows the way the notes draw a network: each hidden unit's chain sits
in its own horizontal band (vertical in a top-to-bottom chart), in the order of the
formula, with its own leaves beside it. A band is what only one term of a sum feeds:
with ŷ = h1 + h2 + h3 + v0, every node whose every path to the root passes through h1
(a1, b1, c1, d1, e1, f1, their weights) is h1's band. Found with post-dominators: the band
of a node is the term its chain of immediate post-dominators reaches the branching node
through. An nn neuron is a band of its own. Leaves that feed several bands (the inputs
x1, x2) get a column of their own on the left, so their edges do not cross the weights'.

>>> from scalargrad import Value
>>> x, w, v = Value(2.0, "x"), Value(3.0, "w"), Value(4.0, "v")
>>> y = (x * w).tanh() + (x * v).tanh()
>>> [[node.label or node.op for node in band] for band in branch_bands(y)]  # x is shared
[['tanh', '*', 'w'], ['tanh', '*', 'v']]
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from ..engine import Value, topological_order
from ..graph import reading_order

__all__ = ["Layout", "branch_bands", "crossings", "edges_through_nodes", "read_layout",
           "reading_order"]

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points, y upwards


# ---------------------------------------------------------------------------------------
# Bands: the parallel chains of a graph.
# ---------------------------------------------------------------------------------------

MIN_BAND = 3
"""A term of a sum makes a band when at least this many value nodes hang from it."""


def _post_dominators(order: Sequence[Value]) -> dict[Value, Value | None]:
    """The immediate post-dominator of every node: the nearest node that every path from
    it up to the root passes through (None for the root). ``order`` is topological."""
    parents: dict[Value, list[Value]] = {node: [] for node in order}
    for node in order:
        for child in node.children:
            parents[child].append(node)
    ipdom: dict[Value, Value | None] = {}
    depth: dict[Value, int] = {}
    for node in reversed(order):  # the root first: parents before children
        ups = list(dict.fromkeys(parents[node]))
        if not ups:
            ipdom[node], depth[node] = None, 0
            continue
        meet = ups[0]
        for other in ups[1:]:
            meet = _meet(meet, other, ipdom, depth)
        ipdom[node], depth[node] = meet, depth[meet] + 1
    return ipdom


def _meet(a: Value, b: Value, ipdom: dict[Value, Value | None], depth: dict[Value, int]
          ) -> Value:
    """The nearest common node of the post-dominator chains of a and b."""
    while a is not b:
        if depth[a] >= depth[b]:
            a = ipdom[a]  # type: ignore[assignment]
        else:
            b = ipdom[b]  # type: ignore[assignment]
    return a


def branch_bands(root: Value, order: Sequence[Value] | None = None) -> list[list[Value]]:
    """The bands of the graph below ``root``, in the order of the branching node's terms:
    the nodes hanging from each term of the first node (from the root down) that has at
    least two terms with `MIN_BAND` value nodes or more each (for a neuron's Σwx, each
    input's band holds its weight too). Empty if there is none."""
    order = order if order is not None else topological_order(root)
    ipdom = _post_dominators(order)
    below: dict[Value, list[Value]] = {node: [] for node in order}
    for node in order:
        if ipdom[node] is not None:
            below[ipdom[node]].append(node)  # type: ignore[index]
    for node in reversed(order):
        terms = [c for c in dict.fromkeys(node.children) if ipdom[c] is node]
        regions = [_region(t, below) for t in terms]
        big = [r for r in regions if len(r) >= MIN_BAND]
        if len(big) >= 2:
            if node.op == "dot":  # a weight goes with its input: w₄₁ beside σ(z_h1)
                for weight, inp in zip(node.children[0::2], node.children[1::2]):
                    band = next((r for r in big if r[0] is inp), None)
                    if band is not None and not weight.op and ipdom[weight] is node:
                        band.append(weight)
            return big
    return []


def _region(top: Value, below: dict[Value, list[Value]]) -> list[Value]:
    """``top`` and every node it post-dominates."""
    region, stack = [], [top]
    while stack:
        node = stack.pop()
        region.append(node)
        stack += below[node]
    return region


# ---------------------------------------------------------------------------------------
# The layout pass: positions from Graphviz's JSON output.
# ---------------------------------------------------------------------------------------


@dataclass
class Layout:
    """Where everything went, in points with y upwards (Graphviz's own coordinates)."""

    bbox: Box
    nodes: dict[str, Box] = field(default_factory=dict)
    edges: dict[str, tuple[str, str, str, list[Point]]] = field(default_factory=dict)
    """By the edge's id: (tail, head, its pos attribute, the edge as a polyline). Edges
    without an id (the invisible ones that only steer the layout) are left out."""
    clusters: dict[str, Box] = field(default_factory=dict)
    slots: dict[str, Point] = field(default_factory=dict)
    """By the edge's id: the centre of the place kept for its number (see `SLOT`)."""

    def size(self) -> tuple[float, float]:
        return self.bbox[2] - self.bbox[0], self.bbox[3] - self.bbox[1]


HELPER = "_"
"""The name prefix of the invisible nodes that only steer the layout (left out of it)."""
LEAD = "_lead"
"""The id suffix of an edge's first piece, up to a waypoint (see `read_layout`)."""
SLOT = "_slot"
"""The id suffix of an edge's piece up to the centre of its number's slot."""


def read_layout(json_text: str) -> Layout:
    """Parse ``dot -Tjson`` output into a `Layout`. An edge laid out in two pieces through
    an invisible waypoint (ids ``E`` + `LEAD` for the piece up to it, ``E`` for the rest)
    becomes one edge ``E`` from the first piece's tail. Invisible helper nodes (named
    from `HELPER`) are left out."""
    data = json.loads(json_text)
    layout = Layout(_floats(data["bb"]))
    objects = data.get("objects", [])
    helpers: dict[str, Point] = {}
    for obj in objects:
        if "nodes" in obj or obj.get("name", "").startswith("cluster"):
            if "bb" in obj:
                layout.clusters[obj["name"]] = _floats(obj["bb"])
            continue
        if "pos" not in obj:
            continue
        x, y = _floats(obj["pos"])
        if obj["name"].startswith(HELPER):
            helpers[obj["name"]] = (x, y)
            continue
        w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
        layout.nodes[obj["name"]] = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    for edge in data.get("edges", []):
        if "id" not in edge or "pos" not in edge:
            continue
        tail, head = objects[edge["tail"]]["name"], objects[edge["head"]]["name"]
        layout.edges[edge["id"]] = (tail, head, edge["pos"], edge_polyline(edge["pos"]))
    for suffix in (SLOT, LEAD):  # tail → waypoint → slot → head, joined from the head
        for piece_id in [e for e in layout.edges if e.endswith(suffix)]:
            tail, slot, piece_pos, _ = layout.edges.pop(piece_id)
            edge_id = piece_id.removesuffix(suffix)
            if suffix == SLOT:
                layout.slots[edge_id] = helpers[slot]
            _, head, rest_pos, _ = layout.edges[edge_id]
            pos = _joined(piece_pos, rest_pos)
            layout.edges[edge_id] = (tail, head, pos, edge_polyline(pos))
    return layout


def _joined(first: str, second: str) -> str:
    """One edge ``pos`` from two pieces that meet at a waypoint: the first piece's
    B-spline, then the second's, their two ends at the waypoint merged into one point."""
    head = [p for p in second.split() if p.startswith("e,")]
    lead = [p for p in first.split() if not p.startswith(("e,", "s,"))]
    rest = [p for p in second.split() if not p.startswith(("e,", "s,"))]
    (ax, ay), (bx, by) = (_floats(lead[-1]), _floats(rest[0]))
    return " ".join([*head, *lead[:-1], f"{(ax + bx) / 2:.3f},{(ay + by) / 2:.3f}", *rest[1:]])


def _floats(text: str) -> tuple[float, ...]:
    return tuple(float(v) for v in text.split(","))


def edge_polyline(pos: str, samples: int = 8) -> list[Point]:
    """An edge's ``pos`` (``e,x,y`` arrow tip, then B-spline control points) as a line
    from tail to head, each cubic Bézier piece sampled at ``samples`` points."""
    controls: list[Point] = []
    start = end = None
    for part in pos.split():
        fields = part.split(",")
        if fields[0] in ("e", "s"):
            point = (float(fields[1]), float(fields[2]))
            start, end = (point, end) if fields[0] == "s" else (start, point)
        else:
            controls.append((float(fields[0]), float(fields[1])))
    line = [start] if start else []
    line.append(controls[0])
    for i in range(0, len(controls) - 3, 3):
        p0, p1, p2, p3 = controls[i:i + 4]
        for k in range(1, samples + 1):
            t = k / samples
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
            line.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                         a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    if end:
        line.append(end)
    return line


# ---------------------------------------------------------------------------------------
# Measuring a layout: crossings, and how close things come.
# ---------------------------------------------------------------------------------------


def _segments_cross(p: Point, q: Point, r: Point, s: Point) -> bool:
    """Whether segment pq properly crosses segment rs."""
    def side(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    d1, d2 = side(r, s, p), side(r, s, q)
    d3, d4 = side(p, q, r), side(p, q, s)
    return d1 * d2 < 0 and d3 * d4 < 0


def _lines_cross(a: list[Point], b: list[Point]) -> int:
    """How many times two polylines cross."""
    count = 0
    for p, q in pairwise(a):
        for r, s in pairwise(b):
            if (max(p[0], q[0]) >= min(r[0], s[0]) and max(r[0], s[0]) >= min(p[0], q[0])
                    and max(p[1], q[1]) >= min(r[1], s[1])
                    and max(r[1], s[1]) >= min(p[1], q[1]) and _segments_cross(p, q, r, s)):
                count += 1
    return count


def crossings(layout: Layout) -> int:
    """Edge crossings in a layout: pairs of edges with no end in common, counted once
    per point where their drawn lines cross."""
    edges = list(layout.edges.values())
    total = 0
    for i, (t1, h1, _, line1) in enumerate(edges):
        for t2, h2, _, line2 in edges[i + 1:]:
            if {t1, h1} & {t2, h2}:
                continue
            total += _lines_cross(line1, line2)
    return total


def distance_to_line(point: Point, line: list[Point]) -> float:
    """The distance from a point to a polyline."""
    return min(_distance_to_segment(point, p, q) for p, q in pairwise(line))


def _distance_to_segment(point: Point, p: Point, q: Point) -> float:
    dx, dy = q[0] - p[0], q[1] - p[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((point[0] - p[0]) * dx
                                                   + (point[1] - p[1]) * dy) / length2))
    return math.hypot(point[0] - p[0] - t * dx, point[1] - p[1] - t * dy)


def _inflate(box: Box, margin: float) -> Box:
    return box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin


def _line_hits_box(line: list[Point], box: Box) -> bool:
    """Whether a polyline passes through a box (sampled at its points and midpoints)."""
    for p, q in pairwise(line):
        for t in (0.0, 0.25, 0.5, 0.75):
            x, y = p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])
            if box[0] < x < box[2] and box[1] < y < box[3]:
                return True
    return False


def edges_through_nodes(layout: Layout, margin: float = 3.0,
                        ignore: set[str] = frozenset()) -> list[tuple[str, str, str]]:
    """(tail, head, node) for each edge that passes through, or within ``margin`` points
    of, a node that is not one of its ends."""
    hits = []
    for tail, head, _, line in layout.edges.values():
        for name, box in layout.nodes.items():
            if name in (tail, head) or name in ignore:
                continue
            if _line_hits_box(line, _inflate(box, margin)):
                hits.append((tail, head, name))
    return hits


# ---------------------------------------------------------------------------------------
# Numbers on edges: each local derivative on its own edge, near the op.
# ---------------------------------------------------------------------------------------


def text_width(text: str, size: float) -> float:
    """The width of ``text`` in Arial/Helvetica at ``size`` points (digit widths)."""
    narrow = sum(ch in ".,:;!|il" for ch in text)
    return size * (0.556 * (len(text) - narrow) + 0.278 * narrow)


REACH = 80
"""The farthest a label goes from its op, in steps of 3 points along its edge."""


def place_on_edges(layout: Layout, labels: dict[str, Point],
                   rivals: set[str] | None = None) -> dict[str, tuple[Point, Point]]:
    """A centre for each label, at its own edge: ``labels`` maps an edge's id to the
    label's (width, height); ``rivals``: the edges a number could be taken to belong to
    (default: every edge; the chart passes the operand edges, as op → result edges never
    carry a number). A label sits on its edge's line, as near the head (the op) as it can
    without covering a node, an op, another label or another edge's line; where the edge
    is too short or too crowded for that, beside it (then a leader joins it to its edge,
    and the leader crosses no node); never outside the layout's box (so that showing the
    numbers leaves the picture as it was). An edge with a slot kept for its number
    (`Layout.slots`) has it there unless something covers that place. Always nearer its
    own edge than any rival, so a reader can tell whose number it is. Returns, per edge,
    the label's centre and the point of the edge it belongs to (the same when on the
    line)."""
    placed: dict[str, tuple[Point, Point]] = {}
    boxes: list[Box] = []
    spans = {k: _span(e[3]) for k, e in layout.edges.items()}
    for edge_id, (w, h) in labels.items():
        line = layout.edges[edge_id][3]
        near = _inflate(spans[edge_id], w + h + 80)  # all a label placed here could be near
        others = [(k, e[3], spans[k]) for k, e in layout.edges.items()
                  if k != edge_id and _overlap(spans[k], near) > 0]
        around = Around(others=[(line_, span) for _, line_, span in others],
                        rivals=[(line_, span) for k, line_, span in others
                                if rivals is None or k in rivals],
                        nodes=[_inflate(b, 2) for b in layout.nodes.values()
                               if _overlap(b, near) > 0],
                        labels=[_inflate(b, 1) for b in boxes if _overlap(b, near) > 0])
        best, anchor, best_cost = line[-1], line[-1], math.inf
        if edge_id in layout.slots:  # the place the layout kept for it, on its line
            slot = layout.slots[edge_id]
            best, anchor, best_cost = slot, slot, around.crowding(slot, w, h, line, None)
        for rank, (point, normal) in enumerate(_points_from_head(line, step=3.0)):
            if 0.015 * rank >= best_cost or rank > REACH:
                break  # nothing further from the op can do better
            for shift in (0.0, *(side * (h / 2 + gap) for gap in (2, 6, 12, 18, 26, 36, 50, 66, 84)
                                 for side in (1, -1))):
                centre = (point[0] + normal[0] * shift, point[1] + normal[1] * shift)
                if not _inside(centre, w + 6, h + 6, layout.bbox):
                    continue  # a number never makes the picture bigger (or moves a node)
                nearness = 0.015 * rank + 0.2 * abs(shift)  # near the op, on the line
                cost = nearness + around.crowding(centre, w, h, line,
                                                  None if shift == 0 else point,
                                                  best_cost - nearness)
                if cost < best_cost:
                    best, anchor, best_cost = centre, point, cost
        placed[edge_id] = best, anchor
        boxes.append((best[0] - w / 2, best[1] - h / 2, best[0] + w / 2, best[1] + h / 2))
    return placed


@dataclass
class Around:
    """What is near an edge whose label is being placed: other edges (``rivals``: those
    that could carry a number), nodes and op circles (2 points wider), the labels placed
    already (1 point wider)."""

    others: list[tuple[list[Point], Box]]
    rivals: list[tuple[list[Point], Box]]
    nodes: list[Box]
    labels: list[Box]

    def crowding(self, centre: Point, w: float, h: float, own: list[Point],
                 leader: Point | None, limit: float = math.inf) -> float:
        """How bad a place for a label is: 1000 for each thing it covers (a node, an op,
        a label, another edge's line) and for its leader (from the point ``leader`` of its
        edge) crossing a node; on its edge's line (no leader), 1000 for being nearer a
        rival edge than its own; a leader crossing another edge, 200. Counting stops at
        ``limit`` (a place known to be worse than one found)."""
        box = (centre[0] - w / 2, centre[1] - h / 2, centre[0] + w / 2, centre[1] + h / 2)
        cost = 1000.0 * (sum(_overlap(box, b) > 0 for b in self.nodes)
                         + sum(_overlap(box, b) > 0 for b in self.labels))
        wide = _inflate(box, 1)
        for line, span in self.others:
            if cost >= limit:
                return cost
            if _overlap(span, wide) > 0 and _line_hits_box(line, wide):
                cost += 1000.0
        if leader is None:
            mine = distance_to_line(centre, own)
            reach = _inflate((centre[0], centre[1], centre[0], centre[1]), mine + 2)
            return cost + 1000.0 * any(_overlap(span, reach) > 0 and
                                       distance_to_line(centre, line) <= mine + 2
                                       for line, span in self.rivals)
        reach_line = [leader, _entry(box, leader)]
        cost += 1000.0 * sum(_line_hits_box(reach_line, b) for b in self.nodes)
        segment = _span(reach_line)
        return cost + 200.0 * sum(_overlap(span, segment) > 0 and _crosses(reach_line, line)
                                  for line, span in self.others if cost < limit)


def _crosses(segment: list[Point], line: list[Point]) -> bool:
    return any(_segments_cross(segment[0], segment[1], p, q) for p, q in pairwise(line))


def _entry(box: Box, outside: Point) -> Point:
    """Where the segment from ``outside`` to the box's centre enters the box."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    dx, dy = cx - outside[0], cy - outside[1]
    t = 0.0
    if dx:
        t = max(t, ((box[0] if dx > 0 else box[2]) - outside[0]) / dx)
    if dy:
        t = max(t, ((box[1] if dy > 0 else box[3]) - outside[1]) / dy)
    t = min(t, 1.0)
    return outside[0] + dx * t, outside[1] + dy * t


def _span(line: list[Point]) -> Box:
    """The box around a polyline (a little wider, so a flat line has an area)."""
    xs, ys = [p[0] for p in line], [p[1] for p in line]
    return min(xs) - 1, min(ys) - 1, max(xs) + 1, max(ys) + 1


def _points_from_head(line: list[Point], step: float) -> list[tuple[Point, Point]]:
    """Points every ``step`` along a polyline from its head end back to its tail, each
    with the unit normal of the line there."""
    points: list[tuple[Point, Point]] = []
    rest = 0.0
    reverse = line[::-1]
    for p, q in pairwise(reverse):
        length = math.dist(p, q)
        if length == 0:
            continue
        normal = (-(q[1] - p[1]) / length, (q[0] - p[0]) / length)
        t = rest
        while t <= length:
            points.append(((p[0] + (q[0] - p[0]) * t / length,
                            p[1] + (q[1] - p[1]) * t / length), normal))
            t += step
        rest = t - length
    return points


def _inside(centre: Point, w: float, h: float, box: Box) -> bool:
    """Whether a ``w`` × ``h`` box around ``centre`` lies inside ``box``."""
    return (box[0] <= centre[0] - w / 2 and centre[0] + w / 2 <= box[2]
            and box[1] <= centre[1] - h / 2 and centre[1] + h / 2 <= box[3])


def _overlap(a: Box, b: Box) -> float:
    """The area two boxes share."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0

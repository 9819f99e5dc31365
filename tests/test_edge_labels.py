"""Local derivatives written on edges, measured on the rendered SVG: no label covers a node,
an op circle, another label, or the line of an edge it does not belong to; its leader (when
it sits beside its edge) crosses no node either. On seed 001, seed 002, the micrograd
neuron, an MLP and a dense MLP (every Σwx fed by nine edges), with every derivative shown
and with one highlighted path. (Before the layout kept a slot for each number on the edges
into a Σwx, seed 002 had 1 such overlap and the dense MLP 14.)
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest

import scalargrad as sg
from scalargrad import Value, nn
from scalargrad.examples import seed001

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
Box = tuple[float, float, float, float]


def bezier(d: str) -> list[tuple[float, float]]:
    """An SVG path of M and C pieces as a polyline (16 points per cubic)."""
    v = [float(n) for n in NUMBER.findall(d)]
    pts = list(zip(v[::2], v[1::2]))
    line = [pts[0]]
    for k in range(1, len(pts) - 2, 3):
        p0, p1, p2, p3 = pts[k - 1], pts[k], pts[k + 1], pts[k + 2]
        for i in range(1, 17):
            t = i / 16
            line.append(tuple((1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t ** 2 * c
                              + t ** 3 * e for a, b, c, e in zip(p0, p1, p2, p3)))
    return line


def outline(group: ET.Element) -> Box:
    shape = next(e for e in group.iter() if e.tag in (f"{SVG}path", f"{SVG}polygon",
                                                      f"{SVG}ellipse"))
    if shape.tag == f"{SVG}ellipse":
        cx, cy, rx, ry = (float(shape.get(k)) for k in ("cx", "cy", "rx", "ry"))
        return cx - rx, cy - ry, cx + rx, cy + ry
    v = [float(n) for n in NUMBER.findall(shape.get("d") or shape.get("points"))]
    return min(v[::2]), min(v[1::2]), max(v[::2]), max(v[1::2])


def overlaps(a: Box, b: Box) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def crosses(line: list[tuple[float, float]], box: Box) -> bool:
    """Whether a polyline enters a box (sampled finely)."""
    for (x0, y0), (x1, y1) in pairwise(line):
        for i in range(9):
            x, y = x0 + (x1 - x0) * i / 8, y0 + (y1 - y0) * i / 8
            if box[0] < x < box[2] and box[1] < y < box[3]:
                return True
    return False


def problems(svg: str) -> list[str]:
    tree = ET.fromstring(svg.encode("utf-8"))
    nodes, labels, leaders, edges = {}, {}, {}, {}
    for g in tree.iter(f"{SVG}g"):
        name, cls = g.get("id") or "", g.get("class")
        if cls == "node" and name.startswith("d_"):
            labels[name[2:]] = outline(g)
        elif cls == "node" and re.fullmatch(r"v\d+(op)?", name):
            nodes[name] = outline(g)
        elif cls == "edge" and name.startswith("leader_"):
            leaders[name[7:]] = bezier(next(g.iter(f"{SVG}path")).get("d"))
        elif cls == "edge" and name.startswith("e_"):
            edges[name] = bezier(next(g.iter(f"{SVG}path")).get("d"))
    assert labels, "no derivative drawn"
    found = []
    for edge, box in labels.items():
        inner = (box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1)  # its own border aside
        found += [f"{edge} covers node {n}" for n, b in nodes.items() if overlaps(inner, b)]
        found += [f"{edge} covers label {o}" for o, b in labels.items()
                  if o != edge and overlaps(inner, b)]
        found += [f"{edge} covers edge {e}" for e, line in edges.items()
                  if e != edge and crosses(line, inner)]
        if edge in leaders:
            line = leaders[edge]
            found += [f"{edge}'s leader crosses node {n}" for n, b in nodes.items()
                      if crosses(line, b)]
    return found


def seed002() -> tuple[Value, Value]:
    net = nn.MLP.from_weights(
        [[([0.1, 0.2], 0.1), ([0.3, 0.4], 0.2), ([0.5, 0.6], 0.3)], [([0.7, 0.8, 0.9], 0.1)]],
        act="sigmoid", out_act="sigmoid")
    loss = sg.losses.half_sse([net([Value(1.0, "x1"), Value(2.0, "x2")])], [1.0])
    loss.backward()
    return loss, net.layers[0].neurons[0].w[0]


def neuron() -> tuple[Value, Value]:
    x1, w1 = Value(2.0, "x1"), Value(-3.0, "w1")
    x2, w2, b = Value(0.0, "x2"), Value(1.0, "w2"), Value(6.8813735870195432, "b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    o.backward()
    return o, w1


def mlp() -> tuple[Value, Value]:
    net = nn.MLP(2, [3, 1], act="tanh", seed=2)
    loss = sg.losses.mse([net([1.0, -2.0])], [0.3])
    loss.backward()
    return loss, net.layers[0].neurons[0].w[0]


def seed001_loss() -> tuple[Value, Value]:
    nodes = seed001()
    nodes["L"].backward()
    return nodes["L"], nodes["w12"]


def dense() -> tuple[Value, Value]:
    """A dense MLP(3, [4, 4, 1]): each neuron of layers 2 and 3 is fed by every one before."""
    net = nn.MLP(3, [4, 4, 1], act="tanh", seed=3)
    loss = sg.losses.mse([net([1.0, -2.0, 0.5])], [0.3])
    loss.backward()
    return loss, net.layers[0].neurons[0].w[0]


def seed002_as_in_the_notes() -> Value:
    """Seed 002 with the notes' names (L1.n2.w1 → W21, L1.n2.b → b2, L2.n1.w3 → w43,
    L2.n1.b → b4), as its demo draws it: in bands, not neuron boxes."""
    loss, _ = seed002()
    for node in sg.topological_order(loss):
        if m := re.fullmatch(r"L(\d)\.n(\d)\.(w\d|b)", node.label or ""):
            hidden = m[1] == "1"
            unit = m[2] if hidden else "4"
            node.label = (("W" if hidden else "w") + unit + m[3][1:] if m[3] != "b"
                          else f"b{unit}")
    return loss


def seed002_banded() -> tuple[Value, Value]:
    loss = seed002_as_in_the_notes()
    return loss, next(n for n in sg.topological_order(loss) if n.label == "W11")


GRAPHS = {"seed001": seed001_loss, "seed002": seed002, "neuron": neuron, "mlp": mlp,
          "dense": dense, "seed002-banded": seed002_banded}


CASES = [*((graph, "highlight") for graph in GRAPHS),
         *((graph, "every derivative") for graph in GRAPHS)]


@pytest.mark.parametrize(("graph", "option"), CASES)
def test_edge_labels_sit_on_nothing_else(graph: str, option: str) -> None:
    root, weight = GRAPHS[graph]()
    options = {"edge_derivatives": True} if option == "every derivative" else \
        {"highlight": weight}
    assert problems(sg.to_svg(root, engine="bundled", **options)) == []


def test_slots_keep_the_bands_in_the_notes_order() -> None:
    """The places kept for numbers do not reorder seed 002's bands: unit 1's on top."""
    loss = seed002_as_in_the_notes()
    tree = ET.fromstring(sg.to_svg(loss, engine="bundled", edge_derivatives=True)
                         .encode("utf-8"))
    order = sg.topological_order(loss)
    tops = [f"v{order.index(h)}" for h in order if h.op == "sigmoid"][:3]  # σ(z_h1)…σ(z_h3)
    boxes = {g.get("id"): outline(g) for g in tree.iter(f"{SVG}g") if g.get("id") in tops}
    hidden = sorted(tops, key=lambda name: next(
        c.label for c in order[int(name[1:])].children[0].children if c.label))
    heights = [boxes[name][1] for name in hidden]  # W1…, W2…, W3…: top to bottom
    assert heights == sorted(heights), heights

"""Collapsed views read as the key says: in a layer's box each neuron's output, and its
gradient below it in bold (not beside it, where "0.6772 −0.1018" reads as a subtraction).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest

import scalargrad as sg
from scalargrad.chart.style import format_number

SVG = "{http://www.w3.org/2000/svg}"


def test_a_layer_box_puts_each_gradient_under_its_output_in_bold() -> None:
    net = sg.nn.MLP(2, [3, 1], act="tanh", seed=1)
    loss = sg.losses.mse([net([1.0, 2.0])], [0.5])
    loss.backward()
    tree = ET.fromstring(sg.to_svg(loss, view="layer", engine="bundled").encode("utf-8"))
    layer = next(g for g in tree.iter(f"{SVG}g") if g.get("id") == "layer1")
    texts = [(t.text, float(t.get("x")), float(t.get("y")), t.get("font-weight"))
             for t in layer.iter(f"{SVG}text")]
    outputs = [node for node in sg.topological_order(loss) if node.op == "tanh"]
    assert len(outputs) == 3
    for node in outputs:
        value = next(t for t in texts if t[0] == format_number(node.data, 4))
        grad = next(t for t in texts if t[0] == format_number(node.grad, 4))
        assert grad[3] == "bold" and value[3] != "bold"
        assert grad[2] >= value[2] + 10, (value, grad)  # below it (y grows downwards)
        assert abs(grad[1] - value[1]) < 40  # in the same column


def page_parts(html: str) -> tuple[set[str], list[dict]]:
    """The ids of the page's chart and its steps."""
    ids = set(re.findall(r'<g id="([^"]+)" class="(?:node|edge|cluster)"', html))
    data = json.loads(re.search(r'id="steps">(.*?)</script>', html, re.S)[1])
    return ids, data["steps"]


@pytest.mark.parametrize("view", ["neuron", "layer"])
def test_every_step_of_a_collapsed_animation_marks_something_drawn(view: str) -> None:
    """MLP(2, [8, 1]) by neuron or by layer: every step marks a box of the chart (its node,
    or the box its node is folded into, naming that node), and the nodes and edges its
    gradient comes from are drawn too."""
    net = sg.nn.MLP(2, [8, 1], act="tanh", seed=0)
    loss = sg.losses.mse([net([0.5, -1.0])], [1.0])
    loss.label = "L"
    ids, steps = page_parts(sg.animate(loss, view=view).html)
    order = sg.topological_order(loss)
    assert len(steps) == sum(1 for n in order if not n.constant)
    folded = 0
    for step in steps:
        assert step.get("mark", step["node"]) in ids, step
        assert set(step["from"]) <= ids and set(step["edges"]) <= ids, step
        if "mark" in step:
            folded += 1
            assert step["inside"]  # the name of the node inside the box
    assert folded > len(steps) / 2  # most of an MLP's nodes are inside its neurons


NAME = re.compile(r"(?<![\w.])[^\W\d_][\w\u0300-\u036f⁽⁾]*")
"""A name in a step line: a letter, then letters, digits, sub- and superscripts (w₁₁⁽¹⁾);
not the e of a number such as 1e−09."""


@pytest.mark.parametrize("view", ["neuron", "layer"])
@pytest.mark.parametrize("sizes", [[8, 1], [3, 2, 1]])
def test_a_collapsed_step_line_names_only_what_the_chart_shows(view: str, sizes: list[int]
                                                               ) -> None:
    """Each name in a step line is a text of the chart, or is said to be inside a box the
    chart draws: the step lists it with that box, and its caption names both."""
    net = sg.nn.MLP(2, sizes, act="tanh", seed=0)
    loss = sg.losses.mse(net([0.5, -1.0]) if sizes[-1] > 1 else [net([0.5, -1.0])],
                         [1.0] * sizes[-1])
    html = sg.animate(loss, view=view).html
    ids, steps = page_parts(html)
    tree = ET.fromstring(html[html.index("<svg"):html.index("</svg>") + 6].encode("utf-8"))
    drawn = {"".join(t.itertext()).strip() for t in tree.iter(f"{SVG}text")}
    titles = {g.get("id"): "".join(next(g.iter(f"{SVG}text")).itertext()).strip()
              for g in tree.iter(f"{SVG}g")
              if g.get("id") in ids and next(g.iter(f"{SVG}text"), None) is not None}
    undrawn = 0
    for step in steps:
        assert step.get("mark", step["node"]) in ids, step  # (a) it marks a drawn node
        inside = dict(step.get("inside", []))
        for name in NAME.findall(step["text"]):
            if name in drawn:
                continue
            undrawn += 1
            assert name in inside, (name, step["text"])  # (b) or says which box holds it
            box = inside[name]
            assert box in ids and box in {step.get("mark"), *step["from"]}, (name, step)
            assert name in step["where"] and titles[box] in step["where"], (titles[box], step)
    assert undrawn > len(steps)  # the weights and the pre-activations are inside boxes


@pytest.mark.parametrize("loss_of", [sg.losses.mse, sg.losses.half_sse])
def test_a_network_loss_keeps_its_name_in_every_view(loss_of) -> None:
    """An unlabelled loss from `sg.losses` is L (the notes' name), in the key and on its box
    in every view, as the walkthrough calls it; not t₆₇, a number counting the nodes that a
    collapsed view folds away."""
    net = sg.nn.MLP(2, [16, 16, 1], seed=0)
    loss = loss_of([net([0.5, -1.0])], [1.0])
    loss.backward()
    assert "∂L/∂" in str(sg.steps(loss))
    for view in ("neuron", "layer"):
        tree = ET.fromstring(sg.to_svg(loss, view=view, engine="bundled").encode("utf-8"))
        key = "".join(t.text or "" for g in tree.iter(f"{SVG}g") if g.get("id") == "legend"
                      for t in g.iter(f"{SVG}text"))
        assert "∂L/∂node" in key, (view, key)
        root = f"v{len(sg.topological_order(loss)) - 1}"
        box = next(g for g in tree.iter(f"{SVG}g") if g.get("id") == root)
        assert "L" in [t.text for t in box.iter(f"{SVG}text")], view


def test_a_loss_the_user_named_keeps_that_name() -> None:
    net = sg.nn.MLP(2, [3, 1], seed=0)
    loss = sg.losses.mse([net([0.5, -1.0])], [1.0])
    loss.label = "J"
    loss.backward()
    assert "∂J/∂node" in sg.to_svg(loss, view="neuron", engine="bundled")


def drawn_edges(svg: str) -> list[tuple[set[str], list[tuple[float, float]]]]:
    """Each arrow of an SVG chart: its two ends (from its title, ``v1->v2``) and its line
    (the path's points: the Bézier control polygon, which crosses where the curve does
    closely enough to count)."""
    tree = ET.fromstring(svg.encode("utf-8"))
    edges = []
    for g in tree.iter(f"{SVG}g"):
        if g.get("class") == "edge":
            ends = set(next(g.iter(f"{SVG}title")).text.replace("&#45;", "-").split("->"))
            numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?",
                                                    next(g.iter(f"{SVG}path")).get("d"))]
            edges.append((ends, list(zip(numbers[::2], numbers[1::2]))))
    return edges


def crossings(svg: str) -> int:
    """Points where two arrows with no end in common cross (segment by segment)."""
    def cross(p, q, r, s) -> bool:
        def side(a, b, c):
            return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return side(r, s, p) * side(r, s, q) < 0 and side(p, q, r) * side(p, q, s) < 0

    edges = drawn_edges(svg)
    return sum(cross(p, q, r, s)
               for i, (ends, line) in enumerate(edges) for others, other in edges[i + 1:]
               if not ends & others
               for p, q in pairwise(line) for r, s in pairwise(other))


def test_dense_layers_are_drawn_through_a_bundle_a_reader_can_follow() -> None:
    """MLP(2, [16, 16, 1]) by neuron: layer 1 → layer 2 is 16 × 16, every output to every
    neuron; drawn through one bundle (32 arrows, not 256: 36,421 crossings before, 120 now),
    in a landscape picture (814 × 1307 pt before, portrait)."""
    net = sg.nn.MLP(2, [16, 16, 1], seed=0)
    loss = sg.losses.mse([net([0.5, -1.0])], [1.0])
    loss.backward()
    svg = sg.to_svg(loss, view="neuron", engine="bundled")
    edges = drawn_edges(svg)
    bundle = [ends for ends, _ in edges if "bundle2" in ends]
    assert len(bundle) == 16 + 16
    assert len(edges) == 2 * 16 + 16 + 16 + 16 + 5  # x → layer 1, the bundle, → layer 3, loss
    assert "16 × 16" in svg
    assert crossings(svg) < 200
    width, height = (float(v) for v in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"',
                                                  svg).groups())
    assert width > height  # landscape: a neuron's box reads name, value; below it, grad


def test_a_step_through_a_bundle_lights_the_bundle_s_two_arrows() -> None:
    """MLP(2, [4, 4, 1]) by neuron draws layer 1 → layer 2 through one bundle (16 arrows):
    a step whose gradient comes from a neuron of layer 2 lights the arrows into and out of
    the bundle, which the chart draws, not the direct arrow it no longer draws."""
    net = sg.nn.MLP(2, [4, 4, 1], act="tanh", seed=0)
    loss = sg.losses.mse([net([0.5, -1.0])], [1.0])
    ids, steps = page_parts(sg.animate(loss, view="neuron").html)
    assert any(i.startswith("bundle") for i in ids)
    through = [s for s in steps if any("bundle" in e for e in s["edges"])]
    assert through
    for step in steps:
        assert set(step["edges"]) <= ids, step
        assert set(step["from"]) <= ids, step

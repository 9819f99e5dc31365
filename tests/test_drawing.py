"""The computational chart, rendered by both engines: the system ``dot`` and the bundled one.

Every SVG is parsed as XML and read back: each value node's group (``<g id="v{i}">``)
must show that node's label, data and grad; labels full of markup characters must come
back as the same text; highlighted edges must be exactly the edges on the root-to-target
paths, found here by enumerating the paths one by one.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import scalargrad as sg
from scalargrad import Value, nn
from scalargrad.chart import graphviz_engine
from scalargrad.chart import layout as chart_layout
from scalargrad.chart.drawing import MAX_DRAWN, ChartTooBig, LargeGraphWarning
from scalargrad.chart.style import LOOKS, NUMBER_SIZE, format_number
from scalargrad.engine import topological_order
from scalargrad.examples import seed001
from scalargrad.examples import seed002 as seed002_example
from scalargrad.graph import pretty_label

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
HAVE_DOT = shutil.which("dot") is not None


# -- reading an SVG back --------------------------------------------------------------------


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def groups(tree: ET.Element, cls: str) -> dict[str, ET.Element]:
    """Every ``<g class=cls>`` by its id."""
    return {g.get("id"): g for g in tree.iter(f"{SVG}g") if g.get("class") == cls}


def texts(group: ET.Element) -> list[str]:
    return [t.text or "" for t in group.iter(f"{SVG}text")]


def tooltip(group: ET.Element) -> str | None:
    anchor = next(group.iter(f"{SVG}a"), None)
    return None if anchor is None else anchor.get(f"{XLINK}title")


def shown(x: float) -> str:
    """A number as the chart prints it with 4 significant digits (a true minus sign)."""
    text = f"{x:.4g}"
    return "0" if float(text) == 0 else text.replace("-", "\u2212")


SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def seed002() -> tuple[Value, Value, nn.MLP]:
    """Seed 002's 2-3-1 net, sigmoid on both layers, L = ½(out − y)², after backward."""
    net = nn.MLP.from_weights(
        [[([0.1, 0.2], 0.1), ([0.3, -0.1], 0.0), ([-0.2, 0.4], 0.2)],
         [([0.5, -0.3, 0.2], 0.1)]], act="sigmoid", out_act="sigmoid")
    out = net([Value(1.0, "x1"), Value(2.0, "x2")])
    loss = 0.5 * (out - Value(1.0, "y")) ** 2
    loss.label = "L"
    loss.backward()
    return loss, net.layers[0].neurons[0].w[0], net


# -- every node shows its label, data and grad --------------------------------------------


def test_seed001_chart_shows_every_node(engine: str) -> None:
    nodes = seed001()
    loss = nodes["L"]
    loss.backward()
    tree = parse(sg.to_svg(loss, engine=engine))
    drawn = groups(tree, "node")
    order = topological_order(loss)
    for i, node in enumerate(order):
        words = texts(drawn[f"v{i}"])
        assert shown(node.data) in words, (node.label, words)
        assert shown(node.grad) in words, (node.label, words)
        if node.label:
            # w12 → w₁₂, x0 → x₀, ŷ and L unchanged
            head = node.label[0] + node.label[1:].translate(SUBSCRIPT)
            assert head in words, (node.label, words)
            assert tooltip(drawn[f"v{i}"]).startswith(node.label + "\n")
        if node.op:
            assert f"v{i}op" in drawn


def test_seed001_chart_grad_matches_the_notes_formula(engine: str) -> None:
    """∂L/∂w12 = 2(ŷ − y)·v1·f1(1 − f1)·x2, from the notes, computed with math here."""
    nodes = seed001()
    nodes["L"].backward()
    f = [1 / (1 + math.exp(-(w0 + w1 * 1 + w2 * 2)))
         for w0, w1, w2 in ((0.01, 0.02, 0.03), (0.03, 0.01, 0.02), (0.02, 0.03, 0.01))]
    y_hat = 0.01 + 0.02 * f[0] + 0.03 * f[1] + 0.04 * f[2]
    expected = 2 * (y_hat - 8) * 0.02 * f[0] * (1 - f[0]) * 2
    w12 = topological_order(nodes["L"]).index(nodes["w12"])
    drawn = groups(parse(sg.to_svg(nodes["L"], engine=engine)), "node")
    assert shown(expected) in texts(drawn[f"v{w12}"])


def test_node_used_twice_has_two_edges(engine: str) -> None:
    x = Value(3.0, "x")
    y = x * x
    y.backward()
    edges = groups(parse(sg.to_svg(y, engine=engine, legend=False)), "edge")
    assert set(edges) == {"e_v0_v1op", "e_v0_v1op_2", "e_v1op_v1"}


def test_a_copy_is_drawn_with_an_equals_sign_and_a_sum_with_sigma(engine: str) -> None:
    w = Value(0.01, "w10")
    c = sg.sum_values([w])  # a worksheet's c1 = w10: a node of its own
    c.label = "c1"
    total = sg.sum_values([c, w, Value(2.0, "x")])
    nodes = groups(parse(sg.to_svg(total, engine=engine, legend=False)), "node")
    i = {id(n): f"v{k}" for k, n in enumerate(topological_order(total))}
    assert texts(nodes[f"{i[id(c)]}op"]) == ["="]
    assert texts(nodes[f"{i[id(total)]}op"]) == ["Σ"]


def test_edge_derivatives_are_the_local_derivatives(engine: str) -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = (a * b).tanh()
    c.backward()
    labels = groups(parse(sg.to_svg(c, engine=engine, edge_derivatives=True)), "node")
    i = {id(n): f"v{k}" for k, n in enumerate(topological_order(c))}
    ab = c.children[0]
    # ∂(ab)/∂a = b, ∂(ab)/∂b = a, ∂tanh(u)/∂u = 1 − tanh²(u); each on its edge's label
    assert texts(labels[f"d_e_{i[id(a)]}_{i[id(ab)]}op"]) == [shown(-3.0)]
    assert texts(labels[f"d_e_{i[id(b)]}_{i[id(ab)]}op"]) == [shown(2.0)]
    assert texts(labels[f"d_e_{i[id(ab)]}_{i[id(c)]}op"]) == [shown(1 - math.tanh(-6.0) ** 2)]


def test_kinds_get_their_colours() -> None:
    x, w, b = Value(1.0, "x1"), Value(0.5, "w1"), Value(0.1, "b")
    out = (x * w + b + 2).relu()
    order = topological_order(out)
    two = next(n for n in order if n.constant)

    def fill(source: str, node: Value) -> str:
        name = f"v{order.index(node)} ["
        line = next(ln for ln in source.splitlines() if ln.strip().startswith(name))
        return line.split('fillcolor="')[1].split('"')[0]

    source = sg.draw(out).source
    for node, kind in [(x, "input"), (w, "parameter"), (b, "parameter"), (two, "constant"),
                       (out, "output"), (x * w, "intermediate")]:
        if node in order:
            assert fill(source, node) == LOOKS[kind].fill, kind
    assert fill(source, out.children[0]) == LOOKS["intermediate"].fill
    # an explicit parameters= list overrides the label rule: now x is the parameter
    source = sg.draw(out, parameters=[x]).source
    assert fill(source, x) == LOOKS["parameter"].fill
    assert fill(source, w) == LOOKS["input"].fill


# -- text: escaping, subscripts, numbers ---------------------------------------------------

NASTY = [
    'quote " and apostrophe \'',
    "<b>bold</b> <script>alert(1)</script> & &amp; &#60;",
    "braces { } | pipes <port>",
    "back\\slash \\N \\G \\l \\n \\\\ end\\",
    "line one\nline two",
    "unicode ∂ŷ/∂w₁ σ Σ 日本 émoji 🙂",
    "]]> <!-- comment --> <![CDATA[x]]>",
]


@pytest.mark.parametrize("label", NASTY)
def test_nasty_labels_round_trip(engine: str, label: str) -> None:
    x = Value(2.0, label)
    y = x * Value(3.0, "k")
    y.label = label + " (out)"  # two nodes sharing a label get distinct names
    y.backward()
    svg = sg.to_svg(y, engine=engine, legend=False)
    tree = parse(svg)
    nodes, edges = groups(tree, "node"), groups(tree, "edge")
    assert set(nodes) == {"v0", "v1", "v2", "v2op"}  # nothing injected
    assert set(edges) == {"e_v0_v2op", "e_v1_v2op", "e_v2op_v2"}
    order = topological_order(y)
    for node in (x, y):
        name = f"v{order.index(node)}"
        words = texts(nodes[name])
        lines = node.label.split("\n")
        assert words[: len(lines)] == lines, words
        assert tooltip(nodes[name]).split("\ndata = ")[0] == node.label
    assert not any(el.tag in (f"{SVG}script", f"{SVG}b") for el in tree.iter())


def test_control_characters_cannot_break_the_xml(engine: str) -> None:
    x = Value(1.0, "bell\x07 tab\t null\x00 esc\x1b")
    y = x * 2
    svg = sg.to_svg(y, engine=engine)
    tree = parse(svg)  # raises if a control character broke the XML
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", svg)
    words = texts(groups(tree, "node")[f"v{topological_order(y).index(x)}"])
    assert words[0].startswith("bell") and words[0].endswith("esc\ufffd"), words


@pytest.mark.parametrize(("label", "pretty"), [
    ("w12", "w₁₂"), ("x_1", "x₁"), ("x1", "x₁"), ("W11", "W₁₁"), ("h3", "h₃"),
    ("x_{ij}", "xᵢⱼ"), ("z_h1", "zₕ₁"), ("x^2", "x²"), ("w_1^(2)", "w₁⁽²⁾"),
    ("L1.n2.w1", "w₂₁⁽¹⁾"), ("L2.n16.w12", "w₁₆,₁₂⁽²⁾"), ("L1.n3.b", "b₃⁽¹⁾"),
    ("ŷ", "ŷ"), ("loss", "loss"), ("x_Q", "x_Q"), ("w[0]", "w[0]"), ("a b", "a b"),
    ("x1w1", "x₁w₁"), ("x1w1x2w2", "x₁w₁x₂w₂"), ("zh1", "zh₁"), ("x1_2", "x1_2"),
])
def test_pretty_labels(label: str, pretty: str) -> None:
    assert pretty_label(label) == pretty


@pytest.mark.parametrize(("x", "digits", "text"), [
    (-15.888, 4, "−15.89"), (0.0561, 2, "0.056"), (-0.0, 4, "0"), (1e-9, 3, "1e−09"),
    (1234567.0, 3, "1.23e+06"), (math.inf, 4, "∞"), (-math.inf, 4, "−∞"),
    (math.nan, 4, "nan"), (2.0, 4, "2"),
])
def test_format_number(x: float, digits: int, text: str) -> None:
    assert format_number(x, digits) == text


def test_digits_and_show_grad() -> None:
    x = Value(math.pi, "x")
    source = sg.draw(x, digits=2, show_grad=False).source
    assert ">3.1<" in source and ">grad<" not in source


# -- determinism ---------------------------------------------------------------------------


def test_same_graph_gives_identical_dot_and_svg(engine: str) -> None:
    loss, w11, _ = seed002()
    assert sg.draw(loss).source == sg.draw(loss).source
    assert sg.to_svg(loss, engine=engine, highlight=w11) == sg.to_svg(
        loss, engine=engine, highlight=w11)


def test_identical_svg_across_processes(engine: str) -> None:
    script = ("import sys, scalargrad as sg\n"
              "from scalargrad.examples import seed001\n"
              "n = seed001(); n['L'].backward()\n"
              f"sys.stdout.write(sg.to_svg(n['L'], engine={engine!r}, view='neuron'))\n")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env,
                              check=True, timeout=120)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith(b"<?xml")


# -- engines -------------------------------------------------------------------------------


def test_works_with_no_dot_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot, no graphviz-pure
    monkeypatch.delenv(graphviz_engine.ENV_VAR, raising=False)
    assert shutil.which("dot") is None
    assert graphviz_engine.resolve_engine() == "bundled"
    x = Value(2.0, "x")
    svg = (x * x).tanh()._repr_svg_()
    assert parse(svg).tag == f"{SVG}svg"
    with pytest.raises(graphviz_engine.RenderError, match="`dot` is not on PATH"):
        sg.to_svg(x, engine="system")


def test_environment_variable_forces_an_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(graphviz_engine.ENV_VAR, "bundled")
    assert graphviz_engine.resolve_engine() == "bundled"
    assert graphviz_engine.resolve_engine("system") == "system"  # the argument wins
    monkeypatch.setenv(graphviz_engine.ENV_VAR, "fast")
    with pytest.raises(ValueError, match="SCALARGRAD_GRAPHVIZ"):
        graphviz_engine.resolve_engine()


def test_render_files(engine: str, tmp_path) -> None:
    loss, _, _ = seed002()
    svg = sg.render(loss, tmp_path / "chart.svg", engine=engine)
    assert parse(svg.read_text(encoding="utf-8")).tag == f"{SVG}svg"
    png = sg.render(loss, tmp_path / "chart.PNG", engine=engine, view="neuron")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if engine == "system":
        assert sg.render(loss, tmp_path / "c.pdf", engine=engine).read_bytes()[:5] == b"%PDF-"
    else:
        with pytest.raises(graphviz_engine.RenderError, match=r"bundled .* cannot write PDF"):
            sg.render(loss, tmp_path / "c.pdf", engine=engine)
    with pytest.raises(ValueError, match=r"chart\.gif.*\.svg, \.png, \.pdf"):
        sg.render(loss, tmp_path / "chart.gif", engine=engine)


# -- networks: clusters, collapsed views, big graphs --------------------------------------


@pytest.fixture(scope="module")
def big_mlp() -> Value:
    net = nn.MLP(2, [16, 16, 1], seed=3)
    out = net([0.5, -1.5])
    out.backward()
    return out


def test_whole_mlp_renders_in_full_with_a_warning(engine: str, big_mlp: Value) -> None:
    with pytest.warns(LargeGraphWarning, match="view='neuron'"):
        svg = sg.to_svg(big_mlp, engine=engine)
    drawn = groups(parse(svg), "node")
    assert len([n for n in drawn if n.startswith("v") and not n.endswith("op")]) == len(
        topological_order(big_mlp))
    clusters = groups(parse(svg), "cluster")
    assert len(clusters) == 16 + 16 + 1  # one box per neuron


@pytest.mark.parametrize(("view", "boxes"), [("neuron", 33 + 2 + 1), ("layer", 3 + 2)])
# + x1, x2; by neuron, + the bundle between the dense layers 1 and 2
def test_whole_mlp_collapsed(engine: str, big_mlp: Value, view: str, boxes: int) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no large-graph warning in a collapsed view
        svg = sg.to_svg(big_mlp, engine=engine, view=view, legend=False)
    drawn = groups(parse(svg), "node")
    assert len(drawn) == boxes
    root_box = f"v{len(topological_order(big_mlp)) - 1}" if view == "neuron" else "layer3"
    words = texts(drawn[root_box])
    assert shown(big_mlp.data) in words and shown(1.0) in words


def test_neuron_view_keeps_the_loss_in_full(engine: str) -> None:
    loss, _, net = seed002()
    drawn = groups(parse(sg.to_svg(loss, engine=engine, view="neuron")), "node")
    order = topological_order(loss)
    for layer in net.layers:
        for neuron in layer.neurons:
            out = next(n for n in order if n.op in ("sigmoid",) and neuron.b in
                       n.children[0].children)
            assert f"v{order.index(out)}" in drawn
    assert f"v{order.index(loss)}op" in drawn  # the × ½ of the loss is drawn as an op


# -- highlight -----------------------------------------------------------------------------


def all_paths(root: Value, target: Value) -> list[list[tuple[Value, Value]]]:
    """Every path from root down to target, as (child, parent) edges, one path at a time."""
    paths: list[list[tuple[Value, Value]]] = []
    stack: list[tuple[Value, list[tuple[Value, Value]]]] = [(root, [])]
    while stack:
        node, path = stack.pop()
        if node is target:
            paths.append(path)
            continue
        for child in node.children:
            stack.append((child, [*path, (child, node)]))
    return paths


def highlighted(svg: str) -> set[str]:
    """Ids of the edges drawn in the highlight colour."""
    out = set()
    for gid, g in groups(parse(svg), "edge").items():
        strokes = {p.get("stroke", "").lower() for p in g.iter(f"{SVG}path")}
        if "#d55e00" in strokes:
            out.add(gid)
    return out


def expected_edges(root: Value, targets: list[Value]) -> set[str]:
    order = topological_order(root)
    name = {id(n): f"v{i}" for i, n in enumerate(order)}
    edges = set()
    for target in targets:
        for path in all_paths(root, target):
            for child, parent in path:
                edges.add(f"e_{name[id(child)]}_{name[id(parent)]}op")
                edges.add(f"e_{name[id(parent)]}op_{name[id(parent)]}")
    return edges


def test_highlight_seed002_w11(engine: str) -> None:
    loss, w11, _ = seed002()
    assert len(all_paths(loss, w11)) == 1
    svg = sg.to_svg(loss, engine=engine, highlight=w11)
    assert highlighted(svg) == expected_edges(loss, [w11])
    # the caption adds up the paths: compare with a central difference of the loss
    h = 1e-6
    w11.data += h
    up = seed002_loss_with(w11)
    w11.data -= 2 * h
    down = seed002_loss_with(w11)
    w11.data += h
    caption = " ".join(texts(parse(svg)))
    assert f"∂L/∂w₁₁⁽¹⁾ = {shown((up - down) / (2 * h))}" in caption


def seed002_loss_with(w11: Value) -> float:
    """Seed 002's loss in plain floats, with W11 taken from the Value."""
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    x1, x2 = 1.0, 2.0
    h = [sig(w11.data * x1 + 0.2 * x2 + 0.1), sig(0.3 * x1 - 0.1 * x2), sig(-0.2 * x1 + 0.4 * x2
                                                                             + 0.2)]
    out = sig(0.5 * h[0] - 0.3 * h[1] + 0.2 * h[2] + 0.1)
    return 0.5 * (out - 1.0) ** 2


def test_highlight_shared_input_many_paths(engine: str) -> None:
    nodes = seed001()
    loss = nodes["L"]
    loss.backward()
    targets = [nodes["x12"], nodes["v0"]]  # x12 feeds all three hidden units
    assert len(all_paths(loss, nodes["x12"])) == 3
    svg = sg.to_svg(loss, engine=engine, highlight=targets, edge_derivatives=True)
    assert highlighted(svg) == expected_edges(loss, targets)


def test_highlight_in_collapsed_view(engine: str) -> None:
    loss, w11, _ = seed002()
    svg = sg.to_svg(loss, engine=engine, highlight=w11, view="layer")
    edges = highlighted(svg)
    order = topological_order(loss)
    x1 = next(i for i, n in enumerate(order) if n.label == "x1")
    assert "e_layer1_layer2" in edges  # W11 lives in layer 1, whose output feeds layer 2
    assert f"e_v{x1}_layer1" in groups(parse(svg), "edge")
    assert f"e_v{x1}_layer1" not in edges  # the input is not on a path from L to W11


# -- bad input -----------------------------------------------------------------------------


def test_bad_arguments_get_clear_errors() -> None:
    x = Value(1.0, "x")
    with pytest.raises(TypeError, match="root must be a Value"):
        sg.draw(3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="view must be one of full, neuron, layer"):
        sg.draw(x, view="tiny")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rankdir"):
        sg.draw(x, rankdir="XY")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="digits"):
        sg.draw(x, digits=0)
    with pytest.raises(ValueError, match="'stranger' is not in the graph"):
        sg.draw(x * 2, highlight=Value(3.0, "stranger"))
    with pytest.raises(graphviz_engine.RenderError, match="cannot write PDF"):
        graphviz_engine.run("digraph {}", "pdf", "bundled")
    with pytest.raises(graphviz_engine.RenderError, match="failed"):
        graphviz_engine.run("digraph { a -> }", "svg", "bundled")


# -- layout: bands, pinned positions, numbers on their edges ------------------------------

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def shape_points(group: ET.Element) -> list[float]:
    """The coordinates of a node's outline (its first path or polygon)."""
    shape = next(el for el in group.iter()
                 if el.tag in (f"{SVG}path", f"{SVG}polygon", f"{SVG}ellipse"))
    if shape.tag == f"{SVG}ellipse":  # an op circle: its box
        cx, cy, rx, ry = (float(shape.get(k)) for k in ("cx", "cy", "rx", "ry"))
        return [cx - rx, cy - ry, cx + rx, cy + ry]
    return [float(v) for v in NUMBER.findall(shape.get("d") or shape.get("points"))]


def edge_line(group: ET.Element) -> list[tuple[float, float]]:
    """An edge's drawn path (M then cubic Bézier pieces) as a polyline."""
    numbers = [float(v) for v in NUMBER.findall(next(group.iter(f"{SVG}path")).get("d"))]
    points = " ".join(f"{x},{y}" for x, y in zip(numbers[::2], numbers[1::2]))
    return chart_layout.edge_polyline(points)


def centre(group: ET.Element) -> tuple[float, float]:
    xs = shape_points(group)
    return (min(xs[::2]) + max(xs[::2])) / 2, (min(xs[1::2]) + max(xs[1::2])) / 2


def test_seed001_layout_follows_the_notes(engine: str) -> None:
    """Each hidden unit in its own band, in order; no edge through a node; few crossings."""
    nodes = seed001()
    nodes["L"].backward()
    graph = sg.draw(nodes["L"], engine=engine)
    tree = parse(sg.to_svg(nodes["L"], engine=engine))
    drawn = groups(tree, "node")
    order = topological_order(nodes["L"])
    name = {n: f"v{k}" for k, n in enumerate(order)}
    rows = {}
    for j in (1, 2, 3):  # y grows downwards in the SVG
        ys = [centre(drawn[name[nodes[f"{letter}{j}"]]])[1] for letter in "abcdefh"]
        rows[j] = (min(ys), max(ys))
    assert rows[1][1] < rows[2][0] and rows[2][1] < rows[3][0], rows
    layout = chart_layout.read_layout(
        graphviz_engine.run(graph.source, "json", engine, pinned=True).decode())
    assert chart_layout.edges_through_nodes(layout, margin=0) == []
    # x12, x11 each feed all three bands. The first banded layout (with the bias as an input
    # x0 = 1 times w_j0) had 16 (bundled) / 18 (system) crossings and 17 / 18 edges within
    # 3 pt of a node they don't join; through waypoints between the weights: 11 / 11 and
    # 8 / 7; with c_j = w_j0 as the notes write it, 3 / 3 and 8 / 5.
    assert chart_layout.crossings(layout) <= 4
    assert len(chart_layout.edges_through_nodes(layout, margin=3)) <= 9


@pytest.mark.parametrize("option", [{"highlight": "w12"}, {"edge_derivatives": True},
                                    {"show_grad": False}, {"title": "A long caption " * 9}])
def test_options_never_move_a_node(engine: str, option: dict) -> None:
    nodes = seed001()
    nodes["L"].backward()
    if "highlight" in option:
        option = {"highlight": nodes[option["highlight"]]}
    plain = from_top_left(parse(sg.to_svg(nodes["L"], engine=engine)))
    other = from_top_left(parse(sg.to_svg(nodes["L"], engine=engine, **option)))
    assert plain.keys() == other.keys()
    for node_id, points in plain.items():
        assert other[node_id] == pytest.approx(points, abs=0.01), node_id


def from_top_left(tree: ET.Element) -> dict[str, list[float]]:
    """Each node's outline, measured from the picture's top-left corner."""
    graph = next(g for g in tree.iter(f"{SVG}g") if g.get("class") == "graph")
    tx, ty = (float(v) for v in re.search(r"translate\(([-\d.]+) ([-\d.]+)\)",
                                          graph.get("transform")).groups())
    return {node_id: [v + (tx if k % 2 == 0 else ty) for k, v in enumerate(shape_points(g))]
            for node_id, g in groups(tree, "node").items() if node_id.startswith("v")}


@pytest.mark.parametrize("graph", ["seed001", "seed002"])
@pytest.mark.parametrize("option", [{"edge_derivatives": True}, {"highlight": "first weight"}])
def test_each_derivative_sits_at_its_own_edge(engine: str, graph: str, option: dict) -> None:
    """Every number written on an edge is nearer to that edge than to any other edge
    that could carry one (an operand's edge into an op; op → result edges carry none), or
    it sits beside its edge, where a leader from a point of that edge reaches it."""
    if graph == "seed001":
        nodes = seed001()
        root, weight = nodes["L"], nodes["w12"]
    else:
        root, weight, _ = seed002()
    if "highlight" in option:
        option = {"highlight": weight}
    tree = parse(sg.to_svg(root, engine=engine, **option))
    edges = {i: edge_line(g) for i, g in groups(tree, "edge").items()
             if re.fullmatch(r"e_\w+_v\d+op(_\d+)?", i)}
    labels = {i[2:]: g for i, g in groups(tree, "node").items() if i.startswith("d_")}
    leaders = {i[7:]: edge_line(g) for i, g in groups(tree, "edge").items()
               if i.startswith("leader_")}
    assert labels and set(labels) <= set(edges)
    for edge_id, group in labels.items():
        x0, y0, x1, y1 = box_of(group)
        middle = ((x0 + x1) / 2, (y0 + y1) / 2)
        if edge_id in leaders:
            start, end = leaders[edge_id][0], leaders[edge_id][-1]  # from its edge's line
            to_own = chart_layout.distance_to_line(start, edges[edge_id])  # (or arrowhead)
            assert to_own < 12 and all(to_own < chart_layout.distance_to_line(start, line)
                                       for i, line in edges.items() if i != edge_id), edge_id
            assert x0 - 1 <= end[0] <= x1 + 1 and y0 - 1 <= end[1] <= y1 + 1, edge_id
            continue
        own = chart_layout.distance_to_line(middle, edges[edge_id])
        nearest_other = min(chart_layout.distance_to_line(middle, line)
                            for i, line in edges.items() if i != edge_id)
        assert own < nearest_other, (edge_id, own, nearest_other)


def box_of(group: ET.Element) -> tuple[float, float, float, float]:
    """The box of a label's white patch."""
    numbers = shape_points(group)
    return min(numbers[::2]), min(numbers[1::2]), max(numbers[::2]), max(numbers[1::2])


def test_highlight_must_be_values() -> None:
    x = Value(1.0, "x")
    with pytest.raises(TypeError, match="highlight takes a Value or an iterable of Values, "
                                        "got float"):
        sg.draw(x * 2, highlight=3.0)  # type: ignore[arg-type]


def test_neuron_view_with_a_parameter_whose_neuron_is_not_drawn(engine: str) -> None:
    net = nn.MLP(2, [2, 1], seed=0)
    out = net([1.0, 2.0])
    unused = nn.Neuron(2, name="L9.n1")  # an L2 term over parameters of an unused neuron
    loss = out + sg.sum_values([p * p for p in unused.parameters()])
    drawn = groups(parse(sg.to_svg(loss, engine=engine, view="neuron")), "node")
    order = topological_order(loss)
    for p in unused.parameters():  # drawn as the leaves they are
        assert f"v{order.index(p)}" in drawn


def test_too_big_a_chart_is_refused_at_once() -> None:
    x = Value(1.0, "x")
    y = x
    for _ in range(MAX_DRAWN + 10):
        y = y + 1
    with pytest.raises(ChartTooBig, match="the graph of a smaller part") as refused:
        sg.draw(y)
    assert "view=" not in str(refused.value)  # no network: a collapsed view cannot help
    svg = y._repr_svg_()  # a notebook gets a summary instead, at once
    assert "too big to draw" in svg and parse(svg) is not None


def number_pixels(svg: str, page_width: float | None = None) -> float:
    """How tall a box's numbers are on screen, in CSS pixels: their font size times the
    picture's scale (its declared size over its viewBox; a page narrower than the picture
    scales it down to fit)."""
    tree = parse(svg)
    width = tree.get("width")
    width_px = float(width[:-2]) * (4 / 3 if width.endswith("pt") else 1)
    scale = width_px / float(tree.get("viewBox").split()[2])
    if page_width is not None:
        scale *= min(1.0, page_width / width_px)
    return NUMBER_SIZE * scale


def seed002_as_in_the_notes() -> Value:
    """Seed 002's loss with the notes' names, as its demo draws it (`sg.examples.seed002`):
    w11…w32, b1…b3, zh1…, g1…, w41…w43, b4, z, g, L."""
    loss = seed002_example()["L"]
    loss.backward()
    return loss


@pytest.mark.parametrize("graph", ["seed001", "seed002", "nn-labelled"])
def test_readable_in_a_readme_and_on_a_slide(engine: str, graph: str) -> None:
    """Numbers ≥ 10 px in an 880 px README column, ≥ 20 px on a 1280 × 720 slide; a 2-3-1
    network's parameters named by the nn (``L1.n1.w1``, drawn w₁₁⁽¹⁾) as well."""
    roots = {"seed001": lambda: seed001()["L"], "seed002": seed002_as_in_the_notes,
             "nn-labelled": lambda: seed002()[0]}
    root = roots[graph]()
    assert number_pixels(sg.to_svg(root, engine=engine), page_width=880) >= 10
    if graph == "nn-labelled":
        return  # the slide is asked for the notes' charts
    slide = sg.to_svg(root, engine=engine, size="slide")
    tree = parse(slide)
    assert (tree.get("width"), tree.get("height")) == ("1280px", "720px")
    assert number_pixels(slide) >= 20
    readme = parse(sg.to_svg(root, engine=engine, size="readme"))
    assert float(readme.get("width")[:-2]) <= 880


def test_a_notebook_shows_a_network_by_neuron(big_mlp: Value) -> None:
    """Too many boxes in full (402), few by neuron: the notebook gets the neuron view."""
    svg = big_mlp._repr_svg_()
    tree = parse(svg)
    assert len(groups(tree, "cluster")) == 3  # a box per layer, neurons inside
    assert len(groups(tree, "node")) < 60

"""The computational chart: every value with its label, data and grad, every op between.

``draw(root)`` builds a `graphviz.Digraph`; ``render(root, "chart.svg")`` writes a file;
``to_svg(root)`` returns SVG text (``Value._repr_svg_`` uses it, so a Value shows itself
as a chart in Jupyter). Which Graphviz program lays the chart out is decided in
`scalargrad.graphviz_engine`: the system ``dot`` if installed, else the bundled
``graphviz-pure``.

How the chart reads
-------------------
- A **value node** is a box: its label on top (``w12`` is drawn w₁₂, ``x_1`` x₁, the nn's
  ``L1.n2.w1`` w₂₁⁽¹⁾), then ``data`` and ``grad`` with ``digits`` significant digits.
  Hover over it for the raw label and the exact numbers.
- An **op node** is a small circle with the operation's symbol (+ − × ÷ σ tanh exp log
  ReLU |·| x² Σ ...). Edges go the way data flows: operands → op → result. An operand
  used twice (``x * x``) has two edges; a value is drawn once however often it is used.
- **Kinds**, by colour (Okabe–Ito palette) and border: inputs are blue, parameters are
  orange, constants (plain numbers in an expression) are white with a dashed border,
  intermediates are white, the root (the output or loss) is green with a double border.
  A leaf is a parameter if it is in ``parameters=`` when that is given; otherwise if its
  label looks like one: ``w``, ``W``, ``b``, ``v``, ``V`` or ``θ``, optionally followed by
  an index (``w12``, ``b_1``, ``v0``, ``w[3]``), or an nn label ``L1.n2.w1`` / ``L1.n2.b``.
- **Networks**: the nodes of each nn neuron (its parameters, its ``dot`` and its
  activation) sit in a box, and neurons in a box per layer. ``view="neuron"`` draws one
  box per neuron and ``view="layer"`` one box per layer, each with the output data and
  grad of its neurons; everything outside the network (the loss) is drawn in full.
- ``highlight=`` a value (or a list): every path from the root down to it is drawn thick
  and vermillion, with the local derivative on each of its edges. ∂root/∂value is the sum,
  over these paths, of the product of those derivatives: the chain rule, drawn.

Names and ids (stable, for scripts and the animation)
-----------------------------------------------------
With ``order = scalargrad.engine.topological_order(root)``, the value ``order[i]`` is the
DOT node ``v{i}`` and the op that made it is ``v{i}op``. In the SVG each node is
``<g id="v{i}" class="node"><title>v{i}</title>...``, so ``document.getElementById("v3")``
finds it. An edge from DOT node ``a`` to ``b`` has the id ``e_{a}_{b}`` (``e_v1_v3op``,
``e_v3op_v3``); a second edge between the same two nodes (``x * x``) is ``e_v1_v3op_2``.
In the collapsed views a neuron's box is named after its output value ``v{i}`` and a
layer's box is ``layer{l}``. The legend is ``legend``. The same graph always gives
byte-identical DOT and, with the same engine, byte-identical SVG.

>>> from scalargrad import Value
>>> x = Value(3.0, label="x1")
>>> y = x * x
>>> y.backward()
>>> print(draw(y, legend=False).source.count("->"))
3
>>> pretty_label("w12"), pretty_label("x_1"), pretty_label("L1.n2.w1")
('w₁₂', 'x₁', 'w₂₁⁽¹⁾')
>>> format_number(-15.888, 4), format_number(0.0561, 2)
('−15.89', '0.056')
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape as _escape_html
from pathlib import Path
from typing import Literal

import graphviz

from . import chart_layout, graphviz_engine
from .chart_style import (
    FAINT,
    FONT,
    HIGHLIGHT,
    INK,
    LEGEND_TEXT,
    LOOKS,
    MUTED,
    OP_SYMBOLS,
    Kind,
    dot_string,
    format_number,
    html_text,
    kind_of,
    op_symbol,
)
from .engine import Value, topological_order
from .labels import NN_LABEL, pretty_label
from .walkthrough import node_names

View = Literal["full", "neuron", "layer"]
Size = Literal["natural", "readme", "slide"]
SIZES: dict[str, tuple[int, int]] = {"natural": (0, 0), "readme": (880, 0), "slide": (1280, 720)}
"""Pixel sizes a chart is fitted into: a README column (its width), a 16:9 slide."""
_Clusters = dict[int, dict[int, list[str]]]
"""DOT statements by layer, then by neuron (0: the collapsed neuron boxes of the layer)."""
VIEWS: tuple[str, ...] = ("full", "neuron", "layer")
LARGE_GRAPH = 150
"""A full chart with more value nodes than this gets a warning suggesting view="neuron"."""


MAX_DRAWN = 1500
"""The most boxes a chart draws: Graphviz takes minutes beyond a few thousand, and no one
can read them. A bigger graph gets a `ChartTooBig` at once, saying what to draw instead."""


class ChartTooBig(ValueError):
    """The chart would have more than `MAX_DRAWN` boxes."""


def count_boxes(root: Value, view: str, limit: int) -> int:
    """The boxes of the chart of ``root`` in ``view``; a full view is counted only up to
    ``limit + 1``, so that costs at most about ``limit`` steps."""
    if view == "full":
        return count_nodes(root, limit + 1)
    order = topological_order(root)
    groups = _neurons(order)
    outside = sum(node not in groups for node in order)
    return outside + len({g if view == "neuron" else g[0] for g in groups.values()})


def check_size(root: Value, view: str, caller: str, limit: int = MAX_DRAWN) -> None:
    """Raise `ChartTooBig` if the chart of ``root`` in ``view`` has more than ``limit``
    boxes (at once: see `count_boxes`)."""
    count = count_boxes(root, view, limit)
    if count > limit:
        size = f"more than {limit:,}" if view == "full" else f"{count:,}"
        raise ChartTooBig(
            f"{caller}: the chart would have {size} boxes (the most drawn is "
            f"{limit:,}); draw a collapsed view (view='neuron' or view='layer') for a "
            "network, or the graph of a smaller part (one example's loss, one neuron's output)")


def count_nodes(root: Value, limit: int) -> int:
    """The number of nodes below ``root``, counted up to ``limit`` (then ``limit``)."""
    seen, stack = {root}, [root]
    while stack and len(seen) < limit:
        for child in stack.pop().children:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return min(len(seen), limit)


class LargeGraphWarning(UserWarning):
    """A full chart is too big to read; a collapsed view would be clearer."""


# ---------------------------------------------------------------------------------------
# Structure: neurons of an nn, and the paths to highlight.
# ---------------------------------------------------------------------------------------

_ACTIVATIONS = ("relu", "sigmoid", "tanh")


def _neurons(order: Sequence[Value]) -> dict[Value, tuple[int, int]]:
    """(layer, neuron) for every node of an nn neuron: its parameters, dot and activation.
    A parameter whose neuron is not in the graph (an L2 term over every parameter) is
    left out: it is drawn as the leaf it is."""
    group: dict[Value, tuple[int, int]] = {}
    for node in order:
        if not node.op and node.label and (m := NN_LABEL.fullmatch(node.label)):
            group[node] = (int(m[1]), int(m[2]))
        elif node.op == "dot":
            owner = next((group[c] for c in node.children if not c.op and c in group), None)
            if owner is not None:
                group[node] = owner
        elif (node.op in _ACTIVATIONS and node.children[0].op == "dot"
              and node.children[0] in group):
            group[node] = group[node.children[0]]
    drawn = {owner for node, owner in group.items() if node.op}
    return {node: owner for node, owner in group.items() if owner in drawn}


def _activation(output: Value) -> str:
    """The activation of the neuron whose last node is ``output``."""
    return output.op if output.op in _ACTIVATIONS else "linear"


def _on_paths(order: Sequence[Value], targets: Sequence[Value]) -> set[Value]:
    """Every node that lies on a path from the root down to one of ``targets``."""
    wanted = set(targets)
    reaches: set[Value] = set()
    for node in order:  # children come first, so their answer is known
        if node in wanted or any(c in reaches for c in node.children):
            reaches.add(node)
    return reaches


# ---------------------------------------------------------------------------------------
# The chart.
# ---------------------------------------------------------------------------------------


@dataclass
class _Options:
    rankdir: str
    digits: int
    show_grad: bool
    edge_derivatives: bool
    pretty: bool
    blank: bool = False


LAYOUT_OPTIONS = {"show_grad": True, "edge_derivatives": False}
"""The options the layout pass draws with, whatever is asked: options never move a node."""
GRAPH_ATTRS = {"bgcolor": "white", "fontname": FONT, "nodesep": "0.08", "ranksep": "0.18",
               "pad": "0.05", "newrank": "true"}
NUMBER_SIZE = 15.0
"""The point size of every number in a box (a chart's size is measured against it)."""
LONG_NAME = 4
"""A name longer than this (characters, as shown) gets a row of its own in its box."""
DERIVATIVE_SIZE = 12.0
"""The point size of a local derivative written on its edge."""
BLANK_BOX = (92, 32)
"""Width and height, in points, of a box to write a number in (``draw(..., blank=True)``)."""


def draw(
    root: Value,
    *,
    rankdir: Literal["LR", "TB"] = "LR",
    digits: int = 4,
    show_grad: bool = True,
    edge_derivatives: bool = False,
    view: View = "full",
    highlight: Value | Iterable[Value] | None = None,
    parameters: Iterable[Value] | None = None,
    legend: bool = True,
    pretty_labels: bool = True,
    title: str | None = None,
    size: Size = "natural",
    engine: str | None = None,
    blank: bool = False,
) -> graphviz.Digraph:
    """The computational chart of ``root`` as a `graphviz.Digraph`, laid out and pinned.

    ``rankdir``: ``"LR"`` left to right, ``"TB"`` top to bottom. ``digits``: significant
    digits of every number. ``show_grad``: show each node's grad. ``edge_derivatives``:
    write the local derivative ∂out/∂child on each operand edge. ``view``: ``"full"``,
    ``"neuron"`` (a box per nn neuron) or ``"layer"`` (a box per nn layer).
    ``highlight``: a value or values whose paths from the root are emphasised.
    ``parameters``: the leaves to draw as parameters (default: judged by label).
    ``legend``: add a key to the colours. ``pretty_labels``: w12 → w₁₂.
    ``title``: a caption under the chart. ``size``: ``"natural"`` (14-point numbers),
    ``"readme"`` (at most 880 px wide) or ``"slide"`` (a 1280 × 720 px, 16:9 picture).
    ``engine``: the Graphviz that lays the chart out (see `scalargrad.graphviz_engine`).
    ``blank``: a chart to fill in by hand: the leaves' values printed, every other value and
    every grad an empty box big enough to write in (``v{i}_data`` / ``v{i}_grad``, in the
    SVG ``a_v{i}_data``), no number of the answer in it, not even in a tooltip.

    The layout is computed once with the options that change no size (`LAYOUT_OPTIONS`),
    then every node, edge and box is pinned where it went (see `scalargrad.chart_layout`):
    the DOT source carries ``pos`` attributes and is rendered with ``neato -n2``
    (``graph.render(neato_no_op=2)``), as `render` and `to_svg` do.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw: root must be a Value, got {type(root).__name__}")
    if view not in VIEWS:
        raise ValueError(f"draw: view must be one of {', '.join(VIEWS)}, got {view!r}")
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"draw: rankdir must be 'LR' or 'TB', got {rankdir!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"draw: digits must be an int from 1 to 17, got {digits!r}")
    if size not in SIZES:
        raise ValueError(f"draw: size must be one of {', '.join(SIZES)}, got {size!r}")
    check_size(root, view, "draw")
    order = topological_order(root)
    index = {node: i for i, node in enumerate(order)}
    targets = _targets(highlight, index)
    params = None if parameters is None else set(parameters)
    names = node_names(root)

    def chart(options: _Options, path: set[Value] | None,
              layout: chart_layout.Layout | None, bands: list[int] | None = None) -> _Chart:
        made = _Chart(root, order, index, params, names, options, layout)
        made.build(view, path, bands)
        return made

    def lay_out(plan: _Chart) -> chart_layout.Layout:
        source = _digraph(plan, rankdir, view, legend).source
        return chart_layout.read_layout(graphviz_engine.run(source, "json", engine).decode())

    layout_options = _Options(rankdir, digits, pretty=pretty_labels, blank=blank,
                             **LAYOUT_OPTIONS)
    plan = chart(layout_options, None, None)
    layout = lay_out(plan)
    # A second layout to put the bands in the notes' order, for a chart one can read
    if plan.values_drawn <= LARGE_GRAPH and (rewritten := plan.bands_to_write(layout)):
        second = chart(layout_options, None, None, rewritten)
        relaid = lay_out(second)
        if second.bands_to_write(relaid) is None:  # in order now (else keep the first)
            plan, layout = second, relaid
    final = chart(_Options(rankdir, digits, show_grad, edge_derivatives, pretty_labels, blank),
                  _on_paths(order, targets) if targets else None, layout)
    caption = title if title is not None else _highlight_caption(order, targets, digits,
                                                                 names, pretty_labels)
    graph = _pinned_digraph(final, layout, legend, caption)
    if blank:  # printed, the chart fills the page: no margin around it in a PDF
        graph.graph_attr["margin"] = "0"
    if view == "full" and plan.values_drawn > LARGE_GRAPH:
        warnings.warn(
            f"the chart has {plan.values_drawn} value nodes, too many to read; "
            "draw(..., view='neuron') or view='layer' shows one box per neuron or layer",
            LargeGraphWarning, stacklevel=2,
        )
    return graph


def _digraph(chart: _Chart, rankdir: str, view: str, legend: bool) -> graphviz.Digraph:
    """The layout pass's graph: the chart's statements, for ``dot`` to place."""
    graph = graphviz.Digraph(name="scalargrad", body=chart.body)
    graph.graph_attr.update(rankdir=rankdir, **GRAPH_ATTRS)
    if view != "full":  # keep the boxes in neuron order: crossings can't be helped anyway
        graph.graph_attr["mclimit"] = "0.01"
    _defaults(graph)
    return graph


def _defaults(graph: graphviz.Digraph) -> None:
    graph.node_attr.update(fontname=FONT, fontsize=f"{NUMBER_SIZE:g}", fontcolor=INK)
    graph.edge_attr.update(fontname=FONT, fontsize="14", color="#444444", arrowsize="0.7")


def _pinned_digraph(chart: _Chart, layout: chart_layout.Layout, legend: bool, caption: str
                    ) -> graphviz.Digraph:
    """The drawing pass's graph: every node where the layout put it, the local derivatives
    on their edges, the caption under the chart, for ``neato -n2``."""
    body = list(chart.body)
    x0, y0, x1, y1 = layout.bbox
    if legend:  # under the chart, on the left
        label, (width, height) = _legend(chart.kinds_drawn, chart.shown_name(chart.root))
        y0 -= 8  # a gap: an edge may run along the chart's bottom
        body.append(_statement("legend", {"label": label, "shape": "plain", "id": "legend",
                                          "pos": f"{x0 + width / 2:.2f},{y0 - height / 2:.2f}!"}))
        y0 -= height
        x1 = max(x1, x0 + width)
    operand_edges = {e for e, (_, head, _, _) in layout.edges.items() if head.endswith("op")}
    placed = chart_layout.place_on_edges(
        layout, {e: s for e, (_, s) in chart.derivatives.items()}, operand_edges)
    for edge_id, (label, _) in chart.derivatives.items():
        (x, y), (ax, ay) = placed[edge_id]
        if (x, y) != (ax, ay):  # beside its edge: a leader to the edge
            leader = f"{ax:.2f},{ay:.2f} " * 2 + f"{x:.2f},{y:.2f} " * 2
            body.append(_statement(f"a_{edge_id}", {"shape": "point", "width": "0.04",
                                                    "color": MUTED, "label": '""',
                                                    "id": f"a_{edge_id}",
                                                    "pos": f"{ax:.2f},{ay:.2f}!"}))
            body.append(f"\ta_{edge_id} -> d_{edge_id}"
                        + _attr_list({"pos": leader.strip(), "dir": "none", "color": MUTED,
                                      "penwidth": "0.8", "id": f"leader_{edge_id}"}) + "\n")
        body.append(_statement(f"d_{edge_id}", {"label": label, "shape": "plain",
                                                "id": f"d_{edge_id}", "pos": f"{x:.2f},{y:.2f}!"}))
    if caption:
        lines = _wrap_words(caption, max(40, int((x1 - x0) / (0.5 * 16))))
        height = 20.0 * len(lines) + 6
        body.append(_statement("caption", {
            "label": "<" + "<BR/>".join(html_text(line) for line in lines) + ">", "shape": "plain",
            "fontsize": "16", "id": "caption",
            "pos": f"{(x0 + x1) / 2:.2f},{y0 - height / 2:.2f}!"}))
        y0 -= height
    graph = graphviz.Digraph(name="scalargrad", body=body, engine="neato")
    graph.graph_attr.update(bb=f"{x0:.2f},{y0:.2f},{x1:.2f},{y1:.2f}", splines="true",
                            **GRAPH_ATTRS)
    _defaults(graph)
    return graph


def _pin(box: chart_layout.Box) -> dict[str, str]:
    """A node's position and size as the layout gave them: pinned, and of fixed size."""
    x0, y0, x1, y1 = box
    return {"pos": f"{(x0 + x1) / 2:.2f},{(y0 + y1) / 2:.2f}!",
            "width": f"{(x1 - x0) / 72:.4f}", "height": f"{(y1 - y0) / 72:.4f}",
            "fixedsize": "true"}


def _wrap_words(text: str, width: int) -> list[str]:
    """``text`` in lines of at most about ``width`` characters, broken between words."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _targets(highlight: Value | Iterable[Value] | None, index: dict[Value, int]) -> list[Value]:
    if highlight is None:
        return []
    if isinstance(highlight, Value):
        targets = [highlight]
    elif isinstance(highlight, Iterable) and not isinstance(highlight, (str, bytes)):
        targets = list(highlight)
    else:
        raise TypeError("draw: highlight takes a Value or an iterable of Values, "
                        f"got {type(highlight).__name__}")
    for t in targets:
        if not isinstance(t, Value):
            raise TypeError(f"draw: highlight takes Values, got {type(t).__name__}")
        if t not in index:
            raise ValueError(f"draw: highlight value {t.name!r} is not in the graph of the root")
    return targets


def _highlight_caption(order: Sequence[Value], targets: Sequence[Value], digits: int,
                       names: dict[Value, str], pretty: bool) -> str:
    """What the highlighted paths add up to: ∂root/∂target by the chain rule."""
    if not targets:
        return ""
    root = order[-1]

    def show(node: Value) -> str:
        name = names.get(node) or node.name
        return pretty_label(name) if pretty else name

    adjoint = {root: 1.0}  # ∂root/∂node, summed over paths (reverse mode, as backward())
    for node in reversed(order):
        for child, local in zip(node.children, node.local_grads):
            adjoint[child] = adjoint.get(child, 0.0) + adjoint.get(node, 0.0) * local
    top = show(root)
    sums = ", ".join(f"∂{top}/∂{show(t)} = {format_number(adjoint[t], digits)}"
                     for t in targets)
    return (f"Highlighted: every path from {top} down to {', '.join(map(show, targets))}. "
            f"Chain rule: {sums}, the sum over these paths of the product of the "
            "derivatives on their edges.")


class _Chart:
    """Collects DOT statements for one chart (the body of the Digraph). With a ``layout``
    (the drawing pass) every node, edge and visible box is pinned where the layout put it;
    without one (the layout pass) invisible bands steer ``dot`` instead."""

    def __init__(self, root: Value, order: list[Value], index: dict[Value, int],
                 parameters: set[Value] | None, names: dict[Value, str], options: _Options,
                 layout: chart_layout.Layout | None) -> None:
        self.root, self.order, self.index = root, order, index
        self.parameters, self.names, self.opt, self.layout = parameters, names, options, layout
        self.body: list[str] = []
        self.kinds_drawn: list[str] = []
        self.values_drawn = 0
        self.derivatives: dict[str, tuple[str, chart_layout.Point]] = {}
        """The label and its size (points) of each edge that shows its local derivative."""
        self._edge_ids: dict[str, int] = {}

    # -- the whole chart ------------------------------------------------------------------
    def build(self, view: str, path: set[Value] | None, bands_written: list[int] | None = None
              ) -> None:
        """The chart's statements; ``bands_written``: the order to write the bands in
        (layout pass; see `bands_to_write`)."""
        groups = _neurons(self.order)
        rep = self._representatives(view, groups)
        clusters: _Clusters = {}
        band_of = self._bands(groups) if view == "full" and self.layout is None else {}
        self.shared: set[Value] = set()
        self.bands_written: list[int] = []
        self.through_waypoints = False
        self.band_tops: dict[int, str] = {}
        """Each band's top node (the term of the branching node)."""
        self.via: dict[tuple[Value, Value], str] = {}
        """Layout pass: the waypoint each shared leaf's edge into an op passes through."""
        if view == "full" and self.layout is None:
            self._shared_leaves_first(groups, band_of)
        bands: dict[int, list[str]] = {}
        for node in reversed(self.order):  # root first: dot then stacks units top-down
            if node in groups and view != "full":
                continue  # drawn as part of a neuron's or a layer's box
            lines = self.value_node(node, path)
            if node.op:
                lines += self.op_node(node, path) + self._waypoints(node)
            if node in groups:
                layer, neuron = groups[node]
                clusters.setdefault(layer, {}).setdefault(neuron, []).extend(lines)
            elif node in band_of:
                bands.setdefault(band_of[node], []).extend(lines)
            else:
                self.body.extend(lines)
        self.bands_written = bands_written or sorted(bands)
        for band in self.bands_written:  # invisible: they only group the layout
            lines = bands[band]
            self.body.append(f"\tsubgraph cluster_band{band} {{\n\t\tstyle=invis\n")
            self.body.extend("\t" + line for line in lines)
            self.body.append("\t}\n")
        if view == "neuron":
            self._neuron_boxes(groups, path, clusters)
        elif view == "layer":
            self._layer_boxes(groups, path)
        self._clusters(clusters)
        self._edges(rep, set(groups) if view != "full" else set(), path)
        if view == "full" and self.layout is None:
            self._layers_side_by_side(groups)
            self._bands_in_order(band_of)
            self._operands_in_order(band_of or groups)

    def _bands(self, groups: dict[Value, tuple[int, int]]) -> dict[Value, int]:
        """The band of each node, when the graph has parallel chains and no nn neurons
        (whose boxes are bands already)."""
        if groups:
            return {}
        return {node: k for k, members in enumerate(chart_layout.branch_bands(
            self.root, self.order)) for node in members}

    def _shared_leaves_first(self, groups: dict[Value, tuple[int, int]],
                             band_of: dict[Value, int]) -> None:
        """Leaves that feed several bands or neurons (a network's inputs) go one column
        left of the weights: their edges then fan out without crossing the weights'.
        Invisible gaps between them keep each one's edges clear of its neighbours. In a
        chart with bands, their edges run through waypoints (see `_waypoints`)."""
        where = band_of or groups
        users: dict[Value, set[object]] = {}
        for node in self.order:
            for child in node.children:
                if not child.op and node in where and child not in where:
                    users.setdefault(child, set()).add(where[node])
        self.shared = {leaf for leaf, owners in users.items() if len(owners) > 1}
        self.through_waypoints = bool(band_of)
        if len(self.shared) > 1:  # in the order the first band uses them (x2, x1, x0)
            first_use = [c for node in chart_layout.reading_order(self.root)
                         for c in node.children if c in self.shared]
            names = [self.name(leaf) for leaf in dict.fromkeys(first_use)]
            for k in range(len(names) - 1, 0, -1):
                names.insert(k, f"{chart_layout.HELPER}gap{k}")
                self.body.append(self._spacer(names[k], 0.3))
            self.body.append(f"\t{{rank=same {' -> '.join(names)} [style=invis]}}\n")

    def _operands_in_order(self, band_of: dict[Value, int] | dict[Value, tuple[int, int]]
                           ) -> None:
        """The leaves of an op that only it uses (a neuron's weights and bias) in the
        order of the formula, top to bottom: W₁₁, W₁₂, b₁. In a band (or a neuron), the ops
        fed by shared inputs share one column, in reading order: their own leaves and the
        waypoints of the shared ones, (x₂) w₁₂ (x₁) w₁₁ (x₀) w₁₀. (The bands themselves are
        kept in order by `_bands_in_order`.)"""
        users: dict[Value, int] = {}
        for node in self.order:
            for child in dict.fromkeys(node.children):
                users[child] = users.get(child, 0) + 1
        columns: dict[object, list[str]] = {}
        for node in chart_layout.reading_order(self.root):
            own = [self.via.get((node, c)) or self.name(c) for c in dict.fromkeys(node.children)
                   if (node, c) in self.via or (not c.op and users[c] == 1)]
            if any((node, c) in self.via for c in node.children):
                columns.setdefault(band_of.get(node), []).extend(own)
            elif len(own) > 1:
                self._top_to_bottom(own)
        for column in columns.values():
            if len(column) > 1:
                self._top_to_bottom(column)

    def _waypoints(self, node: Value) -> list[str]:
        """Layout pass: an invisible point in the column of ``node``'s own leaves for each
        shared leaf (a network input) that feeds it. Its edge passes through that point, so
        the fan of an input's edges runs between the weights, never across a weight's edge
        or close by a weight's box. (Not in a network's neurons: there the waypoints turn
        dot's order of the neurons, which their clusters otherwise keep.)"""
        if self.layout is not None or not self.through_waypoints:
            return []
        lines = []
        for child in dict.fromkeys(node.children):
            if child in self.shared:
                point = f"{chart_layout.HELPER}{self.name(node)}via{self.name(child)}"
                self.via[node, child] = point
                lines.append(self._spacer(point, 0.1))
        return lines

    def _spacer(self, name: str, across: float) -> str:
        """An invisible node, thin along the chart's direction, ``across`` inches across it
        (the room it keeps between its neighbours in a column)."""
        thin, wide = "0.01", f"{across:g}"
        width, height = (thin, wide) if self.opt.rankdir == "LR" else (wide, thin)
        return _statement(name, {"shape": "box", "style": "invis", "label": '""',
                                 "width": width, "height": height})

    def _bands_in_order(self, band_of: dict[Value, int]) -> None:
        """Note each band's top (the terms of the branching node), by band."""
        for node in reversed(self.order):
            if node in band_of:
                self.band_tops.setdefault(band_of[node], self.name(node))

    def bands_to_write(self, layout: chart_layout.Layout) -> list[int] | None:
        """The order to write the bands in so that ``dot`` puts band 1 on top (on the left
        in a top-to-bottom chart), band 2 under it, …, as the notes do; None if this
        layout has them so already.

        Bands are alike, so dot's crossing minimisation ties between their orders; it keeps
        each band (a cluster) whole and breaks the tie by the order the bands are written
        in, not by the invisible edges between them. Given where each written band went,
        writing band k where the band that landed at place k was written puts it there.
        (An nn's neurons are not reordered so: their order follows from their inputs'.)"""

        def place(name: str) -> float:  # smaller: nearer the top (the left)
            x0, y0, x1, y1 = layout.nodes[name]
            return -(y0 + y1) if self.opt.rankdir == "LR" else x0 + x1

        written = self.bands_written
        by_place = sorted(range(len(written)), key=lambda i: place(self.band_tops[written[i]]))
        rewritten = [sorted(written)[by_place.index(i)] for i in range(len(written))]
        return None if rewritten == written else rewritten

    def _top_to_bottom(self, names: list[str]) -> None:
        """Invisible flat edges that keep these nodes of one column in this order, first
        on top (first on the left in a top-to-bottom chart: there dot puts an edge's tail
        left of its head, and in a left-to-right chart below it)."""
        arrow = " -> ".join(reversed(names) if self.opt.rankdir == "LR" else names)
        self.body.append(f"\t{{rank=same {arrow} [style=invis]}}\n")

    def _representatives(self, view: str, groups: dict[Value, tuple[int, int]]
                         ) -> dict[Value, str]:
        """The DOT node each value is drawn as: itself, or the box it is collapsed into."""
        outputs = self._neuron_outputs(groups)
        rep = {}
        for node in self.order:
            if view == "full" or node not in groups:
                rep[node] = self.name(node)
            elif view == "neuron":
                rep[node] = self.name(outputs[groups[node]])
            else:
                rep[node] = f"layer{groups[node][0]}"
        return rep

    def _neuron_outputs(self, groups: dict[Value, tuple[int, int]]) -> dict[tuple[int, int], Value]:
        """The last node of each neuron (its activation, or its dot if linear)."""
        outputs: dict[tuple[int, int], Value] = {}
        for node in self.order:
            if node in groups and node.op:
                outputs[groups[node]] = node
        return outputs

    def _clusters(self, clusters: _Clusters) -> None:
        """A box per neuron; collapsed neuron boxes go in a box per layer, in neuron order.

        The full view has no layer boxes: an edge into the next layer must be free to
        pass between the neuron boxes (dot keeps edges out of clusters they don't join).
        """
        chains: list[list[str]] = []
        for layer in sorted(clusters):
            for neuron, lines in sorted(clusters[layer].items()):
                if neuron == 0:
                    bb = self._bb(f"cluster_L{layer}")
                    self.body.append(f"\tsubgraph cluster_L{layer} {{\n{bb}")
                    self.body.append(f'\t\tlabel=<<B>layer {layer}</B>> labelloc="t" '
                                     'style="rounded" color="#888888" fontsize=16 margin=10\n')
                    self.body.extend("\t" + line for line in lines)
                    chains.append([line.split()[0] for line in lines])
                else:
                    name = f"cluster_L{layer}_n{neuron}"
                    self.body.append(f"\tsubgraph {name} {{\n{self._bb(name)}")
                    self.body.append(f'\t\tlabel=<<B>layer {layer}</B>, neuron {neuron}> '
                                     'labelloc="t" style="rounded,filled" fillcolor="#F5F5F5" '
                                     'color="#AAAAAA" fontsize=13 margin=4\n')
                    self.body.extend("\t" + line for line in lines)
                self.body.append("\t}\n")
        if self.layout is not None:
            return  # the chains below only steer the layout
        for names in chains:  # neuron 1 first: flat edges point up in a left-to-right chart
            if len(names) > 1:
                arrow = " -> ".join(reversed(names) if self.opt.rankdir == "LR" else names)
                self.body.append(f"\t{{rank=same {arrow} [style=invis]}}\n")

    def _bb(self, cluster: str) -> str:
        """A pinned box's ``bb`` line (drawing pass only)."""
        if self.layout is None:
            return ""
        return '\t\tbb="{:.2f},{:.2f},{:.2f},{:.2f}"\n'.format(*self.layout.clusters[cluster])

    def _layers_side_by_side(self, groups: dict[Value, tuple[int, int]]) -> None:
        """Invisible edges that keep each layer's parameters right of the layer before.

        Without them dot ranks a neuron's weights next to the previous layer's outputs,
        and the layer boxes, which may not overlap, end up stacked instead of in a row.
        """
        for node in reversed(self.order):
            if node.op != "dot" or node not in groups:
                continue
            layer = groups[node][0]
            before = next((c for c in node.children if c.op and groups.get(c, (layer,))[0]
                           != layer), None)
            if before is None:
                continue
            for child in node.children:
                if not child.op and groups.get(child) == groups[node]:
                    self.body.append(f"\t{self.name(before)} -> {self.name(child)} "
                                     "[style=invis]\n")

    # -- nodes ----------------------------------------------------------------------------
    def name(self, node: Value) -> str:
        return f"v{self.index[node]}"

    def who(self, node: Value) -> str:
        """How a tooltip names a node: its name (as the walkthrough calls it), or its
        number if an unnamed constant."""
        return self.names.get(node) or node.name

    def shown_name(self, node: Value) -> str:
        """The name on a node's box: the walkthrough's name (label, or t1, t2, …), pretty."""
        name = self.names.get(node, "")
        return pretty_label(name) if self.opt.pretty and name else name

    def _number_row(self, key: str, x: float, bold: bool = False, box: str = "") -> str:
        if box:  # an empty box to write in, named for the practice page's inputs
            return (f'<TR><TD ALIGN="LEFT"><FONT COLOR="{MUTED}" POINT-SIZE="11">{key}</FONT>'
                    f'</TD><TD ID="{box}" HREF="#{box}" BGCOLOR="white" BORDER="1" '
                    f'COLOR="{MUTED}" WIDTH="{BLANK_BOX[0]}" HEIGHT="{BLANK_BOX[1]}"> </TD></TR>')
        number = html_text(format_number(x, self.opt.digits))
        if bold:
            number = f"<B>{number}</B>"
        return (f'<TR><TD ALIGN="LEFT"><FONT COLOR="{MUTED}" POINT-SIZE="11">{key}</FONT></TD>'
                f'<TD ALIGN="RIGHT">{number}</TD></TR>')

    def value_node(self, node: Value, path: set[Value] | None) -> list[str]:
        """A value's box: its name and data on the first row, its grad on the second."""
        kind = kind_of(node, self.root, self.parameters)
        data = html_text(format_number(node.data, self.opt.digits))
        name = self.shown_name(node)
        shown = f'<FONT POINT-SIZE="15"><B>{html_text(name)}</B></FONT>'
        if self.opt.blank and kind != "constant":
            rows = self._blank_rows(node, name)
        elif len(name) > LONG_NAME:  # w₁₁⁽¹⁾: a row of its own, the box as narrow as a number
            rows = [f'<TR><TD COLSPAN="2" ALIGN="LEFT">{shown}</TD></TR>',
                    f'<TR><TD COLSPAN="2" ALIGN="RIGHT">{data}</TD></TR>']
        elif name:
            rows = [f'<TR><TD ALIGN="LEFT">{shown}</TD><TD ALIGN="RIGHT">{data}</TD></TR>']
        else:
            rows = [f'<TR><TD COLSPAN="2">{data}</TD></TR>']
        if kind != "constant" and self.opt.show_grad and not self.opt.blank:
            grad = html_text(format_number(node.grad, self.opt.digits))
            rows.append(f'<TR><TD COLSPAN="2" ALIGN="RIGHT"><B>{grad}</B></TD></TR>')
        on_path = path is not None and node in path
        return [self._box(self.name(node), rows, kind, on_path, self._tooltip(node))]

    def _blank_rows(self, node: Value, name: str) -> list[str]:
        """A box to fill in: the name, then the value (a leaf's printed, else an empty box
        to write in) and the grad (an empty box)."""
        rows = [f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="15"><B>{html_text(name)}'
                '</B></FONT></TD></TR>'] if name else []
        rows.append(self._number_row("data", node.data,
                                     box=f"{self.name(node)}_data" if node.op else ""))
        if self.opt.show_grad:
            rows.append(self._number_row("grad", node.grad, box=f"{self.name(node)}_grad"))
        return rows

    def _tooltip(self, node: Value) -> str:
        head = f"{self.who(node)}\n" if node in self.names else ""
        if self.opt.blank:  # the numbers are what the reader has to find
            return head.strip() or self.name(node)
        return f"{head}data = {node.data!r}\ngrad = {node.grad!r}"

    def op_node(self, node: Value, path: set[Value] | None) -> list[str]:
        name = self.name(node)
        on_path = path is not None and node in path
        copy = node.op == "sum" and len(node.children) == 1  # a worksheet's c1 = w10
        symbol = "=" if copy else op_symbol(node.op)
        attrs = {
            "label": f"<{html_text(symbol)}>", "shape": "circle" if len(symbol) <= 2 else "ellipse",
            "style": "filled", "fillcolor": "#EEEEEE", "color": HIGHLIGHT if on_path else "#555555",
            "penwidth": "3" if on_path else "1", "fontsize": "15", "width": "0.32",
            "height": "0.32",
            "margin": "0.02", "tooltip": f"op: {node.op}", "id": f"{name}op",
            **self._pinned(f"{name}op"),
        }
        return [_statement(f"{name}op", attrs),
                self._edge(f"{name}op", name, on_path, path is not None, weight=8)]

    def _neuron_boxes(self, groups: dict[Value, tuple[int, int]], path: set[Value] | None,
                      clusters: _Clusters) -> None:
        for (layer, neuron), out in sorted(self._neuron_outputs(groups).items()):
            act = _activation(out)
            on_path = path is not None and out in path
            rows = [f'<TR><TD COLSPAN="2"><B>neuron {neuron}</B> '
                    f'<FONT COLOR="{MUTED}">{html_text(OP_SYMBOLS.get(act, act))}</FONT></TD></TR>',
                    self._number_row("out", out.data)]
            if self.opt.show_grad:
                rows.append(self._number_row("grad", out.grad, bold=True))
            kind: Kind = "output" if out is self.root else "intermediate"
            statement = self._box(self.name(out), rows, kind, on_path,
                                  f"layer {layer}, neuron {neuron} ({act})\n"
                                  + self._tooltip(out))
            clusters.setdefault(layer, {}).setdefault(0, []).append(statement)

    def _layer_boxes(self, groups: dict[Value, tuple[int, int]], path: set[Value] | None) -> None:
        outputs = self._neuron_outputs(groups)
        for layer in sorted({lay for lay, _ in outputs}):
            neurons = [(n, out) for (lay, n), out in sorted(outputs.items()) if lay == layer]
            act = _activation(neurons[0][1])
            head = (f'<TR><TD COLSPAN="3"><B>layer {layer}</B> <FONT COLOR="{MUTED}">'
                    f"{len(neurons)} × {html_text(OP_SYMBOLS.get(act, act))}</FONT></TD></TR>"
                    f'<TR><TD></TD><TD ALIGN="RIGHT"><FONT COLOR="{MUTED}" POINT-SIZE="12">out'
                    f'</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="{MUTED}" POINT-SIZE="12">'
                    f"{'grad' if self.opt.show_grad else ''}</FONT></TD></TR>")
            rows = [head]
            for n, out in neurons:
                data = html_text(format_number(out.data, self.opt.digits))
                grad = (f"<B>{html_text(format_number(out.grad, self.opt.digits))}</B>"
                        if self.opt.show_grad else "")
                rows.append(f'<TR><TD ALIGN="LEFT"><FONT COLOR="{MUTED}">n{n}</FONT></TD>'
                            f'<TD ALIGN="RIGHT">{data}</TD><TD ALIGN="RIGHT">{grad}</TD></TR>')
            on_path = path is not None and any(out in path for _, out in neurons)
            kind: Kind = ("output" if any(out is self.root for _, out in neurons)
                          else "intermediate")
            self.body.append(self._box(f"layer{layer}", rows, kind, on_path,
                                       f"layer {layer}: {len(neurons)} neurons ({act})"))

    def _box(self, name: str, rows: list[str], kind: Kind, on_path: bool, tooltip: str) -> str:
        """A value's box (or a collapsed neuron's or layer's): a table of rows, in its look."""
        if kind not in self.kinds_drawn:
            self.kinds_drawn.append(kind)
        self.values_drawn += 1
        look = LOOKS[kind]
        label = ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
                 + "".join(rows) + "</TABLE>>")
        return _statement(name, {
            "label": label, "shape": "box", "style": look.style, "fillcolor": look.fill,
            "color": HIGHLIGHT if on_path else look.border,
            "penwidth": "3.5" if on_path else str(look.penwidth),
            "peripheries": str(look.peripheries), "margin": "0.02,0.03", "tooltip": tooltip,
            "id": name, **self._pinned(name),
        })

    def _pinned(self, node: str) -> dict[str, str]:
        """Where the layout put a node (drawing pass), or nothing (layout pass)."""
        return {} if self.layout is None else _pin(self.layout.nodes[node])

    # -- edges ----------------------------------------------------------------------------
    def _edges(self, rep: dict[Value, str], collapsed: set[Value], path: set[Value] | None
               ) -> None:
        """Operand → op edges (op → result edges come with the op node).

        An edge into or out of a collapsed box is drawn once per pair of boxes.
        """
        box_edges: set[tuple[str, str]] = set()
        for node in reversed(self.order):
            if not node.op:
                continue
            head = rep[node] if node in collapsed else f"{self.name(node)}op"
            for child, local in zip(node.children, node.local_grads):
                tail = rep[child]
                boxed = node in collapsed or child in collapsed
                if boxed and (tail == head or (tail, head) in box_edges):
                    continue
                box_edges.add((tail, head))
                on_path = path is not None and node in path and child in path
                derivative = (format_number(local, self.opt.digits)
                              if not boxed and (self.opt.edge_derivatives or on_path) else None)
                tooltip = (None if boxed or self.opt.blank
                           else f"∂{self.who(node)}/∂{self.who(child)} = {local!r}")
                self.body.append(self._edge(tail, head, on_path, path is not None, derivative,
                                            tooltip, thin=boxed, via=self.via.get((node, child)),
                                            minlen=2 if child in self.shared else 1))

    def _edge(self, tail: str, head: str, on_path: bool, dim: bool,
              derivative: str | None = None, tooltip: str | None = None,
              weight: int = 1, thin: bool = False, via: str | None = None, minlen: int = 1
              ) -> str:
        """An edge's statement. ``via`` (layout pass): a waypoint it is laid out through,
        in two pieces, that `chart_layout.read_layout` joins again under the edge's id."""
        base = f"e_{tail}_{head}"
        count = self._edge_ids.get(base, 0) + 1
        self._edge_ids[base] = count
        edge_id = base if count == 1 else f"{base}_{count}"
        attrs = {"id": edge_id}
        lead = ""
        if self.layout is not None:
            attrs["pos"] = self.layout.edges[edge_id][2]
        elif via is not None:  # the first piece: x → waypoint spans two ranks, room for a fan
            lead = (f"\t{tail} -> {via}" + _attr_list({"id": edge_id + chart_layout.LEAD,
                                                       "arrowhead": "none",
                                                       "minlen": str(minlen)}) + "\n")
            tail = via
        else:
            attrs.update({k: str(v) for k, v in (("weight", weight), ("minlen", minlen))
                          if v != 1})
        if on_path:
            attrs.update(color=HIGHLIGHT, penwidth="3.5", arrowsize="0.9")
        elif dim:
            attrs.update(color=FAINT)
        elif thin:  # between collapsed boxes, where a dense layer makes hundreds of edges
            attrs.update(color="#777777", penwidth="0.6", arrowsize="0.5")
        if derivative is not None:
            self.derivatives[edge_id] = _derivative_label(derivative, on_path)
        if tooltip is not None:
            attrs["tooltip"] = tooltip
        return f"{lead}\t{tail} -> {head}{_attr_list(attrs)}\n"


def _derivative_label(number: str, on_path: bool) -> tuple[str, chart_layout.Point]:
    """A local derivative as it sits on its edge: the number on a white patch that
    interrupts the edge's line (so it belongs to that edge), and its size in points."""
    text = f"<B>{html_text(number)}</B>" if on_path else html_text(number)
    colour, border = (HIGHLIGHT, HIGHLIGHT) if on_path else (INK, "#999999")
    label = (f'<<TABLE BORDER="1" COLOR="{border}" STYLE="rounded" CELLBORDER="0" '
             f'CELLPADDING="1" CELLSPACING="0" BGCOLOR="white"><TR><TD>'
             f'<FONT POINT-SIZE="{DERIVATIVE_SIZE:g}" COLOR="{colour}">{text}</FONT>'
             "</TD></TR></TABLE>>")
    width = chart_layout.text_width(number, DERIVATIVE_SIZE) * (1.1 if on_path else 1) + 6
    return label, (width, DERIVATIVE_SIZE + 5)


def _legend(kinds: Sequence[str], root_name: str) -> tuple[str, chart_layout.Point]:
    """A key in one row: a coloured swatch per kind of node that the chart shows, and how
    a box reads; with its size in points."""
    cells, width = [], 0.0
    for kind in LOOKS:
        if kind not in kinds:
            continue
        look = LOOKS[kind]
        style = ' STYLE="dashed"' if "dashed" in look.style else ""
        border = "2" if look.peripheries > 1 else "1"
        cells.append(f'<TD BGCOLOR="{look.fill}" COLOR="{look.border}" BORDER="{border}"'
                     f'{style} WIDTH="22" HEIGHT="14" FIXEDSIZE="TRUE"></TD>'
                     f'<TD ALIGN="LEFT">{html_text(LEGEND_TEXT[kind])}</TD>')
        width += 34 + chart_layout.text_width(LEGEND_TEXT[kind], 14) * 0.95
    reading = f"box: name, value; below it, bold, ∂{root_name}/∂node"
    cells.append(f'<TD ALIGN="LEFT"><FONT COLOR="{MUTED}">{html_text(reading)}</FONT></TD>')
    width += chart_layout.text_width(reading, 14) * 0.95 + 12
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="1"><TR>'
            + "".join(cells) + "</TR></TABLE>>"), (width, 26.0)


def _statement(name: str, attrs: dict[str, str]) -> str:
    return f"\t{name}{_attr_list(attrs)}\n"


def _attr_list(attrs: dict[str, str]) -> str:
    """``[key=value ...]``: labels are HTML-like (``<...>``), everything else is quoted."""
    return " [" + " ".join(f"{k}={v if k == 'label' else dot_string(v)}"
                           for k, v in attrs.items()) + "]"


# ---------------------------------------------------------------------------------------
# Output: files and SVG text.
# ---------------------------------------------------------------------------------------

FORMATS_BY_SUFFIX = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


def render(root: Value, path: str | Path, *, engine: str | None = None,
           **draw_options: object) -> Path:
    """Draw ``root`` and write the chart to ``path``; the format comes from the suffix.

    ``.svg`` works with either engine, ``.png`` too, ``.pdf`` needs the system Graphviz.
    ``engine``: ``"system"`` or ``"bundled"`` (default: see `scalargrad.graphviz_engine`).
    Other keywords go to `draw`. Returns the path written.
    """
    path = Path(path)
    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"render: cannot tell the format from {path.name!r}; "
                         f"use a name ending in {', '.join(FORMATS_BY_SUFFIX)}")
    graph = draw(root, engine=engine, **draw_options)  # type: ignore[arg-type]
    data = graphviz_engine.run(graph.source, fmt, engine, pinned=True)
    if fmt == "svg":
        data = _fit(data.decode("utf-8"), str(draw_options.get("size", "natural"))).encode()
    path.write_bytes(data)
    return path


def to_svg(root: Value, *, engine: str | None = None, **draw_options: object) -> str:
    """The chart of ``root`` as SVG text (what a notebook shows for a Value)."""
    graph = draw(root, engine=engine, **draw_options)  # type: ignore[arg-type]
    svg = graphviz_engine.run(graph.source, "svg", engine, pinned=True).decode("utf-8")
    return _fit(svg, str(draw_options.get("size", "natural")))


NOTEBOOK_LIMIT = LARGE_GRAPH
"""The most boxes a notebook draws for a Value (about a second of Graphviz)."""


def notebook_svg(root: Value) -> str:
    """What a notebook shows for a Value: its chart when it is small enough to draw in
    about a second (collapsed to neurons for a network), else a short summary saying how
    to draw it."""
    if count_nodes(root, NOTEBOOK_LIMIT + 1) <= NOTEBOOK_LIMIT:
        return to_svg(root)
    size = count_nodes(root, 50_000)
    if size < 50_000 and count_boxes(root, "neuron", NOTEBOOK_LIMIT) <= NOTEBOOK_LIMIT:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LargeGraphWarning)
            return to_svg(root, view="neuron")
    lines = [f"{root!r}"[:120],
             f"a graph of {'at least ' if size >= 50_000 else ''}{size:,} nodes: too big to "
             "draw here.",
             "Draw a part of it, or sg.render(value, 'chart.svg', view='neuron').",]
    text = "".join(f'<text x="8" y="{22 + 20 * i}">{_escape_html(line)}</text>'
                   for i, line in enumerate(lines))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{20 * len(lines) + 16}"'
            f' font-family="{FONT}, sans-serif" font-size="14">{text}</svg>')


_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="([^"]+)"')


def _fit(svg: str, size: str) -> str:
    """The SVG declared at the pixel size asked for: a README column's width, or a
    1280 × 720 slide with the chart centred in it (the drawing itself is unchanged)."""
    width, height = SIZES.get(size, (0, 0))
    m = _SVG_SIZE.search(svg)
    if not width or m is None:
        return svg
    w_pt, h_pt = float(m[1]), float(m[2])
    x, y, vw, vh = (float(v) for v in m[3].split())
    if not height:  # a README column: never wider than it, never enlarged
        scale = min(1.0, width / (w_pt * 4 / 3))
        new = (f'<svg width="{w_pt * 4 / 3 * scale:.0f}px" height="{h_pt * 4 / 3 * scale:.0f}px" '
               f'viewBox="{m[3]}"')
    else:  # a slide: the viewBox widened or heightened to 16:9, the chart in the middle
        if vw / vh < width / height:
            grow = vh * width / height - vw
            x, vw = x - grow / 2, vw + grow
        else:
            grow = vw * height / width - vh
            y, vh = y - grow / 2, vh + grow
        new = (f'<svg width="{width}px" height="{height}px" '
               f'viewBox="{x:.2f} {y:.2f} {vw:.2f} {vh:.2f}"')
    return svg[:m.start()] + new + svg[m.end():]

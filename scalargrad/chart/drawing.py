"""The computational chart: every value with its label, data and grad, every op between.

``draw(root)`` builds a `graphviz.Digraph`; ``render(root, "chart.svg")`` writes a file;
``to_svg(root)`` returns SVG text (``Value._repr_svg_`` uses it, so a Value shows itself
as a chart in Jupyter). Which Graphviz program lays the chart out is decided in
`scalargrad.chart.graphviz_engine`: the system ``dot`` if installed, else the bundled
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
import weakref
from collections.abc import Iterable, Sequence
from html import escape as _escape_html
from pathlib import Path
from typing import Literal

import graphviz

from ..engine import Value, topological_order
from ..graph import NN_LABEL, node_names, pretty_label
from ..limits import MAX_EDGES
from . import frames as chart_frames
from . import graphviz_engine
from . import layout as chart_layout
from .boxes import Options, neurons, on_paths
from .dot import GRAPH_ATTRS, attr_list, legend_label, statement, wrap_words
from .plan import Chart
from .style import FONT, INK, MUTED, NUMBER_SIZE, format_number, html_text

View = Literal["full", "neuron", "layer"]
Size = Literal["natural", "readme", "slide"]
SIZES: dict[str, tuple[int, int]] = {"natural": (0, 0), "readme": (880, 0), "slide": (1280, 720)}
"""Pixel sizes a chart is fitted into: a README column (its width), a 16:9 slide."""
VIEWS: tuple[str, ...] = ("full", "neuron", "layer")
LARGE_GRAPH = 150
"""A full chart with more value nodes than this gets a warning suggesting view="neuron"."""


MAX_DRAWN = 1500
"""The most boxes a chart draws: Graphviz takes minutes beyond a few thousand, and no one
can read them. A bigger graph gets a `ChartTooBig` at once, saying what to draw instead."""


class ChartTooBig(ValueError):
    """The chart would have more than `MAX_DRAWN` boxes or `MAX_EDGES` arrows."""


def count_boxes(root: Value, view: str, limit: int) -> int:
    """The boxes of the chart of ``root`` in ``view``; a full view is counted only up to
    ``limit + 1``, so that costs at most about ``limit`` steps."""
    if view == "full":
        return count_nodes(root, limit + 1)
    order = topological_order(root)
    groups = neurons(order)
    outside = sum(node not in groups for node in order)
    return outside + len({g if view == "neuron" else g[0] for g in groups.values()})


def count_arrows(root: Value, view: str, limit: int) -> int:
    """The arrows of the chart of ``root`` in ``view`` (one per input of a box, inside a
    collapsed box none), counted up to ``limit + 1``."""
    groups = neurons(topological_order(root)) if view != "full" else {}

    def box(node: Value) -> object:
        owner = groups.get(node)
        return node if owner is None else (owner if view == "neuron" else owner[0])

    arrows: set[tuple[object, object]] = set()
    seen, stack = {root}, [root]
    while stack and len(arrows) <= limit:
        node = stack.pop()
        for child in node.children:
            if box(child) != box(node):
                arrows.add((box(child), box(node)))
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return min(len(arrows), limit + 1)


def check_size(root: Value, view: str | None, caller: str, limit: int = MAX_DRAWN) -> None:
    """Raise `ChartTooBig` if the chart of ``root`` in ``view`` has more than ``limit``
    boxes or more than `MAX_EDGES` arrows (at once: see `count_boxes`). ``view=None``:
    ``caller`` draws the full chart and takes no ``view``, so the advice does not offer one."""
    arrows = count_arrows(root, view or "full", MAX_EDGES)
    if arrows > MAX_EDGES:
        raise ChartTooBig(
            f"{caller}: the chart would have more than {MAX_EDGES:,} arrows (the most drawn "
            f"is {MAX_EDGES:,} arrows: Graphviz's time grows with the arrows that cross); "
            + ("draw a collapsed view (view='neuron' or view='layer') for the network, or "
               if view is not None and is_network(root) else "draw ")
            + "the graph of a smaller part")
    count = count_boxes(root, view or "full", limit)
    if count > limit:
        size = f"more than {limit:,}" if view in ("full", None) else f"{count:,}"
        collapse = ("draw a collapsed view (view='neuron' or view='layer') for the network, "
                    "or " if view is not None and is_network(root) else "use ")
        raise ChartTooBig(
            f"{caller}: the chart would have {size} boxes (the most drawn is {limit:,}); "
            f"{collapse}the graph of a smaller part (one example's loss, one neuron's output)")


def is_network(root: Value, limit: int = MAX_DRAWN) -> bool:
    """True if the first ``limit`` nodes below ``root`` include an nn parameter (a leaf
    labelled like ``L1.n2.w1``): only then does a collapsed view help."""
    seen, stack = {root}, [root]
    while stack and len(seen) < limit:
        node = stack.pop()
        if not node.op and node.label and NN_LABEL.fullmatch(node.label):
            return True
        for child in node.children:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return False


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









# ---------------------------------------------------------------------------------------
# The chart.
# ---------------------------------------------------------------------------------------




LAYOUT_OPTIONS = {"show_grad": True, "edge_derivatives": False}
"""The options the layout pass draws with, whatever is asked: options never move a node."""


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
    """The computational chart of ``root`` as a `graphviz.Digraph`, laid out and pinned
    (at ``size="slide"``, the first slide: `draw_slides` gives them all).

    ``rankdir``: ``"LR"`` left to right, ``"TB"`` top to bottom. ``digits``: significant
    digits of every number. ``show_grad``: show each node's grad. ``edge_derivatives``:
    write the local derivative ∂out/∂child on each operand edge. ``view``: ``"full"``,
    ``"neuron"`` (a box per nn neuron) or ``"layer"`` (a box per nn layer).
    ``highlight``: a value or values whose paths from the root are emphasised.
    ``parameters``: the leaves to draw as parameters (default: judged by label).
    ``legend``: add a key to the colours. ``pretty_labels``: w12 → w₁₂.
    ``title``: a caption under the chart. ``size``: ``"natural"`` (15-point numbers),
    ``"readme"`` (at most 880 px wide) or ``"slide"`` (1280 × 720 px, 16:9, numbers at
    least 20 px: a chart too big for that is split over several slides, see
    `scalargrad.chart.frames`).
    ``engine``: the Graphviz that lays the chart out (see `scalargrad.chart.graphviz_engine`).
    ``blank``: a chart to fill in by hand: the leaves' values printed, every other value and
    every grad an empty box big enough to write in (``v{i}_data`` / ``v{i}_grad``, in the
    SVG ``a_v{i}_data``), no number of the answer in it, not even in a tooltip.

    The layout is computed once with the options that change no size (`LAYOUT_OPTIONS`),
    then every node, edge and box is pinned where it went (see `scalargrad.chart.layout`):
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

    def chart(options: Options, path: set[Value] | None,
              layout: chart_layout.Layout | None, bands: list[int] | None = None) -> Chart:
        made = Chart(root, order, index, params, names, options, layout)
        made.build(view, path, bands)
        return made

    def lay_out(plan: Chart) -> chart_layout.Layout:
        source = layout_digraph(plan, rankdir, view, legend).source
        return chart_layout.read_layout(graphviz_engine.layout_json(source, engine))

    layout_options = Options(rankdir, digits, pretty=pretty_labels, blank=blank,
                             **LAYOUT_OPTIONS)
    plan = chart(layout_options, None, None)
    layout = lay_out(plan)
    # A second layout to put the bands in the notes' order, for a chart one can read
    if (plan.values_drawn <= LARGE_GRAPH and not is_dense(plan)
            and (rewritten := plan.bands_to_write(layout))):
        second = chart(layout_options, None, None, rewritten)
        relaid = lay_out(second)
        if second.bands_to_write(relaid) is None:  # in order now (else keep the first)
            plan, layout = second, relaid
    final = chart(Options(rankdir, digits, show_grad, edge_derivatives, pretty_labels, blank),
                  on_paths(order, targets) if targets else None, layout)
    caption = title if title is not None else _highlight_caption(order, targets, digits,
                                                                 names, pretty_labels)
    graph, extent = pinned_digraph(final, layout, legend, caption)
    if blank:  # printed, the chart fills the page: no margin around it in a PDF
        graph.graph_attr["margin"] = "0"
    if view == "full" and plan.values_drawn > LARGE_GRAPH:
        warnings.warn(
            f"the chart has {plan.values_drawn} value nodes, too many to read; "
            "draw(..., view='neuron') or view='layer' shows one box per neuron or layer",
            LargeGraphWarning, stacklevel=2,
        )
    _EXTENTS[graph] = extent
    return framed(graph, chart_frames.frames(extent, size))[0]


_EXTENTS: weakref.WeakKeyDictionary[graphviz.Digraph, chart_layout.Box] = \
    weakref.WeakKeyDictionary()
"""The extent of each chart `draw` made, without its caption: what frames it."""


def draw_slides(root: Value, size: Size = "natural", **options: object
                ) -> list[graphviz.Digraph]:
    """The chart as `draw` makes it (same keywords), one graph per frame: several slides
    for a chart too big for one at ``size="slide"``, several parts for a README, else one
    graph."""
    if size not in SIZES:
        raise ValueError(f"draw: size must be one of {', '.join(SIZES)}, got {size!r}")
    graph = draw(root, **options)  # type: ignore[arg-type]
    return framed(graph, chart_frames.frames(_EXTENTS[graph], size))


def paged(graph: graphviz.Digraph, page: tuple[float, float], zoom: float
          ) -> list[graphviz.Digraph]:
    """``graph``, a chart `draw` made, printed at ``zoom`` on pages of ``page`` points
    (width, height): one page if it fits there, else pages cut between its nodes
    (`scalargrad.chart.frames.pages`). One chart drawn once can be tried on several papers
    or orientations."""
    nodes = chart_frames.node_boxes(graph.body)
    return framed(graph, chart_frames.pages(_EXTENTS[graph], nodes, page, zoom))


def framed(graph: graphviz.Digraph, frames: list[chart_frames.Frame]) -> list[graphviz.Digraph]:
    """A copy of ``graph`` for each frame (its ``viewport``); ``graph`` if none."""
    if not frames:
        return [graph]
    # The drawing's lower left corner, known: an invisible point below and left of it all
    x0, y0, _, _ = (float(v) for v in graph.graph_attr["bb"].split(","))
    origin = (x0 - ANCHOR_GAP, y0 - ANCHOR_GAP)
    graph = graph.copy()  # the chart drawn stays as it was: it may be framed again
    graph.body.append(statement("frame_anchor", {
        "shape": "point", "style": "invis", "width": "0", "height": "0", "label": '""',
        "pos": f"{origin[0]:.2f},{origin[1]:.2f}!"}))
    framed = []
    for frame in frames:
        copy = graph.copy()
        copy.graph_attr.update(viewport=chart_frames.viewport(frame, origin), pad="0")
        framed.append(copy)
    return framed


ANCHOR_GAP = 100.0
"""Points between a framed chart and the invisible point that fixes its lower left corner."""














DENSE_EDGES = 300
"""A layout of more edges than this is dense (`is_dense`): Graphviz's ``dot`` spends
seconds on its crossings and its network simplex. Every chart of the notes has far fewer,
and is laid out as it always was."""
DENSE_LAYOUT = {"mclimit": "0.1", "nslimit": "1", "nslimit1": "1"}
"""``dot``'s cost knobs for a dense layout: fewer crossing-reduction passes, network simplex
bounded by the node count (one layout of a 100-box, 633-arrow chart: 5.7 s → 0.9 s; see
`benchmarks/bench_limits.py`)."""


def is_dense(chart: Chart) -> bool:
    """More than `DENSE_EDGES` edges: no second layout for the bands' order (a dense
    chart is not read band by band), and dot's cost knobs turned down."""
    return sum(line.count(" -> ") for line in chart.body) > DENSE_EDGES


def layout_digraph(chart: Chart, rankdir: str, view: str, legend: bool) -> graphviz.Digraph:
    """The layout pass's graph: the chart's statements, for ``dot`` to place."""
    graph = graphviz.Digraph(name="scalargrad", body=chart.body)
    graph.graph_attr.update(rankdir=rankdir, **GRAPH_ATTRS)
    if view != "full":  # keep the boxes in neuron order: crossings can't be helped anyway
        graph.graph_attr["mclimit"] = "0.01"
    if is_dense(chart):
        graph.graph_attr.update(DENSE_LAYOUT)
    defaults(graph)
    return graph


def defaults(graph: graphviz.Digraph) -> None:
    graph.node_attr.update(fontname=FONT, fontsize=f"{NUMBER_SIZE:g}", fontcolor=INK)
    graph.edge_attr.update(fontname=FONT, fontsize="14", color="#444444", arrowsize="0.7")


def pinned_digraph(chart: Chart, layout: chart_layout.Layout, legend: bool, caption: str
                   ) -> tuple[graphviz.Digraph, chart_layout.Box]:
    """The drawing pass's graph: every node where the layout put it, the local derivatives
    on their edges, the caption under the chart (from its left, at most a slide wide, so
    that a slide shows it whole), for ``neato -n2``; and the chart's extent without the
    caption (what frames it, so that a caption never moves a node)."""
    body = list(chart.body)
    x0, y0, x1, y1 = layout.bbox
    if legend:  # under the chart, on the left
        label, (width, height) = legend_label(chart.kinds_drawn, chart.shown_name(chart.root))
        y0 -= 8  # a gap: an edge may run along the chart's bottom
        body.append(statement("legend", {"label": label, "shape": "plain", "id": "legend",
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
            body.append(statement(f"a_{edge_id}", {"shape": "point", "width": "0.04",
                                                    "color": MUTED, "label": '""',
                                                    "id": f"a_{edge_id}",
                                                    "pos": f"{ax:.2f},{ay:.2f}!"}))
            body.append(f"\ta_{edge_id} -> d_{edge_id}"
                        + attr_list({"pos": leader.strip(), "dir": "none", "color": MUTED,
                                      "penwidth": "0.8", "id": f"leader_{edge_id}"}) + "\n")
        body.append(statement(f"d_{edge_id}", {"label": label, "shape": "plain",
                                                "id": f"d_{edge_id}", "pos": f"{x:.2f},{y:.2f}!"}))
    extent = (x0, y0, x1, y1)
    if caption:
        width = min(x1 - x0, chart_frames.SLIDE[0] - 2 * chart_frames.MARGIN)
        lines = wrap_words(caption, max(40, int(width / (0.5 * 16))))
        height = 20.0 * len(lines) + 6
        centre = x0 + width / 2
        body.append(statement("caption", {
            "label": "<" + "<BR/>".join(html_text(line) for line in lines) + ">", "shape": "plain",
            "fontsize": "16", "id": "caption",
            "pos": f"{centre:.2f},{y0 - height / 2:.2f}!"}))
        y0 -= height
    body.append(statement("top_left", {  # where the picture starts, whatever numbers show
        "shape": "point", "style": "invis", "width": "0", "height": "0", "label": '""',
        "pos": f"{x0:.2f},{y1:.2f}!"}))
    graph = graphviz.Digraph(name="scalargrad", body=body, engine="neato")
    graph.graph_attr.update(bb=f"{x0:.2f},{y0:.2f},{x1:.2f},{y1:.2f}", splines="true",
                            **GRAPH_ATTRS)
    defaults(graph)
    return graph, extent


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












# ---------------------------------------------------------------------------------------
# Output: files and SVG text.
# ---------------------------------------------------------------------------------------

FORMATS_BY_SUFFIX = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


def render(root: Value, path: str | Path, *, engine: str | None = None,
           **draw_options: object) -> Path:
    """Draw ``root`` and write the chart to ``path``; the format comes from the suffix.

    ``.svg`` works with either engine, ``.png`` too, ``.pdf`` needs the system Graphviz.
    ``engine``: ``"system"`` or ``"bundled"`` (default: see `scalargrad.chart.graphviz_engine`).
    Other keywords go to `draw`. Returns the path written (at ``size="slide"``, the first
    slide's: `render_slides` writes and returns every one).
    """
    return render_slides(root, path, engine=engine, **draw_options)[0]


def render_slides(root: Value, path: str | Path, *, engine: str | None = None,
                  **draw_options: object) -> list[Path]:
    """`render`, and at ``size="slide"`` every slide of a chart too big for one:
    ``chart.png``, ``chart-2.png``, ``chart-3.png``, … Returns the paths written."""
    path = Path(path)
    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"render: cannot tell the format from {path.name!r}; "
                         f"use a name ending in {', '.join(FORMATS_BY_SUFFIX)}")
    graphs = draw_slides(root, engine=engine, **draw_options)
    written = []
    for k, graph in enumerate(graphs, start=1):
        data = graphviz_engine.run(graph.source, fmt, engine, pinned=True)
        if fmt == "svg":
            data = _in_pixels(data.decode("utf-8"), graph).encode()
        target = path if k == 1 else path.with_name(f"{path.stem}-{k}{path.suffix}")
        target.write_bytes(data)
        written.append(target)
    return written


def to_svg(root: Value, *, engine: str | None = None, **draw_options: object) -> str:
    """The chart of ``root`` as SVG text (what a notebook shows for a Value); at
    ``size="slide"`` its first slide."""
    graph = draw(root, engine=engine, **draw_options)  # type: ignore[arg-type]
    svg = graphviz_engine.run(graph.source, "svg", engine, pinned=True).decode("utf-8")
    return _in_pixels(svg, graph)


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
             "Draw a part of it, or sg.render(value, 'chart.svg', view='neuron')."
             if is_network(root) else "Draw a part of it: sg.render(part, 'chart.svg')."]
    text = "".join(f'<text x="8" y="{22 + 20 * i}">{_escape_html(line)}</text>'
                   for i, line in enumerate(lines))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{20 * len(lines) + 16}"'
            f' font-family="{FONT}, sans-serif" font-size="14">{text}</svg>')


_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def _in_pixels(svg: str, graph: graphviz.Digraph) -> str:
    """A framed chart's SVG declared in pixels (a slide: 1280 × 720 px), as its PNG is;
    an unframed one as Graphviz wrote it."""
    m = _SVG_SIZE.search(svg)
    if "viewport" not in graph.graph_attr or m is None:
        return svg
    width, height = (round(float(v) * 4 / 3) for v in m.groups())
    return f'{svg[:m.start()]}<svg width="{width}px" height="{height}px"{svg[m.end():]}'

"""Backprop animated node by node: one self-contained HTML page.

``animate(root, "backprop.html")`` writes a page that shows the chart of ``root`` with
every value filled in (the forward pass is done) and then, one step at a time, fills in
the gradients in the order the walkthrough (`scalargrad.steps`) writes them: ∂L/∂L = 1
first, then each node as soon as every node that uses it has its gradient,

    ∂L/∂n = Σₚ ∂L/∂p · ∂p/∂n        (p: the nodes that use n)

The node being processed is highlighted, the nodes p and the edges from n to them are
marked, and the walkthrough line of the step is shown under the chart. Previous / next /
play buttons, a slider and the keys ← → space Home End move through the steps.

How the page is made: the chart is drawn once (`scalargrad.to_svg`) with the exact
gradients in it, and inlined; the page's script blanks every gradient and shows them again
as the steps reach them. The steps are JSON in the page (linear in the size of the graph),
the script and styles are inline, and a Content-Security-Policy forbids loading anything,
so the file works offline and from a USB stick.
"""

from __future__ import annotations

import json
import re
import warnings
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import NamedTuple

from ..calculus import partials
from ..chart.boxes import neurons
from ..chart.drawing import LargeGraphWarning, View, check_size, to_svg
from ..engine import Value, topological_order
from ..graph import pretty_label
from ..walkthrough import steps

MAX_ANIMATED = 1000
"""The most boxes an animation draws (beyond, the page would take minutes to make and
seconds per step to play): a bigger graph gets a `scalargrad.chart.drawing.ChartTooBig` at once."""
MAX_SECONDS_PER_STEP = 3600.0
"""The slowest pace of ``play``: one step an hour (a browser timer takes at most ~24 days)."""
_JSON_IN_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_NEGATIVE = re.compile(r"(?<![\w.])-(?=\d)")
"""A hyphen that is a minus sign: -0.07927, (-0.119); not the one in a label like t-1."""


class Animation:
    """The animation page, not yet written to a file: a notebook cell plays it inline
    (the same self-contained page, in an ``<iframe srcdoc>``); `save` writes it."""

    frame_title = "backprop animation"

    def __init__(self, html: str) -> None:
        self.html = html

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (an ``.html`` file); return the path."""
        path = Path(path)
        path.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{escape(self.html, quote=True)}" style="width: 100%; '
                'height: 720px; border: 1px solid #ddd" sandbox="allow-scripts" '
                f'title="{self.frame_title}"></iframe>')


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def fill_page(template: str, title: str, svg: str, data: object) -> str:
    """One of the package's self-contained pages (``animation.html``, ``practice.html``)
    with its ``{{title}}`` (control characters dropped, HTML escaped), ``{{svg}}`` (the
    inline chart) and ``{{data}}`` (JSON that cannot close the script it sits in)."""
    page = {"title": escape(_CONTROL.sub(" ", title)), "svg": svg,
            "data": json.dumps(data, ensure_ascii=False).translate(_JSON_IN_HTML)}
    html = files(__package__).joinpath(template).read_text(encoding="utf-8")
    return _PLACEHOLDER.sub(lambda m: page[m[1]], html)


def animate(
    root: Value,
    path: str | Path | None = None,
    *,
    digits: int = 4,
    title: str | None = None,
    seconds_per_step: float = 1.5,
    rankdir: str = "LR",
    zoom: bool | None = None,
    view: View = "full",
) -> Path | Animation:
    """Write the backprop animation of ``root`` to ``path`` (an ``.html`` file); return it.
    Without a ``path``, return an `Animation` that a notebook plays inline.

    ``digits``: significant digits of the numbers on the chart and in the lines.
    ``title``: the page's heading (default: "Backpropagation through L", with the root's
    name). ``seconds_per_step``: the pace of ``play``. ``rankdir``: ``"LR"`` or ``"TB"``,
    as for `scalargrad.draw`. ``zoom``: start with the view following each step (True) or
    showing the whole chart (False); the default follows when the whole chart would be too
    small to read in the window (a whole MLP); the Z key switches. ``view``: ``"full"``,
    ``"neuron"`` or ``"layer"``, as for `scalargrad.draw` (a network's neurons as boxes: a
    step about a node inside a box marks the box, and every name its line uses that the
    chart does not draw is written in its box's heading and said in the caption). The
    gradients shown are ∂root/∂node computed from the recorded local derivatives:
    ``root.backward()`` need not have been called, and the graph's ``.grad`` values are
    left as they were.

    >>> import tempfile, pathlib
    >>> from scalargrad import Value
    >>> x = Value(2.0, label="x"); y = (x * x).tanh(); y.label = "y"
    >>> page = animate(y, pathlib.Path(tempfile.mkdtemp()) / "tanh.html")
    >>> text = page.read_text(encoding="utf-8")
    >>> "∂y/∂x" in text, "<script src" in text
    (True, False)
    """
    if not isinstance(root, Value):
        raise TypeError(f"animate: root must be a Value, got {type(root).__name__}")
    if not 0 < seconds_per_step <= MAX_SECONDS_PER_STEP:  # NaN and inf too
        raise ValueError(f"animate: seconds_per_step must be above 0 and at most "
                         f"{MAX_SECONDS_PER_STEP:g}, got {seconds_per_step!r}")
    check_size(root, view, "animate", MAX_ANIMATED)
    walkthrough = steps(root, digits, pretty=True)  # checks digits; names as on the chart
    order = topological_order(root)
    root_name = pretty_label(walkthrough.root_name)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    users = _users(order)
    shown = drawn_as(order, ids, view)
    names = {node: pretty_label(name) for node, name in walkthrough.names.items()}
    rank = {node: i for i, node in enumerate(walkthrough.names)}  # the reading order
    svg = _inline_svg(_chart(root, order, digits, rankdir, view))
    drawn = set(_DRAWN_ID.findall(svg))
    buses = sorted(i for i in drawn if i.startswith("bundle"))
    data = {
        "root": root_name,
        "interval": round(seconds_per_step * 1000),
        "zoom": zoom,
        "steps": [_through_bundles(_step(s.node, s.text, ids, users[s.node], shown), drawn,
                                   buses)
                  | _folded_names([s.node, *sorted([*users[s.node], root], key=rank.get)],
                                  shown, names)
                  for s in walkthrough.of_kind("backward")],
    }
    made = Animation(fill_page(
        "animation.html", title if title is not None else f"Backpropagation through {root_name}",
        svg, data))
    return made if path is None else made.save(path)


def _users(order: list[Value]) -> dict[Value, list[Value]]:
    """For each node, the nodes that use it (its parents), each once, in order."""
    users: dict[Value, dict[Value, None]] = {node: {} for node in order}
    for node in order:
        for child in node.children:
            users[child][node] = None
    return {node: list(p) for node, p in users.items()}


class Drawn(NamedTuple):
    """How a node is drawn: the chart element (``box``), whether the node is folded into
    it, and where a reader finds it: the ``layer`` ("layer 1") and the ``part`` of it
    ("neuron 2" in a neuron view, "row n2" of the layer's box in a layer view)."""

    box: str
    folded: bool
    layer: str = ""
    part: str = ""


def drawn_as(order: list[Value], ids: dict[Value, str], view: str) -> dict[Value, Drawn]:
    """The chart element each node is drawn as: the node itself, or in a collapsed view
    the box of its neuron (named after the neuron's output, ``v{i}``, headed "neuron n")
    or of its layer (``layer{l}``, headed "layer l", a row "n{n}" per neuron)."""
    groups = {} if view == "full" else neurons(order)
    outputs = {groups[node]: node for node in order if node in groups and node.op}
    drawn = {}
    for node in order:
        if node not in groups:
            drawn[node] = Drawn(ids[node], False)
            continue
        layer, neuron = groups[node]
        drawn[node] = (Drawn(ids[outputs[layer, neuron]], True, f"layer {layer}",
                             f"neuron {neuron}") if view == "neuron" else
                       Drawn(f"layer{layer}", True, f"layer {layer}", f"row n{neuron}"))
    return drawn


def _folded_names(named: list[Value], shown: dict[Value, Drawn], names: dict[Value, str]
                  ) -> dict:
    """What a step line names that the chart does not draw (a collapsed view folds it into
    a box): ``inside``, each such name with its box (the step's node first), and
    ``where``, in words: "w₁₁⁽¹⁾ and t₁ are inside neuron 1 of layer 1", "inside layer 1:
    t₁ in neuron 1, t₃ in neuron 2"."""
    folded = [node for node in dict.fromkeys(named) if shown[node].folded and node in names]
    if not folded:
        return {}
    places: dict[str, dict[str, list[str]]] = {}
    for node in folded:
        place = shown[node]
        places.setdefault(place.layer, {}).setdefault(place.part, []).append(names[node])
    said = []
    for layer, parts in places.items():
        if len(parts) == 1:
            (part, inside), = parts.items()
            said.append(f"{' and '.join(inside)} {'is' if len(inside) == 1 else 'are'} "
                        f"inside {part} of {layer}")
        else:
            said.append(f"inside {layer}: " + ", ".join(f"{' and '.join(inside)} in {part}"
                                                      for part, inside in parts.items()))
    return {"inside": [[names[node], shown[node].box] for node in folded],
            "where": "; ".join(said)}


def _step(node: Value, text: str, ids: dict[Value, str], parents: list[Value],
          shown: dict[Value, Drawn]) -> dict:
    """One step of the page: the node, its walkthrough line (with true minus signs, as on
    the chart), the chart nodes its gradient comes from (each parent p and its op node)
    and the edges n → p's op → p, as the chart names them (``e_v1_v3op``, and
    ``e_v1_v3op_2`` for the second edge of x · x). In a collapsed view a node inside a box
    is marked by its box (``mark``)."""
    me, folded = shown[node].box, shown[node].folded
    sources, edges = [], []
    for p in parents:
        box, inside = shown[p].box, shown[p].folded
        if inside:  # p is inside a box: the box, and the edge into it (if from outside)
            if box != me:
                sources.append(box)
                edges.append(f"e_{me}_{box}")
            continue
        op = f"{ids[p]}op"
        uses = sum(child is node for child in p.children)
        sources += [ids[p], op]
        edges += [f"e_{me}_{op}", *(f"e_{me}_{op}_{k}" for k in range(2, uses + 1)),
                  f"e_{op}_{ids[p]}"]
    step = {"node": ids[node], "text": _NEGATIVE.sub("−", text),
            "from": list(dict.fromkeys(sources)), "edges": list(dict.fromkeys(edges))}
    if folded:
        step["mark"] = me
    return step


_DRAWN_ID = re.compile(r'<g id="([^"]+)" class="(?:node|edge)"')


def _through_bundles(step: dict, drawn: set[str], buses: list[str]) -> dict:
    """``step`` with each arrow A → B that a dense layer draws through one of the chart's
    ``buses`` (see `scalargrad.chart.networks`) replaced by the two it is drawn as,
    A → bundle → B, and the bundle among the nodes the gradient comes through."""
    edges, sources = [], list(step["from"])
    for edge in step["edges"]:
        if edge in drawn or not buses:
            edges.append(edge)
            continue
        tail, _, head = edge[2:].partition("_")
        bus = next((b for b in buses
                    if f"e_{tail}_{b}" in drawn and f"e_{b}_{head}" in drawn), None)
        edges += [edge] if bus is None else [f"e_{tail}_{bus}", f"e_{bus}_{head}"]
        sources += [] if bus is None else [bus]
    return step | {"edges": list(dict.fromkeys(edges)), "from": list(dict.fromkeys(sources))}


def _chart(root: Value, order: list[Value], digits: int, rankdir: str, view: View) -> str:
    """The chart's SVG with ∂root/∂node as every node's grad (the chart names nodes as the
    walkthrough does); ``.grad`` is restored."""
    saved = [node.grad for node in order]
    grads = partials(root)
    try:
        for node in order:
            node.grad = grads.get(node, 0.0)
        with warnings.catch_warnings():  # the page zooms in on each step instead
            warnings.simplefilter("ignore", LargeGraphWarning)
            return to_svg(root, digits=digits, rankdir=rankdir, view=view)
    finally:
        for node, grad in zip(order, saved):
            node.grad = grad


def _inline_svg(svg: str) -> str:
    """The ``<svg>`` element alone: no XML declaration, no DOCTYPE (which names a URL)."""
    return svg[svg.index("<svg"):]

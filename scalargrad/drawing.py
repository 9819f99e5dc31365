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

import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape as _escape_html
from pathlib import Path
from typing import Literal

import graphviz

from . import graphviz_engine
from .engine import Value, topological_order

View = Literal["full", "neuron", "layer"]
_Clusters = dict[int, dict[int, list[str]]]
"""DOT statements by layer, then by neuron (0: the collapsed neuron boxes of the layer)."""
VIEWS: tuple[str, ...] = ("full", "neuron", "layer")
LARGE_GRAPH = 150
"""A full chart with more value nodes than this gets a warning suggesting view="neuron"."""


class LargeGraphWarning(UserWarning):
    """A full chart is too big to read; a collapsed view would be clearer."""


# ---------------------------------------------------------------------------------------
# Text: labels with subscripts, numbers, escaping.
# ---------------------------------------------------------------------------------------

_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUP = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
_NN_LABEL = re.compile(r"L(\d+)\.n(\d+)\.(?:w(\d+)|b)")
_INDEXED = re.compile(r"(?P<base>[^\W\d_]+)(?:_?(?P<digits>\d+)|_\{?(?P<sub>[^{}]+?)\}?)?"
                      r"(?:\^\{?(?P<sup>[^{}]+?)\}?)?")
_PARAMETER = re.compile(r"(?:[wWbvV]|θ)(?:_?\{?[0-9ijk,]+\}?|\[\d+\])?")


def _convert(text: str, table: dict[int, str]) -> str | None:
    """``text`` in sub- or superscript characters (commas kept), or None if it has none."""
    if any(ord(ch) not in table for ch in text if ch != ","):
        return None
    return text.translate(table)


def pretty_label(label: str) -> str:
    """The label as a chart shows it: ``w12`` → w₁₂, ``x_i`` → xᵢ, ``L1.n2.w1`` → w₂₁⁽¹⁾.

    The rule: a name of letters followed by digits (``w12``, ``h3``, ``W11``), or by
    ``_`` and an index (``x_1``, ``x_{ij}``), gets the index as subscript, and ``^n`` as
    superscript, when every character has a Unicode sub/superscript form. The nn's
    ``L{layer}.n{neuron}.w{input}`` becomes w with subscript neuron, input and superscript
    (layer); ``L{layer}.n{neuron}.b`` becomes b with subscript neuron. Anything else is
    shown as it is.
    """
    nn = _NN_LABEL.fullmatch(label)
    if nn:
        layer, neuron, inp = nn.groups()
        if inp is None:
            return f"b{neuron.translate(_SUB)}⁽{layer.translate(_SUP)}⁾"
        return f"w{_join_indices(neuron, inp).translate(_SUB)}⁽{layer.translate(_SUP)}⁾"
    m = _INDEXED.fullmatch(label)
    if not m or not (m["digits"] or m["sub"] or m["sup"]):
        return label
    index = m["digits"] or m["sub"]
    sub = _convert(index, _SUB) if index else ""
    sup = _convert(m["sup"], _SUP) if m["sup"] else ""
    if sub is None or sup is None:
        return label
    return m["base"] + sub + sup


def _join_indices(first: str, second: str) -> str:
    """``21`` for neuron 2, input 1; ``16,12`` when an index has two digits."""
    return first + second if len(first) == len(second) == 1 else f"{first},{second}"


def format_number(x: float, digits: int) -> str:
    """``x`` with ``digits`` significant digits and a true minus sign: −15.89, 0.0561."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = f"{x:.{digits}g}"
    if float(text) == 0:
        text = "0"
    return text.replace("-", "−")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: str) -> str:
    """Line breaks as ``\\n``; other control characters (XML cannot hold them) as U+FFFD."""
    return _CONTROL.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


def _html(text: str) -> str:
    """Text for a Graphviz HTML-like label: shown literally, never read as markup.

    ``& < > " '`` become entities and a newline a line break. Graphviz reads ``\\N``
    (node name), ``\\G``... even in HTML labels, and ``\\\\`` as one backslash, so
    backslashes are doubled.
    """
    lines = (_escape_html(line, quote=True).replace("\\", "\\\\")
             for line in _clean(text).split("\n"))
    return "<BR/>".join(lines)


def _dot_string(text: str) -> str:
    """A quoted DOT string (a tooltip) that Graphviz shows as ``text``.

    Graphviz undoes backslash escapes twice in such strings, so each backslash is
    written as four; it reads ``&amp;`` as an entity, so ``&`` is written ``&amp;``;
    quotes are escaped, a newline is ``\\n``.
    """
    escaped = (_clean(text).replace("&", "&amp;").replace("\\", "\\" * 4)
               .replace('"', '\\"').replace("\n", "\\n"))
    return f'"{escaped}"'


# ---------------------------------------------------------------------------------------
# Ops: the symbol on each op node.
# ---------------------------------------------------------------------------------------

OP_SYMBOLS: dict[str, str] = {
    "+": "+", "-": "−", "*": "×", "/": "÷", "neg": "−x", "exp": "exp", "log": "log",
    "tanh": "tanh", "sigmoid": "σ", "relu": "ReLU", "abs": "|x|", "pow": "xʸ",
    "sum": "Σ", "dot": "Σwx",
}


def op_symbol(op: str) -> str:
    """The symbol for an op name: ``*`` → ×, ``sigmoid`` → σ, ``**2`` → x², ``**0.5`` → √x."""
    if op in OP_SYMBOLS:
        return OP_SYMBOLS[op]
    if op.startswith("**"):
        exponent = op[2:]
        if exponent == "0.5":
            return "√x"
        sup = _convert(exponent, _SUP)
        return f"x{sup}" if sup is not None else f"x^{exponent}"
    return op


# ---------------------------------------------------------------------------------------
# Looks: the kinds of node and their colours (Okabe–Ito, safe for colour-blind readers).
# ---------------------------------------------------------------------------------------

Kind = Literal["input", "parameter", "constant", "intermediate", "output"]


@dataclass(frozen=True)
class _Look:
    fill: str
    border: str
    style: str = "rounded,filled"
    peripheries: int = 1
    penwidth: float = 1.5


LOOKS: dict[str, _Look] = {
    "input": _Look("#CFE8F7", "#0072B2"),  # sky blue fill, blue border
    "parameter": _Look("#FBE3B0", "#B67D00"),  # orange
    "constant": _Look("#FFFFFF", "#666666", "rounded,filled,dashed"),
    "intermediate": _Look("#FFFFFF", "#555555"),
    "output": _Look("#C4EBDD", "#007A5A", peripheries=2, penwidth=2.0),  # bluish green
}
LEGEND_TEXT: dict[str, str] = {
    "input": "input", "parameter": "parameter (weight, bias)", "constant": "constant",
    "intermediate": "intermediate", "output": "output / loss",
}
HIGHLIGHT = "#D55E00"  # vermillion
FAINT = "#B8B8B8"
INK = "#222222"
MUTED = "#666666"
BLANK_BOX = (84, 30)
"""Width and height, in points, of a box to write a number in (``draw(..., blank=True)``)."""
FONT = "Arial"  # Helvetica metrics: Arial on Windows and macOS, Liberation Sans on Linux


def is_parameter_label(label: str | None) -> bool:
    """Whether a leaf with this label is drawn as a parameter (see the module docstring)."""
    return bool(label) and bool(_NN_LABEL.fullmatch(label) or _PARAMETER.fullmatch(label))


def _kind(node: Value, root: Value, parameters: set[Value] | None) -> Kind:
    if node is root:
        return "output"
    if node.op:
        return "intermediate"
    if node.constant:
        return "constant"
    if parameters is not None:
        return "parameter" if node in parameters else "input"
    return "parameter" if is_parameter_label(node.label) else "input"


# ---------------------------------------------------------------------------------------
# Structure: neurons of an nn, and the paths to highlight.
# ---------------------------------------------------------------------------------------

_ACTIVATIONS = ("relu", "sigmoid", "tanh")


def _neurons(order: Sequence[Value]) -> dict[Value, tuple[int, int]]:
    """(layer, neuron) for every node of an nn neuron: its parameters, dot and activation."""
    group: dict[Value, tuple[int, int]] = {}
    for node in order:
        if not node.op and node.label and (m := _NN_LABEL.fullmatch(node.label)):
            group[node] = (int(m[1]), int(m[2]))
        elif node.op == "dot":
            owner = next((group[c] for c in node.children if not c.op and c in group), None)
            if owner is not None:
                group[node] = owner
        elif (node.op in _ACTIVATIONS and node.children[0].op == "dot"
              and node.children[0] in group):
            group[node] = group[node.children[0]]
    return group


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
    blank: bool = False,
) -> graphviz.Digraph:
    """The computational chart of ``root`` as a `graphviz.Digraph`.

    ``rankdir``: ``"LR"`` left to right, ``"TB"`` top to bottom. ``digits``: significant
    digits of every number. ``show_grad``: show each node's grad. ``edge_derivatives``:
    write the local derivative ∂out/∂child on each operand edge. ``view``: ``"full"``,
    ``"neuron"`` (a box per nn neuron) or ``"layer"`` (a box per nn layer).
    ``highlight``: a value or values whose paths from the root are emphasised.
    ``parameters``: the leaves to draw as parameters (default: judged by label).
    ``legend``: add a key to the colours. ``pretty_labels``: w12 → w₁₂.
    ``title``: a caption under the chart. ``blank``: a chart to fill in by hand: the
    leaves' values are printed, every other value and every grad is an empty box big
    enough to write in (id ``v{i}_data`` / ``v{i}_grad``, ``a_v{i}_data`` in the SVG).
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw: root must be a Value, got {type(root).__name__}")
    if view not in VIEWS:
        raise ValueError(f"draw: view must be one of {', '.join(VIEWS)}, got {view!r}")
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"draw: rankdir must be 'LR' or 'TB', got {rankdir!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"draw: digits must be an int from 1 to 17, got {digits!r}")
    order = topological_order(root)
    index = {node: i for i, node in enumerate(order)}
    targets = _targets(highlight, index)
    params = None if parameters is None else set(parameters)
    chart = _Chart(root, order, index, params,
                   _Options(rankdir, digits, show_grad, edge_derivatives, pretty_labels,
                            blank))
    chart.build(view, _on_paths(order, targets) if targets else None)
    graph = graphviz.Digraph(name="scalargrad", body=chart.body)
    graph.graph_attr.update(
        rankdir=rankdir, bgcolor="white", fontname=FONT, nodesep="0.18", ranksep="0.35",
        pad="0.2", newrank="true",
    )
    if blank:  # tight, so that the boxes to write in come out big on a page
        graph.graph_attr.update(ranksep="0.1", nodesep="0.08", margin="0")
    if view != "full":  # keep the boxes in neuron order: crossings can't be helped anyway
        graph.graph_attr["mclimit"] = "0.01"
    graph.node_attr.update(fontname=FONT, fontsize="14", fontcolor=INK)
    graph.edge_attr.update(fontname=FONT, fontsize="14", color="#444444", arrowsize="0.7")
    caption = title if title is not None else _highlight_caption(order, targets, digits,
                                                                 pretty_labels)
    if caption:
        graph.graph_attr.update(label=f"<{_html(caption)}>", labelloc="b", fontsize="16")
    if legend:
        graph.node("legend", label=_legend(chart.kinds_drawn), shape="plain", id="legend")
    if view == "full" and chart.values_drawn > LARGE_GRAPH:
        warnings.warn(
            f"the chart has {chart.values_drawn} value nodes, too many to read; "
            "draw(..., view='neuron') or view='layer' shows one box per neuron or layer",
            LargeGraphWarning, stacklevel=2,
        )
    return graph


def _targets(highlight: Value | Iterable[Value] | None, index: dict[Value, int]) -> list[Value]:
    if highlight is None:
        return []
    targets = [highlight] if isinstance(highlight, Value) else list(highlight)
    for t in targets:
        if not isinstance(t, Value):
            raise TypeError(f"draw: highlight takes Values, got {type(t).__name__}")
        if t not in index:
            raise ValueError(f"draw: highlight value {t.name!r} is not in the graph of the root")
    return targets


def _highlight_caption(order: Sequence[Value], targets: Sequence[Value], digits: int,
                       pretty: bool) -> str:
    """What the highlighted paths add up to: ∂root/∂target by the chain rule."""
    if not targets:
        return ""
    root = order[-1]

    def show(node: Value) -> str:
        return pretty_label(node.label) if pretty and node.label else node.name

    adjoint = {root: 1.0}  # ∂root/∂node, summed over paths (reverse mode, as backward())
    for node in reversed(order):
        for child, local in zip(node.children, node.local_grads):
            adjoint[child] = adjoint.get(child, 0.0) + adjoint.get(node, 0.0) * local
    top = show(root) if root.label else "out"
    sums = ", ".join(f"∂{top}/∂{show(t)} = {format_number(adjoint[t], digits)}"
                     for t in targets)
    return (f"Highlighted: every path from {top} down to {', '.join(map(show, targets))}. "
            f"Chain rule: {sums}, the sum over these paths of the product of the "
            "derivatives on their edges.")


class _Chart:
    """Collects DOT statements for one chart (the body of the Digraph)."""

    def __init__(self, root: Value, order: list[Value], index: dict[Value, int],
                 parameters: set[Value] | None, options: _Options) -> None:
        self.root, self.order, self.index = root, order, index
        self.parameters, self.opt = parameters, options
        self.body: list[str] = []
        self.kinds_drawn: list[str] = []
        self.values_drawn = 0
        self._edge_ids: dict[str, int] = {}

    # -- the whole chart ------------------------------------------------------------------
    def build(self, view: str, path: set[Value] | None) -> None:
        groups = _neurons(self.order)
        rep = self._representatives(view, groups)
        clusters: _Clusters = {}
        for node in reversed(self.order):  # root first: dot then stacks units top-down
            if node in groups and view != "full":
                continue  # drawn as part of a neuron's or a layer's box
            lines = self.value_node(node, path)
            if node.op:
                lines += self.op_node(node, path)
            if node in groups:
                layer, neuron = groups[node]
                clusters.setdefault(layer, {}).setdefault(neuron, []).extend(lines)
            else:
                self.body.extend(lines)
        if view == "neuron":
            self._neuron_boxes(groups, path, clusters)
        elif view == "layer":
            self._layer_boxes(groups, path)
        self._clusters(clusters)
        self._edges(rep, set(groups) if view != "full" else set(), path)
        if view == "full":
            self._layers_side_by_side(groups)

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
                    self.body.append(f"\tsubgraph cluster_L{layer} {{\n")
                    self.body.append(f'\t\tlabel=<<B>layer {layer}</B>> labelloc="t" '
                                     'style="rounded" color="#888888" fontsize=16 margin=10\n')
                    self.body.extend("\t" + line for line in lines)
                    chains.append([line.split()[0] for line in lines])
                else:
                    self.body.append(f"\tsubgraph cluster_L{layer}_n{neuron} {{\n")
                    self.body.append(f'\t\tlabel=<<B>layer {layer}</B>, neuron {neuron}> '
                                     'labelloc="t" style="rounded,filled" fillcolor="#F5F5F5" '
                                     'color="#AAAAAA" fontsize=14\n')
                    self.body.extend("\t" + line for line in lines)
                self.body.append("\t}\n")
        for names in chains:  # neuron 1 first: flat edges point up in a left-to-right chart
            if len(names) > 1:
                arrow = " -> ".join(reversed(names) if self.opt.rankdir == "LR" else names)
                self.body.append(f"\t{{rank=same {arrow} [style=invis]}}\n")

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
        """How a tooltip names a node: its label, its number if a constant, else v{i}."""
        return node.label or (node.name if node.constant else self.name(node))

    def _number_row(self, key: str, x: float, bold: bool = False, box: str = "") -> str:
        if box:  # an empty box to write in, named for the practice page's inputs
            return (f'<TR><TD ALIGN="LEFT"><FONT COLOR="{MUTED}" POINT-SIZE="12">{key}</FONT>'
                    f'</TD><TD ID="{box}" HREF="#{box}" BGCOLOR="white" BORDER="1" '
                    f'COLOR="{MUTED}" WIDTH="{BLANK_BOX[0]}" HEIGHT="{BLANK_BOX[1]}"> </TD></TR>')
        number = _html(format_number(x, self.opt.digits))
        if bold:
            number = f"<B>{number}</B>"
        return (f'<TR><TD ALIGN="LEFT"><FONT COLOR="{MUTED}" POINT-SIZE="12">{key}</FONT></TD>'
                f'<TD ALIGN="RIGHT">{number}</TD></TR>')

    def _label_text(self, node: Value) -> str:
        if not node.label:
            return ""
        return pretty_label(node.label) if self.opt.pretty else node.label

    def value_node(self, node: Value, path: set[Value] | None) -> list[str]:
        kind = _kind(node, self.root, self.parameters)
        rows = []
        if node.label:
            rows.append(f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="17"><B>'
                        f"{_html(self._label_text(node))}</B></FONT></TD></TR>")
        if kind == "constant":
            rows.append(f'<TR><TD COLSPAN="2">{_html(format_number(node.data, self.opt.digits))}'
                        "</TD></TR>")
        else:
            name, blank = self.name(node), self.opt.blank
            rows.append(self._number_row("data", node.data,
                                         box=f"{name}_data" if blank and node.op else ""))
            if self.opt.show_grad:
                rows.append(self._number_row("grad", node.grad, bold=True,
                                             box=f"{name}_grad" if blank else ""))
        on_path = path is not None and node in path
        return [self._box(self.name(node), rows, kind, on_path, self._tooltip(node))]

    def _tooltip(self, node: Value) -> str:
        head = f"{node.label}\n" if node.label else ""
        if self.opt.blank:  # the numbers are what the reader has to find
            return head.strip() or self.name(node)
        return f"{head}data = {node.data!r}\ngrad = {node.grad!r}"

    def op_node(self, node: Value, path: set[Value] | None) -> list[str]:
        name = self.name(node)
        on_path = path is not None and node in path
        copy = node.op == "sum" and len(node.children) == 1  # a worksheet's c1 = w10
        symbol = "=" if copy else op_symbol(node.op)
        attrs = {
            "label": f"<{_html(symbol)}>", "shape": "circle" if len(symbol) <= 2 else "ellipse",
            "style": "filled", "fillcolor": "#EEEEEE", "color": HIGHLIGHT if on_path else "#555555",
            "penwidth": "3" if on_path else "1", "fontsize": "16", "width": "0.4", "height": "0.4",
            "margin": "0.02", "tooltip": f"op: {node.op}", "id": f"{name}op",
        }
        return [_statement(f"{name}op", attrs),
                self._edge(f"{name}op", name, on_path, path is not None, weight=8)]

    def _neuron_boxes(self, groups: dict[Value, tuple[int, int]], path: set[Value] | None,
                      clusters: _Clusters) -> None:
        for (layer, neuron), out in sorted(self._neuron_outputs(groups).items()):
            act = _activation(out)
            on_path = path is not None and out in path
            rows = [f'<TR><TD COLSPAN="2"><B>neuron {neuron}</B> '
                    f'<FONT COLOR="{MUTED}">{_html(OP_SYMBOLS.get(act, act))}</FONT></TD></TR>',
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
                    f"{len(neurons)} × {_html(OP_SYMBOLS.get(act, act))}</FONT></TD></TR>"
                    f'<TR><TD></TD><TD ALIGN="RIGHT"><FONT COLOR="{MUTED}" POINT-SIZE="12">out'
                    f'</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="{MUTED}" POINT-SIZE="12">'
                    f"{'grad' if self.opt.show_grad else ''}</FONT></TD></TR>")
            rows = [head]
            for n, out in neurons:
                grad = (f"<B>{_html(format_number(out.grad, self.opt.digits))}</B>"
                        if self.opt.show_grad else "")
                rows.append(f'<TR><TD ALIGN="LEFT"><FONT COLOR="{MUTED}">n{n}</FONT></TD>'
                            f'<TD ALIGN="RIGHT">{_html(format_number(out.data, self.opt.digits))}'
                            f'</TD><TD ALIGN="RIGHT">{grad}</TD></TR>')
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
            "peripheries": str(look.peripheries), "margin": "0.1,0.04", "tooltip": tooltip,
            "id": name,
        })

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
                                            tooltip, thin=boxed))

    def _edge(self, tail: str, head: str, on_path: bool, dim: bool,
              derivative: str | None = None, tooltip: str | None = None,
              weight: int = 1, thin: bool = False) -> str:
        base = f"e_{tail}_{head}"
        count = self._edge_ids.get(base, 0) + 1
        self._edge_ids[base] = count
        attrs = {"id": base if count == 1 else f"{base}_{count}"}
        if weight != 1:
            attrs["weight"] = str(weight)
        if on_path:
            attrs.update(color=HIGHLIGHT, penwidth="3.5", arrowsize="0.9")
        elif dim:
            attrs.update(color=FAINT)
        elif thin:  # between collapsed boxes, where a dense layer makes hundreds of edges
            attrs.update(color="#777777", penwidth="0.6", arrowsize="0.5")
        if derivative is not None:
            text = _html(derivative)
            attrs["label"] = (f'<<FONT COLOR="{HIGHLIGHT}"><B>{text}</B></FONT>>' if on_path
                              else f'<<FONT COLOR="{MUTED}">{text}</FONT>>')
        if tooltip is not None:
            attrs["tooltip"] = tooltip
        return f"\t{tail} -> {head}{_attr_list(attrs)}\n"


def _legend(kinds: Sequence[str]) -> str:
    """A key: one coloured swatch per kind of node that the chart shows."""
    rows = []
    for kind in LOOKS:
        if kind not in kinds:
            continue
        look = LOOKS[kind]
        style = ' STYLE="dashed"' if "dashed" in look.style else ""
        border = "2" if look.peripheries > 1 else "1"
        rows.append(f'<TR><TD BGCOLOR="{look.fill}" COLOR="{look.border}" BORDER="{border}"'
                    f'{style} WIDTH="22" HEIGHT="14" FIXEDSIZE="TRUE"></TD>'
                    f'<TD ALIGN="LEFT">{_html(LEGEND_TEXT[kind])}</TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>>")


def _statement(name: str, attrs: dict[str, str]) -> str:
    return f"\t{name}{_attr_list(attrs)}\n"


def _attr_list(attrs: dict[str, str]) -> str:
    """``[key=value ...]``: labels are HTML-like (``<...>``), everything else is quoted."""
    return " [" + " ".join(f"{k}={v if k == 'label' else _dot_string(v)}"
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
    graph = draw(root, **draw_options)  # type: ignore[arg-type]
    data = graphviz_engine.run(graph.source, fmt, engine)
    path.write_bytes(data)
    return path


def to_svg(root: Value, *, engine: str | None = None, **draw_options: object) -> str:
    """The chart of ``root`` as SVG text (what a notebook shows for a Value)."""
    graph = draw(root, **draw_options)  # type: ignore[arg-type]
    return graphviz_engine.run(graph.source, "svg", engine).decode("utf-8")

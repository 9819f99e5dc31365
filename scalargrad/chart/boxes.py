"""What a chart draws: a box for every value (its name, data and grad), a circle for every
op, and the DOT of one box and one edge (a network's collapsed neurons and layers, and the
edges between whatever is drawn, are `scalargrad.chart.networks`).

`Boxes` writes these as DOT statements. Without a layout (the layout pass) they are free for
``dot`` to place; with one (the drawing pass) every node and edge is pinned where the layout
put it (see `scalargrad.chart.plan` for the whole chart and `scalargrad.chart.dot` for the
DOT text itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..engine import Value
from ..graph import NN_LABEL, pretty_label
from . import layout as chart_layout
from .dot import attr_list, derivative_label, pin, statement
from .style import (
    FAINT,
    HIGHLIGHT,
    LOOKS,
    MUTED,
    Kind,
    format_number,
    html_text,
    kind_of,
    op_symbol,
)

_ACTIVATIONS = ("relu", "sigmoid", "tanh")


LONG_NAME = 4
"""A name longer than this (characters, as shown) gets a row of its own in its box."""
BLANK_BOX = (100, 36)
"""Width and height, in points, of a box to write a number in (``draw(..., blank=True)``):
printed at 71 % (`scalargrad.classroom.exercises`), 25 × 9 mm."""
KEY_SIZE = 13
"""Point size of "data" and "grad" beside a blank box (9.2 pt printed at 71 %)."""
BLANK_MARGIN = "0.14,0.10"
"""A blank node's margin (inches): its boxes' square corners stay inside its rounded
border, whose corners are curves of radius 12 pt."""

Clusters = dict[int, dict[int, list[str]]]
"""DOT statements by layer, then by neuron (0: the collapsed neuron boxes of the layer)."""


@dataclass
class Options:
    rankdir: str
    digits: int
    show_grad: bool
    edge_derivatives: bool
    pretty: bool
    blank: bool = False


def neurons(order: Sequence[Value]) -> dict[Value, tuple[int, int]]:
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


def activation(output: Value) -> str:
    """The activation of the neuron whose last node is ``output``."""
    return output.op if output.op in _ACTIVATIONS else "linear"


def on_paths(order: Sequence[Value], targets: Sequence[Value]) -> set[Value]:
    """Every node that lies on a path from the root down to one of ``targets``."""
    wanted = set(targets)
    reaches: set[Value] = set()
    for node in order:  # children come first, so their answer is known
        if node in wanted or any(c in reaches for c in node.children):
            reaches.add(node)
    return reaches


class Boxes:
    """The DOT statements of one chart's nodes and edges (the body of the Digraph)."""

    def __init__(self, root: Value, order: list[Value], index: dict[Value, int],
                 parameters: set[Value] | None, names: dict[Value, str], options: Options,
                 layout: chart_layout.Layout | None) -> None:
        self.root, self.order, self.index = root, order, index
        self.parameters, self.names, self.opt, self.layout = parameters, names, options, layout
        self.body: list[str] = []
        self.kinds_drawn: list[str] = []
        self.values_drawn = 0
        self.derivatives: dict[str, tuple[str, chart_layout.Point]] = {}
        """The label and its size (points) of each edge that shows its local derivative."""
        self._edge_ids: dict[str, int] = {}
        self.slots: dict[tuple[Value, int], str] = {}
        """Layout pass: the invisible node, as big as its number, that the edge from an op's
        k-th operand passes through (see `scalargrad.chart.plan.Chart._slots`)."""

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
            return (f'<TR><TD ALIGN="LEFT"><FONT COLOR="{MUTED}" POINT-SIZE="{KEY_SIZE}">'
                    f'{key}</FONT></TD><TD ID="{box}" HREF="#{box}" BGCOLOR="white" BORDER="1" '
                    f'COLOR="{MUTED}" WIDTH="{BLANK_BOX[0]}" HEIGHT="{BLANK_BOX[1]}"> </TD></TR>')
        number = html_text(format_number(x, self.opt.digits))
        if bold:
            number = f"<B>{number}</B>"
        size = KEY_SIZE if self.opt.blank else 11
        return (f'<TR><TD ALIGN="LEFT"><FONT COLOR="{MUTED}" POINT-SIZE="{size}">{key}</FONT>'
                f'</TD><TD ALIGN="RIGHT">{number}</TD></TR>')

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
        return [statement(f"{name}op", attrs),
                self._edge(f"{name}op", name, on_path, path is not None, weight=8)]

    def _box(self, name: str, rows: list[str], kind: Kind, on_path: bool, tooltip: str) -> str:
        """A value's box (or a collapsed neuron's or layer's): a table of rows, in its look."""
        if kind not in self.kinds_drawn:
            self.kinds_drawn.append(kind)
        self.values_drawn += 1
        look = LOOKS[kind]
        label = ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
                 + "".join(rows) + "</TABLE>>")
        return statement(name, {
            "label": label, "shape": "box", "style": look.style, "fillcolor": look.fill,
            "color": HIGHLIGHT if on_path else look.border,
            "penwidth": "3.5" if on_path else str(look.penwidth),
            "peripheries": str(look.peripheries),
            "margin": BLANK_MARGIN if self.opt.blank else "0.02,0.03", "tooltip": tooltip,
            "id": name, **self._pinned(name),
        })

    def _pinned(self, node: str) -> dict[str, str]:
        """Where the layout put a node (drawing pass), or nothing (layout pass)."""
        return {} if self.layout is None else pin(self.layout.nodes[node])

    def _edge(self, tail: str, head: str, on_path: bool, dim: bool,
              derivative: str | None = None, tooltip: str | None = None,
              weight: int = 1, thin: bool = False, via: str | None = None, minlen: int = 1,
              slot: str | None = None) -> str:
        """An edge's statement. ``via`` (layout pass): a waypoint it is laid out through,
        in two pieces, that `chart_layout.read_layout` joins again under the edge's id.
        ``slot`` (layout pass): the place kept for its number, which it passes through
        (one piece more: up to the slot's centre, and on from there)."""
        base = f"e_{tail}_{head}"
        count = self._edge_ids.get(base, 0) + 1
        self._edge_ids[base] = count
        edge_id = base if count == 1 else f"{base}_{count}"
        attrs = {"id": edge_id}
        lead = ""
        if self.layout is not None:
            attrs["pos"] = self.layout.edges[edge_id][2]
        elif via is not None:  # the first piece: x → waypoint spans two ranks, room for a fan
            lead = (f"\t{tail} -> {via}" + attr_list({"id": edge_id + chart_layout.LEAD,
                                                       "arrowhead": "none",
                                                       "minlen": str(minlen)}) + "\n")
            tail = via
        else:
            attrs.update({k: str(v) for k, v in (("weight", weight), ("minlen", minlen))
                          if v != 1})
        if slot is not None and self.layout is None:  # through the slot's centre, unclipped
            piece = {"id": edge_id + chart_layout.SLOT, "arrowhead": "none", "headclip": "false"}
            if via is None and minlen > 2:  # the slot is one rank of the edge's length
                piece["minlen"] = str(minlen - 1)
            attrs.pop("minlen", None)
            lead += f"\t{tail} -> {slot}" + attr_list(piece) + "\n"
            tail = slot
            attrs["tailclip"] = "false"
        if on_path:
            attrs.update(color=HIGHLIGHT, penwidth="3.5", arrowsize="0.9")
        elif dim:
            attrs.update(color=FAINT)
        elif thin:  # between collapsed boxes, where a dense layer makes hundreds of edges
            attrs.update(color="#777777", penwidth="0.6", arrowsize="0.5")
        if derivative is not None:
            self.derivatives[edge_id] = derivative_label(derivative, on_path)
        if tooltip is not None:
            attrs["tooltip"] = tooltip
        return f"{lead}\t{tail} -> {head}{attr_list(attrs)}\n"

"""What a chart draws: a box for every value (its name, data and grad), a circle for every
op, the edges between them, and the collapsed boxes of a network's neurons and layers.

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
from ..wording import plural
from . import layout as chart_layout
from .dot import attr_list, derivative_label, pin, statement
from .style import (
    FAINT,
    HIGHLIGHT,
    LOOKS,
    MUTED,
    NUMBER_SIZE,
    OP_SYMBOLS,
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

BUNDLE_FROM = 16
"""A layer fed all to all by at least this many arrows is drawn through one bundle."""

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

    def _neuron_boxes(self, groups: dict[Value, tuple[int, int]], path: set[Value] | None,
                      clusters: Clusters) -> None:
        outputs = sorted(self._neuron_outputs(groups).items())
        if not outputs:  # no network in the graph: nothing to collapse
            return
        # every neuron box as wide as the widest: its name and activation, a gap, a number
        name_w = max(chart_layout.text_width(f"neuron {n} {self._act(out)}", NUMBER_SIZE)
                     for (_, n), out in outputs) * 1.1 + 10
        number_w = max(chart_layout.text_width(format_number(v, self.opt.digits), NUMBER_SIZE)
                       for _, out in outputs for v in (out.data, out.grad)) * 1.05
        for (layer, neuron), out in outputs:
            act = activation(out)
            on_path = path is not None and out in path
            data = html_text(format_number(out.data, self.opt.digits))
            rows = [f'<TR><TD ALIGN="LEFT" WIDTH="{name_w:.0f}"><B>neuron {neuron}</B> '
                    f'<FONT COLOR="{MUTED}">{html_text(self._act(out))}</FONT></TD>'
                    f'<TD ALIGN="RIGHT" WIDTH="{number_w:.0f}">{data}</TD></TR>']
            if self.opt.show_grad:  # as every box reads: name, value; below it, bold, grad
                grad = html_text(format_number(out.grad, self.opt.digits))
                rows.append(f'<TR><TD COLSPAN="2" ALIGN="RIGHT"><B>{grad}</B></TD></TR>')
            kind: Kind = "output" if out is self.root else "intermediate"
            statement = self._box(self.name(out), rows, kind, on_path,
                                  f"layer {layer}, neuron {neuron} ({act})\n"
                                  + self._tooltip(out))
            clusters.setdefault(layer, {}).setdefault(0, []).append(statement)

    @staticmethod
    def _act(out: Value) -> str:
        """The symbol of the activation of the neuron whose output is ``out``."""
        return OP_SYMBOLS.get(activation(out), activation(out))

    def _layer_boxes(self, groups: dict[Value, tuple[int, int]], path: set[Value] | None) -> None:
        outputs = self._neuron_outputs(groups)
        for layer in sorted({lay for lay, _ in outputs}):
            neurons = [(n, out) for (lay, n), out in sorted(outputs.items()) if lay == layer]
            act = activation(neurons[0][1])
            head = (f'<TR><TD COLSPAN="2"><B>layer {layer}</B> <FONT COLOR="{MUTED}">'
                    f"{len(neurons)} × {html_text(OP_SYMBOLS.get(act, act))}</FONT></TD></TR>")
            rows = [head]
            for n, out in neurons:  # as every box reads: the output, its gradient below, bold
                data = html_text(format_number(out.data, self.opt.digits))
                rows.append(f'<TR><TD ALIGN="LEFT"><FONT COLOR="{MUTED}">n{n}</FONT></TD>'
                            f'<TD ALIGN="RIGHT">{data}</TD></TR>')
                if self.opt.show_grad:
                    grad = html_text(format_number(out.grad, self.opt.digits))
                    rows.append(f'<TR><TD></TD><TD ALIGN="RIGHT"><B>{grad}</B></TD></TR>')
            on_path = path is not None and any(out in path for _, out in neurons)
            kind: Kind = ("output" if any(out is self.root for _, out in neurons)
                          else "intermediate")
            self.body.append(self._box(f"layer{layer}", rows, kind, on_path,
                                       f"layer {layer}: {plural(len(neurons), 'neuron')} ({act})"))

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

    def _edges(self, rep: dict[Value, str], collapsed: dict[Value, tuple[int, int]],
               path: set[Value] | None) -> None:
        """Operand → op edges (op → result edges come with the op node).

        An edge into or out of a collapsed box is drawn once per pair of boxes; where every
        box of one group feeds every neuron of a layer (a dense layer), through one bundle
        (see `_bundles`).
        """
        box_edges: dict[tuple[str, str], tuple[Value, Value]] = {}
        for node in reversed(self.order):
            if not node.op:
                continue
            head = rep[node] if node in collapsed else f"{self.name(node)}op"
            for k, (child, local) in enumerate(zip(node.children, node.local_grads)):
                tail = rep[child]
                boxed = node in collapsed or child in collapsed
                if boxed:
                    if tail != head:
                        box_edges.setdefault((tail, head), (child, node))
                    continue
                on_path = path is not None and node in path and child in path
                derivative = (format_number(local, self.opt.digits)
                              if self.opt.edge_derivatives or on_path else None)
                tooltip = (None if self.opt.blank
                           else f"∂{self.who(node)}/∂{self.who(child)} = {local!r}")
                self.body.append(self._edge(tail, head, on_path, path is not None, derivative,
                                            tooltip, via=self.via.get((node, child)),
                                            minlen=2 if child in self.shared else 1,
                                            slot=self.slots.get((node, k))))
        bundled = self._bundles(box_edges, collapsed, path)
        for (tail, head), (child, node) in box_edges.items():
            if (tail, head) not in bundled:
                on_path = path is not None and node in path and child in path
                self.body.append(self._edge(tail, head, on_path, path is not None, thin=True))

    def _bundles(self, box_edges: dict[tuple[str, str], tuple[Value, Value]],
                 collapsed: dict[Value, tuple[int, int]], path: set[Value] | None
                 ) -> set[tuple[str, str]]:
        """Dense layers drawn as a bus: where each neuron of a layer feeds every neuron of
        the next (at least `BUNDLE_FROM` arrows, two boxes or more on each side), one node
        ``bundle{l}`` between them, an arrow from each box into it and one from it to each
        neuron: 2·16 arrows for 16 × 16, not 256 that cross. Returns the pairs drawn so."""
        feeds: dict[int, dict[str, set[str]]] = {}  # head layer → head box → its tails
        values: dict[str, Value] = {}
        for (tail, head), (child, node) in box_edges.items():
            if node in collapsed and child in collapsed:  # layer to layer
                feeds.setdefault(collapsed[node][0], {}).setdefault(head, set()).add(tail)
                values[tail], values[head] = child, node
        bundled: set[tuple[str, str]] = set()
        for layer, heads in sorted(feeds.items()):
            tails = set().union(*heads.values())
            if (len(tails) < 2 or len(heads) < 2 or len(tails) * len(heads) < BUNDLE_FROM
                    or any(t != tails for t in heads.values())):
                continue
            bus = f"bundle{layer}"
            on = {name for name, value in values.items() if path is not None and value in path}
            lit = bool(on & tails and on & set(heads))
            self.body.append(statement(bus, {
                "label": (f"<<B>{len(tails)} × {len(heads)}</B><BR/>every one of the "
                          f"{len(tails)}<BR/>outputs of layer {layer - 1}<BR/>to every neuron"
                          f"<BR/>of layer {layer}>"),
                "shape": "box", "style": "rounded", "color": HIGHLIGHT if lit else MUTED,
                "penwidth": "3" if lit else "1", "fontcolor": MUTED, "fontsize": "12",
                "margin": "0.04,0.02", "id": bus, **self._pinned(bus)}))
            for tail in sorted(tails, key=self._box_order):
                self.body.append(self._edge(tail, bus, tail in on and lit,
                                            path is not None, thin=True))
            for head in sorted(heads, key=self._box_order):
                self.body.append(self._edge(bus, head, head in on and lit,
                                            path is not None, thin=True))
            bundled |= {(t, h) for t in tails for h in heads}
        return bundled

    @staticmethod
    def _box_order(name: str) -> int:
        """A box's place in the chart's order (``v12``: 12)."""
        return int(name[1:]) if name[1:].isdigit() else -1

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

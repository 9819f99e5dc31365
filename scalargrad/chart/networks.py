"""The boxes of a network: a chart's neurons or layers collapsed into one box each, dense
layers drawn through one bundle, and the edges between whatever each end is drawn as.

`NetworkBoxes` adds these to `scalargrad.chart.boxes.Boxes` (values, ops, the DOT of one box
and one edge); `scalargrad.chart.plan.Chart` places them all.
"""

from __future__ import annotations

from ..engine import Value
from ..wording import plural
from . import layout as chart_layout
from .boxes import Boxes, Clusters, activation
from .dot import statement
from .style import (
    HIGHLIGHT,
    MUTED,
    NUMBER_SIZE,
    OP_SYMBOLS,
    Kind,
    format_number,
    html_text,
)

BUNDLE_FROM = 16
"""A layer fed all to all by at least this many arrows is drawn through one bundle."""


class NetworkBoxes(Boxes):
    """`Boxes` with a network's collapsed views: one box per neuron or per layer."""

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

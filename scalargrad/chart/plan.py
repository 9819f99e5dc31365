"""Where a chart's boxes go: the whole chart, in bands that follow the notes.

`Chart` adds to `scalargrad.chart.boxes.Boxes` what steers the layout: on the layout pass,
invisible bands (one per unit, in the notes' order), columns for a neuron's own weights,
waypoints that keep a network input's fan of edges between the weights, and the boxes of
a network's neurons and layers; on the drawing pass, the same boxes pinned where ``dot``
put them.
"""

from __future__ import annotations

from ..engine import Value
from . import layout as chart_layout
from .boxes import Clusters, neurons
from .dot import DERIVATIVE_SIZE, derivative_label, statement
from .networks import NetworkBoxes
from .style import format_number

SLOT_FROM = 3
"""An op with at least this many operands keeps a place for each operand edge's number."""



class Chart(NetworkBoxes):
    """Collects DOT statements for one chart (the body of the Digraph). With a ``layout``
    (the drawing pass) every node, edge and visible box is pinned where the layout put it;
    without one (the layout pass) invisible bands steer ``dot`` instead."""

    def build(self, view: str, path: set[Value] | None, bands_written: list[int] | None = None
              ) -> None:
        """The chart's statements; ``bands_written``: the order to write the bands in
        (layout pass; see `bands_to_write`)."""
        groups = neurons(self.order)
        self.collapsed = groups
        rep = self._representatives(view, groups)
        clusters: Clusters = {}
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
                lines += (self.op_node(node, path) + self._waypoints(node)
                          + self._slots(node, view, band_of))
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
        self._edges(rep, groups if view != "full" else {}, path)
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

    def _slots(self, node: Value, view: str, band_of: dict[Value, int]) -> list[str]:
        """Layout pass: room for the local derivatives on the edges into an op that
        `SLOT_FROM` operands or more meet at, two of them leaves or more (a neuron's Σwx
        with its weights beside it; not a sum of bands, whose edges have room): an
        invisible node as wide as each number, which its edge passes through. ``dot`` keeps
        it clear of every node and of the other slots and runs other edges around it; the
        number is drawn there when shown. The edges that get one come from afar: every
        operand's if one is computed (an earlier layer's output), else the shared inputs'
        (the op's own weights keep the rank they had: beside it, where their short edges'
        numbers go beside them). Not where bands meet: slots in the order of the op's
        operands would order the bands, which `bands_to_write` puts in the notes' order.
        Kept whatever the options (they never move a node); not in a blank chart, which
        shows no numbers on its edges."""
        if (self.layout is not None or self.opt.blank or len(node.children) < SLOT_FROM
                or sum(not child.op for child in node.children) < 2
                or (node not in band_of and any(child in band_of for child in node.children))):
            return []
        computed = any(child.op for child in node.children)
        lines = []
        for k, (child, local) in enumerate(zip(node.children, node.local_grads)):
            if not (computed or child in self.shared) or (view != "full"
                                                          and child in self.collapsed):
                continue
            number = format_number(local, self.opt.digits)
            height = derivative_label(number, on_path=True)[1][1]
            width = chart_layout.text_width(number, DERIVATIVE_SIZE)  # its border and bold
            # reach a few points past it, into the gaps between ranks: the chart grows less
            slot = f"{chart_layout.HELPER}slot_{self.name(node)}_{k}"
            self.slots[node, k] = slot
            lines.append(statement(slot, {"shape": "box", "style": "invis", "label": '""',
                                          "width": f"{width / 72:.3f}",
                                          "height": f"{height / 72:.3f}",
                                          "fixedsize": "true"}))
        return lines

    def _spacer(self, name: str, across: float) -> str:
        """An invisible node, thin along the chart's direction, ``across`` inches across it
        (the room it keeps between its neighbours in a column)."""
        thin, wide = "0.01", f"{across:g}"
        width, height = (thin, wide) if self.opt.rankdir == "LR" else (wide, thin)
        return statement(name, {"shape": "box", "style": "invis", "label": '""',
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

    def _clusters(self, clusters: Clusters) -> None:
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

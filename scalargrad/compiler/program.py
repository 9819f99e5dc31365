"""Planning and running: a traced program as a few array operations per layer.

`plan` groups the nodes of a `Trace` that can run together, the same op at the same depth
(a layer's neurons), into `Step`s. Each step computes one array of shape (batch, k), a
column per node and a row per sample; a layer's ``dot`` nodes that share their inputs and
whose weights are parameters become one matrix product ``X Wᵀ + b``. So the number of
array calls grows with the depth of the network, not with its number of scalars.

Where values live while a `Program` runs:

* ``theta``: every parameter, one float64 vector (each layer's weight matrix a contiguous
  block, row-major, then its biases), and ``grad`` beside it;
* ``vals[g]`` / ``adj[g]``: the values and the gradients ∂L/∂node of step g's nodes;
* the constants, once, in the operands that read them.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace

import numpy as np

from ..engine import DomainError
from . import failures, ops
from .operands import Operand, Ref, Run, make_operand
from .trace import Check, Node, Trace

Array = np.ndarray


@dataclass
class Step(ABC):
    """One array operation: the values of ``size`` nodes for every sample.

    ``op`` is the engine op; ``operands`` what it reads (for ``dot``: the inputs x, then
    the terms' a and b in a generic dot; for ``cross_entropy``: scores, targets).
    """

    group: int
    op: str
    size: int
    name: str = ""
    operands: list[Operand] = field(default_factory=list)
    labels: list[str | None] = field(default_factory=list)
    needs_grad: bool = False
    order: Array = field(default_factory=lambda: np.zeros(0, dtype=np.intp))  # trace nodes
    undefined_first = False  # the op's own error before a non-finite operand's (as eager)

    @abstractmethod
    def forward(self, run: Run) -> Array:
        """The step's values for every sample (batch or 1 rows, ``size`` columns)."""

    @abstractmethod
    def backward(self, run: Run, g: Array) -> None:
        """Send ``g`` = ∂L/∂(this step's values) to the operands, through the local
        derivatives."""

    @property
    def may_fail(self) -> bool:
        """Whether the op may be undefined with finite operands and a finite result."""
        return False

    def undefined(self, run: Run, out: Array) -> ops.Undefined:
        """Where the op is undefined for reasons of its own (`ops`): none by default."""
        return []

    @abstractmethod
    def operands_bad(self, run: Run) -> Array:
        """True where a node's operand is NaN or ±inf (batch or 1 rows, ``size`` columns)."""


def _bad(a: Array) -> Array:
    return ~np.isfinite(a)


class Elementwise(Step):
    """A unary or binary op, or ``** n``, applied column by column (`ops.OPS`)."""

    math: ops.VectorOp
    exponent: float | None = None  # n of ``** n``

    def forward(self, run: Run) -> Array:
        args = [o.get(run) for o in self.operands]
        run.saved[self.group] = args
        return self.math.value(*args)

    @property
    def may_fail(self) -> bool:
        return self.math.undefined is not None

    def undefined(self, run: Run, out: Array) -> ops.Undefined:
        if self.math.undefined is None:
            return []
        return self.math.undefined(*run.saved[self.group], out)

    def operands_bad(self, run: Run) -> Array:
        bad = [_bad(a) for a in run.saved[self.group]]
        return bad[0] if len(bad) == 1 else bad[0] | bad[1]

    def backward(self, run: Run, g: Array) -> None:
        local = self.math.local(*run.saved[self.group], run.vals[self.group])
        for operand, d in zip(self.operands, local):
            if operand.needs_grad:
                operand.add(run, g if type(d) is float and d == 1.0 else g * d)


class Sum(Step):
    """``sum`` nodes: each adds a run of the flat operand (runs may differ in length)."""

    starts: Array
    owner: Array

    def forward(self, run: Run) -> Array:
        return np.add.reduceat(self.operands[0].get(run), self.starts, axis=1)

    def backward(self, run: Run, g: Array) -> None:
        if self.operands[0].needs_grad:
            self.operands[0].add(run, g[:, self.owner])

    def operands_bad(self, run: Run) -> Array:
        return np.logical_or.reduceat(_bad(self.operands[0].get(run)), self.starts, axis=1)


class MatMul(Step):
    """A layer: z = W x + b for every sample at once, Z = X Wᵀ + b (W a block of theta)."""

    weights: slice
    bias: slice | None
    n_in: int

    def forward(self, run: Run) -> Array:
        x = self.operands[0].get(run)
        run.saved[self.group] = [x]
        w = run.theta[self.weights].reshape(self.size, self.n_in)
        z = x @ w.T
        if self.bias is not None:
            z += run.theta[self.bias]
        return z

    def backward(self, run: Run, g: Array) -> None:
        (x,) = run.saved[self.group]
        # inputs shared by every sample (one row): Σ over samples of gᵢ xᵀ is (Σ gᵢ) xᵀ;
        # the inputs' own gradient stays one row per sample, as every gradient does
        total = g.sum(axis=0, keepdims=True) if x.shape[0] != g.shape[0] else g
        run.grad[self.weights] += (total.T @ x).ravel()
        if self.bias is not None:
            run.grad[self.bias] += g.sum(axis=0)
        if self.operands[0].needs_grad:
            w = run.theta[self.weights].reshape(self.size, self.n_in)
            self.operands[0].add(run, g @ w)

    def operands_bad(self, run: Run) -> Array:
        (x,) = run.saved[self.group]
        w = run.theta[self.weights].reshape(self.size, self.n_in)
        bad = _bad(x).any(axis=1)[:, None] | _bad(w).any(axis=1)[None, :]
        return bad | _bad(run.theta[self.bias])[None, :] if self.bias is not None else bad


class Dot(Step):
    """Any other ``dot`` nodes: Σᵢ aᵢ·bᵢ (+ bias) with the terms laid flat."""

    starts: Array
    owner: Array

    def forward(self, run: Run) -> Array:
        a, b = (o.get(run) for o in self.operands[:2])
        run.saved[self.group] = [a, b]
        z = np.add.reduceat(a * b, self.starts, axis=1)
        if len(self.operands) == 3:
            z = z + self.operands[2].get(run)
        return z

    def backward(self, run: Run, g: Array) -> None:
        a, b = run.saved[self.group]
        spread = g[:, self.owner]
        if self.operands[0].needs_grad:
            self.operands[0].add(run, spread * b)
        if self.operands[1].needs_grad:
            self.operands[1].add(run, spread * a)
        if len(self.operands) == 3 and self.operands[2].needs_grad:
            self.operands[2].add(run, g)

    def operands_bad(self, run: Run) -> Array:
        a, b = run.saved[self.group]
        bad = np.logical_or.reduceat(_bad(a) | _bad(b), self.starts, axis=1)
        return bad | _bad(self.operands[2].get(run)) if len(self.operands) == 3 else bad


class CrossEntropy(Step):
    """Softmax cross-entropy nodes, each over ``classes`` scores, as one array op."""

    classes: int
    undefined_first = True  # the loss checks its target before computing anything

    def forward(self, run: Run) -> Array:
        s, t = (o.get(run) for o in self.operands)
        rows = max(s.shape[0], t.shape[0])
        s = np.broadcast_to(s, (rows, s.shape[1])).reshape(rows, self.size, self.classes)
        target = np.broadcast_to(t, (rows, self.size))
        bad = ~((target >= 0) & (target < self.classes) & (target == np.floor(target)))
        index = np.where(bad, 0, target).astype(np.intp)  # bad ones are reported (failures)
        loss, e, total = ops.cross_entropy(s, index)
        run.saved[self.group] = [e, total, index, bad]
        return loss

    may_fail = True  # a target that is not a class index

    def undefined(self, run: Run, out: Array) -> ops.Undefined:
        return [(run.saved[self.group][3], DomainError,
                 f"the target must be a class index 0..{self.classes - 1}")]

    def operands_bad(self, run: Run) -> Array:
        s, t = (_bad(o.get(run)) for o in self.operands)
        return s.reshape(s.shape[0], self.size, self.classes).any(axis=2) | t

    def backward(self, run: Run, g: Array) -> None:
        e, total, index, _ = run.saved[self.group]
        rows = (g.shape[0], self.size)  # scores and target may be one row, g one per sample
        d = ops.cross_entropy_local(np.broadcast_to(g, rows), np.broadcast_to(e, (
            *rows, self.classes)), np.broadcast_to(total, rows), np.broadcast_to(index, rows))
        self.operands[0].add(run, d.reshape(d.shape[0], -1))


@dataclass
class Program:
    """A planned program: its steps, parameters and where its results are."""

    steps: list[Step]
    params: list  # the parameter Values, in theta order
    input_sizes: list[int]  # per argument: the number of columns of its array
    input_names: list[str]
    loss: Operand
    outputs: Operand | None
    blocks: dict[str, slice] = field(default_factory=dict)  # W1, b1, ... in theta
    nodes: list[Node] = field(default_factory=list)  # the trace's, for error messages
    where: dict[int, Ref] = field(default_factory=dict)  # each node's value in a run
    checks: list[tuple[Check, Operand]] = field(default_factory=list)  # the losses' checks
    watched: list[int] = field(default_factory=list)  # steps checked for NaN on every run

    def forward(self, run: Run) -> None:
        """Every step's values; raises the eager loop's error for its first failing sample."""
        suspect = not all(_finite(a) for a in (run.theta, *run.vals))
        for step in self.steps:
            run.vals.append(step.forward(run))
        found = [failures.in_step(step, run, run.vals[step.group], suspect)
                 for step in self.steps if step.may_fail]
        found += [failures.in_check(check, operand.get(run)) for check, operand in self.checks]
        # A NaN or ±inf made by a step runs on to the loss, unless an op turns it into a
        # number (relu(NaN) = 0, tanh(inf) = 1): so only those ops' operands, and the
        # results, are looked at first; if any is not finite, every step is.
        if suspect or any(found) or not all(_finite(run.vals[g]) for g in self.watched):
            found += [failures.in_step(step, run, run.vals[step.group], suspect)
                      for step in self.steps if not step.may_fail]
        first = min((f for f in found if f is not None), default=None,
                    key=lambda f: (f.sample, f.order))
        if first is not None:
            raise failures.error(self, run, first)

    def value_of(self, run: Run, node: int, sample: int) -> float:
        """The value of a trace node in a sample of the run."""
        ref = self.where[node]
        if ref.kind == "const":
            return ref.value
        if ref.kind == "param":
            return float(run.theta[ref.a])
        vals = run.vals[ref.a]
        return float(vals[sample if vals.shape[0] > 1 else 0, ref.b])

    def run(self, theta: Array, inputs: list[Array], weight: float = 1.0,
            grad: Array | None = None) -> tuple[Array, Array | None]:
        """Forward for every sample; backward too if ``grad`` is given (it accumulates
        ``weight`` · Σ over samples of ∂loss/∂theta). Returns (losses, outputs)."""
        run = Run(theta, grad, len(inputs[0]) if inputs else 1)
        run.vals.extend(inputs)
        with np.errstate(all="ignore"):
            self.forward(run)
            losses = _rows(self.loss.get(run), run.batch)[:, 0]
            outputs = None if self.outputs is None else _rows(self.outputs.get(run), run.batch)
            if grad is not None:
                run.adj.extend([None] * len(run.vals))
                if self.loss.needs_grad:
                    self.loss.add(run, np.full((run.batch, 1), weight))
                for step in reversed(self.steps):
                    g = run.adj[step.group]
                    if g is not None and step.needs_grad:
                        step.backward(run, g)
        return losses, outputs


def plan(trace: Trace, prefix: str = "") -> Program:
    """Group the trace's nodes into steps and lay the parameters out in theta."""
    nodes, same = _skip_identities(trace.nodes)
    depth = _depths(nodes)
    groups: dict[tuple, list[int]] = {}
    for k, node in enumerate(nodes):
        if node.op not in ("input", "param", "constant") and same[k] == k:
            groups.setdefault(_group_key(nodes, k, depth[k]), []).append(k)
    keys = sorted(groups, key=lambda key: key[1])  # by depth; equal depths keep trace order

    # theta: each layer's W (row-major) and b as contiguous blocks, then the other params
    where: dict[int, Ref] = {}
    params: list = []
    placed: dict[int, int] = {}
    blocks: dict[str, slice] = {}
    layers: list[tuple] = []
    for key in keys:
        members = groups[key]
        if key[0] == "matmul" and _can_place(nodes, members, placed):
            start = len(params)
            for k in members:
                for w in nodes[k].children[0:-1 if nodes[k].bias else None:2]:
                    placed[w] = len(params)
                    params.append(nodes[w].param)
            stop = len(params)
            bias = None
            if nodes[members[0]].bias:
                for k in members:
                    placed[nodes[k].children[-1]] = len(params)
                    params.append(nodes[nodes[k].children[-1]].param)
                bias = slice(stop, len(params))
            layers.append((key, slice(start, stop), bias))
            blocks[f"W{len(layers)}"] = slice(start, stop)
            if bias is not None:
                blocks[f"b{len(layers)}"] = bias
    for k, node in enumerate(nodes):
        if node.op == "param" and k not in placed:
            placed[k] = len(params)
            params.append(node.param)
    for k, node in enumerate(nodes):
        if node.op == "param":
            where[k] = Ref("param", placed[k])
        elif node.op == "constant":
            where[k] = Ref("const", value=node.value)
        elif node.op == "input":
            arg, pos = node.input  # type: ignore[misc]
            where[k] = Ref("var", arg, max(pos, 0))

    n_args = len(trace.shapes)
    needs_grad = [False] * n_args
    steps: list[Step] = []
    matmuls = {key: (w, b) for key, w, b in layers}
    names = _Namer(prefix)
    for key in keys:
        members = groups[key]
        group = n_args + len(steps)
        for col, k in enumerate(members):
            where[k] = Ref("var", group, col)
        step = _make_step(nodes, key, members, group, where, needs_grad, matmuls)
        step.labels = [nodes[k].label for k in members]
        step.order = np.array(members, dtype=np.intp)
        step.name = names.name(step, key in matmuls)
        steps.append(step)
        needs_grad.append(step.needs_grad)
    loss = make_operand([where[same[trace.loss]]], needs_grad)
    outputs = (make_operand([where[same[k]] for k in trace.outputs], needs_grad)
               if trace.outputs else None)
    if steps and loss.describe_group() == steps[-1].group and steps[-1].size == 1:
        steps[-1].name = f"{prefix}L"
    sizes = [max(s, 1) for s in trace.shapes]
    checks = [(c, make_operand([where[same[c.node]]], needs_grad)) for c in trace.checks]
    return Program(steps, params, sizes, trace.names, loss, outputs, blocks, nodes,
                   {k: where[same[k]] for k in range(len(nodes))}, checks,
                   _watched(steps, [loss, outputs], n_args))


def _finite(a: Array) -> bool:
    """No NaN or ±inf in ``a`` (a sum past 1.8e308 says no too: then every step is looked
    at, and finds nothing)."""
    return math.isfinite(np.add.reduce(a, axis=None))


def _rows(values: Array, batch: int) -> Array:
    """``values`` with one row per sample (a row shared by every sample repeated)."""
    return values if len(values) == batch else np.repeat(values, batch, axis=0)


# ops that can turn a NaN or ±inf operand into a finite number
HIDE_NOT_FINITE = ("relu", "tanh", "sigmoid", "exp", "/", "**", "pow")


def _watched(steps: list[Step], results: list[Operand | None], n_args: int) -> list[int]:
    """The steps whose values a run checks for NaN and ±inf: the operands of ops that
    could hide one, and the results (inputs and parameters are checked apart)."""
    operands = [o for s in steps if s.op in HIDE_NOT_FINITE for o in s.operands]
    groups = set().union(*(o.groups() for o in [*operands, *results] if o is not None))
    return sorted(g for g in groups if g >= n_args)


def _skip_identities(nodes: list[Node]) -> tuple[list[Node], list[int]]:
    """The nodes with every reference to ``sum(a)``, ``a / 1`` and ``a * 1`` (or ``1 * a``)
    sent to ``a`` itself (the same number, bit for bit), and where each node now is."""
    same = list(range(len(nodes)))
    out = []
    for k, node in enumerate(nodes):
        kids = tuple(same[c] for c in node.children)
        if kids != node.children:
            node = replace(node, children=kids)
        out.append(node)
        one = [nodes[c].op == "constant" and nodes[c].value == 1.0 for c in kids]
        if (node.op == "sum" and len(kids) == 1) or (node.op in ("/", "*") and one[1]):
            same[k] = kids[0]
        elif node.op == "*" and one[0]:
            same[k] = kids[1]
    return out, same


def _depths(nodes: list[Node]) -> list[int]:
    """Leaves 0, every op one more than its deepest operand."""
    depth = [0] * len(nodes)
    for k, node in enumerate(nodes):
        if node.children:
            depth[k] = 1 + max(depth[c] for c in node.children)
    return depth


def _group_key(nodes: list[Node], k: int, depth: int) -> tuple:
    """Nodes with equal keys run as one step: same op, same depth, and for a matrix
    product the same inputs (parameters as weights, and as biases if any)."""
    node = nodes[k]
    if node.op == "dot":
        kids = node.children
        pairs = kids[:-1] if node.bias else kids
        weights, xs = pairs[0::2], pairs[1::2]
        if (all(nodes[w].op == "param" for w in weights)
                and not any(nodes[x].op == "param" for x in xs)
                and (not node.bias or nodes[kids[-1]].op == "param")):
            # by structure only: the same input nodes, or constants of the same numbers
            # (a constant holds its number in every sample; an input's number varies)
            signature = tuple(("c", nodes[x].value) if nodes[x].op == "constant" else x
                              for x in xs)
            return ("matmul", depth, signature, node.bias)
        return ("dot", depth, node.bias)
    if node.op == "cross_entropy":
        return ("cross_entropy", depth, len(node.children) - 1)
    if node.op == "**":
        return ("**", depth, node.exponent)
    return (node.op, depth)


def _can_place(nodes: list[Node], members: list[int], placed: dict[int, int]) -> bool:
    """A layer's weights form a block only if none of them is in another block already."""
    seen: set[int] = set()
    for k in members:
        for c in nodes[k].children[0:-1 if nodes[k].bias else None:2]:
            if c in placed or c in seen:
                return False
            seen.add(c)
        if nodes[k].bias:
            b = nodes[k].children[-1]
            if b in placed or b in seen:
                return False
            seen.add(b)
    return True


def _make_step(nodes: list[Node], key: tuple, members: list[int], group: int,
               where: dict[int, Ref], needs_grad: list[bool], matmuls: dict) -> Step:
    op = nodes[members[0]].op
    size = len(members)
    kids = [nodes[k].children for k in members]

    def operand(refs: list[int]) -> Operand:
        return make_operand([where[c] for c in refs], needs_grad)

    if key in matmuls:
        step: Step = MatMul(group, "dot", size)
        first = kids[0][:-1] if nodes[members[0]].bias else kids[0]
        step.operands = [operand(list(first[1::2]))]
        step.weights, step.bias = matmuls[key]
        step.n_in = len(first) // 2
        step.needs_grad = True
        return step
    if op in ("sum", "dot"):
        step = Sum(group, op, size) if op == "sum" else Dot(group, op, size)
        flat = [list(c[:-1] if op == "dot" and nodes[k].bias else c)
                for k, c in zip(members, kids)]
        lengths = [len(f) // (2 if op == "dot" else 1) for f in flat]
        step.starts = np.cumsum([0, *lengths[:-1]])
        step.owner = np.repeat(np.arange(size), lengths)
        if op == "sum":
            step.operands = [operand([c for f in flat for c in f])]
        else:
            step.operands = [operand([c for f in flat for c in f[0::2]]),
                             operand([c for f in flat for c in f[1::2]])]
            if nodes[members[0]].bias:
                step.operands.append(operand([c[-1] for c in kids]))
    elif op == "cross_entropy":
        step = CrossEntropy(group, op, size)
        step.classes = key[2]
        step.operands = [operand([c for ch in kids for c in ch[:-1]]),
                         operand([ch[-1] for ch in kids])]
    else:
        step = Elementwise(group, op, size)
        step.exponent = nodes[members[0]].exponent
        step.math = ops.lookup(op, step.exponent)
        step.operands = [operand([ch[i] for ch in kids]) for i in range(len(kids[0]))]
    step.needs_grad = any(o.needs_grad for o in step.operands[:1 if op == "cross_entropy"
                                                             else None])
    return step


class _Namer:
    """Names for the steps, as the notes write them: z1 = W1·x + b1, h1 = relu(z1), v3 ..."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.layers = 0
        self.others = 0
        self.matmuls: dict[int, MatMul] = {}  # by group: the layers named so far

    def name(self, step: Step, is_layer: bool) -> str:
        if is_layer:
            assert isinstance(step, MatMul)
            self.matmuls[step.group] = step
            self.layers += 1
            return f"{self.prefix}z{self.layers}"
        source = step.operands[0].describe_group() if step.operands else None
        layer = self.matmuls.get(source)  # type: ignore[arg-type]
        if (isinstance(step, Elementwise) and len(step.operands) == 1
                and isinstance(layer, MatMul) and step.operands[0].size == layer.size
                and step.op in ("tanh", "sigmoid", "relu")):
            return f"{self.prefix}h{layer.name[len(self.prefix) + 1:]}"
        self.others += 1
        return f"{self.prefix}v{self.others}"


"""Tracing: run one sample through the ordinary engine and read its graph as a program.

`trace` calls the user's function on one sample, every number of the sample given as a
`Value` leaf (an *input*), and walks the graph it returns. Each node becomes a `Node` that
says what it computes from which earlier nodes: the leaves are inputs, parameters (leaves
that outlive the call: the network's weights) and constants (plain numbers in the
expression); every other node is an engine op. `compare` checks that two samples built the
same program, which is what makes replaying it on a whole batch correct.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .. import losses
from ..engine import Power, Value

# the engine's ops besides dot, ``** n`` and the losses' cross_entropy
OPS = ("neg", "exp", "log", "tanh", "sigmoid", "relu", "abs", "+", "-", "*", "/", "pow", "sum")


class CompileError(ValueError):
    """A function that cannot be compiled, with the reason and how to rewrite it."""


@dataclass(slots=True)
class Node:
    """One node of a traced program.

    ``op`` is ``'input'``, ``'param'``, ``'constant'`` or an engine op (``'+'``, ``'dot'``,
    ``'relu'``, ``'**'`` (x ** ``exponent``), ``'sum'``, ``'cross_entropy'``...).
    ``children`` index earlier nodes. A ``dot`` node's children are pairs (a₁, b₁, a₂,
    b₂, ...) meaning Σ aᵢ·bᵢ, then the bias if ``bias``; a ``cross_entropy`` node's are
    the scores, then the target.
    """

    op: str
    children: tuple[int, ...] = ()
    value: float = 0.0  # the number in the traced sample (a constant's for ever)
    label: str | None = None
    param: Value | None = None
    input: tuple[int, int] | None = None  # (argument, position); position -1: a number
    bias: bool = False
    exponent: float | None = None  # n of a ``'**'`` node (x ** n), from the engine's node

    def signature(self) -> tuple:
        """What must be equal in two samples' traces: all but the values of non-constants."""
        fixed = self.value if self.op == "constant" else None
        return (self.op, self.children, self.input, id(self.param), self.bias, fixed,
                self.exponent)


@dataclass
class Trace:
    """The program one sample built: nodes in topological order, the loss and outputs."""

    nodes: list[Node]
    loss: int
    outputs: list[int]
    shapes: list[int]  # each argument's length; -1 for a plain number
    names: list[str]
    params: list[Value] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)


@dataclass(frozen=True)
class Check:
    """A loss's check (`losses.Rule`) on node ``node``, the ``position``-th number it was
    given; ``order`` places it among the nodes, as the eager engine meets it: after the
    scores the loss was given, before the loss's own nodes."""

    rule: losses.Rule
    node: int
    position: int
    order: float


def sample_shapes(sample: Sequence[object], names: Sequence[str]) -> list[int]:
    """-1 for each argument that is one number, else the length of its flat sequence."""
    shapes = []
    for arg, name in zip(sample, names):
        if _is_number(arg):
            shapes.append(-1)
        else:
            try:
                items = list(arg)  # type: ignore[call-overload]
            except TypeError:
                raise CompileError(f"argument {name!r} of a sample is {arg!r}: expected a number "
                                   "or a flat sequence of numbers") from None
            if not all(_is_number(v) for v in items):
                raise CompileError(f"argument {name!r} of a sample must be a number or a flat "
                                   "sequence of numbers (flatten an image into one list)")
            shapes.append(len(items))
    return shapes


def _is_number(x: object) -> bool:
    return isinstance(x, numbers.Real)


def trace(fn: Callable[..., object], sample: Sequence[object], names: Sequence[str]) -> Trace:
    """Call ``fn`` on ``sample`` (numbers as input Values) and read the graph it built."""
    shapes = sample_shapes(sample, names)
    args: list[object] = []
    inputs: dict[int, tuple[int, int]] = {}
    for a, (arg, shape, name) in enumerate(zip(sample, shapes, names)):
        if shape < 0:
            v = Value(float(arg), name)  # type: ignore[arg-type]
            inputs[id(v)] = (a, -1)
            args.append(v)
        else:
            row = [Value(float(x), f"{name}[{i}]") for i, x in enumerate(arg)]  # type: ignore
            inputs.update((id(v), (a, i)) for i, v in enumerate(row))
            args.append(row)
    fused: dict[int, tuple[list[Value], Value | int]] = {}

    def listen(loss: Value, scores: list[Value], target: Value | int) -> None:
        fused[id(loss)] = (scores, target)

    checked: list[tuple[losses.Rule, Value, int, Sequence[Value]]] = []

    def check(rule: losses.Rule, value: Value, position: int, scores: Sequence[Value]) -> None:
        checked.append((rule, value, position, scores))

    losses.trace_listeners.append(listen)
    losses.check_listeners.append(check)
    try:
        result = fn(*args)
    finally:
        losses.trace_listeners.remove(listen)
        losses.check_listeners.remove(check)
    loss, outputs = _split_result(result)
    reader = _GraphReader(inputs, fused)
    for _, _, _, scores in checked:  # numbered first, as the engine made them: before the
        for v in scores:             # loss's checks and the loss's own nodes
            reader.visit(v)
    loss_index = reader.visit(loss)
    output_indices = [reader.visit(v) for v in outputs]
    checks = []
    for rule, value, position, scores in checked:
        node = reader.visit(value)
        order = max([reader.visit(s) for s in scores], default=node) + 0.5
        checks.append(Check(rule, node, position, order))
    return Trace(reader.nodes, loss_index, output_indices, shapes, list(names), reader.params,
                 checks)


def _split_result(result: object) -> tuple[Value, list[Value]]:
    """(loss, outputs) from what the function returned: a Value, or (Value, outputs)."""
    if isinstance(result, Value):
        return result, []
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], Value):
        extra = result[1]
        outputs = [extra] if isinstance(extra, Value) else list(extra)  # type: ignore
        if all(isinstance(v, Value) for v in outputs):
            return result[0], outputs
    raise CompileError(f"the function must return the sample's loss as a Value, or a pair "
                       f"(loss, outputs) with outputs a Value or a list of Values; got "
                       f"{type(result).__name__}")


class _GraphReader:
    """Numbers the nodes of a graph in topological order, each after its children."""

    def __init__(self, inputs: dict[int, tuple[int, int]],
                 fused: dict[int, tuple[list[Value], Value | int]]) -> None:
        self.inputs = inputs
        self.fused = fused
        self.nodes: list[Node] = []
        self.index: dict[int, int] = {}
        self.params: list[Value] = []

    def operands(self, v: Value) -> Sequence[Value]:
        if id(v) in self.fused:
            scores, target = self.fused[id(v)]
            return [*scores, target] if isinstance(target, Value) else scores
        return v.children

    def visit(self, root: Value) -> int:
        """Add ``root`` and everything below it (iterative, children first); its index."""
        stack = [(root, iter(self.operands(root)))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if id(child) not in self.index:
                    if not child.children and id(child) not in self.fused:  # a leaf
                        self.index[id(child)] = self.leaf(child)
                        continue
                    stack.append((child, iter(self.operands(child))))
                    break
            else:
                stack.pop()
                if id(node) not in self.index:
                    self.index[id(node)] = self.add(node)
        return self.index[id(root)]

    def add(self, v: Value) -> int:
        if id(v) in self.fused:
            scores, target = self.fused[id(v)]
            kids = [self.index[id(s)] for s in scores]
            kids.append(self.index[id(target)] if isinstance(target, Value)
                        else self.constant(float(target)))
            return self.append(Node("cross_entropy", tuple(kids), v.data, v.label))
        if not v.children:
            return self.leaf(v)
        if v.op == "dot":  # children in pairs (w₁, x₁, w₂, x₂, ...), then the bias if any
            kids = tuple(self.index[id(c)] for c in v.children)
            return self.append(Node("dot", kids, v.data, v.label, bias=len(kids) % 2 == 1))
        kids = tuple(self.index[id(c)] for c in v.children)
        if isinstance(v, Power):  # the exponent from the node, never from its name
            return self.append(Node("**", kids, v.data, v.label, exponent=v.exponent))
        if v.op not in OPS:
            raise CompileError(f"the op {v.op!r} is not one the compiler knows")
        return self.append(Node(v.op, kids, v.data, v.label))

    def leaf(self, v: Value) -> int:
        """An input (a number of the sample), a constant, or else a parameter."""
        position = self.inputs.get(id(v))
        if position is not None:
            node = Node("input", (), v.data, v.label, None, position)
        elif v.constant:
            node = Node("constant", (), v.data)
        else:
            self.params.append(v)
            node = Node("param", (), v.data, v.label, v)
        self.nodes.append(node)
        return len(self.nodes) - 1

    def constant(self, value: float) -> int:
        return self.append(Node("constant", (), value))

    def append(self, node: Node) -> int:
        self.nodes.append(node)
        return len(self.nodes) - 1


def compare(first: Trace, other: Trace, first_sample: int, other_sample: int) -> None:
    """Refuse, with the reason and the fix, if two samples built different programs."""
    why = ("The function's graph depends on the data (a Python `if`, `max`, `min` or "
           "`sorted` on a Value's .data, or a number computed from .data), so one traced "
           "sample cannot stand for the batch. Rewrite the branch with ops that work on "
           "every number, such as relu, abs or sigmoid (max(a, b) = b + relu(a − b)), and "
           "pass numbers that change between samples as arguments of the function.")
    where = f"sample {first_sample} and sample {other_sample}"
    if [n.signature() for n in first.nodes] == [n.signature() for n in other.nodes] and (
            first.loss, first.outputs, first.checks) == (other.loss, other.outputs,
                                                         other.checks):
        return
    if len(first.nodes) != len(other.nodes):
        raise CompileError(f"{where} build graphs of different sizes ({len(first.nodes)} and "
                           f"{len(other.nodes)} nodes). {why}")
    for k, (a, b) in enumerate(zip(first.nodes, other.nodes)):
        if a.signature() == b.signature():
            continue
        if a.op == b.op == "constant":
            raise CompileError(f"node {k} of the graph is the number {a.value:g} in sample "
                               f"{first_sample} but {b.value:g} in sample {other_sample}. {why}")
        raise CompileError(f"{where} build different graphs: node {k} is {_describe(a)} in "
                           f"sample {first_sample}, {_describe(b)} in sample {other_sample}. "
                           f"{why}")
    if (first.loss, first.outputs) != (other.loss, other.outputs):
        raise CompileError(f"{where} return different nodes as the loss or outputs. {why}")
    raise CompileError(f"{where} make different checks in their losses. {why}")


def fresh_leaves_to_constants(traces: Sequence[Trace]) -> None:
    """Leaves made inside the function (a new object in each trace) become constants.

    Only a leaf that is the same object in every trace is a parameter; `compare` then
    checks that the new constants hold the same number in every sample.
    """
    first = traces[0]
    for k, node in enumerate(first.nodes):
        if node.op != "param":
            continue
        if any(len(t.nodes) <= k or t.nodes[k].param is not node.param for t in traces[1:]):
            for t in traces:
                if len(t.nodes) > k and t.nodes[k].op == "param":
                    t.nodes[k].op, t.nodes[k].param = "constant", None
    for t in traces:
        t.params = [n.param for n in t.nodes if n.op == "param"]  # type: ignore[misc]


def _describe(node: Node) -> str:
    if node.op == "param":
        return f"the parameter {node.label or '(unlabelled)'}"
    if node.op == "input":
        return f"an input ({node.label})"
    return f"{node.op!r} of nodes {list(node.children)}"

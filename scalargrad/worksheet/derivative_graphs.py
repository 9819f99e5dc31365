"""Derivatives as graphs: ∂output/∂input built from `Value` operations, so that a
gradient or Jacobian (``g = ∇f(x)``, ``J = DF(p, q)``) can itself be differentiated
(∂g/∂x = f″(x)) and moved with its inputs at the identity check's random points.

It is reverse mode over the recorded graph, with each local derivative written as a
`Value` of the node and its children instead of the float the engine stored:

    a + b, a − b: 1, ±1        a·b: b, a          a / b: 1/b, −a/b²
    aⁿ: n·aⁿ⁻¹                 aᵇ: b·aᵇ⁻¹, aᵇ·ln a
    −a: −1                     eᵃ: eᵃ (the node itself)      ln a: 1/a
    tanh a: 1 − tanh² a        σ(a): σ(a)(1 − σ(a))
    relu a, |a|: 0 or ±1 (piecewise constant: their own derivative is 0)
    Σ aᵢ: 1                    dot: each weight's input, each input's weight, the bias 1
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..engine import Constant, Value, topological_order
from .arrays import Scalar
from .tokens import WorksheetError


def partial_graphs(output: Value, inputs: Sequence[Value]) -> list[Scalar]:
    """∂output/∂inputᵢ for each input, as graphs over the nodes between them (a plain
    number where it does not depend on them)."""
    order = _between(output, set(inputs))
    between = set(order)
    adjoint: dict[Value, Scalar] = {output: 1.0}
    for node in reversed(order):
        if node not in adjoint or node in inputs:
            continue
        g = adjoint[node]
        for child, local in zip(node.children, _locals(node)):
            if child in between:
                term = _times(g, local)
                adjoint[child] = adjoint[child] + term if child in adjoint else term
    return [adjoint.get(x, 0.0) for x in inputs]


def plain(x: Scalar, fresh: set[Value]) -> Scalar:
    """``x`` as a number when its graph rests on nothing but the ``fresh`` leaves and
    constants (the Jacobian of numbers, ``DF(1, 2)``, is numbers: no hidden leaves)."""
    if not isinstance(x, Value):
        return x
    leaves = (n for n in topological_order(x) if not n.children)
    return x.data if all(n in fresh or isinstance(n, Constant) for n in leaves) else x


def _times(a: Scalar, b: Scalar) -> Scalar:
    """a·b without a node for a factor 1."""
    if isinstance(a, float) and a == 1.0:
        return b
    return a if isinstance(b, float) and b == 1.0 else a * b


def _between(output: Value, inputs: set[Value]) -> list[Value]:
    """The nodes from which ``output`` is reached and which reach an input, children
    before parents (iterative: no recursion)."""
    order: list[Value] = []
    reaches: dict[Value, bool] = {}
    stack: list[tuple[Value, bool]] = [(output, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            reaches[node] = node in inputs or any(reaches.get(c, False) for c in node.children)
            if reaches[node]:
                order.append(node)
            continue
        if node in reaches:
            continue
        reaches[node] = False
        stack.append((node, True))
        if node not in inputs:
            stack += [(c, False) for c in node.children if c not in reaches]
    return order


def _exponent(node: Value) -> float:
    """The n of an ``aⁿ`` node, from its local derivative n·aⁿ⁻¹ = n·out/a where that is
    exact, else from the op's name."""
    (a,), written = node.children, float(node.op[2:])
    if a.data != 0 and node.data != 0:
        n = node.local_grads[0] * a.data / node.data
        if abs(n - written) <= 1e-5 * max(1.0, abs(written)):
            return written if abs(n - written) <= 1e-12 * max(1.0, abs(written)) else n
    return written


_LOCAL: dict[str, Callable[[Value], tuple[Scalar, ...]]] = {
    "+": lambda v: (1.0, 1.0),
    "-": lambda v: (1.0, -1.0),
    "*": lambda v: (v.children[1], v.children[0]),
    "/": lambda v: (1 / v.children[1], -v.children[0] / v.children[1] ** 2),
    "pow": lambda v: (v.children[1] * v.children[0] ** (v.children[1] - 1),
                      v * v.children[0].log()),
    "neg": lambda v: (-1.0,),
    "exp": lambda v: (v,),
    "log": lambda v: (1 / v.children[0],),
    "tanh": lambda v: (1 - v * v,),
    "sigmoid": lambda v: (v * (1 - v),),
    "relu": lambda v: v.local_grads,
    "abs": lambda v: v.local_grads,
    "sum": lambda v: v.local_grads,
    "dot": lambda v: _dot(v.children),
}


def _dot(children: tuple[Value, ...]) -> tuple[Scalar, ...]:
    """A dot node's children are w₁, x₁, w₂, x₂, … (and the bias last): each weight's
    local derivative is its input, each input's its weight, the bias's 1."""
    pairs = len(children) // 2
    swapped = [children[k ^ 1] for k in range(2 * pairs)]
    return (*swapped, *([1.0] if len(children) % 2 else []))


def _locals(node: Value) -> tuple[Scalar, ...]:
    """∂node/∂child for each child, as Values (see the module)."""
    if node.op.startswith("**"):
        n = _exponent(node)
        return (n * node.children[0] ** (n - 1),) if n != 0 else (0.0,)
    rule = _LOCAL.get(node.op)
    if rule is None:
        raise WorksheetError(f"cannot differentiate twice through the operation {node.op!r}",
                             hint="write the derivative as a formula instead")
    return rule(node)

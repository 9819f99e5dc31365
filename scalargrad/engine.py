"""The autograd engine: a scalar `Value` that remembers how it was made.

The file has two halves that can be read on their own:

1. **The math of each op** (``_add``, ``_mul``, ``_tanh`` ...): plain functions of floats
   that return the result and the local derivative of the result with respect to each
   operand, ∂out/∂childᵢ.  Nothing here knows about graphs.
2. **The machinery** (`Value`, `_unary`, `_binary`, `topological_order`, `Value.backward`): wraps
   the math, records children and local derivatives at forward time, and runs the
   chain rule backwards over a topological order with one loop:

       child.grad += node.grad · ∂node/∂child

Nothing recurses in Python, so a chain a million nodes deep backpropagates.

The errors and the number rules (every *value* finite, NaN never a plausible number) are in
`scalargrad.errors`; they can be imported from here too.
"""

from __future__ import annotations

import math
import numbers
import operator
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import SupportsFloat, TypeAlias

from .errors import (  # the public errors stay importable from here (scalargrad.engine.X)
    DivisionByZero,
    DomainError,  # noqa: F401
    ScalarGradError,  # noqa: F401
    ValueOverflow,  # noqa: F401
    _domain,
    _error,
    _not_finite,
    _number,
    _Undefined,
)
from .wording import plural

Number: TypeAlias = int | float
Operand: TypeAlias = "Value | int | float"


# ---------------------------------------------------------------------------------------
# 1. The math of each op: value and local derivatives, floats in, floats out.
# ---------------------------------------------------------------------------------------


def _add(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    """a + b;  ∂/∂a = 1, ∂/∂b = 1."""
    return a + b, (1.0, 1.0)


def _sub(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    """a − b;  ∂/∂a = 1, ∂/∂b = −1."""
    return a - b, (1.0, -1.0)


def _mul(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    """a · b;  ∂/∂a = b, ∂/∂b = a."""
    return a * b, (b, a)


def _div(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    """a / b;  ∂/∂a = 1/b, ∂/∂b = −a/b²."""
    if b == 0:
        raise _Undefined(DivisionByZero, "division by zero")
    return a / b, (1.0 / b, -(a / b) / b)  # not −a/(b·b): b·b underflows to 0 at b = 1e-200


def _neg(a: float) -> tuple[float, tuple[float, ...]]:
    """−a;  ∂/∂a = −1."""
    return -a, (-1.0,)


def _power(a: float, n: float) -> float:
    """a ** n as a real float (±inf when too large), or a clear reason why it has none."""
    if a == 0 and n < 0:
        raise _Undefined(DivisionByZero, "0 cannot be raised to a negative power")
    if a < 0 and not float(n).is_integer():
        raise _domain("a negative number has no real fractional power")
    try:
        return float(a**n)
    except OverflowError:  # Python raises where IEEE arithmetic (and PyTorch) gives ±inf
        return -math.inf if a < 0 and n % 2 == 1 else math.inf


def _pow_const(a: float, n: float) -> tuple[float, tuple[float, ...]]:
    """aⁿ for a number n;  ∂/∂a = n·aⁿ⁻¹ (infinite where aⁿ⁻¹ blows up at a = 0)."""
    if not math.isfinite(n):
        raise _domain("the exponent must be a finite number")
    out = _power(a, n)
    if n == 0:
        return out, (0.0,)
    if a == 0 and n < 1:
        return out, (math.inf,)
    return out, (n * _power(a, n - 1),)


def _pow(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    """aᵇ for a Value b (a > 0);  ∂/∂a = b·aᵇ⁻¹, ∂/∂b = aᵇ·ln a."""
    if a < 0:
        raise _domain("a Value exponent needs a positive base (use a number exponent)")
    out = _power(a, b)
    if a == 0:
        return out, (_pow_const(a, b)[1][0], 0.0)
    return out, (b * _power(a, b - 1), out * math.log(a))


def _exp(a: float) -> tuple[float, tuple[float, ...]]:
    """eᵃ;  ∂/∂a = eᵃ."""
    try:
        out = math.exp(a)
    except OverflowError:  # as in _power: IEEE arithmetic gives inf
        out = math.inf
    return out, (out,)


def _log(a: float) -> tuple[float, tuple[float, ...]]:
    """ln a (a > 0);  ∂/∂a = 1/a."""
    if a <= 0:
        raise _domain("log is defined only for positive numbers")
    return math.log(a), (1.0 / a,)


def _tanh(a: float) -> tuple[float, tuple[float, ...]]:
    """tanh a;  ∂/∂a = 1 − tanh² a."""
    t = math.tanh(a)
    return t, (1.0 - t * t,)


def _sigmoid(a: float) -> tuple[float, tuple[float, ...]]:
    """σ(a) = 1/(1+e⁻ᵃ), computed without overflow;  ∂/∂a = σ(a)(1 − σ(a))."""
    if a >= 0:
        s = 1.0 / (1.0 + math.exp(-a))
    else:
        e = math.exp(a)
        s = e / (1.0 + e)
    return s, (s * (1.0 - s),)


def _relu(a: float) -> tuple[float, tuple[float, ...]]:
    """max(0, a);  ∂/∂a = 1 for a > 0, else 0 (0 at a = 0, as PyTorch and micrograd)."""
    return (a, (1.0,)) if a > 0 else (0.0, (0.0,))


def _abs(a: float) -> tuple[float, tuple[float, ...]]:
    """|a|;  ∂/∂a = sign(a) (0 at a = 0)."""
    return abs(a), (1.0 if a > 0 else -1.0 if a < 0 else 0.0,)


# ---------------------------------------------------------------------------------------
# 2. The machinery: Value, applying an op, topological order, backward.
# ---------------------------------------------------------------------------------------


class Value:
    """A scalar in a computation graph.

    ``data`` is the number, ``grad`` is ∂root/∂self after ``root.backward()``,
    ``op`` names the operation that made it (``''`` for a leaf), ``children`` are its
    operands and ``local_grads`` the local derivatives ∂self/∂child, in the same order.

    ``==`` and ``hash`` are by identity (a Value is a node, and nodes go in sets);
    ``< <= > >=`` compare ``data`` and make no graph nodes.

    A leaf stores only ``data``, ``grad`` and ``label``; the class defaults below say it
    has no op and no children.  Nodes made by an operation are `Computed` (a subclass
    that stores its own op, children and local_grads); plain numbers used in an
    expression become `Constant` leaves.
    """

    __slots__ = ("data", "grad", "label")
    op: str = ""
    children: tuple[Value, ...] = ()
    local_grads: tuple[float, ...] = ()
    constant: bool = False

    def __init__(self, data: SupportsFloat, label: str | None = None) -> None:
        if isinstance(data, Value):
            raise TypeError("Value() takes a number; this is already a Value")
        self.data = _number(data, "Value()", "expected a real number")
        self.grad = 0.0
        self.label = label

    # -- arithmetic -----------------------------------------------------------------------
    def __add__(self, other: Operand) -> Value:
        return _binary("+", _add, self, other)

    def __radd__(self, other: Operand) -> Value:
        return _binary("+", _add, other, self)

    def __sub__(self, other: Operand) -> Value:
        return _binary("-", _sub, self, other)

    def __rsub__(self, other: Operand) -> Value:
        return _binary("-", _sub, other, self)

    def __mul__(self, other: Operand) -> Value:
        return _binary("*", _mul, self, other)

    def __rmul__(self, other: Operand) -> Value:
        return _binary("*", _mul, other, self)

    def __truediv__(self, other: Operand) -> Value:
        return _binary("/", _div, self, other)

    def __rtruediv__(self, other: Operand) -> Value:
        return _binary("/", _div, other, self)

    def __pow__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _binary("pow", _pow, self, other)
        n = _number(other, "**")
        out = _unary(f"**{n:g}", lambda a: _pow_const(a, n), self, Power)
        out.exponent = n  # the op's name shows n to 6 digits; this is n itself
        return out

    def __rpow__(self, other: Operand) -> Value:
        return _binary("pow", _pow, other, self)

    def __neg__(self) -> Value:
        return _unary("neg", _neg, self)

    def __pos__(self) -> Value:
        return self

    # -- functions ------------------------------------------------------------------------
    def exp(self) -> Value:
        """eˣ"""
        return _unary("exp", _exp, self)

    def log(self) -> Value:
        """Natural logarithm, ln x (x > 0)."""
        return _unary("log", _log, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return _unary("tanh", _tanh, self)

    def sigmoid(self) -> Value:
        """Logistic sigmoid 1/(1+e⁻ˣ)."""
        return _unary("sigmoid", _sigmoid, self)

    def relu(self) -> Value:
        """max(0, x); its derivative at exactly 0 is taken as 0."""
        return _unary("relu", _relu, self)

    def __abs__(self) -> Value:
        return _unary("abs", _abs, self)

    def abs(self) -> Value:
        """|x|; its derivative at exactly 0 is taken as 0."""
        return _unary("abs", _abs, self)

    # -- comparison by data, no graph nodes ---------------------------------------------
    def __lt__(self, other: Operand) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data(other)

    __hash__ = object.__hash__

    def __float__(self) -> float:
        return self.data

    # -- backpropagation ------------------------------------------------------------------
    def backward(self) -> None:
        """Fill ``grad`` of every node below this one with ∂self/∂node.

        Interior nodes get their gradient recomputed from zero on every call; leaves
        (inputs and parameters) *accumulate*, as PyTorch's leaf ``.grad`` does, so
        gradients of several losses add up. Call ``zero_grad()`` (here, on a Module or
        on an optimiser) to start leaves from zero again.
        """
        order = topological_order(self)
        interior = [node for node in order if node.children]
        leaves = [node for node in order if not node.children]
        if _repeated(self, leaves):
            warnings.warn(RepeatedBackwardWarning(
                "backward() ran again from the same root without zeroing the gradients: the "
                "leaves' grad now holds the sum of both passes (twice the gradient), the "
                "interior nodes' only this pass's; call root.zero_grad() (or zero_grad() on "
                "the model or optimiser) before backward() to start from zero"), stacklevel=2)
        for node in interior:
            node.grad = 0.0
        self.grad += 1.0
        for node in reversed(interior):  # leaves have nothing to pass on
            g = node.grad
            for child, local in zip(node.children, node.local_grads):
                child.grad += g * local
        _last_backward[:] = [self, {leaf: leaf.grad for leaf in leaves}]

    def zero_grad(self) -> None:
        """Set ``grad`` of this node and of every node below it to 0."""
        for node in topological_order(self):
            node.grad = 0.0

    # -- display --------------------------------------------------------------------------
    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value({self.data!r}{label}, grad={self.grad!r})"

    @property
    def name(self) -> str:
        """The label if there is one, else a short description such as ``'2.0'``."""
        return self.label or f"{self.data:g}"


class RepeatedBackwardWarning(UserWarning):
    """``backward()`` from the root of the last pass again, nothing zeroed in between: the
    leaves' gradients add up (PyTorch's semantics), which a re-run notebook cell does
    without meaning to."""


_last_backward: list = []
"""[root, {leaf: grad}] as the last backward pass left them (one graph kept alive)."""


def _repeated(root: Value, leaves: list[Value]) -> bool:
    """Is this the last pass's root, with its leaves' gradients untouched since then?"""
    if not _last_backward or _last_backward[0] is not root:
        return False
    grads = _last_backward[1]
    return any(leaf.grad for leaf in leaves) and all(
        leaf in grads and leaf.grad == grads[leaf] for leaf in leaves)


class Computed(Value):
    """A Value made by an operation: it records ``op``, ``children`` and ``local_grads``."""

    __slots__ = ("children", "local_grads", "op")


class Power(Computed):
    """``x ** n`` for a number n: ``exponent`` is n (the op name ``'**n'`` is for show)."""

    __slots__ = ("exponent",)


class Constant(Value):
    """A leaf for a plain number used in an expression: the 3 in ``x * 3``."""

    __slots__ = ()
    constant = True


def _data(x: Operand) -> Number:
    """What a comparison compares (a huge int is compared exactly, as Python does)."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        _number(x, "comparison")  # the TypeError
    return x


def constant(x: Number, op: str = "constant",
             expected: str = "expected a number or a Value") -> Value:
    """A leaf for a plain number used in an expression (drawn as a constant).

    ``op`` names the operation in the TypeError if ``x`` is not a number.
    """
    v = Constant.__new__(Constant)
    v.data = _number(x, op, expected)
    v.grad = 0.0
    v.label = None
    return v


def _unary(op: str, math_fn: Callable[[float], tuple[float, tuple[float, ...]]],
           a: Value, kind: type[Computed] = Computed) -> Value:
    """Run a one-operand op on ``a.data`` and record the new node (a ``kind``)."""
    try:
        data, local = math_fn(a.data)
    except _Undefined as err:
        raise _error(err, op, (a,)) from None
    if not (_isfinite(data) and _isfinite(a.data)):
        raise _not_finite(op, (a,))
    return _node(op, data, (a,), local, kind)


def _binary(op: str, math_fn: Callable[[float, float], tuple[float, tuple[float, ...]]],
            a: Operand, b: Operand) -> Value:
    """Run a two-operand op (a plain number becomes a constant leaf); record the new node."""
    if not isinstance(a, Value):
        a = constant(a, op)
    if not isinstance(b, Value):
        b = constant(b, op)
    try:
        data, local = math_fn(a.data, b.data)
    except _Undefined as err:
        raise _error(err, op, (a, b)) from None
    if not (_isfinite(data) and _isfinite(a.data) and _isfinite(b.data)):
        raise _not_finite(op, (a, b))
    return _node(op, data, (a, b), local)


def sum_values(values: Iterable[Operand]) -> Value:
    """Σ vᵢ as a single node;  ∂/∂vᵢ = 1."""
    children = tuple([v if isinstance(v, Value) else constant(v, "sum") for v in values])
    if not children:
        raise ValueError("sum_values: needs at least one value")
    total = _exact_sum([c.data for c in children])
    if not _isfinite(total):  # a NaN or infinite term makes the total one too
        raise _not_finite("sum", children)
    return _node("sum", total, children, (1.0,) * len(children))


def _exact_sum(terms: list[float]) -> float:
    """Σ terms correctly rounded (math.fsum), ±inf when too large, NaN for inf − inf."""
    try:
        return math.fsum(terms)
    except OverflowError:  # a partial sum passed 1.8e308; the total may not
        from fractions import Fraction  # rare: not worth importing for every run

        try:
            return float(sum(map(Fraction, terms)))
        except (OverflowError, ValueError):  # too large indeed, or a term is inf or NaN
            return sum(terms)
    except ValueError:  # inf − inf
        return math.nan


def dot(weights: Sequence[Operand], inputs: Sequence[Operand],
        bias: Operand | None = None) -> Value:
    """Σ wᵢ·xᵢ + b as a single node (a neuron's pre-activation).

    ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1.  Children (and their local derivatives) come in
    pairs w₁, x₁, w₂, x₂, ..., then b if given: a weight, input or bias that is a plain
    number becomes a constant leaf, as the 3 in ``x * 3`` does, so the pairs can be read
    back unambiguously.
    """
    if len(weights) != len(inputs):
        raise ValueError(f"dot: {plural(len(weights), 'weight')} "
                         f"but {plural(len(inputs), 'input')}")
    try:  # fast: every operand is a Value, as in a network
        ws, xs = [w.data for w in weights], [x.data for x in inputs]
        total = sum(map(operator.mul, ws, xs), bias.data if bias is not None else 0.0)
    except (AttributeError, TypeError):  # a plain number (no .data) or something worse
        nodes = _dot_nodes(weights, inputs, bias)
        if nodes == (weights, inputs, bias):  # all Values already: the error is elsewhere
            raise
        return dot(*nodes)
    children = _interleave(weights, inputs)
    local = _interleave(xs, ws)
    if bias is not None:
        children.append(bias)
        local.append(1.0)
    if not _isfinite(total):  # a NaN or infinite operand makes the total one too
        raise _not_finite("dot", children)
    return _node("dot", total, tuple(children), tuple(local))


def _dot_nodes(weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand | None
               ) -> tuple[list[Value], list[Value], Value | None]:
    """dot's operands with each plain number made a constant leaf; a TypeError names an
    operand that is neither a number nor a Value (``inputs[1]``)."""

    def node(x: Operand, where: str) -> Value:
        if isinstance(x, Value):
            return x
        return constant(x, "dot", f"{where} must be a number or a Value")

    return ([node(w, f"weights[{i}]") for i, w in enumerate(weights)],
            [node(x, f"inputs[{i}]") for i, x in enumerate(inputs)],
            None if bias is None else node(bias, "bias"))


def _interleave(evens: Sequence, odds: Sequence) -> list:
    """[e₀, o₀, e₁, o₁, ...] for two sequences of the same length."""
    out = [None] * (2 * len(evens))
    out[::2] = evens
    out[1::2] = odds
    return out


_isfinite = math.isfinite


def _node(op: str, data: float, children: tuple[Value, ...], local: tuple[float, ...],
          kind: type[Computed] = Computed) -> Value:
    """A new interior node (built without __init__, which validates user input)."""
    out = kind.__new__(kind)
    out.data = data
    out.grad = 0.0
    out.label = None
    out.op = op
    out.children = children
    out.local_grads = local
    return out


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each after all of its children (iterative DFS).

    The stack holds the path from ``root`` down to the node being explored, each with an
    iterator over its children (last child first); a node is listed when its iterator
    runs out, that is, once all of its children have been listed.
    """
    order: list[Value] = []
    seen = {root}
    stack = [(root, reversed(root.children))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in seen:
                seen.add(child)
                stack.append((child, reversed(child.children)))
                break
        else:  # every child is listed
            stack.pop()
            order.append(node)
    return order


def name(namespace: Mapping[str, object]) -> list[Value]:
    """Label every `Value` in ``namespace`` with its variable name; return them.

    ``sg.name(locals())`` after writing a worked example as plain Python gives each node
    the name it has on paper (a, b, c, ...).  Names starting with ``_`` are skipped; a
    list or tuple of Values ``w`` labels its items ``w[0]``, ``w[1]``, ...
    """
    named: list[Value] = []
    for key, obj in namespace.items():
        if key.startswith("_"):
            continue
        if isinstance(obj, Value):
            obj.label = key
            named.append(obj)
        elif isinstance(obj, (list, tuple)) and obj and all(isinstance(v, Value) for v in obj):
            for i, v in enumerate(obj):
                v.label = f"{key}[{i}]"
                named.append(v)
    return named

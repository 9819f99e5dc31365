"""Evaluating a syntax tree with the engine's operations (numbers alone are folded)."""

from __future__ import annotations

import math
import operator
from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..calculus import partials
from ..engine import ScalarGradError, Value, sum_values
from ..limits import MAX_EVALUATIONS, MAX_TOTAL_ENTRIES, Budget, LimitExceeded
from ..wording import plural
from .arrays import MAX_ENTRIES, Array, Quantity, Scalar, described, entrywise, product, simplified
from .derivative_graphs import partial_graphs, plain
from .syntax import (
    Apply,
    Binary,
    Bracket,
    Call,
    Derivative,
    Differentiated,
    Extremum,
    Indicator,
    Name,
    Node,
    Num,
    Sum,
    Unary,
)
from .tokens import TRANSPOSE, Token, WorksheetError, error


@dataclass(frozen=True)
class Function:
    """``F(x, y) = formula`` on ``line``: a function of the worksheet."""

    name: str
    parameters: tuple[str, ...]
    body: Node
    line: int


Environment = Mapping[str, Quantity]
DerivativeOf = Callable[[Derivative], Quantity]


class Work:
    """One worksheet's budget (`scalargrad.limits`): the operations evaluated, function
    bodies included, and the entries of every vector and matrix made; and the value of
    each function call already made (``F_k(t) = F_{k-1}(t) + F_{k-1}(t)`` evaluates
    ``F_{k-1}(t)`` once, not 2ᵏ times)."""

    def __init__(self) -> None:
        self.operations = Budget(MAX_EVALUATIONS, "operations evaluated")
        self.entries = Budget(MAX_TOTAL_ENTRIES, "vector and matrix entries")
        self.calls: dict[tuple, tuple[object, Quantity]] = {}

    def spent_out(self) -> bool:
        """True once more was asked than the budget allows (an error was raised then)."""
        return any(b.spent > b.limit for b in (self.operations, self.entries))


def number(node: Num) -> float:
    """A literal's value as a float (the tokenizer refused the ones too large)."""
    return float(node.text)


class Evaluator:
    """Evaluates formulas in an environment of names.

    ``functions`` are the worksheet's functions; ``derivative`` gives the value of a
    ∂U/∂V atom (working only); with ``leaves`` a list, every number literal becomes a
    leaf `Value` recorded there as (literal, leaf), so that how the result depends on
    each written number can be backpropagated; ``numbers`` (by the node's id) are values
    read in place of some of the formula's own numbers (not of a function body's).
    """

    def __init__(self, env: Environment, functions: Mapping[str, Function] | None = None,
                 derivative: DerivativeOf | None = None,
                 leaves: list[tuple[Num, Value]] | None = None,
                 numbers: Mapping[int, Quantity] | None = None,
                 work: Work | None = None) -> None:
        self.env = env
        self.functions = functions or {}
        self.derivative = derivative
        self.leaves = leaves
        self.numbers = numbers or {}
        self.work = work or Work()

    def __call__(self, node: Node) -> Quantity:
        try:
            return self.value(node)
        except LimitExceeded as err:
            raise error(str(err), node.at, err.hint) from None
        except (ScalarGradError, OverflowError, ZeroDivisionError, ValueError) as err:
            if isinstance(err, WorksheetError):
                raise
            raise error(str(err), node.at, "the formula cannot be computed at these values") \
                from None

    def value(self, node: Node) -> Quantity:
        if self.numbers and id(node) in self.numbers:
            return self.numbers[id(node)]
        self.work.operations.spend()
        result = self.computed(node)
        if isinstance(result, Array):
            self.work.entries.spend(len(result.entries))
        return result

    def computed(self, node: Node) -> Quantity:
        if isinstance(node, Num):
            if self.leaves is None:
                return number(node)
            leaf = Value(number(node))
            self.leaves.append((node, leaf))
            return leaf
        if isinstance(node, Name):
            if node.name not in self.env:  # a function's body using a name defined later
                raise error(f"{node.name} has no value yet here", node.at,
                            "define it above the line that uses the function")
            return self.env[node.name]
        if isinstance(node, Derivative):
            if self.derivative is None:
                raise error("a derivative cannot be part of a formula", node.at,
                            "∂L/∂x may appear only in the working after the formula")
            return self.derivative(node)
        if isinstance(node, Unary):
            operand = self.value(node.operand)
            if node.op == TRANSPOSE:
                return operand.transposed() if isinstance(operand, Array) else operand
            return _each(operand, lambda x: _checked(-x, node.at))
        if isinstance(node, Sum):
            return self.sum(node)
        if isinstance(node, Call):
            return _each(self.value(node.argument), lambda x: _call(node.function, x))
        if isinstance(node, Bracket):
            return self.bracket(node)
        if isinstance(node, Apply):
            return self.apply(node)
        if isinstance(node, Extremum):
            return self.extremum(node)
        if isinstance(node, Indicator):
            return self.indicator(node)
        if isinstance(node, Differentiated):
            return self.derivative_of(node)
        return self.binary(node)

    def extremum(self, node: Extremum) -> Scalar:
        """max(a, b) = b + relu(a − b), min(a, b) = a − relu(a − b): the max gate routes
        the gradient to the larger input (to the later one at a tie)."""
        values = [self.scalar(a) for a in node.arguments]
        result = values[0]
        for x in values[1:]:
            result = _extreme(node.kind, result, x, node.at)
        return result

    def indicator(self, node: Indicator) -> float:
        """1.0 where the relation holds, else 0.0 (a constant)."""
        left, right = (float(_data(self.scalar(x))) for x in (node.left, node.right))
        return float(_RELATIONS[node.relation](left, right))

    def derivative_of(self, node: Differentiated) -> float:
        """∂(expression)/∂bottom: through the worksheet's nodes when ``bottom`` is one
        (the total derivative), else with ``bottom`` a fresh variable at its value."""
        if node.bottom not in self.env:
            raise error(f"{node.bottom} has no value here", node.at,
                        f"define {node.bottom} before differentiating by it")
        bottom = self.env[node.bottom]
        if isinstance(bottom, Array):
            raise error(f"∂/∂{node.bottom}: {node.bottom} is {bottom.described()}", node.at,
                        "differentiate by one number at a time")
        env = self.env
        if not isinstance(bottom, Value):
            bottom = Value(bottom)
            env = ChainMap({node.bottom: bottom}, self.env)
        result = Evaluator(env, self.functions)(node.expression)
        if isinstance(result, Array):
            raise error("∂(…)/∂x of a vector or matrix", node.at,
                        "differentiate one number at a time")
        return partials(result).get(bottom, 0.0) if isinstance(result, Value) else 0.0

    def scalar(self, node: Node) -> Scalar:
        value = self.value(node)
        if isinstance(value, Array):
            raise error(f"expected a number here, not {value.described()}", node.at,
                        "max, min and comparisons take numbers")
        return value

    def sum(self, node: Sum) -> Quantity:
        terms = [self.value(t) for t in node.terms]
        if any(isinstance(t, Array) for t in terms):
            total = terms[0]
            for term in terms[1:]:
                total = entrywise(total, term, lambda a, b: _scalar("+", a, b, node.at),
                                  node.at, "add")
            return total
        if all(isinstance(t, float) for t in terms):
            return _checked(math.fsum(terms), node.at)  # type: ignore[arg-type]
        return terms[0] + terms[1] if len(terms) == 2 else sum_values(terms)  # type: ignore[operator]

    def binary(self, node: Binary) -> Quantity:
        left = self.value(node.left)
        if node.op == "**" and self.leaves is not None:  # an exponent stays a number
            right = Evaluator(self.env, self.functions, self.derivative,
                              work=self.work).value(node.right)
        else:
            right = self.value(node.right)

        def scalar(op: str) -> Callable[[Scalar, Scalar], Scalar]:
            def apply(a: Scalar, b: Scalar) -> Scalar:
                self.work.operations.spend()  # one per entry of an array's work
                return _scalar(op, a, b, node.at)
            return apply

        if node.op in {"·", "@", "*", "⊙", ""}:
            return product(node.op, left, right, scalar("*"), node.at)
        if node.op == "-":
            return entrywise(left, right, scalar("-"), node.at, "subtract")
        if isinstance(right, Array):
            what = "divide by" if node.op == "/" else "raise to the power of"
            raise error(f"cannot {what} {right.described()}", node.at,
                        "only a number can divide or be a power")
        return entrywise(left, right, scalar(node.op), node.at, "combine")

    def bracket(self, node: Bracket) -> Array:
        items = [self.value(item) for item in node.items]
        if all(isinstance(item, Bracket) for item in node.items):  # [[a, b], [c, d]]
            rows = [item.entries if isinstance(item, Array) else (item,) for item in items]
            if any(len(row) != len(rows[0]) for row in rows):
                ragged = next(i for i, row in enumerate(rows) if len(row) != len(rows[0]))
                raise error(f"row {ragged + 1} has {plural(len(rows[ragged]), 'entry')}, row 1 has "
                            f"{len(rows[0])}", node.items[ragged].at,
                            "every row of a matrix has the same length")
            return _limited(Array(len(rows), len(rows[0]), tuple(x for row in rows for x in row)),
                            node.at)
        for item, value in zip(node.items, items):
            if isinstance(value, Array) or isinstance(item, Bracket):
                raise error(f"an entry of a vector is {described(value)}", item.at,
                            "a matrix is written [[a, b], [c, d]], every row in brackets")
        return _limited(Array(1, len(items), tuple(items)), node.at)  # type: ignore[arg-type]

    def apply(self, node: Apply) -> Quantity:
        """F(args), (F∘G)(args); DF(args) the Jacobian ∂Fᵢ/∂argⱼ, ∇f(args) the gradient."""
        arguments = _flat([self.value(a) for a in node.arguments], node.at)
        if node.derivative:  # each argument through a node of its own: ∂F/∂parameter
            inputs = [sum_values([x]) if isinstance(x, Value) else Value(x) for x in arguments]
            outputs = self.composed(node, list(inputs))
            fresh = {x for x, a in zip(inputs, arguments) if not isinstance(a, Value)}
            return _each(_jacobian(outputs, inputs), lambda x: plain(x, fresh))
        return self.composed(node, arguments)

    def composed(self, node: Apply, arguments: list[Scalar]) -> Quantity:
        """The functions applied in turn.  Inside a function's body, a call made before in
        the same scope with the same arguments (the same nodes) gives the value it gave
        then (a formula's own calls each draw their own nodes, as written)."""
        if not isinstance(self.env, ChainMap):
            return self.applied(node, arguments)
        key = (node.functions, id(self.env),
               *(x if isinstance(x, float) else id(x) for x in arguments))
        if key not in self.work.calls:  # what the ids stand for is kept: no id is reused
            self.work.calls[key] = ((self.env, arguments), self.applied(node, arguments))
        return self.work.calls[key][1]

    def applied(self, node: Apply, arguments: list[Scalar]) -> Quantity:
        result: Quantity = 0.0
        for name in reversed(node.functions):
            function = self.functions[name]
            if len(arguments) != len(function.parameters):
                raise error(f"{name} takes {plural(len(function.parameters), 'number')}, "
                            f"here it gets {len(arguments)}", node.at,
                            f"{name}({', '.join(function.parameters)}) is defined on line "
                            f"{function.line}")
            scope = ChainMap(dict(zip(function.parameters, arguments)), self.env)
            result = Evaluator(scope, self.functions, self.derivative, self.leaves,
                               work=self.work)(function.body)
            arguments = _flat([result], node.at)
        return result


def _limited(a: Array, at: Token) -> Array:
    if len(a.entries) > MAX_ENTRIES:
        raise error(f"{a.described()} is too large", at, f"at most {MAX_ENTRIES:,} entries")
    return a


def _flat(values: list[Quantity], at: Token) -> list[Scalar]:
    """Arguments as numbers: a vector argument gives one number per entry."""
    flat: list[Scalar] = []
    for value in values:
        if isinstance(value, Array):
            if not value.is_vector:
                raise error(f"a function's argument is {value.described()}", at,
                            "pass numbers or a vector")
            flat += value.entries
        else:
            flat.append(value)
    return flat


def _jacobian(outputs: Quantity, inputs: list[Value]) -> Quantity:
    """∂outputᵢ/∂inputⱼ as graphs (so that it can be differentiated again): a matrix
    (one row per output), a vector or a number."""
    rows = outputs.entries if isinstance(outputs, Array) else (outputs,)
    table = [partial_graphs(out, inputs) if isinstance(out, Value) else [0.0] * len(inputs)
             for out in rows]
    if len(rows) > 1 and len(inputs) == 1:  # R → Rᵐ: a column
        return Array(len(rows), 1, tuple(r[0] for r in table))
    return simplified(Array(len(rows), len(inputs), tuple(x for r in table for x in r)))


def _each(q: Quantity, f: Callable[[Scalar], Scalar]) -> Quantity:
    return q.map(f) if isinstance(q, Array) else f(q)


def _call(function: str, x: Scalar) -> Scalar:
    if isinstance(x, float):
        return _call(function, Value(x)).data  # type: ignore[union-attr]
    if function in _DERIVATIVES:
        return _DERIVATIVES[function](x)
    return getattr(x, function)()


def _sigmoid_slope(x: Value) -> Value:
    s = x.sigmoid()
    return s * (1 - s)


_DERIVATIVES: dict[str, Callable[[Value], Value]] = {
    "sigmoid'": _sigmoid_slope,                     # σ' = σ(1 − σ)
    "tanh'": lambda x: 1 - x.tanh() ** 2,           # tanh' = 1 − tanh²
    "exp'": lambda x: x.exp(),
    "log'": lambda x: x ** -1,
    "relu'": lambda x: Value(float(x.data > 0)),     # the step 1(x > 0), a constant
    "abs'": lambda x: Value(float((x.data > 0) - (x.data < 0))),
}
"""The derivative of each built-in function (``σ'(z)``), as engine operations."""

_RELATIONS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, "<": operator.lt, "≥": operator.ge, "≤": operator.le,
}


def _data(x: Scalar) -> float:
    return x.data if isinstance(x, Value) else x


def _extreme(kind: str, a: Scalar, b: Scalar, at: Token) -> Scalar:
    """max(a, b) or min(a, b); ``max(0, x)`` is relu(x)."""
    if isinstance(a, float) and isinstance(b, float):
        return max(a, b) if kind == "max" else min(a, b)
    if kind == "max" and isinstance(a, float) and a == 0.0:
        return b.relu()  # type: ignore[union-attr]
    if kind == "max" and isinstance(b, float) and b == 0.0:
        return a.relu()  # type: ignore[union-attr]
    gap = _scalar("-", a, b, at)
    step = gap.relu() if isinstance(gap, Value) else max(gap, 0.0)
    return _scalar("+", b, step, at) if kind == "max" else _scalar("-", a, step, at)


_BINARY: dict[str, Callable[[Scalar, Scalar], Value]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}


_PLAIN: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul,
}


def _scalar(op: str, left: Scalar, right: Scalar, at: Token) -> Scalar:
    if isinstance(left, float) and isinstance(right, float):
        if op in _PLAIN:  # cannot fail, but may overflow to inf
            return _checked(_PLAIN[op](left, right), at)
        return _checked(_BINARY[op](Value(left), right).data, at)  # the engine's clear errors
    return _BINARY[op](left, right)


def _checked(value: Scalar, at: Token) -> Scalar:
    """Numbers that overflow to ``inf`` are an error, not a silent infinity."""
    if isinstance(value, float) and not math.isfinite(value):
        raise error("number too large", at, "results must stay below about 1.8e308")
    return value


def evaluate(node: Node, env: Environment, functions: Mapping[str, Function] | None = None,
             derivative: DerivativeOf | None = None, work: Work | None = None) -> Quantity:
    """The value of a formula: a float when it uses numbers only, else `Value` nodes (an
    `Array` of them for a vector or matrix); ``work`` is the budget it spends (a
    worksheet's, shared by all its formulas)."""
    return Evaluator(env, functions, derivative, work=work)(node)


"""A worksheet's numbers in high precision, as intervals (mpmath's ``iv``).

Floats carry 16 digits, and a difference that cancels loses most of them: with
``h = 1e-6``, ``(f(x + h) - f(x))/h`` for f(x) = 3x² − 4x + 5 at x = 2/3 is 3e-06 exactly,
while float64 gives 2.999378523327323e-06.  So the exact value of every scalar name is
also computed here, each number literal taken as the decimal it is written as, at
`DIGITS` significant digits; interval arithmetic bounds the rounding of that computation
too.  With ``rounded``, each given known to the digits shown (``w1 ≈ 0.2355``) becomes the
interval of the values that round to it (0.23545 to 0.23555), and every name the interval
of the values those givens can give (interval reasoning: an enclosure, perhaps wider
than the exact range where a name is used twice, never narrower).

Names whose formulas use what these intervals do not cover (vectors and matrices,
derivatives, a function's Jacobian) are left out: their float value stands.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from mpmath import iv, mp, mpf

from .evaluation import Function
from .model import Worksheet
from .syntax import Apply, Binary, Call, Extremum, Indicator, Name, Node, Num, Sum, Unary

DIGITS = 40
"""Significant digits of the high-precision values (a claim has at most 17 that count)."""

Interval = Any  # an mpmath ``iv.mpf``


class _Uncovered(Exception):
    """A formula these intervals do not cover (or one undefined on them)."""


def intervals(worksheet: Worksheet, rounded: bool = False) -> dict[str, Interval]:
    """Each scalar name's value as an interval: a tight one around the exact value, or
    with ``rounded`` the range the rounded givens allow."""
    env: dict[str, Interval] = {}
    digits, iv.dps = iv.dps, DIGITS
    try:
        for name, definition in worksheet.definitions.items():
            if name not in worksheet.values:
                continue
            if rounded and name in worksheet.rounded:
                env[name] = _rounding(worksheet.rounded[name])
                continue
            try:
                env[name] = _Enclosure(env, worksheet.functions).value(definition.formula)
            except (_Uncovered, ZeroDivisionError, ValueError, OverflowError):
                continue
    finally:
        iv.dps = digits
    return env


def exact_values(worksheet: Worksheet) -> dict[str, float]:
    """The exact value of each scalar name (as the float nearest to it) where the
    intervals pin it down to better than a float's precision."""
    exact = {}
    with mp.workdps(DIGITS):
        for name, x in intervals(worksheet).items():
            middle = float(mpf(x.mid))  # the float nearest to it
            if mpf(x.delta) <= mpf("1e-20") * abs(middle):
                exact[name] = middle
    return exact


def exact_number(node: Node, functions: Mapping[str, Function]) -> float | None:
    """Numeric working's exact value (the float nearest to it), or None where these
    intervals do not pin it down (a vector, an unsupported function)."""
    digits, iv.dps = iv.dps, DIGITS
    try:
        x = _Enclosure({}, functions).value(node)
    except (_Uncovered, ZeroDivisionError, ValueError, OverflowError):
        return None
    finally:
        iv.dps = digits
    with mp.workdps(DIGITS):
        middle = float(mpf(x.mid))
        return middle if mpf(x.delta) <= mpf("1e-20") * abs(middle) else None


def within(written: str, x: Interval) -> bool:
    """Does some value in ``x`` round to ``written`` (at the digits written)?"""
    claim = Decimal(written)
    half = Decimal(5).scaleb(claim.as_tuple().exponent - 1)  # type: ignore[operator]
    with mp.workdps(DIGITS):
        low, high = mpf(str(claim - half)), mpf(str(claim + half))
        return bool(mpf(x.a) <= high and mpf(x.b) >= low)


def _rounding(written: str) -> Interval:
    """The numbers that round to ``written``: ± half a unit of its last digit."""
    claim = Decimal(written)
    half = Decimal(5).scaleb(claim.as_tuple().exponent - 1)  # type: ignore[operator]
    if not any(c in written for c in ".eE"):
        half = Decimal(0)  # an integer is exact
    return iv.mpf([str(claim - half), str(claim + half)])


def _monotone(f: Callable[[Any], Any]) -> Callable[[Interval], Interval]:
    """An increasing function on an interval: its values at the two ends."""
    return lambda x: iv.mpf([f(x.a).a, f(x.b).b])


def _sigmoid(x: Interval) -> Interval:
    return 1 / (1 + iv.exp(-x))


def _tanh(x: Interval) -> Interval:
    return 1 - 2 / (iv.exp(2 * x) + 1)


def _log(x: Interval) -> Interval:
    if x.a <= 0:
        raise _Uncovered("log of a number ≤ 0")
    return iv.log(x)


def _relu(x: Interval) -> Interval:
    return iv.mpf([max(mpf(x.a), 0), max(mpf(x.b), 0)])


def _abs(x: Interval) -> Interval:
    low, high = mpf(x.a), mpf(x.b)
    if low >= 0:
        return x
    if high <= 0:
        return -x
    return iv.mpf([0, max(-low, high)])


_CALLS: dict[str, Callable[[Interval], Interval]] = {
    "exp": _monotone(iv.exp), "log": _log, "sigmoid": _monotone(_sigmoid),
    "tanh": _monotone(_tanh), "relu": _relu, "abs": _abs,
    "sigmoid'": lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
    "tanh'": lambda x: 1 - _tanh(x) ** 2, "exp'": iv.exp, "log'": lambda x: 1 / x,
}


class _Enclosure:
    """Evaluates a scalar formula on intervals."""

    def __init__(self, env: Mapping[str, Interval], functions: Mapping[str, Function]) -> None:
        self.env, self.functions = env, functions

    def value(self, node: Node) -> Interval:
        if isinstance(node, Num):
            return iv.mpf(node.text)
        if isinstance(node, Name):
            if node.name not in self.env:
                raise _Uncovered(node.name)
            return self.env[node.name]
        if isinstance(node, Unary):
            operand = self.value(node.operand)
            return -operand if node.op != "ᵀ" else operand
        if isinstance(node, Sum):
            total = self.value(node.terms[0])
            for term in node.terms[1:]:
                total = total + self.value(term)
            return total
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call) and node.function in _CALLS:
            return _CALLS[node.function](self.value(node.argument))
        if isinstance(node, Extremum):
            values = [self.value(a) for a in node.arguments]
            pick = max if node.kind == "max" else min
            return iv.mpf([pick(mpf(v.a) for v in values), pick(mpf(v.b) for v in values)])
        if isinstance(node, Indicator):
            return self.indicator(node)
        if isinstance(node, Apply) and not node.derivative:
            return self.apply(node)
        raise _Uncovered(type(node).__name__)

    def binary(self, node: Binary) -> Interval:
        left, right = self.value(node.left), self.value(node.right)
        if node.op == "-":
            return left - right
        if node.op == "/":
            if right.a <= 0 <= right.b:
                raise _Uncovered("division by an interval around 0")
            return left / right
        if node.op == "**":
            exponent = float(right.mid)
            if right.delta == 0 and exponent.is_integer():
                return left ** int(exponent)
            if left.a <= 0:
                raise _Uncovered("a power of a number ≤ 0")
            return iv.exp(right * iv.log(left))
        return left * right

    def indicator(self, node: Indicator) -> Interval:
        left, right = self.value(node.left), self.value(node.right)
        holds = {">": (left.a > right.b, left.b <= right.a),
                 "<": (left.b < right.a, left.a >= right.b),
                 "≥": (left.a >= right.b, left.b < right.a),
                 "≤": (left.b <= right.a, left.a > right.b)}[node.relation]
        if holds[0]:
            return iv.mpf(1)
        if holds[1]:
            return iv.mpf(0)
        return iv.mpf([0, 1])

    def apply(self, node: Apply) -> Interval:
        arguments = [self.value(a) for a in node.arguments]
        for name in reversed(node.functions):
            function = self.functions[name]
            if len(arguments) != len(function.parameters):
                raise _Uncovered(name)
            scope = {**self.env, **dict(zip(function.parameters, arguments))}
            arguments = [_Enclosure(scope, self.functions).value(function.body)]
        return arguments[0]

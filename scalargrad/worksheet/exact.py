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


Givens = Mapping[str, str]
"""Numbers (as decimal text) put for some givens, in place of what they are written as."""


def intervals(worksheet: Worksheet, givens: Givens | None = None) -> dict[str, Interval]:
    """Each scalar name's value as an interval around the exact value (with ``givens``
    put in for those names)."""
    return _evaluated(worksheet, givens or {}, None)


def slopes(worksheet: Worksheet, bottom: str, givens: Givens | None = None) \
        -> dict[str, Interval]:
    """∂name/∂bottom for each scalar name (the total derivative, 0 above ``bottom``) as an
    interval around the exact value (with ``givens`` put in)."""
    return {name: x.d for name, x in _evaluated(worksheet, givens or {}, bottom).items()}


def rounding_ends(written: str) -> tuple[str, str]:
    """The ends of the numbers that round to ``written``: ± half a unit of its last digit
    (an integer is exact)."""
    claim = Decimal(written)
    half = Decimal(5).scaleb(claim.as_tuple().exponent - 1)  # type: ignore[operator]
    if not any(c in written for c in ".eE"):
        half = Decimal(0)
    return str(claim - half), str(claim + half)


def _evaluated(worksheet: Worksheet, givens: Givens, bottom: str | None) -> dict[str, Any]:
    env: dict[str, Any] = {}
    digits, iv.dps = iv.dps, DIGITS
    try:
        for name, definition in worksheet.definitions.items():
            if name not in worksheet.values:
                continue
            try:
                if name in givens:
                    x = iv.mpf(givens[name])
                    x = _lifted(x) if bottom is not None else x
                else:
                    x = _Enclosure(env, worksheet.functions, bottom is not None).value(
                        definition.formula)
            except (_Uncovered, ZeroDivisionError, ValueError, OverflowError):
                continue
            if bottom is not None:
                x = _Slope(_lifted(x).v, iv.mpf(1)) if name == bottom else _lifted(x)
            env[name] = x
    finally:
        iv.dps = digits
    return env


def exact_values(worksheet: Worksheet) -> dict[str, float]:
    """The exact value of each scalar name (as the float nearest to it) where the
    intervals pin it down to better than a float's precision."""
    return pinned(intervals(worksheet))


def pinned(xs: dict[str, Interval]) -> dict[str, float]:
    """The intervals narrow enough to be exact values, as the floats nearest to them."""
    exact = {}
    with mp.workdps(DIGITS):
        for name, x in xs.items():
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


def _hull(*xs: Interval) -> Interval:
    return iv.mpf([min(mpf(x.a) for x in xs), max(mpf(x.b) for x in xs)])


def _step(x: Interval) -> Interval:
    """relu′: 1 above 0, 0 below, either across 0."""
    return iv.mpf(1) if x.a > 0 else iv.mpf(0) if x.b <= 0 else iv.mpf([0, 1])


def _sign(x: Interval) -> Interval:
    """abs′: the sign, either across 0."""
    return iv.mpf(1) if x.a > 0 else iv.mpf(-1) if x.b < 0 else iv.mpf([-1, 1])


_CALLS: dict[str, tuple[Callable[[Interval], Interval], Callable[[Interval], Interval]]] = {
    "exp": (_monotone(iv.exp), iv.exp), "log": (_log, lambda x: 1 / x),
    "sigmoid": (_monotone(_sigmoid), lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    "tanh": (_monotone(_tanh), lambda x: 1 - _tanh(x) ** 2),
    "relu": (_relu, _step), "abs": (_abs, _sign),
    "sigmoid'": (lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
                 lambda x: _sigmoid(x) * (1 - _sigmoid(x)) * (1 - 2 * _sigmoid(x))),
    "tanh'": (lambda x: 1 - _tanh(x) ** 2, lambda x: -2 * _tanh(x) * (1 - _tanh(x) ** 2)),
    "exp'": (iv.exp, iv.exp), "log'": (lambda x: 1 / x, lambda x: -1 / x ** 2),
    "relu'": (_step, lambda x: iv.mpf(0)), "abs'": (_sign, lambda x: iv.mpf(0)),
}
"""Each function on an interval, and its derivative (for `_Slope`)."""


def _call(function: str, x: Interval | _Slope) -> Interval | _Slope:
    f, slope = _CALLS[function]
    if isinstance(x, _Slope):
        return _Slope(f(x.v), slope(x.v) * x.d)
    return f(x)


class _Slope:
    """A value and its derivative with respect to one name, both intervals: forward-mode
    differentiation, so that ∂top/∂x is bounded as the values are."""

    def __init__(self, v: Interval, d: Interval) -> None:
        self.v, self.d = v, d

    a = property(lambda self: self.v.a)
    b = property(lambda self: self.v.b)
    mid = property(lambda self: self.v.mid)
    delta = property(lambda self: self.v.delta)

    def __add__(self, other: Any) -> _Slope:
        other = _lifted(other)
        return _Slope(self.v + other.v, self.d + other.d)

    __radd__ = __add__

    def __neg__(self) -> _Slope:
        return _Slope(-self.v, -self.d)

    def __sub__(self, other: Any) -> _Slope:
        return self + -_lifted(other)

    def __rsub__(self, other: Any) -> _Slope:
        return _lifted(other) - self

    def __mul__(self, other: Any) -> _Slope:
        other = _lifted(other)
        return _Slope(self.v * other.v, self.d * other.v + self.v * other.d)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> _Slope:
        other = _lifted(other)
        return _Slope(self.v / other.v, (self.d * other.v - self.v * other.d) / other.v ** 2)

    def __rtruediv__(self, other: Any) -> _Slope:
        return _lifted(other) / self

    def __pow__(self, n: int) -> _Slope:
        return _Slope(self.v ** n, n * self.v ** (n - 1) * self.d if n else iv.mpf(0))


def _lifted(x: Any) -> _Slope:
    return x if isinstance(x, _Slope) else _Slope(x, iv.mpf(0))


def _extremum(kind: str, values: list[Any]) -> Any:
    """max or min: the one argument that is above (below) the others wherever they are,
    else the hull of the candidates (and of their derivatives)."""
    pick = max if kind == "max" else min
    low, high = pick(mpf(v.a) for v in values), pick(mpf(v.b) for v in values)
    sure = [v for v in values if (mpf(v.a) >= high if kind == "max" else mpf(v.b) <= low)]
    if sure:
        return sure[-1]  # at a tie the later one, as the engine's max routes the gradient
    if any(isinstance(v, _Slope) for v in values):
        return _Slope(iv.mpf([low, high]), _hull(*(_lifted(v).d for v in values)))
    return iv.mpf([low, high])


class _Enclosure:
    """Evaluates a scalar formula on intervals."""

    def __init__(self, env: Mapping[str, Any], functions: Mapping[str, Function],
                 slopes: bool = False) -> None:
        self.env, self.functions, self.slopes = env, functions, slopes

    def value(self, node: Node) -> Any:
        if isinstance(node, Num | Indicator):
            constant = iv.mpf(node.text) if isinstance(node, Num) else self.indicator(node)
            return _lifted(constant) if self.slopes else constant
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
            return _call(node.function, self.value(node.argument))
        if isinstance(node, Extremum):
            return _extremum(node.kind, [self.value(a) for a in node.arguments])
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
            return _call("exp", right * _call("log", left))
        return left * right

    def indicator(self, node: Indicator) -> Interval:  # a constant: its derivative is 0
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
            arguments = [_Enclosure(scope, self.functions, self.slopes).value(function.body)]
        return arguments[0]

"""The math of each op on arrays: value, local derivatives and where it is undefined.

Each function mirrors its scalar twin in `scalargrad.engine` (``_exp``, ``_div`` ...)
operation for operation, so a batch gives the eager engine's numbers (a row of the
arrays is one sample). ``local`` functions return ∂out/∂operand (arrays, or 1.0); the
chain rule multiplies them by the incoming gradient as the engine does (``g · local``).

``undefined(...)`` functions return ``[(mask, error class, reason), ...]`` for operands
outside the op's domain, in the engine's order (`failures` names the first bad sample and
node); a NaN or ±inf, operand or result, is the same error for every op (`failures`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..engine import DivisionByZero, DomainError, ScalarGradError

Array = np.ndarray
Undefined = list[tuple[Array, type[ScalarGradError], str]]  # (where, error, reason)


# -- the values -----------------------------------------------------------------------------

def sigmoid(a: Array) -> Array:
    """σ(a), as the engine: 1/(1+e⁻ᵃ) for a ≥ 0, eᵃ/(1+eᵃ) below (no overflow)."""
    e = np.exp(-np.abs(a))  # e⁻ᵃ above 0, eᵃ below
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu(a: Array) -> Array:
    """max(0, a), as the engine (0.0, never −0.0)."""
    return np.where(a > 0, a, 0.0)


def power(a: Array, n: Array | float) -> Array:
    return np.power(a, n)


def divide(a: Array, b: Array) -> Array:
    return a / np.where(b == 0, 1.0, b)  # b = 0 is reported by the caller, not computed


def value_power(a: Array, b: Array) -> Array:
    return power(np.where(a < 0, 1.0, a), b)  # a < 0 is reported by the caller


# -- the local derivatives of the ops that need more than one line --------------------------

def pow_const_local(a: Array, n: Array | float) -> Array:
    """∂aⁿ/∂a = n·aⁿ⁻¹; 0 for n = 0, infinite at a = 0 for n < 1 (as the engine)."""
    d = n * power(a, np.asarray(n) - 1)
    d = np.where((a == 0) & (np.asarray(n) < 1), np.inf, d)
    return np.where(np.asarray(n) == 0, 0.0, d)


def value_power_locals(a: Array, b: Array, out: Array) -> tuple[Array, Array]:
    """aᵇ: (b·aᵇ⁻¹, aᵇ·ln a) for a > 0; at a = 0 the power rule's derivative and 0."""
    positive = a > 0
    safe = np.where(positive, a, 1.0)
    da = np.where(positive, b * power(safe, b - 1), pow_const_local(np.zeros_like(a), b))
    return da, np.where(positive, out * np.log(safe), 0.0)


# -- where the ops are undefined ------------------------------------------------------------

def _log_undefined(a: Array, out: Array) -> Undefined:
    return [(a <= 0, DomainError, "log is defined only for positive numbers")]


def _div_undefined(a: Array, b: Array, out: Array) -> Undefined:
    return [(b == 0, DivisionByZero, "division by zero")]


def undefined_pow(a: Array, n: Array | float, out: Array) -> Undefined:
    """aⁿ: 0 to a negative power, a fractional power of a negative number."""
    n = np.asarray(n)
    return [((a == 0) & (n < 0), DivisionByZero, "0 cannot be raised to a negative power"),
            ((a < 0) & (n != np.floor(n)), DomainError,
             "a negative number has no real fractional power")]


def _value_pow_undefined(a: Array, b: Array, out: Array) -> Undefined:
    return [(a < 0, DomainError, "a Value exponent needs a positive base (use a number "
                                 "exponent)"), *undefined_pow(a, b, out)]


# -- the table ------------------------------------------------------------------------------

class VectorOp(NamedTuple):
    """An op on arrays: its value, its local derivatives (one per operand; the float 1.0
    means "pass the gradient on as it is") and where it is undefined (None: nowhere)."""

    value: Callable[..., Array]
    local: Callable[..., tuple[Array | float, ...]]
    undefined: Callable[..., Undefined] | None = None


OPS: dict[str, VectorOp] = {
    "neg": VectorOp(np.negative, lambda a, out: (-1.0,)),
    "exp": VectorOp(np.exp, lambda a, out: (out,)),
    "log": VectorOp(np.log, lambda a, out: (1.0 / a,), _log_undefined),
    "tanh": VectorOp(np.tanh, lambda a, out: (1.0 - out * out,)),
    "sigmoid": VectorOp(sigmoid, lambda a, out: (out * (1.0 - out),)),
    "relu": VectorOp(relu, lambda a, out: (a > 0,)),
    "abs": VectorOp(np.abs, lambda a, out: (np.sign(a),)),
    "+": VectorOp(np.add, lambda a, b, out: (1.0, 1.0)),
    "-": VectorOp(np.subtract, lambda a, b, out: (1.0, -1.0)),
    "*": VectorOp(np.multiply, lambda a, b, out: (b, a)),
    "/": VectorOp(divide, lambda a, b, out: (1.0 / b, -(a / b) / b), _div_undefined),
    "pow": VectorOp(value_power, value_power_locals, _value_pow_undefined),
}


def lookup(op: str, exponent: float | None = None) -> VectorOp:
    """The VectorOp of an engine op name; ``'**'`` is the power with the number ``exponent``."""
    if op == "**":
        n = exponent
        if n == 2:  # the square, as often as all other powers: 2·a¹ is 2·a exactly
            return VectorOp(np.square, lambda a, out: (2.0 * a,))
        return VectorOp(lambda a: power(a, n), lambda a, out: (pow_const_local(a, n),),
                        lambda a, out: undefined_pow(a, n, out))
    return OPS[op]


# -- softmax cross-entropy over the last axis -----------------------------------------------

def cross_entropy(s: Array, target: Array) -> tuple[Array, Array, Array]:
    """log Σⱼ e^{sⱼ−m} + m − s_t with m = max s: (loss, e^{s−m}, Σ e^{s−m})."""
    m = s.max(axis=-1)
    e = np.exp(s - m[..., None])
    total = e.sum(axis=-1)
    picked = np.take_along_axis(s, target[..., None], axis=-1)[..., 0]
    return (np.log(total) + m) - picked, e, total


def cross_entropy_local(g: Array, e: Array, total: Array, target: Array) -> Array:
    """g·∂L/∂s = g·e/Σe − g·[j = t], in the engine's order of operations."""
    d = (g * (1.0 / total))[..., None] * e
    np.put_along_axis(d, target[..., None],
                      np.take_along_axis(d, target[..., None], axis=-1) + (g * -1.0)[..., None],
                      axis=-1)
    return d

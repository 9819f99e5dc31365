"""Errors and the number rules: what scalargrad raises, and messages that say why.

**Numbers.** The math works in IEEE floats (too large is ±inf, as in PyTorch); the
machinery keeps every *value* finite: an op whose result is too large for a float raises
`ValueOverflow`, and one given a NaN or infinite operand raises `DomainError`, so NaN
never turns into a plausible number (relu(nan) is an error, not 0).  Local derivatives
and gradients stay IEEE floats: ∂(1/x)/∂x at x = 1e-200 is -inf, not an error.

Every message names the operation, the operands and their labels: ``log(q=-1)``,
``q=1 / z=0``.  The engine imports this module, so it imports nothing from the engine:
an operand here is a plain number or anything with a ``.data`` and a ``.label`` (a `Value`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Protocol, TypeAlias


class _Node(Protocol):
    """What a message needs of a `Value`: its number and its label."""

    data: float
    label: str | None


Operand: TypeAlias = "_Node | int | float"


# ---------------------------------------------------------------------------------------
# Errors: clear messages that name the operation, the operands and their labels.
# ---------------------------------------------------------------------------------------


class ScalarGradError(Exception):
    """Base class of every error scalargrad raises on purpose."""


class DomainError(ScalarGradError, ValueError):
    """An operation was asked for outside the numbers where it is defined (log of -1)."""


class DivisionByZero(ScalarGradError, ZeroDivisionError):
    """Division by zero, or zero raised to a negative power."""


class ValueOverflow(ScalarGradError, OverflowError):
    """The result is too large for a Python float (exp(1000))."""


class _Undefined(Exception):
    """Raised by the engine's op math; `_unary`/`_binary` make it a public error with context."""

    def __init__(self, kind: type[ScalarGradError], reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def _domain(reason: str) -> _Undefined:
    return _Undefined(DomainError, reason)


def _number(x: object, op: str, expected: str = "expected a number or a Value") -> float:
    """A real number (not a bool, not a string) as a float, or an error naming the op."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{op}: {expected}, got {x!r} ({type(x).__name__})")
    try:
        return float(x)
    except OverflowError:  # an int beyond 1.8e308
        digits = int(x.bit_length() * math.log10(2)) + 1  # str() refuses > 4,300 digits
        raise ValueOverflow(f"{op}: an integer of about {digits:,} digits is too large for "
                            "a float (floats stop near 1.8e308)") from None


def _describe(v: Operand) -> str:
    """``q=-1`` for a labelled node, ``-1`` for an unlabelled one or a number."""
    if isinstance(v, numbers.Real):
        return f"{v:g}"
    return f"{v.label}={v.data:g}" if v.label else f"{v.data:g}"


def _call_text(op: str, operands: Sequence[Operand]) -> str:
    """How the failing call reads: ``q=1 / z=0``, ``log(q=-1)``, ``z=0 ** -2``,
    ``sum(a=1, b=2, c=3, … 97 more)``."""
    args = [_describe(c) for c in operands[:3]]
    if len(operands) == 2 and op not in ("sum", "dot"):
        return f"{args[0]} {'**' if op == 'pow' else op} {args[1]}"
    if op.startswith("**"):
        return f"{args[0]} {op[:2]} {op[2:]}"
    more = f", … {len(operands) - 3:,} more" if len(operands) > 3 else ""
    return f"{op}({', '.join(args)}{more})"


def _error(err: _Undefined, op: str, children: tuple[_Node, ...]) -> ScalarGradError:
    """The public error for an op that is undefined at these operands."""
    if not all(math.isfinite(c.data) for c in children):  # log(-inf): say what is wrong
        return _not_finite(op, children)
    return err.kind(f"{_call_text(op, children)}: {err.reason}")


def _not_finite(op: str, operands: Sequence[Operand]) -> ScalarGradError:
    """The public error for an op whose operand or result is not a finite number."""
    call = _call_text(op, operands)
    for v in operands:
        if not math.isfinite(v if isinstance(v, numbers.Real) else v.data):
            return DomainError(f"{call}: {_describe(v)} is not a finite number, and no "
                               "operation takes NaN or ±inf (was .data set to one, or did "
                               "training diverge?)")
    return ValueOverflow(f"{call}: the result is too large for a float (floats stop near "
                         "1.8e308)")

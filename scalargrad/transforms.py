"""Function transforms in the style of JAX: derivatives of plain Python functions.

``f`` takes floats-as-Values and returns a Value (``grad``) or a sequence of Values
(``jacobian``); it is written once, as ordinary arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real

from .engine import Value

ScalarFn = Callable[..., Value | float]
VectorFn = Callable[..., Sequence[Value | float]]


def _inputs(point: Sequence[float]) -> list[Value]:
    names = "xyzw"
    return [Value(p, names[i] if len(point) <= len(names) else f"x{i + 1}")
            for i, p in enumerate(point)]


def scalar_output(output: object, f: Callable, caller: str) -> Value | float:
    """``output`` if it is one Value or number, else a TypeError naming ``f`` and ``caller``."""
    if isinstance(output, Value) or (isinstance(output, Real) and not isinstance(output, bool)):
        return output
    hint = "; for several outputs use sg.jacobian" if isinstance(output, (list, tuple)) else ""
    raise TypeError(f"{caller}: {_name(f)} must return one Value or number, got "
                    f"{_what(output)}{hint}")


def _name(f: Callable) -> str:
    return getattr(f, "__name__", "f")


def _what(output: object) -> str:
    """``list [x, y]``, ``Value Value(1.0, grad=0.0)``: the type and the start of the repr."""
    kind = "Value" if isinstance(output, Value) else type(output).__name__
    return f"{kind} {output!r:.60}"


def _partials(output: Value | float, inputs: list[Value]) -> tuple[float, ...]:
    """∂output/∂input for each input (0 where the output does not depend on it)."""
    for v in inputs:
        v.grad = 0.0
    if isinstance(output, Value):
        output.backward()
    return tuple(v.grad for v in inputs)


def grad(f: ScalarFn) -> Callable[..., tuple[float, ...]]:
    """The gradient of a scalar function: ``grad(f)(x, y)`` → ``(∂f/∂x, ∂f/∂y)``.

    >>> grad(lambda x, y: (2 * x + 3 * y) ** 2)(1.0, 2.0)
    (32.0, 48.0)
    """

    def gradient(*point: float) -> tuple[float, ...]:
        inputs = _inputs(point)
        return _partials(scalar_output(f(*inputs), f, "grad"), inputs)

    gradient.__name__ = f"grad_{_name(f)}"
    gradient.__doc__ = f"Gradient of {_name(f)}, one partial per argument."
    return gradient


def jacobian(f: VectorFn, point: Sequence[float]) -> list[list[float]]:
    """The Jacobian of a vector function at ``point``: row i is ∇fᵢ.

    >>> jacobian(lambda x, y: [x**2 + 2*y, 3*x + 4*y**2], [1.0, 2.0])
    [[2.0, 2.0], [3.0, 16.0]]
    """
    inputs = _inputs(point)
    outputs = f(*inputs)
    if not isinstance(outputs, (list, tuple)):
        hint = "; for one output use sg.grad" if isinstance(outputs, (Value, Real)) else ""
        raise TypeError(f"jacobian: {_name(f)} must return a list or tuple of Values or "
                        f"numbers, got {_what(outputs)}{hint}")
    return [list(_partials(scalar_output(out, f, f"jacobian (output {i})"), inputs))
            for i, out in enumerate(outputs)]

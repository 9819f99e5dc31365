"""Function transforms in the style of JAX: derivatives of plain Python functions.

``f`` takes floats-as-Values and returns a Value (``grad``) or a sequence of Values
(``jacobian``); it is written once, as ordinary arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .engine import Value

ScalarFn = Callable[..., Value | float]
VectorFn = Callable[..., Sequence[Value | float]]


def _inputs(point: Sequence[float]) -> list[Value]:
    names = "xyzw"
    return [Value(p, names[i] if len(point) <= len(names) else f"x{i + 1}")
            for i, p in enumerate(point)]


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
        return _partials(f(*inputs), inputs)

    gradient.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    gradient.__doc__ = f"Gradient of {getattr(f, '__name__', 'f')}, one partial per argument."
    return gradient


def jacobian(f: VectorFn, point: Sequence[float]) -> list[list[float]]:
    """The Jacobian of a vector function at ``point``: row i is ∇fᵢ.

    >>> jacobian(lambda x, y: [x**2 + 2*y, 3*x + 4*y**2], [1.0, 2.0])
    [[2.0, 2.0], [3.0, 16.0]]
    """
    inputs = _inputs(point)
    outputs = f(*inputs)
    return [list(_partials(out, inputs)) for out in outputs]

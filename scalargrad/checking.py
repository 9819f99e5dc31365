"""Gradient checking: backprop against central finite differences.

    ∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h       (error O(h²))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .engine import Value
from .transforms import ScalarFn, grad, scalar_output


@dataclass(frozen=True)
class InputCheck:
    """One input's two derivatives and whether they agree."""

    index: int
    point: float
    backprop: float
    numeric: float
    ok: bool


@dataclass(frozen=True)
class GradcheckResult:
    """The outcome of `gradcheck`: truthy when every input agrees."""

    inputs: tuple[InputCheck, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.inputs)

    @property
    def failures(self) -> tuple[InputCheck, ...]:
        return tuple(c for c in self.inputs if not c.ok)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        lines = [f"{'input':>6} {'at':>12} {'backprop':>14} {'numeric':>14}"]
        for c in self.inputs:
            mark = "ok" if c.ok else "DISAGREE"
            lines.append(
                f"{c.index:>6} {c.point:>12.6g} {c.backprop:>14.8g} {c.numeric:>14.8g}  {mark}"
            )
        return "\n".join(lines)


def numeric_grad(f: ScalarFn, point: Sequence[float], h: float = 1e-6) -> tuple[float, ...]:
    """Central finite differences of ``f`` at ``point``, evaluated on plain floats."""
    out = []
    for i in range(len(point)):
        up = [Value(p) for p in point]
        down = [Value(p) for p in point]
        up[i].data += h
        down[i].data -= h
        ups, downs = (float(scalar_output(f(*v), f, "numeric_grad")) for v in (up, down))
        out.append((ups - downs) / (2 * h))
    return tuple(out)


def gradcheck(f: ScalarFn, point: Sequence[float], h: float = 1e-6, rtol: float = 1e-4,
              atol: float = 1e-6) -> GradcheckResult:
    """Compare backprop with central differences at ``point``; say which input disagrees.

    >>> bool(gradcheck(lambda x, y: x * y.tanh(), [0.5, -1.0]))
    True
    """
    backprop = grad(f)(*point)
    numeric = numeric_grad(f, point, h)
    return GradcheckResult(tuple(
        InputCheck(i, float(p), b, n, abs(b - n) <= atol + rtol * abs(n))
        for i, (p, b, n) in enumerate(zip(point, backprop, numeric))
    ))

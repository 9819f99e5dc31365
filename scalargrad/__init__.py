"""scalargrad: a scalar autograd engine for hand-worked backprop, charts and classroom demos.

The package is laid out by job (see the README's "How the code is laid out"): the engine and
its calculus at the top (`engine`, `nn`, `losses`, `optim`, `calculus`, `graph`,
`walkthrough`), then a folder per job: `chart` (drawing), `worksheet` (reading a hand
calculation), `grading` (verdicts and reports), `classroom` (animation, practice pages,
exercises) and `compiler` (batches). Each folder imports only from the ones above it.

>>> import scalargrad as sg
>>> x = sg.Value(0.5, label="x")
>>> y = (x * 3 + 1).tanh()
>>> y.backward()
>>> round(x.grad, 4)
0.0798
"""

from . import losses, nn, optim
from .calculus import GradcheckResult, grad, gradcheck, jacobian, numeric_grad
from .engine import (
    DivisionByZero,
    DomainError,
    ScalarGradError,
    Value,
    ValueOverflow,
    dot,
    name,
    sum_values,
    topological_order,
)

__version__ = "0.1.0"

# The chart, the walkthrough and the animation load on first use (graphviz is imported
# only when something is drawn).
_LAZY = {
    "draw": "chart",
    "render": "chart",
    "render_slides": "chart",
    "to_svg": "chart",
    "steps": "walkthrough",
    "animate": "classroom",
    "practice": "classroom",
    "exercise": "classroom",
    "compile": "compiler",  # numpy: the `compile` extra
}


def __getattr__(attr: str) -> object:
    if attr in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[attr]}", __name__), attr)
    raise AttributeError(f"module 'scalargrad' has no attribute {attr!r}")


def _repr_svg_(value: Value) -> str:
    """How Jupyter shows a `Value`: its chart as SVG (`scalargrad.chart.notebook_svg`).

    Attached to `Value` here, in the one place that sees every room, so that the engine
    imports nothing from the chart (graphviz still loads only when a Value is shown)."""
    from .chart import notebook_svg

    return notebook_svg(value)


Value._repr_svg_ = _repr_svg_  # type: ignore[attr-defined]


def __dir__() -> list[str]:
    """The module's names and the lazy ones, so tab completion offers ``sg.render``."""
    return sorted({*globals(), *_LAZY})

__all__ = [
    "DivisionByZero",
    "DomainError",
    "GradcheckResult",
    "ScalarGradError",
    "Value",
    "ValueOverflow",
    "animate",
    "compile",
    "dot",
    "draw",
    "exercise",
    "grad",
    "gradcheck",
    "jacobian",
    "losses",
    "name",
    "nn",
    "numeric_grad",
    "optim",
    "practice",
    "render",
    "render_slides",
    "steps",
    "sum_values",
    "to_svg",
    "topological_order",
]

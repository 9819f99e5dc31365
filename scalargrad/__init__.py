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

from typing import NoReturn

from . import examples, losses, nn, optim, worksheets
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
from .extras import MissingExtra

__version__ = "0.1.0"

# The chart, the walkthrough and the animation load on first use (graphviz is imported
# only when something is drawn), and so do the exceptions that live beside them.
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
    "ChartTooBig": "chart",
    "LargeGraphWarning": "chart",
    "RenderError": "chart.graphviz_engine",
    "WorksheetError": "worksheet",
    "ExerciseError": "classroom.variants",
    "CompileError": "compiler",
}


def __getattr__(attr: str) -> object:
    """A name of `_LAZY`, imported on first use. Without numpy, ``sg.compile`` is a function
    that raises `MissingExtra` (so ``from scalargrad import *`` still works)."""
    if attr not in _LAZY:
        raise AttributeError(f"module 'scalargrad' has no attribute {attr!r}")
    from importlib import import_module

    try:
        module = import_module(f".{_LAZY[attr]}", __name__)
    except MissingExtra as missing:
        if attr != "compile":
            raise
        return _needs_extra(missing)  # sg.compile exists; calling it says what to install
    return getattr(module, attr)


def _needs_extra(missing: MissingExtra) -> object:
    """``sg.compile`` when numpy is missing: calling it says, in one line, what to install."""

    def compile(*args: object, **kwargs: object) -> NoReturn:
        """sg.compile needs numpy: ``pip install "scalargrad-edu[compile]"``."""
        raise MissingExtra(str(missing))

    return compile


def _repr_svg_(value: Value) -> str:
    """How Jupyter shows a `Value`: its chart as SVG (`scalargrad.chart.notebook_svg`).

    Attached to `Value` here, in the one place that sees every room, so that the engine
    imports nothing from the chart (graphviz still loads only when a Value is shown)."""
    from .chart import notebook_svg

    return notebook_svg(value)


Value._repr_svg_ = _repr_svg_  # type: ignore[attr-defined]


def __dir__() -> list[str]:
    """The public names, the lazy ones included, so tab completion offers ``sg.render``
    (and not the modules and helpers imported here)."""
    return sorted({*__all__, *_LAZY, "__version__"})

# Not in __all__: CompileError, which needs numpy (the `compile` extra), so that
# `from scalargrad import *` works without it; sg.CompileError is there all the same.
__all__ = [
    "ChartTooBig",
    "DivisionByZero",
    "DomainError",
    "ExerciseError",
    "GradcheckResult",
    "LargeGraphWarning",
    "MissingExtra",
    "RenderError",
    "ScalarGradError",
    "Value",
    "ValueOverflow",
    "WorksheetError",
    "animate",
    "compile",
    "dot",
    "draw",
    "examples",
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
    "worksheets",
]

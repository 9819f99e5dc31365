"""scalargrad: a scalar autograd engine for hand-worked backprop, charts and classroom demos.

>>> import scalargrad as sg
>>> x = sg.Value(0.5, label="x")
>>> y = (x * 3 + 1).tanh()
>>> y.backward()
>>> round(x.grad, 4)
0.0798
"""

from . import losses, nn, optim
from .checking import GradcheckResult, gradcheck, numeric_grad
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
from .transforms import grad, jacobian

__version__ = "0.1.0"

# The chart, the walkthrough and the animation load on first use (graphviz is imported
# only when something is drawn).
_LAZY = {
    "draw": "drawing",
    "render": "drawing",
    "to_svg": "drawing",
    "steps": "walkthrough",
    "animate": "animation",
    "practice": "practice_page",
    "exercise": "handout",
    "compile": "compiler",  # numpy: the `compile` extra
}


def __getattr__(attr: str) -> object:
    if attr in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[attr]}", __name__), attr)
    raise AttributeError(f"module 'scalargrad' has no attribute {attr!r}")


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
    "steps",
    "sum_values",
    "to_svg",
    "topological_order",
]

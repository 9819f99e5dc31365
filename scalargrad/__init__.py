"""scalargrad: a scalar autograd engine for hand-worked backprop, charts and classroom demos.

>>> import scalargrad as sg
>>> x = sg.Value(0.5, label="x")
>>> y = (x * 3 + 1).tanh()
>>> y.backward()
>>> round(x.grad, 4)
0.0797
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

__all__ = [
    "DivisionByZero",
    "DomainError",
    "GradcheckResult",
    "ScalarGradError",
    "Value",
    "ValueOverflow",
    "dot",
    "grad",
    "gradcheck",
    "jacobian",
    "losses",
    "name",
    "nn",
    "numeric_grad",
    "optim",
    "sum_values",
    "topological_order",
]

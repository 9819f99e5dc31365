"""Optimisers: move parameters against their gradients."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable

from .engine import Value
from .errors import _number


class Optimizer(ABC):
    """Holds the parameters; ``step()`` updates them, ``zero_grad()`` clears their grads."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got no parameters to optimise")
        if not all(isinstance(p, Value) for p in self.params):
            raise TypeError(f"{type(self).__name__}: parameters must be Values")
        lr = _number(lr, type(self).__name__, "the learning rate must be a number")
        if not (lr > 0 and math.isfinite(lr)):
            raise ValueError(f"{type(self).__name__}: learning rate must be positive, and "
                             f"finite, got {lr:g}")
        self.lr = lr

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (leaves accumulate across backward calls)."""
        for p in self.params:
            p.grad = 0.0

    @abstractmethod
    def step(self) -> None:
        """Update every parameter from its gradient."""


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum (PyTorch's form).

    v ← μ·v + ∂L/∂p;   p ← p − η·v       (with μ = 0 this is p ← p − η·∂L/∂p)
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(params, lr)
        momentum = _number(momentum, "SGD", "momentum must be a number")
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum!r}")
        self.momentum = momentum
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        lr, mu, velocity = self.lr, self.momentum, self.velocity
        for i, p in enumerate(self.params):
            velocity[i] = mu * velocity[i] + p.grad
            p.data -= lr * velocity[i]


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015).

    m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − η·m̂ / (√v̂ + ε),
    with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"Adam: betas must be in [0, 1), got {betas!r}")
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        correction1 = 1 - b1**self.t
        correction2 = 1 - b2**self.t
        for i, p in enumerate(self.params):
            g = p.grad
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            m_hat = self.m[i] / correction1
            v_hat = self.v[i] / correction2
            p.data -= self.lr * m_hat / (math.sqrt(v_hat) + self.eps)


__all__ = ["SGD", "Adam", "Optimizer"]


def __dir__() -> list[str]:
    """Tab completion (``sg.optim.``) offers the public names, not the helpers imported here."""
    return __all__

"""Shared test helpers: an independent finite-difference reference and a fixed numpy RNG.

The reference works on plain Python floats (``math``), never on scalargrad Values, so a
gradient test compares backprop with something the engine did not compute.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("scalargrad", deadline=None, print_blob=True)
settings.load_profile("scalargrad")


def _needs(available: bool, what: str, how: str) -> None:
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {what} is missing: .ci/run should install it ({how})")
    pytest.skip(f"{what} is not installed ({how})")


@pytest.fixture(params=["system", "bundled"])
def engine(request: pytest.FixtureRequest) -> str:
    """Each Graphviz a chart can be drawn with: the system ``dot`` (needed, see `needs`)
    and the bundled graphviz-pure."""
    if request.param == "system":
        _needs(shutil.which("dot") is not None, "the system Graphviz (`dot`)",
               "apt-get install graphviz")
    return request.param


@pytest.fixture(scope="session")
def needs() -> Callable[[bool, str, str], None]:
    """``needs(available, what, how)``: skip the test, with a reason, when a tool it needs
    is missing, except when ``CI`` is set (``.ci/run`` sets it and installs the tools):
    there it fails, so a tool that did not install cannot turn tests into skips."""
    return _needs


def central_difference(f: Callable[..., float], point: Sequence[float],
                       h: float = 1e-4) -> list[float]:
    """Each partial ∂f/∂xᵢ by the five-point central difference (error O(s⁴)):

        (−f(x + 2s·eᵢ) + 8f(x + s·eᵢ) − 8f(x − s·eᵢ) + f(x − 2s·eᵢ)) / 12s

    with the step s = h·max(|xᵢ|, 0.01), so it shrinks near 0 (log 0.001, 1/0.01).
    """
    grads = []
    for i, xi in enumerate(point):
        step = h * max(abs(xi), 0.01)

        def at(offset: float, i: int = i) -> float:
            moved = list(point)
            moved[i] += offset
            return f(*moved)

        grads.append((-at(2 * step) + 8 * at(step) - 8 * at(-step) + at(-2 * step)) / (12 * step))
    return grads


@pytest.fixture(scope="session")
def fd() -> Callable[..., list[float]]:
    """The central-difference reference, ``fd(f, point)`` → list of partials."""
    return central_difference


@pytest.fixture
def rng() -> np.random.Generator:
    """A numpy generator with a fixed seed, so every run sees the same random numbers."""
    return np.random.default_rng(20240601)

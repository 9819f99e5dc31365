"""Small data sets for the demos: two moons, three spirals, and 8×8 handwritten digits.

Pure Python (``random``, ``math``, ``gzip``, ``csv``): no numpy, no network. Points are
lists of floats, labels are ints, so they go straight into a `scalargrad.nn.MLP`.

>>> X, y = moons(6, seed=0)
>>> len(X), sorted(set(y))
(6, [0, 1])
>>> X, y = digits()
>>> len(X), len(X[0]), y[:5]
(1797, 64, [0, 1, 2, 3, 4])
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import random
from collections.abc import Sequence
from importlib import resources
from typing import TypeVar

from .wording import plural

Points = list[list[float]]
T = TypeVar("T")


def moons(n: int = 100, noise: float = 0.1, *, seed: int | None = 0) -> tuple[Points, list[int]]:
    """Two interleaving half circles, as scikit-learn's ``make_moons`` (labels 0 and 1).

    The outer moon is (cos t, sin t), the inner one (1 − cos t, ½ − sin t), t ∈ [0, π];
    Gaussian noise of standard deviation ``noise`` is added to each coordinate.
    """
    if n < 2:
        raise ValueError(f"moons: needs at least 2 points, got n={n!r}")
    rng = random.Random(seed)
    n_outer = n // 2
    n_inner = n - n_outer
    X: Points = []
    y: list[int] = []
    for label, count in ((0, n_outer), (1, n_inner)):
        for i in range(count):
            t = math.pi * i / (count - 1) if count > 1 else 0.0
            px, py = (math.cos(t), math.sin(t)) if label == 0 else (1 - math.cos(t),
                                                                     0.5 - math.sin(t))
            X.append([px + rng.gauss(0, noise), py + rng.gauss(0, noise)])
            y.append(label)
    return _shuffled(X, y, rng)


def spirals(n_per_class: int = 100, classes: int = 3, noise: float = 0.2, *,
            seed: int | None = 0) -> tuple[Points, list[int]]:
    """The CS231n spiral: ``classes`` arms of ``n_per_class`` points each (labels 0..K−1).

    Arm j: radius r = i/(n−1) and angle t = 4j + 4r + noise·N(0, 1); the point is
    (r sin t, r cos t).  No straight line separates the arms.
    """
    if n_per_class < 2 or classes < 2:
        raise ValueError(f"spirals: needs n_per_class ≥ 2 and classes ≥ 2, got "
                         f"{n_per_class!r} and {classes!r}")
    rng = random.Random(seed)
    X: Points = []
    y: list[int] = []
    for j in range(classes):
        for i in range(n_per_class):
            r = i / (n_per_class - 1)
            t = 4 * j + 4 * r + rng.gauss(0, noise)
            X.append([r * math.sin(t), r * math.cos(t)])
            y.append(j)
    return _shuffled(X, y, rng)


def digits() -> tuple[Points, list[int]]:
    """The 1,797 8×8 handwritten digits (pixels 0..16, row by row) and their labels 0..9.

    The test set of the UCI *Optical Recognition of Handwritten Digits* data (Alpaydin &
    Kaynak, 1998; CC BY 4.0), shipped with scalargrad: see ``scalargrad/data/DIGITS.md``.
    """
    raw = resources.files("scalargrad").joinpath("data", "digits.csv.gz").read_bytes()
    X: Points = []
    y: list[int] = []
    with io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(raw)), encoding="ascii") as f:
        for row in csv.reader(f):
            *pixels, label = row
            X.append([float(p) for p in pixels])
            y.append(int(float(label)))
    return X, y


def split(X: Sequence[T], y: Sequence[int], test_fraction: float = 0.25, *,
          seed: int | None = 0) -> tuple[list[T], list[int], list[T], list[int]]:
    """Shuffle and split into ``X_train, y_train, X_test, y_test``.

    >>> split([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1], 0.5, seed=1)[3]
    [1, 0]
    """
    if len(X) != len(y):
        raise ValueError(f"split: {plural(len(X), 'point')} but {plural(len(y), 'label')}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"split: test_fraction must be between 0 and 1, got {test_fraction!r}")
    X, y = _shuffled(list(X), list(y), random.Random(seed))
    n_test = max(1, round(len(X) * test_fraction))
    return X[n_test:], y[n_test:], X[:n_test], y[:n_test]


def _shuffled(X: list[T], y: list[int], rng: random.Random) -> tuple[list[T], list[int]]:
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [y[i] for i in order]

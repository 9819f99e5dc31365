"""Compiled against eager on random programs (benchmarks/diff_compile.py, a few hundred here).

The programs cover every op, activation and loss, ``penalty=``, ``reduction="sum"``,
outputs, errors in untraced samples and training with SGD, momentum and Adam; the
script runs 10,000 of them. The eager loop is the oracle: an independent implementation
(one graph per sample, `backward`, the engine's errors).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import diff_compile

from scalargrad.compiler import ops


@pytest.mark.parametrize("first", range(0, 600, 100))
def test_random_programs_compile_to_the_eager_numbers(first):
    seen: Counter = Counter()
    failures = []
    for seed in range(first, first + 100):
        case = diff_compile.make_case(seed)
        why = diff_compile.check_case(case, seen=seen)
        if why is not None:
            failures.append(f"{case.describe()}: {why}")
    assert not failures, "\n".join(failures)
    assert sum(seen.values()) >= 100  # every program was compared (or its error was)


def test_the_programs_cover_every_op_loss_and_outcome():
    seen: Counter = Counter()
    names: set[str] = set()
    for seed in range(600):
        case = diff_compile.make_case(seed)
        names.update(case.ops)
        diff_compile.check_case(case, train_steps=0, seen=seen)
    wanted = {"unary", "tanh", "relu", "log", "exp", "+", "-", "*", "/", "**n", "**v",
              "dot", "sum", *diff_compile.LOSSES, "outputs"}
    assert wanted <= names
    assert {f"MLP({a})" for a in diff_compile.ACTIVATIONS} <= names
    assert seen["the same loss, gradients and outputs"] > 300
    assert seen["the same error, naming the same sample"] > 10


def test_the_oracle_catches_a_planted_error(monkeypatch):
    """A derivative one part in 10⁹ off is found (the comparison can fail)."""
    wrong = ops.VectorOp(ops.OPS["*"].value, lambda a, b, out: (b * (1 + 1e-9), a))
    monkeypatch.setitem(ops.OPS, "*", wrong)
    found = [seed for seed in range(60)
             if diff_compile.check_case(diff_compile.make_case(seed), train_steps=0)]
    assert len(found) > 10

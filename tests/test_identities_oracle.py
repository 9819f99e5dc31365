"""The identity check against SymPy (issue 17): on generated worksheets — chains of
one-operation lines with relu, abs, σ, tanh and exp; functions, gradients as values and
identities in variables; products of vectors and matrices; reshaped matrices — with right
formulas and mutants (a sign, a factor, a branch, a missing σ′, a transposition, a
substitution), the checker calls a formula right exactly when SymPy proves it identical,
and one that is not "true here only" exactly when it equals its quantity at the
worksheet's own point.

The generator and the decision are in ``benchmarks/oracle_identities.py``, which runs
thousands of cases (``python benchmarks/oracle_identities.py --cases 5000``); the suite
runs a few hundred.
"""

from __future__ import annotations

import functools
import importlib.util
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "oracle_identities.py"


@functools.cache
def load():
    """The script as a module (registered first: its dataclasses look their module up)."""
    spec = importlib.util.spec_from_file_location("oracle_identities", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def oracle():
    return load()


def shown(disagreements) -> str:
    return "\n".join(f"SymPy: {'identical' if truth else 'not identical'}; checker: {kinds} "
                     f"({case.family}, {case.mutation})\n{case.worksheet}"
                     for case, truth, kinds in disagreements[:5])


def test_the_checker_agrees_with_sympy(oracle):
    tally = oracle.run(cases=200, seed=2026)
    assert not tally.disagreements, shown(tally.disagreements)
    counts = tally.counts
    for family in ("scalar", "functions", "vectors", "shapes"):
        assert counts[family, "identical"] >= 5 and counts[family, "not identical"] >= 5, counts
    decided = counts_of(counts, "identical") + counts_of(counts, "not identical")
    assert decided >= 0.9 * (decided + counts_of(counts, "undecided"))
    # not identical and equal at the worksheet's point: "true here only", both kinds seen
    assert counts_of(counts, "  of which true here only") >= 1
    assert counts_of(counts, "  of which wrong formula") >= 10


def counts_of(counts, verdict: str) -> int:
    return sum(n for (_, v), n in counts.items() if v == verdict)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_hypothesis_worksheets_agree_with_sympy(seed):
    module = load()
    rng = random.Random(seed)
    for family in (module.scalar_cases, module.function_cases):
        for case in family(rng):
            truth = module.oracle(case, rng)
            if truth is not None:
                right, kinds = module.checker_says(case)
                assert right == truth, shown([(case, truth, kinds)])

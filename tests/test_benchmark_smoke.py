"""The benchmarks run end to end: ``benchmarks/bench_*.py --quick`` in a subprocess.

They are smoke tests, not timing tests: they check that every implementation ran every
workload (the benchmarks themselves stop if the losses and gradients disagree) and that
each report has its table and its verdict on each target, whatever the numbers are.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def run_quick(needs, script: str) -> tuple[str, list[str], list[str]]:
    """(stdout, header cells, body rows) of ``benchmarks/SCRIPT --quick``."""
    needs(importlib.util.find_spec("micrograd") is not None, "micrograd",
          'pip install -e ".[bench]"')
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), "--quick"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in table[0].strip("| ").split("|")]
    return done.stdout, header, table[2:]


def verdicts(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.strip().startswith(("[met]", "[NOT MET]"))]


def test_quick_benchmark_prints_the_table_and_the_targets(needs) -> None:
    out, header, rows = run_quick(needs, "bench_engine.py")
    assert header == ["workload", "micrograd 0.1.0", "scalargrad", "scalargrad vs micrograd"]
    body = "\n".join(rows)
    for workload in ("moons training step", "chain of", "products, forward + backward",
                     "MLP(64,[32,10])", "memory per node"):
        assert workload in body, f"no row for {workload!r} in\n{body}"
    assert "ms" in body and "× faster" in body and " B " in body
    assert len(verdicts(out)) == 3, out


def test_quick_compile_benchmark_prints_the_table_and_the_targets(needs) -> None:
    out, header, rows = run_quick(needs, "bench_compile.py")
    assert header[:5] == ["workload (one training step)", "numpy by hand", "compiled", "eager",
                          "micrograd"]
    assert len(rows) == 3, out
    for row, workload in zip(rows, ("moons step", "8×8 digits", "28×28 random")):
        assert workload in row, row
        assert row.count(" ms") >= 4, row  # numpy, compiled, eager, compile time
    assert len(verdicts(out)) == 6, out
    assert "[met] compiled gradients equal eager's" in out


def test_quick_limits_benchmark_runs_every_case() -> None:
    """Each worst input runs to its end; the one past the evaluation limit is refused."""
    done = subprocess.run([sys.executable, str(BENCHMARKS / "bench_limits.py"), "--quick"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")][2:]
    assert len(rows) == 10, done.stdout
    for row in rows:
        refused = "past the evaluation limit" in row
        assert row.endswith("| ok |") != refused, row
        if refused:
            assert "exit 2" in row and "1,000,000 operations evaluated" in row, row

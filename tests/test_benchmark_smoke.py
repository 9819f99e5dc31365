"""The benchmarks run end to end: ``benchmarks/bench_*.py --quick`` in a subprocess.

It is a smoke test, not a timing test: it checks that both libraries ran every workload
(the benchmark itself stops if their losses and gradients disagree) and that the report
has its table and its verdict on each target, whatever the numbers are.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_engine.py"


def test_quick_benchmark_prints_the_table_and_the_targets(needs) -> None:
    needs(importlib.util.find_spec("micrograd") is not None, "micrograd",
          'pip install -e ".[bench]"')
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    table = [line for line in lines if line.startswith("| ")]
    header = [cell.strip() for cell in table[0].strip("| ").split("|")]
    assert header == ["workload", "micrograd 0.1.0", "scalargrad", "scalargrad vs micrograd"]
    body = "\n".join(table[2:])
    for workload in ("moons training step", "chain of", "products, forward + backward",
                     "MLP(64,[32,10])", "memory per node"):
        assert workload in body, f"no row for {workload!r} in\n{body}"
    assert "ms" in body and "× faster" in body and " B " in body
    verdicts = [line for line in lines if line.strip().startswith(("[met]", "[NOT MET]"))]
    assert len(verdicts) == 3, done.stdout


COMPILE_SCRIPT = SCRIPT.parent / "bench_compile.py"


def test_quick_compile_benchmark_prints_the_table_and_the_targets(needs) -> None:
    needs(importlib.util.find_spec("micrograd") is not None, "micrograd",
          'pip install -e ".[bench]"')
    done = subprocess.run([sys.executable, str(COMPILE_SCRIPT), "--quick"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    table = [line for line in lines if line.startswith("| ")]
    header = [cell.strip() for cell in table[0].strip("| ").split("|")]
    assert header[:5] == ["workload (one training step)", "numpy by hand", "compiled", "eager",
                          "micrograd"]
    body = table[2:]
    assert len(body) == 3, done.stdout
    for row, workload in zip(body, ("moons step", "8×8 digits", "28×28 random")):
        assert workload in row, row
        assert row.count(" ms") >= 4, row  # numpy, compiled, eager, compile time
    verdicts = [line for line in lines if line.strip().startswith(("[met]", "[NOT MET]"))]
    assert len(verdicts) == 6, done.stdout
    assert "[met] compiled gradients equal eager's" in done.stdout

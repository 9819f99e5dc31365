"""How long ``scalargrad check`` takes on the largest worksheets the limits allow.

    python benchmarks/bench_check.py            # full run: 3 repeats, the median
    python benchmarks/bench_check.py --quick    # smoke run: 1 repeat

Each worksheet is written to a temporary folder and timed as the command does it:
``check(load(path))`` (reading, parsing, evaluating, grading every link).  The target
(issue 9) is under 5 s for any worksheet within the 200 kB limit; the script prints a
table and whether the target is met, and exits 0 whatever the numbers are.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import scalargrad as sg
from scalargrad.grading import check
from scalargrad.nn import MLP
from scalargrad.worksheet import MAX_BYTES, load

TARGET_SECONDS = 5.0


def long_sum() -> str:
    """y = x+x+…+x at the size limit (≈ 99,000 terms; issue 12 measured 50 s)."""
    terms = (MAX_BYTES - 20) // 2
    return "x=1\ny=" + "+".join(["x"] * terms) + f"={terms}\n"


def many_claims(count: int) -> str:
    """A 3,000-term sum and ``count`` claims (issue 12's case: 10,000 claims, 34 s)."""
    lines = ["x = 0.5", "s = " + " + ".join(["x"] * 3000)]
    lines += ["s ≈ 1500", "x ≈ 0.5"] * (count // 2)
    return "\n".join(lines) + "\n"


def long_chain() -> str:
    """3,000 definitions, each claimed after its working (per-claim analysis territory)."""
    lines = ["x0 = 0.5"]
    lines += [f"x{i} = x{i - 1} · 1.0001 + 0.001 = 0.5 · 1.0001 + 0.001 = 0.50"
              for i in range(1, 2600)]
    return "\n".join(lines) + "\n"


def big_matrix() -> str:
    """A 120×120 matrix times a vector, the product claimed entry by entry, and two
    gradient formulas (14,400 entries graded as identities)."""
    rng = random.Random(1)
    k = 120
    m = [[round(rng.uniform(-1, 1), 2) for _ in range(k)] for _ in range(k)]
    v = [round(rng.uniform(-1, 1), 2) for _ in range(k)]
    z = [sum(a * b for a, b in zip(row, v)) for row in m]
    return ("M = [" + ", ".join("[" + ", ".join(map(str, row)) + "]" for row in m) + "]\n"
            + "v = [" + ", ".join(map(str, v)) + "]ᵀ\n"
            + "z = M v = [" + ", ".join(f"{x:.4f}" for x in z) + "]\n"
            + "L = z · z\n∂L/∂v = 2 Mᵀ z\n∂L/∂M = 2 z vᵀ\n")


def many_formulas() -> str:
    """2,000 local-derivative formulas, each checked at 4 points (a backward pass each)."""
    lines = ["x = 0.3", "t0 = x"]
    lines += [f"t{i} = tanh(t{i - 1}) + x" for i in range(1, 2000)]
    lines += [f"∂t{i}/∂t{i - 1} = 1 - tanh(t{i - 1})^2" for i in range(1, 2000)]
    return "\n".join(lines) + "\n"


def walkthrough() -> str:
    """The walkthrough of an MLP's loss, pasted back in (every line a formula, working
    and a number), as large as fits."""
    net = MLP(4, [16, 16, 1])
    loss = (net([0.1, -0.2, 0.3, 0.05]) - 1.0) ** 2
    loss.label = "L"
    return sg.steps(loss).text()


WORKSHEETS: list[tuple[str, Callable[[], str]]] = [
    ("a 99,000-term sum", long_sum),
    ("10,000 claims, a 3,000-term sum", lambda: many_claims(10_000)),
    ("17,000 claims, a 3,000-term sum", lambda: many_claims(17_000)),
    ("2,600 definitions, each with working and a claim", long_chain),
    ("120×120 matrix, 14,400 formula entries", big_matrix),
    ("2,000 derivative formulas", many_formulas),
    ("an MLP's walkthrough pasted back", walkthrough),
]


def timed(path: Path, repeats: int) -> tuple[float, float, int]:
    """Median wall-clock and CPU seconds of ``check(load(path))``, and its verdicts."""
    walls, cpus, claims = [], [], 0
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        report = check(load(path))
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        claims = len(report.verdicts)
    return statistics.median(walls), statistics.median(cpus), claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    print(f"python {platform.python_version()}, {platform.machine()}, median of {repeats}")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          "(a shared machine: the CPU time is the steadier number)")
    print("| worksheet | size | verdicts | check (wall) | check (CPU) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    slowest = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name, write in WORKSHEETS:
            path = Path(folder) / "w.txt"
            path.write_text(write(), "utf-8")
            wall, cpu, verdicts = timed(path, repeats)
            slowest = max(slowest, wall)
            print(f"| {name} | {path.stat().st_size / 1000:.0f} kB | {verdicts:,} | "
                  f"{wall:.2f} s | {cpu:.2f} s |")
    verdict = "met" if slowest < TARGET_SECONDS else "NOT MET"
    print(f"\n[{verdict}] every worksheet checks in under {TARGET_SECONDS:g} s "
          f"(slowest: {slowest:.2f} s)")


if __name__ == "__main__":
    main()

"""How long the largest inputs the limits allow take, command by command (issue 17: "keep
every input within the limits under a few seconds").

    python benchmarks/bench_limits.py            # every case (a few minutes)
    python benchmarks/bench_limits.py --quick    # smoke run: smaller inputs

Each case builds the worst input a limit of `scalargrad.limits` (or of the chart) allows,
then runs the command a user would type, in a fresh process: "wall" is its elapsed time,
"cpu" the processor time of the process and its children (Graphviz, pdflatex) — the
better measure on a busy machine, since "wall" grows with the load. A report, not a test:
it exits 0 whatever the numbers are.

- dense chart: `dense_chart(90, 8)` of tests/test_limits.py, 100 boxes and 720 arrows
  (633 distinct; `MAX_EDGES` is 750): each node sums 8 earlier ones at random, the worst
  for ``dot``; and `dense_chart(60, 12)`, 70 boxes of 12 arrows each.
- chain: 740 boxes in a line (each arrow a box: the arrow limit bounds a chain too).
- exercise: `MAX_VARIANTS` variants of the notes' seed 001 chart (a mid-size chart), and
  a few variants of the dense chart, handouts compiled to PDF when pdflatex is installed.
- worksheet near `MAX_EVALUATIONS`: a sum of many terms whose formula claim the checker
  re-evaluates at every random point (reading and checking spend one budget), and one
  past it, refused.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_limits import dense_chart  # noqa: E402

import scalargrad as sg  # noqa: E402
from scalargrad.limits import MAX_EDGES, MAX_EVALUATIONS, MAX_VARIANTS  # noqa: E402
from scalargrad.worksheet import parse  # noqa: E402

SEED001 = Path(sg.__file__).parent / "worksheets" / "seed001_x1.txt"


def chain(boxes: int) -> str:
    """A chain of ``boxes`` values, each the tanh of the one before."""
    lines = ["h0 = 0.5"] + [f"h{i} = tanh(h{i - 1})" for i in range(1, boxes)]
    return "\n".join(lines) + "\n"


def sum_sheet(terms: int) -> str:
    """x summed ``terms`` times (on lines of 500), a loss, and a formula claim to check."""
    lines, names = ["x = 3"], []
    for k in range(0, terms, 500):
        names.append(f"s{k}")
        lines.append(f"s{k} = " + "+".join(["x"] * min(500, terms - k)))
    lines += [f"y = {' + '.join(names)}", "L = y^2", f"∂L/∂x = 2y·{terms}"]
    return "\n".join(lines) + "\n"


def evaluations(text: str) -> int:
    """Operations the worksheet costs to read and to check (its one budget's count)."""
    from scalargrad.grading import check
    worksheet = parse(text)
    check(worksheet)
    return worksheet.work.operations.spent


def run(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall and cpu seconds of ``scalargrad ARGS`` in a fresh process, and its last line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "scalargrad", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    said = (done.stdout + done.stderr).strip().splitlines()
    why = re.sub(r"^.*?:\d+:\d+: ", "", said[-1] if said else "")  # the message, not where
    outcome = "ok" if done.returncode == 0 else f"exit {done.returncode}: {why[:70]}"
    return wall, cpu, outcome


def cases(quick: bool, work: Path) -> list[tuple[str, list[str]]]:
    """(description, command line) of every case; the inputs written into ``work``."""
    dense = work / "dense.txt"
    dense.write_text(dense_chart(20, 8) if quick else dense_chart(90, 8), encoding="utf-8")
    wide = work / "wide.txt"
    wide.write_text(dense_chart(10, 12) if quick else dense_chart(60, 12), encoding="utf-8")
    line = work / "chain.txt"
    line.write_text(chain(100 if quick else MAX_EDGES - 10), encoding="utf-8")
    near, past = work / "near.txt", work / "past.txt"
    near.write_text(sum_sheet(2_000 if quick else 90_000), encoding="utf-8")
    past.write_text(sum_sheet(95_000), encoding="utf-8")
    variants = 3 if quick else MAX_VARIANTS
    arrows = sg.chart.drawing.count_arrows(parse(dense.read_text()).root, "full", 10**6)
    return [
        (f"graph, dense chart ({arrows} arrows)", ["graph", str(dense), "-o", "d.svg"]),
        (f"animate, dense chart ({arrows} arrows)", ["animate", str(dense), "-o", "d.html"]),
        (f"practice, dense chart ({arrows} arrows)", ["practice", str(dense), "-o", "p.html"]),
        ("graph, dense chart of fan-in 12 ({} arrows)".format(
            sg.chart.drawing.count_arrows(parse(wide.read_text()).root, "full", 10**6)),
         ["graph", str(wide), "-o", "w.svg"]),
        ("graph, chain of {} boxes".format(line.read_text().count("\n")),
         ["graph", str(line), "-o", "c.svg"]),
        (f"exercise, seed 001, {variants} variants",
         ["exercise", str(SEED001), "-o", "ex1", "--variants", str(variants), "--all"]),
        ("exercise, dense chart, 1 variant",
         ["exercise", str(dense), "-o", "ex2", "--variants", "1", "--all"]),
        ("exercise, dense chart, 3 variants",
         ["exercise", str(dense), "-o", "ex3", "--variants", "3", "--all"]),
        (f"check, {evaluations(near.read_text()):,} evaluations", ["check", str(near)]),
        ("check, past the evaluation limit", ["check", str(past)]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs (a smoke run)")
    quick = parser.parse_args().quick
    print(f"scalargrad {sg.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; limits: "
          f"{MAX_EDGES} arrows, {MAX_VARIANTS} variants, {MAX_EVALUATIONS:,} evaluations\n")
    print("| case | wall s | cpu s | outcome |")
    print("| --- | ---: | ---: | --- |")
    with tempfile.TemporaryDirectory(prefix="bench-limits-") as folder:
        work = Path(folder)
        for description, args in cases(quick, work):
            wall, cpu, outcome = run(args, work)
            print(f"| {description} | {wall:.1f} | {cpu:.1f} | {outcome} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

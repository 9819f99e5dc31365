"""How long the chart takes to render, with the system `dot` and with the bundled engine.

    python benchmarks/bench_render.py            # full run (about a minute)
    python benchmarks/bench_render.py --quick    # smoke run

Three charts: seed 001's network on its first example (the README picture), a random
expression graph of 500 values, and a whole forward pass of MLP(2, [16, 16, 1]) drawn in
full (402 values in 33 neuron boxes) and collapsed (view="neuron").

"first call" is `sg.to_svg` the first time in a fresh Python process (it includes
importing the drawing code and starting Graphviz once), the median of several fresh
processes; "warm" is the median of repeated calls in one process; "draw" is the part of a
warm call spent in `sg.draw`: the layout pass (one or two Graphviz layouts) and the DOT
text (the rest is the pinned drawing by Graphviz). Times
are in milliseconds. A report, not a test: it exits 0 whatever the numbers are.
"""

from __future__ import annotations

import argparse
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import scalargrad as sg
from scalargrad import Value, nn
from scalargrad.chart import graphviz_engine
from scalargrad.chart.drawing import LargeGraphWarning
from scalargrad.examples import seed001

CHARTS = ("seed 001, example x1", "random graph, 500 values", "MLP(2,[16,16,1]) full",
          "MLP(2,[16,16,1]) view=neuron")


def build(chart: str) -> tuple[Value, dict[str, str]]:
    """The root of one benchmark chart (after backward) and the draw options it uses."""
    if chart.startswith("seed 001"):
        root = seed001()["L"]
    elif chart.startswith("random"):
        root = random_graph(500)
    else:
        root = nn.MLP(2, [16, 16, 1], seed=0)([0.5, -1.5])  # type: ignore[assignment]
    root.backward()
    return root, ({"view": "neuron"} if chart.endswith("neuron") else {})


def random_graph(size: int, seed: int = 0) -> Value:
    """An expression of exactly ``size`` values (odd): leaves reduced pairwise to one root.

    A queue of 150 labelled leaves is folded front to back by random ops (+ × −), with
    ``size − 299`` extra one-input steps mixed in: a tanh, or an op with a recent value,
    so that some values are shared as in a real expression.
    """
    rng = random.Random(seed)
    queue = [Value(rng.uniform(-1, 1), f"x{i}") for i in range(150)]
    recent: list[Value] = []
    extra = size - (2 * len(queue) - 1)
    binary = (Value.__add__, Value.__mul__, Value.__sub__)
    while len(queue) > 1 or extra > 0:
        a = queue.pop(0)
        if extra > 0 and (rng.random() < 0.45 or not queue):
            extra -= 1
            out = a.tanh() if rng.random() < 0.5 or not recent else a * rng.choice(recent[-20:])
        else:
            out = rng.choice(binary)(a, queue.pop(0))
        queue.append(out)
        recent.append(out)
    return queue[0]


def warm(chart: str, engine: str, repeats: int) -> tuple[float, float]:
    """Median milliseconds of a whole `to_svg` and of `draw` alone, in this process."""
    root, options = build(chart)
    totals, dots = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        graph = sg.draw(root, **options)  # type: ignore[arg-type]
        middle = time.perf_counter()
        graphviz_engine.run(graph.source, "svg", engine)
        end = time.perf_counter()
        totals.append(end - start)
        dots.append(middle - start)
    return 1000 * statistics.median(totals), 1000 * statistics.median(dots)


FIRST_CALL = """
import sys, time, warnings
sys.path.insert(0, {here!r})
from bench_render import build
import scalargrad as sg
warnings.simplefilter("ignore")
root, options = build({chart!r})
start = time.perf_counter()
sg.to_svg(root, engine={engine!r}, **options)
print(1000 * (time.perf_counter() - start))
"""


def first_call(chart: str, engine: str, processes: int) -> float:
    """Median milliseconds of the first `to_svg` in a fresh Python process."""
    here = str(Path(__file__).resolve().parent)
    code = FIRST_CALL.format(here=here, chart=chart, engine=engine)
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(processes)]
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeats, processes = (2, 1) if args.quick else (7, 3)
    engines = ["system", "bundled"] if shutil.which("dot") else ["bundled"]
    warnings.simplefilter("ignore", LargeGraphWarning)

    print(f"Python {platform.python_version()} on {platform.machine()}, "
          f"dot: {shutil.which('dot') or 'not installed'}, "
          f"bundled: {graphviz_engine.program('bundled')}")
    print("times in milliseconds")
    print(f"{'chart':<30} {'values':>6} {'engine':<8} {'first call':>10} {'warm':>8} "
          f"{'draw':>6}")
    for chart in CHARTS:
        size = len(sg.topological_order(build(chart)[0]))
        for engine in engines:
            total, dot = warm(chart, engine, repeats)
            first = first_call(chart, engine, processes)
            print(f"{chart:<30} {size:>6} {engine:<8} {first:>10.0f} {total:>8.0f} {dot:>6.0f}")
    if "system" not in engines:
        print("(the system engine was not measured: `dot` is not on PATH)")


if __name__ == "__main__":
    main()

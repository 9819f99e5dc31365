"""Benchmark scalargrad against micrograd 0.1.0, in one process, and check the targets.

    pip install -e ".[bench]" && python benchmarks/bench_engine.py          # full run
    python benchmarks/bench_engine.py --quick                              # smoke run

Every workload is written the idiomatic way for each library, on the same data (Python
floats for both: micrograd's demo feeds it numpy floats, which would only slow it down)
and, where there are weights, the same weights: micrograd's initial weights are copied
into scalargrad's network, and the losses and gradients must agree to 1e-9 before
anything is timed.  Times are medians of several repeats of ``time.perf_counter``, the
libraries taking turns; the garbage collector is emptied before each repeat and stays on
(a training loop pays for it), except in one extra row of the moons step.

The issue's targets (moons step ≥ 6× faster, a 1,000,000-deep chain backpropagates, memory
per node ≤ ¼ of micrograd's) are printed as met or not met.  The script is a report, not a
test: it exits 0 whatever the numbers are.
"""

from __future__ import annotations

import argparse
import gc
import math
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import scalargrad as sg

try:
    from micrograd.engine import Value as MgValue
    from micrograd.nn import MLP as MgMLP
except ImportError:  # pragma: no cover - depends on the environment
    sys.exit('micrograd is not installed: pip install -e ".[bench]" (micrograd==0.1.0)')

TOLERANCE = 1e-9
CHAIN_FACTOR = 1.000001  # each link of a chain is  v = v * CHAIN_FACTOR


@dataclass
class Config:
    repeats: int  # repeats of the fast workloads; the slow ones do fewer
    chain_depth: int  # the depth scalargrad is asked to backpropagate
    memory_links: int  # length of the chain whose memory is measured
    products: int  # terms in the sum of products


FULL = Config(repeats=11, chain_depth=1_000_000, memory_links=1_000_000, products=100_000)
QUICK = Config(repeats=3, chain_depth=20_000, memory_links=20_000, products=5_000)


@dataclass
class Row:
    workload: str
    micrograd: str
    scalargrad: str
    ratio: str


def medians(*fns: Callable[[], object], repeats: int) -> list[float]:
    """Median wall time of each ``fn()`` over ``repeats`` runs, garbage emptied before each.

    The functions take turns, so a machine that gets busier halfway slows them alike.
    """
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, fn_times in zip(fns, times):
            gc.collect()
            start = time.perf_counter()
            fn()
            fn_times.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def without_gc(fn: Callable[[], object]) -> Callable[[], object]:
    """``fn`` with the garbage collector switched off while it runs."""

    def run() -> object:
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()

    return run


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f} ms"


def speedup(slow: float, fast: float) -> str:
    return f"{slow / fast:.1f}× faster"


def check_close(what: str, a: float, b: float) -> None:
    """Stop the benchmark if the two libraries did not compute the same number."""
    if not math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
        raise SystemExit(f"{what}: micrograd gives {a!r}, scalargrad {b!r}")


# ---------------------------------------------------------------------------------------
# 1. micrograd's moons demo: one training step of MLP(2, [16, 16, 1]) on 100 points.
# ---------------------------------------------------------------------------------------


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[list, list]:
    """Two interleaving half circles as scikit-learn's ``make_moons``; labels ±1."""
    rng = random.Random(seed)
    n_outer = n // 2
    n_inner = n - n_outer
    points = [[math.cos(math.pi * i / (n_outer - 1)), math.sin(math.pi * i / (n_outer - 1))]
              for i in range(n_outer)]
    points += [[1 - math.cos(math.pi * i / (n_inner - 1)),
                0.5 - math.sin(math.pi * i / (n_inner - 1))] for i in range(n_inner)]
    X = [[x + rng.gauss(0, noise), y + rng.gauss(0, noise)] for x, y in points]
    y = [-1] * n_outer + [1] * n_inner
    return X, y


def micrograd_moons_step(model: MgMLP, X: list, y: list, k: int = 0) -> float:
    """The body of the training loop in micrograd's demo.ipynb (data as Python floats)."""
    # loss(): forward the model, max-margin loss, L2 regularisation, accuracy
    inputs = [list(map(MgValue, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
    sum(accuracy) / len(accuracy)
    # backward
    model.zero_grad()
    total_loss.backward()
    # update (sgd)
    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total_loss.data


def scalargrad_moons_step(model: sg.nn.MLP, optimizer: sg.optim.SGD, X: list, y: list,
                          k: int = 0) -> float:
    """The same step with scalargrad's MLP, hinge loss, sum_values and SGD."""
    params = model.parameters()
    scores = [model(xrow) for xrow in X]
    total_loss = sg.losses.hinge(scores, y) + 1e-4 * sg.sum_values(p * p for p in params)
    accuracy = [(yi > 0) == (score.data > 0) for yi, score in zip(y, scores)]
    sum(accuracy) / len(accuracy)
    optimizer.zero_grad()
    total_loss.backward()
    optimizer.lr = 1.0 - 0.9 * k / 100
    optimizer.step()
    return total_loss.data


def bench_moons(cfg: Config) -> tuple[list[Row], float, float]:
    X, y = make_moons()
    random.seed(1337)  # as the demo does before building its model
    mg_model = MgMLP(2, [16, 16, 1])
    sg_model = sg.nn.MLP(2, [16, 16, 1])
    sg_model.set_parameters([p.data for p in mg_model.parameters()])
    optimizer = sg.optim.SGD(sg_model.parameters(), lr=1.0)

    # First step from the same weights: the same loss, the same gradients.
    check_close("moons loss", micrograd_moons_step(mg_model, X, y),
                scalargrad_moons_step(sg_model, optimizer, X, y))
    for i, (p, q) in enumerate(zip(mg_model.parameters(), sg_model.parameters())):
        check_close(f"moons gradient of parameter {i}", p.grad, q.grad)

    def run_micrograd() -> float:
        return micrograd_moons_step(mg_model, X, y)

    def run_scalargrad() -> float:
        return scalargrad_moons_step(sg_model, optimizer, X, y)

    t_mg, t_sg = medians(run_micrograd, run_scalargrad, repeats=cfg.repeats)
    # micrograd's closures make reference cycles, so its graphs keep the collector busy;
    # with the collector off, the comparison is of the two engines' own work alone.
    u_mg, u_sg = medians(without_gc(run_micrograd), without_gc(run_scalargrad),
                         repeats=cfg.repeats)
    rows = [Row("moons training step: MLP(2,[16,16,1]), 100 points", ms(t_mg), ms(t_sg),
                speedup(t_mg, t_sg)),
            Row("the same, garbage collector off", ms(u_mg), ms(u_sg), speedup(u_mg, u_sg))]
    return rows, t_mg / t_sg, u_mg / u_sg


# ---------------------------------------------------------------------------------------
# 2. A deep chain  v = v * c  built and backpropagated.
# ---------------------------------------------------------------------------------------


def chain(value_type: type, depth: int) -> tuple[object, object]:
    """A leaf x and the end of the chain x·cᵈᵉᵖᵗʰ, one node per link."""
    x = value_type(1.0)
    v = x
    for _ in range(depth):
        v = v * CHAIN_FACTOR
    return x, v


def chain_backward(value_type: type, depth: int) -> float:
    """Build the chain, backpropagate, return ∂v/∂x (which is c^depth)."""
    x, v = chain(value_type, depth)
    v.backward()
    return x.grad


def micrograd_max_depth(limit: int) -> int:
    """The largest depth in 10, 20, 50, 100, 200, ... whose backward micrograd survives."""
    best = 0
    for exponent in range(1, 8):
        for mantissa in (1, 2, 5):
            depth = mantissa * 10**exponent
            if depth > limit:
                return best
            try:
                chain_backward(MgValue, depth)
            except RecursionError:
                return best
            best = depth
    return best


def bench_chain(cfg: Config) -> tuple[list[Row], bool]:
    depth_mg = micrograd_max_depth(cfg.chain_depth)
    check_close("chain gradient", chain_backward(MgValue, depth_mg),
                chain_backward(sg.Value, depth_mg))
    t_mg, t_sg = medians(lambda: chain_backward(MgValue, depth_mg),
                         lambda: chain_backward(sg.Value, depth_mg), repeats=cfg.repeats)
    rows = [Row(f"chain of {depth_mg:,} links (deepest micrograd survives), build + backward",
                ms(t_mg), ms(t_sg), speedup(t_mg, t_sg))]

    depth = cfg.chain_depth
    try:
        gradient = chain_backward(sg.Value, depth)
        works = math.isclose(gradient, CHAIN_FACTOR**depth, rel_tol=1e-6)
        [t_deep] = medians(lambda: chain_backward(sg.Value, depth), repeats=3)
        result = ms(t_deep) if works else f"wrong gradient {gradient!r}"
    except RecursionError:
        works, result = False, "RecursionError"
    rows.append(Row(f"chain of {depth:,} links, build + backward",
                    f"RecursionError beyond {depth_mg:,}", result, "—"))
    return rows, works


# ---------------------------------------------------------------------------------------
# 3. A sum of many products, forward and backward.
# ---------------------------------------------------------------------------------------


def bench_products(cfg: Config) -> Row:
    rng = random.Random(2)
    a_data = [rng.uniform(-1, 1) for _ in range(cfg.products)]
    b_data = [rng.uniform(-1, 1) for _ in range(cfg.products)]

    def micrograd_run() -> float:
        a = [MgValue(x) for x in a_data]
        b = [MgValue(x) for x in b_data]
        total = sum(ai * bi for ai, bi in zip(a, b))
        total.backward()
        return total.data

    def scalargrad_run() -> float:
        a = [sg.Value(x) for x in a_data]
        b = [sg.Value(x) for x in b_data]
        total = sg.sum_values(ai * bi for ai, bi in zip(a, b))
        total.backward()
        return total.data

    # micrograd's topological sort recurses once per term of the sum (built by sum()),
    # so it needs a higher recursion limit here; Python 3.11+ recursion costs no C stack.
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 3 * cfg.products + 1000))
    try:
        check_close("sum of products", micrograd_run(), scalargrad_run())
        t_mg, t_sg = medians(micrograd_run, scalargrad_run, repeats=cfg.repeats)
    finally:
        sys.setrecursionlimit(old_limit)
    return Row(f"sum of {cfg.products:,} products, forward + backward (*)", ms(t_mg), ms(t_sg),
               speedup(t_mg, t_sg))


# ---------------------------------------------------------------------------------------
# 4. One forward and backward pass of MLP(64, [32, 10]) with a squared error.
# ---------------------------------------------------------------------------------------


def bench_mlp(cfg: Config) -> Row:
    rng = random.Random(3)
    x = [rng.uniform(-1, 1) for _ in range(64)]
    target = [rng.uniform(-1, 1) for _ in range(10)]
    random.seed(64)
    mg_model = MgMLP(64, [32, 10])
    sg_model = sg.nn.MLP(64, [32, 10])
    sg_model.set_parameters([p.data for p in mg_model.parameters()])

    def micrograd_run() -> float:
        out = mg_model(list(map(MgValue, x)))
        loss = sum((o - t) ** 2 for o, t in zip(out, target)) / len(out)
        loss.backward()
        return loss.data

    def scalargrad_run() -> float:
        loss = sg.losses.mse(sg_model(x), target)
        loss.backward()
        return loss.data

    check_close("MLP(64,[32,10]) loss", micrograd_run(), scalargrad_run())
    t_mg, t_sg = medians(micrograd_run, scalargrad_run, repeats=cfg.repeats)
    return Row("MLP(64,[32,10]) forward + backward, mean squared error over 10 outputs",
               ms(t_mg), ms(t_sg), speedup(t_mg, t_sg))


# ---------------------------------------------------------------------------------------
# 5. Memory per node of a long chain.
# ---------------------------------------------------------------------------------------


def bytes_per_link(value_type: type, links: int) -> float:
    """Bytes allocated (tracemalloc) per link of a chain, its constant leaf included."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    graph = chain(value_type, links)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del graph
    gc.collect()
    return (after - before) / links


def bench_memory(cfg: Config) -> tuple[Row, float]:
    b_mg = bytes_per_link(MgValue, cfg.memory_links)
    b_sg = bytes_per_link(sg.Value, cfg.memory_links)
    row = Row(f"memory per node, chain of {cfg.memory_links:,} links (**)", f"{b_mg:,.0f} B",
              f"{b_sg:,.0f} B", f"{b_sg / b_mg:.2f}× the memory")
    return row, b_sg / b_mg


# ---------------------------------------------------------------------------------------
# The report.
# ---------------------------------------------------------------------------------------


def print_markdown(cells: list[list[str]]) -> None:
    """A Markdown table, header first, the first column left-aligned and the others right
    (it pastes into the README as it is)."""
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    aligns = ["<"] + [">"] * (len(widths) - 1)

    def line(row: list[str]) -> str:
        return "| " + " | ".join(f"{c:{a}{w}}" for c, a, w in zip(row, aligns, widths)) + " |"

    print(line(cells[0]))
    print("| " + " | ".join("-" * (w - 1) + (":" if a == ">" else "-")
                            for a, w in zip(aligns, widths)) + " |")
    for row in cells[1:]:
        print(line(row))


def print_targets(targets: list[tuple[str, bool, str]]) -> None:
    """Each target as ``[met]`` or ``[NOT MET]``, what it asks and what was measured."""
    print("\nTargets:")
    for text, met, got in targets:
        print(f"  [{'met' if met else 'NOT MET'}] {text}: {got}")


def print_table(rows: list[Row]) -> None:
    header = Row("workload", "micrograd 0.1.0", "scalargrad", "scalargrad vs micrograd")
    print_markdown([[r.workload, r.micrograd, r.scalargrad, r.ratio] for r in [header, *rows]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats and shorter chains: a smoke run of a few seconds")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL

    print(f"scalargrad {sg.__version__} vs micrograd 0.1.0 on Python {platform.python_version()}"
          f" ({platform.python_implementation()}, {platform.machine()})"
          f"{', quick mode' if args.quick else ''}; times are medians of {cfg.repeats} runs\n")
    moons_rows, moons_speedup, moons_speedup_no_gc = bench_moons(cfg)
    chain_rows, chain_works = bench_chain(cfg)
    memory, memory_ratio = bench_memory(cfg)
    rows = [*moons_rows, *chain_rows, bench_products(cfg), bench_mlp(cfg), memory]
    print_table(rows)
    print("\n(*) micrograd needs sys.setrecursionlimit raised for this: its topological sort")
    print("    recurses once per term of the sum. (**) a link is one `v * c` node and its")
    print("    constant leaf c.")

    targets = [
        ("moons step at least 6× faster than micrograd", moons_speedup >= 6,
         f"{moons_speedup:.1f}× ({moons_speedup_no_gc:.1f}× with the garbage collector off)"),
        (f"a {cfg.chain_depth:,}-deep chain backpropagates", chain_works,
         "works" if chain_works else "fails"),
        ("memory per node at most ¼ of micrograd's", memory_ratio <= 0.25,
         f"{memory_ratio:.2f}×"),
    ]
    print_targets(targets)
    if args.quick:
        print(f"  (quick mode: the chain is checked at {cfg.chain_depth:,} links, not 1,000,000)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

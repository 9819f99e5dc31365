"""How long ``sg.compile`` takes on deep graphs: tracing and planning must be linear.

    python benchmarks/bench_plan.py            # chains 1,000 to 100,000 deep
    python benchmarks/bench_plan.py --quick    # a smoke run

The loss of one sample is a chain ``v ← tanh(0.999 · v)`` repeated ``depth`` times (two
engine ops a link, so 2·depth + 2 nodes), the worst case for a planner that groups nodes
by depth: every group holds one node. Each row gives the time of ``sg.compile`` (three
traces, planning, the check of the plan against the traces) and of one compiled call on a
batch of 64, and the compile time per node: flat across the rows means linear. The
script is a report, not a test: it exits 0 whatever the numbers are.
"""

from __future__ import annotations

import argparse
import gc
import time

import scalargrad as sg


def chain(depth: int):
    w = sg.Value(0.5, "w")

    def loss(x):
        v = w * x[0]
        for _ in range(depth):
            v = (v * 0.999).tanh()
        return v

    return loss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small depths only")
    args = parser.parse_args()
    depths = [1_000, 5_000] if args.quick else [1_000, 5_000, 20_000, 100_000]
    batch = [[0.01 * i] for i in range(64)]
    print(f"{'depth':>8} {'nodes':>8} {'compile':>10} {'per node':>10} {'one call':>10}")
    for depth in depths:
        loss = chain(depth)
        gc.collect()
        start = time.perf_counter()
        step = sg.compile(loss, batch)
        compiled = time.perf_counter() - start
        start = time.perf_counter()
        step(batch)
        called = time.perf_counter() - start
        nodes = 2 * depth + 2
        print(f"{depth:>8,} {nodes:>8,} {compiled:>9.2f}s {1e6 * compiled / nodes:>8.1f}µs "
              f"{called:>9.2f}s", flush=True)


if __name__ == "__main__":
    main()

"""Benchmark the compiled path (``sg.compile``) against numpy by hand, eager and micrograd.

    pip install -e ".[bench]" && python benchmarks/bench_compile.py        # full run
    python benchmarks/bench_compile.py --quick                            # smoke run

One training step of each workload, four ways, in one process, on the same data and the
same initial weights:

* **numpy**: the step written by hand with arrays (forward, hand-derived gradients, SGD);
  its gradients are checked against the eager engine's before anything is timed;
* **compiled**: ``sg.compile(...).training(SGD)``, parameters living in arrays; its loss
  and gradients must equal the eager engine's to 1e-12 relative;
* **eager**: scalargrad's ordinary loop (build the graph, ``backward``, ``SGD.step``);
* **micrograd** 0.1.0 where it can (it has no exp or log, so no softmax cross-entropy).

Times are medians of several repeats, the implementations taking turns, the garbage
collector on (as in `bench_engine.py`). The issue's targets are printed as met or not.
On a small shared machine, run it with ``OPENBLAS_NUM_THREADS=1``: OpenBLAS's threads
otherwise wait for each other, and a 0.3 ms matrix step can take 30 ms (the header says
which BLAS variables were set).
The script is a report, not a test: it exits 0 whatever the numbers are.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from bench_engine import (
    MgMLP,
    make_moons,
    medians,
    micrograd_moons_step,
    ms,
    print_markdown,
    print_targets,
    scalargrad_moons_step,
)

import scalargrad as sg
from scalargrad.datasets import digits

ALPHA = 1e-4  # the moons step's L2 weight
EXACT = 1e-12  # compiled vs eager, relative (absolute floor: EXACT × the largest gradient)
BY_HAND = 1e-9  # numpy by hand vs eager


@dataclass
class Config:
    repeats: int
    slow_repeats: int  # for eager steps that take seconds
    big_batch: int  # batch of the 784-input workload


FULL = Config(repeats=21, slow_repeats=3, big_batch=128)
QUICK = Config(repeats=3, slow_repeats=1, big_batch=4)


@dataclass
class Row:
    workload: str
    numpy: float
    compiled: float
    eager: float
    micrograd: float | None
    compile_time: float
    error: float  # largest relative gap compiled vs eager


def arrays(net: sg.nn.MLP, field: str = "data") -> list[np.ndarray]:
    """[W1, b1, W2, b2, ...] as arrays (W with one row per neuron), of each parameter's
    ``data`` or ``grad``."""
    out = []
    for layer in net.layers:
        out.append(np.array([[getattr(w, field) for w in n.w] for n in layer.neurons]))
        out.append(np.array([getattr(n.b, field) for n in layer.neurons]))
    return out


def check(what: str, got: list[np.ndarray], want: list[np.ndarray], tolerance: float) -> float:
    """Stop the benchmark unless ``got`` (the loss, then each gradient) equals ``want``,
    each to ``tolerance`` relative to its largest entry; return the largest gap found."""
    gap = max(float(np.max(np.abs(g - w))) / max(float(np.max(np.abs(w))), 1e-300)
              for g, w in zip(got, want))
    if gap > tolerance:
        raise SystemExit(f"{what}: the loss or gradients differ from the eager engine's by "
                         f"{gap:.2e} (relative), more than {tolerance:g}")
    return gap


# ---------------------------------------------------------------------------------------
# The steps by hand in numpy.
# ---------------------------------------------------------------------------------------


def numpy_moons_grads(params: list[np.ndarray], X: np.ndarray,
                      y: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """Hinge loss of a ReLU MLP plus α Σ p², and its gradients, derived by hand.

    s = W3 relu(W2 relu(W1 x + b1) + b2) + b3;  L = mean max(0, 1 − y s) + α Σ p²
    ∂L/∂s = −y [1 − y s > 0] / n;  δ = (Wᵀ δ′) ⊙ [z > 0];  ∂L/∂W = δ hᵀ + 2αW
    """
    W1, b1, W2, b2, W3, b3 = params
    z1 = X @ W1.T + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ W2.T + b2
    h2 = np.maximum(z2, 0)
    s = (h2 @ W3.T + b3)[:, 0]
    margin = 1 - y * s
    loss = np.maximum(margin, 0).mean() + ALPHA * sum(float((p * p).sum()) for p in params)
    d3 = (-(y * (margin > 0)) / len(y))[:, None]
    d2 = (d3 @ W3) * (z2 > 0)
    d1 = (d2 @ W2) * (z1 > 0)
    grads = [d1.T @ X, d1.sum(0), d2.T @ h1, d2.sum(0), d3.T @ h2, d3.sum(0)]
    return loss, [g + 2 * ALPHA * p for g, p in zip(grads, params)]


def numpy_softmax_grads(params: list[np.ndarray], X: np.ndarray,
                        y: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """Mean softmax cross-entropy of a one-hidden-layer ReLU MLP, gradients by hand.

    z2 = W2 relu(W1 x + b1) + b2;  L = mean(log Σ e^{z2} − z2[y]);  δ2 = (p − onehot(y))/n
    """
    W1, b1, W2, b2 = params
    z1 = X @ W1.T + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ W2.T + b2
    m = z2.max(axis=1, keepdims=True)
    e = np.exp(z2 - m)
    total = e.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = float(np.mean(np.log(total[:, 0]) + m[:, 0] - z2[rows, y]))
    d2 = e / total
    d2[rows, y] -= 1
    d2 /= len(y)
    d1 = (d2 @ W2) * (z1 > 0)
    return loss, [d1.T @ X, d1.sum(0), d2.T @ h1, d2.sum(0)]


def numpy_step(grads_fn: Callable, params: list[np.ndarray], X: np.ndarray, y: np.ndarray,
               lr: float) -> float:
    loss, grads = grads_fn(params, X, y)
    for p, g in zip(params, grads):
        p -= lr * g
    return loss


# ---------------------------------------------------------------------------------------
# The workloads.
# ---------------------------------------------------------------------------------------


def bench_moons(cfg: Config) -> tuple[Row, float]:
    """micrograd's moons step; also the full demo's 100 compiled steps (seconds)."""
    X, y = make_moons()
    random.seed(1337)
    mg_model = MgMLP(2, [16, 16, 1])
    net = sg.nn.MLP(2, [16, 16, 1])
    net.set_parameters([p.data for p in mg_model.parameters()])
    Xa, ya = np.array(X), np.array(y, dtype=float)

    def sample_loss(x, label):
        return sg.losses.hinge([net(x)], [label])

    def penalty():
        return ALPHA * sg.sum_values(p * p for p in net.parameters())

    start = time.perf_counter()
    step = sg.compile(sample_loss, X, y, penalty=penalty)
    compile_time = time.perf_counter() - start

    # correctness before timing: numpy by hand and compiled against eager
    net.zero_grad()
    want_loss = (sg.losses.hinge([net(x) for x in X], y) + penalty())
    want_loss.backward()
    want = arrays(net, "grad")
    loss, by_hand = numpy_moons_grads(arrays(net), Xa, ya)
    check("moons, numpy by hand", [np.array(loss), *by_hand], [np.array(want_loss.data), *want],
          BY_HAND)
    net.zero_grad()
    loss = step(X, y)
    error = check("moons, compiled", [np.array(loss), *arrays(net, "grad")],
                  [np.array(want_loss.data), *want], EXACT)

    params = arrays(net)
    optimizer = sg.optim.SGD(net.parameters(), lr=0.01)
    training = step.training(sg.optim.SGD(net.parameters(), lr=0.01))
    times = medians(lambda: numpy_step(numpy_moons_grads, params, Xa, ya, 0.01),
                    lambda: training(Xa, ya),
                    lambda: scalargrad_moons_step(net, optimizer, X, y),
                    lambda: micrograd_moons_step(mg_model, X, y), repeats=cfg.repeats)

    # the moons demo: 100 compiled steps with the demo's learning-rate schedule
    demo = sg.nn.MLP(2, [16, 16, 1], seed=1337)
    demo_opt = sg.optim.SGD(demo.parameters(), lr=1.0)
    start = time.perf_counter()
    demo_step = sg.compile(lambda x, label: sg.losses.hinge([demo(x)], [label]), X, y,
                           penalty=lambda: ALPHA * sg.sum_values(p * p
                                                                 for p in demo.parameters()))
    with demo_step.training(demo_opt) as train:
        for k in range(100):
            demo_opt.lr = 1.0 - 0.9 * k / 100
            train(Xa, ya)
    demo_seconds = time.perf_counter() - start
    return Row("moons step: MLP(2,[16,16,1]), 100 points, hinge + L2, SGD", *times,
               compile_time, error), demo_seconds


def bench_softmax(name: str, nin: int, sizes: list[int], X: np.ndarray, y: np.ndarray,
                  cfg: Config) -> Row:
    """One SGD step of softmax cross-entropy on a batch, numpy / compiled / eager."""
    net = sg.nn.MLP(nin, sizes, seed=0)
    X_list, y_list = X.tolist(), y.tolist()

    def sample_loss(x, label):
        return sg.losses.cross_entropy(net(x), label)

    start = time.perf_counter()
    step = sg.compile(sample_loss, X, y)
    compile_time = time.perf_counter() - start

    def eager_step() -> float:
        loss = sg.sum_values(sg.losses.cross_entropy(net(x), c)
                             for x, c in zip(X_list, y_list)) / len(y_list)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.data

    optimizer = sg.optim.SGD(net.parameters(), lr=0.01)
    optimizer.zero_grad()
    want_loss = sg.sum_values(sample_loss(x, c) for x, c in zip(X_list, y_list)) / len(y_list)
    want_loss.backward()
    want = [np.array(want_loss.data), *arrays(net, "grad")]
    loss, by_hand = numpy_softmax_grads(arrays(net), X, y)
    check(f"{name}, numpy by hand", [np.array(loss), *by_hand], want, BY_HAND)
    net.zero_grad()
    loss = step(X, y)
    error = check(f"{name}, compiled", [np.array(loss), *arrays(net, "grad")], want, EXACT)

    params = arrays(net)
    training = step.training(sg.optim.SGD(net.parameters(), lr=0.01))
    t_numpy, t_compiled = medians(lambda: numpy_step(numpy_softmax_grads, params, X, y, 0.01),
                                  lambda: training(X, y), repeats=cfg.repeats)
    [t_eager] = medians(eager_step, repeats=cfg.slow_repeats if nin > 100 else cfg.repeats // 3)
    return Row(name, t_numpy, t_compiled, t_eager, None, compile_time, error)


def digits_batch(size: int) -> tuple[np.ndarray, np.ndarray]:
    images, labels = digits()
    return np.array(images[:size], dtype=float) / 16, np.array(labels[:size])


def random_images(size: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random((size, 784)), rng.integers(0, 10, size)


# ---------------------------------------------------------------------------------------
# The report.
# ---------------------------------------------------------------------------------------


def times(t: float | None) -> str:
    return "—" if t is None else f"{t:.2f}×"


def print_table(rows: list[Row]) -> None:
    header = ["workload (one training step)", "numpy by hand", "compiled", "eager",
              "micrograd", "compiled / numpy", "eager / compiled", "micrograd / compiled",
              "compile", "compiled vs eager"]
    print_markdown([header] + [[
        r.workload, ms(r.numpy), ms(r.compiled), ms(r.eager),
        "no exp/log" if r.micrograd is None else ms(r.micrograd),
        times(r.compiled / r.numpy), f"{r.eager / r.compiled:,.0f}×",
        "—" if r.micrograd is None else f"{r.micrograd / r.compiled:,.0f}×",
        ms(r.compile_time), f"{r.error:.0e}"] for r in rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats and a small 784-input batch: a smoke run")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    blas = [f"{k}={os.environ[k]}" for k in ("OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE",
                                             "OMP_NUM_THREADS") if k in os.environ]
    print(f"scalargrad {sg.__version__}, numpy {np.__version__}, Python "
          f"{platform.python_version()} ({platform.machine()}, {os.cpu_count()} cores"
          f"{', ' + ', '.join(blas) if blas else ', BLAS threads as numpy sets them'})"
          f"{', quick mode' if args.quick else ''}; times are medians\n")

    moons, demo_seconds = bench_moons(cfg)
    digits = bench_softmax("8×8 digits: MLP(64,[32,10]), batch 256, softmax CE, SGD", 64,
                           [32, 10], *digits_batch(256), cfg)
    big = bench_softmax(f"28×28 random: MLP(784,[128,10]), batch {cfg.big_batch}, softmax "
                        "CE, SGD", 784, [128, 10], *random_images(cfg.big_batch), cfg)
    rows = [moons, digits, big]
    print_table(rows)

    targets = [
        ("moons step: compiled ≤ 5× numpy's time", moons.compiled <= 5 * moons.numpy,
         times(moons.compiled / moons.numpy)),
        ("digits step: compiled ≤ 5× numpy's time", digits.compiled <= 5 * digits.numpy,
         times(digits.compiled / digits.numpy)),
        ("784-input step: compiled ≤ 10× numpy's time", big.compiled <= 10 * big.numpy,
         times(big.compiled / big.numpy)),
        ("compile (trace + plan) ≤ 10 eager steps, every workload",
         all(r.compile_time <= 10 * r.eager for r in rows),
         ", ".join(f"{r.compile_time / r.eager:.2f} eager steps" for r in rows)),
        ("full moons demo, 100 compiled steps (compile included) under 1 s",
         demo_seconds < 1, f"{demo_seconds:.2f} s"),
        ("compiled gradients equal eager's to 1e-12 relative, every workload",
         all(r.error <= EXACT for r in rows), f"largest gap {max(r.error for r in rows):.0e}"),
    ]
    print_targets(targets)
    if args.quick:
        print(f"  (quick mode: the 784-input batch is {cfg.big_batch}, not 128)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

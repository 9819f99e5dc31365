"""Differential test of ``sg.compile``: random programs, compiled against the eager loop.

    python benchmarks/diff_compile.py                  # 10,000 programs
    python benchmarks/diff_compile.py --count 500 --start 7

Each program (`make_case`, from a seed) is a random per-sample loss over every op of the
engine (+ − · / with numbers on either side, ** with a number or a Value exponent, neg,
exp, log, tanh, sigmoid, relu, abs, dot, sum, Values made inside the function), an MLP
with a random activation, one of the five losses (mse, half_sse, cross_entropy, hinge,
bce), sometimes a ``penalty=``, ``reduction="sum"``, outputs returned beside the loss;
inputs sometimes at relu's and abs's kinks (exact zeros), and some programs *hostile*:
raw log and division, huge inputs, NaN, labels a loss refuses in an untraced sample.

`check_case` is the oracle: the eager loop (one graph per sample, `backward`) either
fails, and then the compiled path must raise the same class of error naming the eager
loop's first failing sample, or succeeds, and then the compiled loss, gradients and
outputs must equal it to 1e-12 relative (an absolute floor of 1e-12 × the largest
entry). A third of the programs are also trained 3 steps with SGD, SGD with momentum or
Adam, on arrays and eagerly: the losses and parameters must agree to 1e-9 relative.

The script prints one line per failure and a count; it exits 1 if any program failed.
The test suite runs a few hundred of the same programs (tests/test_compiler_differential.py).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import scalargrad as sg
from scalargrad import Value

RTOL = 1e-12
TRAIN_RTOL = 1e-9
LOSSES = ("mse", "half_sse", "cross_entropy", "hinge", "bce")
ACTIVATIONS = ("relu", "sigmoid", "tanh", "linear")
UNARY = ("neg", "exp", "log", "tanh", "sigmoid", "relu", "abs")
EXPONENTS = (2, 3, -1, 0.5, 1 / 3, 0, 1, math.pi, -2.5, 1.2345678901234)


@dataclass
class Case:
    """One random program: ``loss(x, y)`` for a sample, its parameters and a batch."""

    seed: int
    loss: Callable[[list[Value], object], object]
    params: list[Value]
    X: list[list[float]]
    Y: list
    penalty: Callable[[], Value] | None = None
    reduction: str = "mean"
    ops: list[str] = field(default_factory=list)
    hostile: bool = False

    def describe(self) -> str:
        extra = [f"reduction={self.reduction}"] + (["penalty"] if self.penalty else [])
        return (f"seed {self.seed}: {len(self.X)} samples, {' '.join(self.ops)} "
                f"({', '.join(extra)}{', hostile' if self.hostile else ''})")


def make_case(seed: int) -> Case:
    """A random program and batch from ``seed`` (the same seed, the same program)."""
    rng = random.Random(seed)
    hostile = rng.random() < 0.15
    nin, n = rng.randint(1, 4), rng.randint(2, 9)
    loss_name = rng.choice(LOSSES)
    k = rng.randint(2, 4) if loss_name == "cross_entropy" else rng.randint(1, 3)
    params = [Value(rng.uniform(-1, 1), f"p{i}") for i in range(rng.randint(1, 4))]
    net = None
    if rng.random() < 0.6:
        sizes = [rng.randint(1, 4) for _ in range(rng.randint(0, 1))] + [rng.randint(1, 3)]
        net = sg.nn.MLP(nin, sizes, act=rng.choice(ACTIVATIONS),
                        out_act=rng.choice(ACTIVATIONS), seed=seed)
        params = params + net.parameters()
    recipe = [_random_op(rng, hostile) for _ in range(rng.randint(1, 12))]
    outputs = rng.random() < 0.4

    def build(x: list[Value]) -> list[Value | float]:
        pool: list[Value | float] = [*x, *params[:4]]
        if net is not None:
            out = net(x)
            pool.extend(out if isinstance(out, list) else [out])
        for op in recipe:
            pool.append(op.apply(pool))
        return pool

    def loss(x: list[Value], y: object) -> object:
        pool = build(x)
        scores = [v if isinstance(v, Value) else Value(v) for v in pool[-k:]]
        while len(scores) < k:
            scores.insert(0, params[len(scores) % len(params)] * 1.0)
        # every value made reaches the loss (times 0): the compiled path runs only what
        # the loss uses, so an error in a value the loss drops is not seen (README)
        scores[0] = scores[0] + 0.0 * sg.sum_values(pool)
        value = _apply_loss(loss_name, scores, y)
        return (value, scores) if outputs else value

    X = [[_random_input(rng, hostile) for _ in range(nin)] for _ in range(n)]
    Y = [_random_target(rng, loss_name, k) for _ in range(n)]
    if hostile and rng.random() < 0.3:
        Y[rng.randrange(1, n)] = _bad_target(rng, loss_name, k)  # often untraced
    penalty = None
    if rng.random() < 0.3:
        chosen = rng.sample(params, min(len(params), rng.randint(1, 3)))
        weight = rng.choice((0.01, 0.5))
        penalty = lambda: weight * sg.sum_values([p * p for p in chosen])  # noqa: E731
    ops = [op.name for op in recipe] + ([f"MLP({net.layers[-1].neurons[0].act})"]
                                        if net is not None else []) + [loss_name]
    return Case(seed, loss, params, X, Y, penalty, rng.choice(("mean", "sum")),
                ops + (["outputs"] if outputs else []), hostile)


@dataclass
class _Op:
    """One op of a recipe: ``name`` on pool positions ``picks`` (counted from the end)."""

    name: str
    picks: list[int]
    number: float = 0.0
    flags: tuple[bool, ...] = ()
    hostile: bool = False

    def apply(self, pool: list) -> Value | float:
        a, *rest = [pool[-1 - i % len(pool)] for i in self.picks]
        a = a if isinstance(a, Value) else Value(a)
        return _OPS[self.name](self, a, rest)


def _random_op(rng: random.Random, hostile: bool) -> _Op:
    name = rng.choice(sorted(_OPS))
    picks = [rng.randrange(6) for _ in range(rng.randint(2, 5))]
    number = rng.choice((2.0, -0.5, 3.0, 1.0, 0.0, 1 / 3, rng.uniform(-2, 2)))
    if name == "**n":
        number = rng.choice(EXPONENTS)
    flags = tuple(rng.random() < 0.5 for _ in range(4))
    return _Op(name, picks, number, flags, hostile and rng.random() < 0.5)


def _positive(a: Value, op: _Op) -> Value:
    """a itself in a hostile program (the op may be undefined), else |a| + 0.25."""
    return a if op.hostile else abs(a) + 0.25


def _unary(op: _Op, a: Value, rest: list) -> Value:
    kind = UNARY[int(abs(op.number * 7)) % len(UNARY)] if op.name == "unary" else op.name
    if kind == "log":
        return _positive(a, op).log()
    if kind == "exp":
        return (a if op.hostile else a.tanh() * 3).exp()
    if kind == "neg":
        return -a
    if kind == "abs":
        return abs(a) if op.flags[0] else a.abs()
    return getattr(a, kind)()


def _binary(op: _Op, a: Value, rest: list) -> Value | float:
    b = rest[0] if op.flags[0] else op.number  # a Value of the pool, or a number
    if op.flags[2] and isinstance(b, Value):
        b = sg.Value(op.number)  # made inside the function: a constant
    symbol = op.name
    if symbol == "/":
        b = b if op.hostile or not isinstance(b, Value) else abs(b) + 0.5
        if not isinstance(b, Value) and b == 0 and not op.hostile:
            b = 2.0
        return b / (abs(a) + 0.5) if op.flags[1] and not op.hostile else a / b
    left, right = (b, a) if op.flags[1] else (a, b)
    return {"+": lambda: left + right, "-": lambda: left - right,
            "*": lambda: left * right}[symbol]()


def _power(op: _Op, a: Value, rest: list) -> Value:
    n = op.number
    if n != int(n) or n < 0:  # a fractional or negative power needs a positive base
        a = _positive(a, op)
    return a ** n


def _value_power(op: _Op, a: Value, rest: list) -> Value:
    b = rest[0] if isinstance(rest[0], Value) else Value(rest[0])
    if op.flags[0]:
        return 2.0 ** b.tanh()  # a number to a Value power
    return _positive(a, op) ** (b if op.hostile else b.tanh())


def _dot(op: _Op, a: Value, rest: list) -> Value:
    terms = [a, *rest]
    half = max(1, len(terms) // 2)
    weights = [t if op.flags[i % 4] else op.number for i, t in enumerate(terms[:half])]
    inputs = terms[half:2 * half] + [1.0] * (half - len(terms[half:2 * half]))
    bias = terms[-1] if op.flags[3] else None
    return sg.dot(weights, inputs, bias)


def _sum(op: _Op, a: Value, rest: list) -> Value:
    return sg.sum_values([a, *rest] + ([op.number] if op.flags[0] else []))


_OPS: dict[str, Callable[[_Op, Value, list], Value | float]] = {
    "unary": _unary, "tanh": _unary, "relu": _unary, "log": _unary, "exp": _unary,
    "+": _binary, "-": _binary, "*": _binary, "/": _binary,
    "**n": _power, "**v": _value_power, "dot": _dot, "sum": _sum,
}


def _apply_loss(name: str, scores: list[Value], y: object) -> Value:
    if name == "mse":
        return sg.losses.mse(scores, y)  # type: ignore[arg-type]
    if name == "half_sse":
        return sg.losses.half_sse(scores, y)  # type: ignore[arg-type]
    if name == "cross_entropy":
        return sg.losses.cross_entropy(scores, y)  # type: ignore[arg-type]
    if name == "hinge":
        return sg.losses.hinge(scores, y)  # type: ignore[arg-type]
    return sg.losses.bce([s.sigmoid() for s in scores], y)  # type: ignore[arg-type]


def _random_input(rng: random.Random, hostile: bool) -> float:
    roll = rng.random()
    if roll < 0.1:
        return 0.0  # relu's and abs's kink
    if hostile and roll < 0.2:
        return rng.choice((1e300, -1e300, 800.0, math.nan, math.inf, -1.0))
    return rng.uniform(-2, 2)


def _random_target(rng: random.Random, loss: str, k: int) -> object:
    if loss == "cross_entropy":
        return rng.randrange(k)
    if loss == "hinge":
        return [rng.choice((-1, 1)) for _ in range(k)]
    if loss == "bce":
        return [rng.choice((0.0, 1.0, rng.random())) for _ in range(k)]
    return [rng.uniform(-1, 1) for _ in range(k)]


def _bad_target(rng: random.Random, loss: str, k: int) -> object:
    if loss == "cross_entropy":
        return rng.choice((k, -1, 0.5))
    if loss == "hinge":
        return [rng.choice((0, 2, -1)) for _ in range(k - 1)] + [0]
    if loss == "bce":
        return [1.5] * k
    return [math.nan] * k


# -- the oracle -----------------------------------------------------------------------------

def _sample(case: Case, i: int) -> tuple[list[Value], object]:
    y = case.Y[i]
    target = [Value(v) for v in y] if isinstance(y, list) else Value(y)
    return [Value(v) for v in case.X[i]], target


def eager(case: Case) -> tuple[float, list[float], np.ndarray | None]:
    """The eager loop's (batch loss, gradients, outputs); raises what the engine raises."""
    for p in case.params:
        p.grad = 0.0
    losses, outs = [], []
    for i in range(len(case.X)):
        try:
            result = case.loss(*_sample(case, i))
        except Exception as err:
            raise _AtSample(i, err) from None
        if isinstance(result, tuple):
            losses.append(result[0])
            outs.append([v.data for v in result[1]])
        else:
            losses.append(result)
    try:  # the batch loss itself may overflow: no sample to blame (-1)
        total = sg.sum_values(losses)
        if case.reduction == "mean":
            total = total / len(losses)
        if case.penalty is not None:
            total = total + case.penalty()
    except Exception as err:
        raise _AtSample(-1, err) from None
    total.backward()
    grads = [p.grad for p in case.params]
    for p in case.params:
        p.grad = 0.0
    return total.data, grads, np.array(outs) if outs else None


class _AtSample(Exception):
    def __init__(self, sample: int, error: Exception) -> None:
        super().__init__(sample, error)
        self.sample, self.error = sample, error


def _close(got: object, want: object, rtol: float, spread: object = 0.0) -> bool:
    """|got − want| ≤ rtol·|want| + rtol·max|want| + 4·spread, entry by entry (gradients
    may be ±inf or NaN, as in the engine: then equal)."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape:
        return False
    floor = rtol * max(float(np.max(np.abs(want[np.isfinite(want)]), initial=0.0)), 1e-300)
    bound = rtol * np.abs(want) + floor + 4 * np.nan_to_num(np.asarray(spread, dtype=float))
    same = (got == want) | (np.isnan(got) & np.isnan(want))  # ±inf, NaN gradients alike
    return bool(np.all(same | (np.abs(got - want) <= bound)))


class _OneUlpOff:
    """``math`` for the engine with exp, log and tanh one ulp off (``direction`` ±inf).

    numpy's vectorised exp, log and tanh may differ from Python's by an ulp; where the
    program amplifies that (1 − tanh² near saturation, a difference of close numbers),
    the eager engine's own results move as much when its functions are an ulp off. That
    movement (the spread) is the part of a difference no implementation can remove.
    """

    def __init__(self, direction: float) -> None:
        self.direction = direction

    def __getattr__(self, name: str) -> object:
        real = getattr(math, name)
        if name not in ("exp", "log", "tanh"):
            return real
        return lambda x: math.nextafter(real(x), self.direction)


def _spread(case: Case, run: Callable[[], object]) -> np.ndarray:
    """How far ``run()``'s numbers move when the engine's exp, log and tanh are an ulp off."""
    from scalargrad import engine

    base = np.asarray(_flat(run()), dtype=float)
    spread = np.zeros_like(base)
    for direction in (math.inf, -math.inf):
        engine.math = _OneUlpOff(direction)  # type: ignore[assignment]
        try:
            moved = np.asarray(_flat(run()), dtype=float)
        except Exception:  # an ulp off, the program fails: no bound from it
            moved = base
        finally:
            engine.math = math
        spread = np.maximum(spread, np.abs(moved - base))
    return spread


def _flat(result: object) -> list[float]:
    out: list[float] = []
    for part in result if isinstance(result, tuple) else (result,):  # type: ignore[union-attr]
        if part is None:
            continue
        out.extend(np.ravel(np.asarray(part, dtype=float)).tolist())
    return out


def check_case(case: Case, train_steps: int = 3, seen: Counter | None = None) -> str | None:
    """None if the compiled path agrees with the eager loop on ``case``, else why not.
    ``seen`` counts what was compared: values, errors, training runs."""
    seen = Counter() if seen is None else seen
    try:
        want = eager(case)
        failure = None
    except _AtSample as err:
        want, failure = None, err
    traced = list(dict.fromkeys([0, len(case.X) - 1, len(case.X) // 2]))
    try:
        step = sg.compile(case.loss, case.X, case.Y, penalty=case.penalty,
                          reduction=case.reduction)
    except Exception as err:  # the eager engine must fail on a traced sample the same way
        first = _first_eager_failure(case, traced)
        if first is None or not isinstance(err, type(first)):
            return f"compile raised {err!r}; the eager engine on the traced samples: {first!r}"
        seen["the same error while compiling"] += 1
        return None
    for p in case.params:
        p.grad = 0.0
    try:
        got = step(case.X, case.Y)
    except Exception as err:
        if failure is None:
            return f"compiled raised {err!r}; the eager loop did not"
        if not isinstance(err, type(failure.error)):
            return f"compiled raised {err!r}; eager raised {failure.error!r}"
        if failure.sample >= 0 and not str(err).startswith(f"sample {failure.sample}: "):
            return f"compiled raised {err!r}; eager failed first at sample {failure.sample}"
        seen["the same error, naming the same sample"] += 1
        return None
    if failure is not None:
        return f"compiled gave {got!r}; eager raised {failure.error!r} at sample {failure.sample}"
    assert want is not None
    loss, outputs = got if isinstance(got, tuple) else (got, None)
    grads = [p.grad for p in case.params]
    if (outputs is None) != (want[2] is None):
        return f"outputs: compiled {outputs!r}, eager {want[2]!r}"
    got_flat, want_flat = _flat((loss, grads, outputs)), _flat(want)
    if not _close(got_flat, want_flat, RTOL):
        spread = _spread(case, lambda: eager(case))
        if not _close(got_flat, want_flat, RTOL, spread):
            return (f"loss, gradients, outputs: compiled {got_flat!r}, eager {want_flat!r}, "
                    f"spread {spread.tolist()!r}")
    seen["the same loss, gradients and outputs"] += 1
    if train_steps and case.seed % 3 == 0:
        seen["trained 3 steps"] += 1
        return _check_training(case, step, train_steps)
    return None


def _first_eager_failure(case: Case, samples: list[int]) -> Exception | None:
    for i in samples:
        try:
            case.loss(*_sample(case, i))
        except Exception as err:
            return err
    return None


def _optimiser(case: Case, used: list[Value]) -> sg.optim.Optimizer:
    """SGD, SGD with momentum or Adam over the parameters the loss uses (training on
    arrays refuses others, and the eager step leaves them where they are)."""
    kind = case.seed // 3 % 3
    if kind == 0:
        return sg.optim.SGD(used, lr=0.05)
    if kind == 1:
        return sg.optim.SGD(used, lr=0.05, momentum=0.9)
    return sg.optim.Adam(used, lr=0.01)


def _check_training(case: Case, step: object, steps: int) -> str | None:
    """Train ``steps`` steps on arrays and eagerly: the same losses and parameters."""
    start = [p.data for p in case.params]
    used = [p for p in case.params if any(p is q for q in step.params)]  # type: ignore
    if not used:
        return None
    got_losses = []
    try:
        with step.training(_optimiser(case, used)) as train:  # type: ignore[attr-defined]
            for _ in range(steps):
                result = train(case.X, case.Y)
                got_losses.append(result[0] if isinstance(result, tuple) else result)
    except Exception as err:
        got_error: Exception | None = err
    else:
        got_error = None
    got = [p.data for p in case.params]
    got_grads = [p.grad for p in case.params]
    for p, v in zip(case.params, start):
        p.data = v
    try:
        want = _eager_training(case, used, steps, start)
    except _AtSample as err:
        if got_error is None or not isinstance(got_error, type(err.error)):
            return f"training: compiled {got_error!r}, eager {err.error!r}"
        return None
    if got_error is not None:
        return f"training: compiled raised {got_error!r}; the eager loop did not"
    got_flat, want_flat = _flat((got_losses, got, got_grads)), _flat(want)
    if not _close(got_flat, want_flat, TRAIN_RTOL):
        spread = _spread(case, lambda: _eager_training(case, used, steps, start))
        if not _close(got_flat, want_flat, TRAIN_RTOL, spread):
            return (f"training (losses, parameters, last gradients): compiled {got_flat!r}, "
                    f"eager {want_flat!r}, spread {spread.tolist()!r}")
    return None


def _eager_training(case: Case, used: list[Value], steps: int, start: list[float]
                    ) -> tuple[list[float], list[float], list[float]]:
    """(losses, parameters, last gradients) of ``steps`` eager training steps from
    ``start``; the parameters are put back at ``start`` after."""
    optimiser = _optimiser(case, used)
    losses, grads = [], []
    try:
        for _ in range(steps):
            loss, grads, _ = eager(case)
            for p, g in zip(case.params, grads):
                p.grad = g
            optimiser.step()
            losses.append(loss)
        return losses, [p.data for p in case.params], grads
    finally:
        for p, v in zip(case.params, start):
            p.data = v


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--start", type=int, default=0, help="the first seed")
    args = parser.parse_args()
    failed, started, seen = 0, time.perf_counter(), Counter()
    for seed in range(args.start, args.start + args.count):
        case = make_case(seed)
        why = check_case(case, seen=seen)
        if why is not None:
            failed += 1
            print(f"FAIL {case.describe()}\n     {why}", flush=True)
    took = time.perf_counter() - started
    print(f"{args.count:,} programs (seeds {args.start}..{args.start + args.count - 1}), "
          f"{failed} failed, {took:.0f} s")
    for what, count in seen.most_common():
        print(f"  {count:>6,}  {what}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Every demo runs (in fast mode) and its numbers are right; the data sets are well formed.

Demos run in-process with `runpy` so their variables can be inspected; the numbers they
produce are checked against references computed here with `math`/numpy, not the engine.
"""

from __future__ import annotations

import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from scalargrad import datasets

ROOT = Path(__file__).resolve().parents[1]
SEED001_W = [(0.01, 0.02, 0.03), (0.03, 0.01, 0.02), (0.02, 0.03, 0.01)]  # (w_j0, w_j1, w_j2)
SEED001_V = (0.01, 0.02, 0.03, 0.04)
SEED001_EXAMPLES = [((1.0, 2.0), 8.0), ((1.0, 3.0), 11.0), ((2.0, 2.0), 10.0)]


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert len(data) > 5000, f"{path} is suspiciously small ({len(data)} bytes)"


def assert_svg(path: Path) -> None:
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg"), f"{path} is not an SVG"
    assert len(list(root.iter())) > 20, f"{path} draws almost nothing"


def seed001_by_hand(x: tuple[float, float], y: float) -> tuple[float, dict[str, float]]:
    """ŷ and ∂L/∂weight for L = (ŷ − y)², from the notes' formulas (part 1c)."""
    xs = (1.0, *x)  # x0 = 1 carries the bias
    f = [sigmoid(sum(w * xi for w, xi in zip(row, xs))) for row in SEED001_W]
    y_hat = SEED001_V[0] + sum(v * fj for v, fj in zip(SEED001_V[1:], f))
    dy = 2 * (y_hat - y)
    grads = {"v0": dy} | {f"v{j + 1}": dy * f[j] for j in range(3)}
    for j in range(3):
        for k in range(3):
            grads[f"w{j + 1}{k}"] = dy * SEED001_V[j + 1] * f[j] * (1 - f[j]) * xs[k]
    return y_hat, grads


def test_seed001_matches_the_notes_formulas(run_demo):
    g, out, pictures = run_demo("seed001")
    for graph, (x, y) in zip(g["per_example"], SEED001_EXAMPLES):
        y_hat, grads = seed001_by_hand(x, y)
        assert graph["ŷ"].data == pytest.approx(y_hat, rel=1e-12)
        for name, want in grads.items():
            assert graph[name].grad == pytest.approx(want, rel=1e-10), name
    totals = [seed001_by_hand(x, y)[1] for x, y in SEED001_EXAMPLES]
    for name, total in g["summed"].items():  # part 1d
        assert total == pytest.approx(sum(t[name] for t in totals), rel=1e-10), name
    assert "ŷ = 0.056749" in out
    dropped_zero = [v for v in g["first_example"].verdicts if v.claim.written == "-0.792"]
    assert dropped_zero and not any(v.right for v in dropped_zero)  # exact: -0.0793
    assert_svg(pictures / "x1.svg")
    assert "∂L/∂w11" in (pictures / "x1_steps.txt").read_text(encoding="utf-8")


def test_seed001_vector_part_and_sigmoid_output(run_demo):
    g, _, _ = run_demo("seed001")
    assert g["sg"].grad(g["f"])(1.0, 2.0) == pytest.approx((32.0, 48.0))  # 4·8, 6·8
    assert g["sg"].jacobian(g["F"], [1.0, 2.0]) == [[2.0, 2.0], [3.0, 16.0]]
    assert [row[0] for row in g["chain"]] == pytest.approx([12.0, 131.0])
    # part 3: ∂E/∂v = Σ (ŷ − y) ŷ(1 − ŷ) z, with z = (1, f1, f2, f3), all by hand here
    want = [0.0] * 4
    for (x1, x2), y in SEED001_EXAMPLES:
        z = [1.0] + [sigmoid(w0 + w1 * x1 + w2 * x2) for w0, w1, w2 in SEED001_W]
        y_hat = sigmoid(sum(v * zk for v, zk in zip(SEED001_V, z)))
        want = [acc + (y_hat - y) * y_hat * (1 - y_hat) * zk for acc, zk in zip(want, z)]
    output = g["output"]
    assert [output.b.grad, *(w.grad for w in output.w)] == pytest.approx(want, rel=1e-10)


@pytest.mark.parametrize("command", [["-m", "scalargrad", "demo", "seed001"],
                                     ["-m", "scalargrad.demos.seed001"]])
def test_seed001_quick_start_prints_the_answer_first(command, tmp_path):
    result = subprocess.run([sys.executable, *command, "--out", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=True)
    first = result.stdout.strip().splitlines()[:8]
    assert any(line.startswith("ŷ = 0.056749") for line in first), first
    assert any(line.strip().startswith("∂L/∂v0 = -15.88650") for line in first), first
    assert (tmp_path / "seed001" / "x1.svg").exists()


def test_seed002_partials_and_sgd_step(run_demo):
    g, out, pictures = run_demo("seed002")
    x, y, W, b, w4, b4, eta = g["x"], g["y"], g["W"], g["b"], g["w4"], g["b4"], g["ETA"]
    s = [sigmoid(Wj[0] * x[0] + Wj[1] * x[1] + bj) for Wj, bj in zip(W, b)]
    out_ = sigmoid(sum(w * sj for w, sj in zip(w4, s)) + b4)
    delta = (out_ - y) * out_ * (1 - out_)
    want = {"b4": delta}
    for j in range(3):
        d = delta * w4[j] * s[j] * (1 - s[j])
        want |= {f"w{j + 1}1": d * x[0], f"w{j + 1}2": d * x[1], f"b{j + 1}": d,
                 f"w4{j + 1}": delta * s[j]}
    before = g["before"]
    assert set(before) == set(want)  # all 13, by the notes' names
    for name, (old, grad) in before.items():
        assert grad == pytest.approx(want[name], rel=1e-10), name
        assert g["params"][name].data == pytest.approx(old - eta * want[name], rel=1e-12)
        assert f"∂L/∂{name}" in out
    assert g["new_loss"].data < g["loss"].data
    assert_svg(pictures / "path_w11.svg")


def test_seed000_scalar_gradients_equal_the_vector_formulas(run_demo):
    g, _, pictures = run_demo("seed000")
    for engine, formula in zip(g["grads_as_matrices"](g["net"]), g["by_formula"]):
        for got, want in zip(engine, formula):
            assert got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)
    assert g["history"][-1] < 0.5 * g["history"][0]
    assert_png(pictures / "fit.png")
    assert_png(pictures / "loss.png")


def test_seed003_digits_learns_above_chance(run_demo):
    g, out, pictures = run_demo("seed003")
    assert len(g["X_test"]) >= 100
    assert g["test_accuracy"] > 0.3  # chance is 0.1
    curve = g["curve"]
    assert sum(curve[-2:]) < sum(curve[:2])
    assert "Held-out accuracy" in out
    assert_png(pictures / "predictions.png")
    assert_png(pictures / "loss.png")


def test_seed004_spiral_loss_falls(run_demo):
    g, _, pictures = run_demo("seed004")
    p, c0 = g["p"], g["c0"]
    assert [s.grad for s in g["scores"]] == pytest.approx(
        [pj - (j == c0) for j, pj in enumerate(p)], rel=1e-9)
    assert sum(p) == pytest.approx(1.0)
    assert g["losses"][-1] < 0.7 * g["losses"][0]
    assert_png(pictures / "regions.png")
    assert_png(pictures / "training.png")


def test_moons_loss_falls(run_demo):
    g, out, pictures = run_demo("moons")
    assert g["losses"][-1] < 0.6 * g["losses"][0]
    assert g["accuracies"][-1] >= 0.75
    assert "accuracy" in out
    assert_png(pictures / "boundary.png")
    assert_png(pictures / "training.png")


def test_neuron_gradients_and_pictures(run_demo):
    g, _, pictures = run_demo("neuron")
    n = 2 * -3 + 0 * 1 + 6.8813735870195432
    dn = 1 - math.tanh(n) ** 2  # ≈ 0.5
    assert g["o"].data == pytest.approx(math.tanh(n))
    want = {"x1": dn * -3, "w1": dn * 2, "x2": dn * 1, "w2": dn * 0, "b": dn}
    for name, value in want.items():
        assert g[name].grad == pytest.approx(value, abs=1e-12), name
    assert_svg(pictures / "neuron.svg")
    page = (pictures / "backprop.html").read_text(encoding="utf-8")
    assert "<html" in page.lower() and "<svg" in page.lower()


# --- the data sets -------------------------------------------------------------------


def test_moons_are_two_balanced_half_circles():
    X, y = datasets.moons(100, noise=0.0, seed=3)
    assert Counter(y) == {0: 50, 1: 50}
    for (a, b), label in zip(X, y):
        centre = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert math.hypot(a - centre[0], b - centre[1]) == pytest.approx(1.0)
    assert datasets.moons(10, seed=1) == datasets.moons(10, seed=1)


def test_spirals_arms_and_radii():
    X, y = datasets.spirals(50, classes=3, noise=0.0, seed=0)
    assert Counter(y) == {0: 50, 1: 50, 2: 50}
    radii = sorted(math.hypot(a, b) for (a, b), label in zip(X, y) if label == 2)
    assert radii[0] == pytest.approx(0.0) and radii[-1] == pytest.approx(1.0)


def test_digits_are_the_uci_test_set():
    X, y = datasets.digits()
    assert len(X) == len(y) == 1797
    assert all(len(row) == 64 and all(0 <= p <= 16 for p in row) for row in X)
    assert Counter(y)[0] == 178 and set(y) == set(range(10))  # class sizes of the UCI set
    assert (ROOT / "scalargrad" / "data" / "DIGITS.md").read_text().count("CC BY 4.0") >= 1


def test_split_sizes_and_errors():
    X_train, y_train, X_test, y_test = datasets.split(list(range(20)),
                                                      [i % 2 for i in range(20)], 0.25)
    assert (len(X_train), len(X_test)) == (15, 5)
    assert sorted(X_train + X_test) == list(range(20))
    assert y_train + y_test == [x % 2 for x in X_train + X_test]  # labels travel with points
    with pytest.raises(ValueError, match="3 points but 2 labels"):
        datasets.split([1, 2, 3], [0, 1])
    with pytest.raises(ValueError, match="test_fraction"):
        datasets.split([1, 2], [0, 1], 1.5)
    with pytest.raises(ValueError, match="at least 2 points"):
        datasets.moons(1)


@pytest.mark.parametrize("name", ["moons", "seed004", "seed000", "seed003"])
def test_training_demos_compiled_and_eager_give_the_same_losses(name, run_demo, monkeypatch):
    key, model = {"moons": ("losses", "model"), "seed004": ("losses", "net"),
                  "seed000": ("history", "model"), "seed003": ("curve", "net")}[name]
    compiled, out, _ = run_demo(name)
    assert "compiled" in out or "What the compiled step runs" in out
    monkeypatch.setenv("SCALARGRAD_DEMO_EAGER", "1")
    eager, _, _ = run_demo(name)
    assert len(compiled[key]) == len(eager[key]) > 0
    assert compiled[key] == pytest.approx(eager[key], rel=1e-9)
    trained = [p.data for p in compiled[model].parameters()]  # written back to the Values
    assert trained == pytest.approx([p.data for p in eager[model].parameters()], rel=1e-8)


def test_seed003_prints_the_compiled_program_next_to_the_notes(run_demo):
    g, out, _ = run_demo("seed003")
    rows = {line.split("   ")[0].strip(): line for line in out.splitlines()}  # the last wins
    assert "δ⁽¹⁾ = W⁽²⁾δ⁽²⁾ ⊙ φ′(z⁽¹⁾)" in rows["δ1 = (W2ᵀ δ2) ⊙ σ′(z1)"]
    assert f"{g['K']}×64" in rows["∂L/∂W1 = δ1 xᵀ"] and "x⁽⁰⁾(δ⁽¹⁾)ᵀ" in rows["∂L/∂W1 = δ1 xᵀ"]
    assert "z⁽¹⁾ = [W⁽¹⁾]ᵀx⁽⁰⁾ + b⁽¹⁾" in rows["z1 = W1 · x + b1"]

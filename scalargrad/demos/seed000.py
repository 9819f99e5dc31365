# %% [markdown]
# # Seed 000: a two-hidden-layer sigmoid regression net, by vectors and by scalars
#
# The notes write the network and its gradients with vectors and matrices:
#
#     z1 = W1·x + b1,  h1 = σ(z1),  z2 = W2·h1 + b2,  h2 = σ(z2),  ŷ = W3·h2 + b3
#     L = (1/n) Σᵢ (ŷᵢ − yᵢ)²
#
#     δ1 = ∂L/∂ŷ = (2/n)(ŷ − y)          ∂L/∂W3 = δ1·h2ᵀ    ∂L/∂b3 = Σ δ1
#     δ2 = (W3ᵀ δ1) ⊙ σ'(z2)             ∂L/∂W2 = δ2·h1ᵀ    ∂L/∂b2 = Σ δ2
#     δ3 = (W2ᵀ δ2) ⊙ σ'(z1)             ∂L/∂W1 = δ3·xᵀ     ∂L/∂b1 = Σ δ3
#
# with σ'(z) = σ(z)(1 − σ(z)) and the sums over the n examples (one column each).
# scalargrad knows nothing about matrices: it builds one node per number and applies the
# chain rule node by node. Part 1 shows the two give the same numbers (the vector
# formulas computed with numpy); part 2 trains the network on a small regression problem.
#
# Part 2 trains compiled (`sg.compile` finds those same vector formulas in the scalar graph
# and runs them with arrays); `--eager` runs the eager loop instead.
#
# Run: `scalargrad demo seed000` (pictures go to `scalargrad-out/seed000/`).

# %%
import scalargrad.demos._extra  # first: says what to install if numpy, matplotlib, tqdm are missing

# isort: split
import math
import random

import numpy as np

import scalargrad as sg
from scalargrad.demos._common import (
    eager_mode,
    fast_mode,
    heading,
    output_dir,
    plot_curves,
    progress,
    save,
    subplots,
)

OUT = output_dir("seed000")
FAST = fast_mode()


def params_as_matrices(net: sg.nn.MLP) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) of every layer as numpy arrays: W has one row per neuron."""
    return [(np.array([[w.data for w in n.w] for n in layer.neurons]),
             np.array([[n.b.data] for n in layer.neurons])) for layer in net.layers]


def grads_as_matrices(net: sg.nn.MLP) -> list[tuple[np.ndarray, np.ndarray]]:
    """(∂L/∂W, ∂L/∂b) of every layer, read from the scalar parameters' .grad."""
    return [(np.array([[w.grad for w in n.w] for n in layer.neurons]),
             np.array([[n.b.grad] for n in layer.neurons])) for layer in net.layers]


# %% [markdown]
# ## Part 1: scalar backprop = the notes' δ formulas
#
# A net with N = 3 inputs, k1 = 4 and k2 = 3 hidden units, and n = 5 random examples.

# %%
heading("Part 1: the engine's gradients against the vector formulas")
rng = random.Random(0)
N, k1, k2, n = 3, 4, 3, 5
net = sg.nn.MLP(N, [k1, k2, 1], act="sigmoid", out_act="linear", seed=0)
X = [[rng.uniform(-2, 2) for _ in range(N)] for _ in range(n)]
Y = [rng.uniform(-1, 1) for _ in range(n)]

loss = sg.losses.mse([net(x) for x in X], Y)
loss.backward()

(W1, b1), (W2, b2), (W3, b3) = params_as_matrices(net)
x = np.array(X).T  # N × n: one column per example
y = np.array([Y])  # 1 × n


def sigma(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


h1 = sigma(W1 @ x + b1)  # k1 × n
h2 = sigma(W2 @ h1 + b2)  # k2 × n
y_hat = W3 @ h2 + b3  # 1 × n
delta1 = 2 / n * (y_hat - y)  # 1 × n
delta2 = (W3.T @ delta1) * h2 * (1 - h2)  # k2 × n
delta3 = (W2.T @ delta2) * h1 * (1 - h1)  # k1 × n
by_formula = [(delta3 @ x.T, delta3.sum(axis=1, keepdims=True)),
              (delta2 @ h1.T, delta2.sum(axis=1, keepdims=True)),
              (delta1 @ h2.T, delta1.sum(axis=1, keepdims=True))]

print(f"L = {loss.data:.6f} (engine)   {float(np.mean((y_hat - y) ** 2)):.6f} (numpy)")
print(f"{'gradient':>9} {'shape':>7} {'largest |engine − formula|':>28}")
for layer, (engine, formula) in enumerate(zip(grads_as_matrices(net), by_formula), start=1):
    for kind, got, want in (("W", engine[0], formula[0]), ("b", engine[1], formula[1])):
        gap = float(np.max(np.abs(got - want)))
        print(f"{f'∂L/∂{kind}{layer}':>9} {'×'.join(map(str, got.shape)):>7} {gap:28.2e}")
assert all(np.allclose(e, f, rtol=1e-10, atol=1e-14)
           for pair in zip(grads_as_matrices(net), by_formula) for e, f in zip(*pair))
print("Every one of the", len(net.parameters()), "partial derivatives agrees.")

# %% [markdown]
# ## Part 2: training it on a small regression problem
#
# 40 noisy samples of y = sin(2x) on [−2, 2]; one input, 8 and 6 hidden sigmoid units, a
# linear output, mean squared error, full-batch Adam.

# %%
heading("Part 2: learning y = sin(2x)")
STEPS = 60 if FAST else 600
data_rng = random.Random(1)
xs = [-2 + 4 * i / 39 for i in range(40)]
ys = [math.sin(2 * t) + data_rng.gauss(0, 0.05) for t in xs]
model = sg.nn.MLP(1, [8, 6, 1], act="sigmoid", out_act="linear", seed=1)
optimiser = sg.optim.Adam(model.parameters(), lr=0.03)
history = []
if eager_mode():  # the whole data set's graph, every step
    for _ in progress(range(STEPS), desc="training", unit="step"):
        loss = sg.losses.mse([model([t]) for t in xs], ys)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        history.append(loss.data)
else:  # the loss of one sample, compiled once; the batch mean is the same MSE
    compiled = sg.compile(lambda t, target: sg.losses.mse([model([t])], [target]), xs, ys)
    print("What the compiled step runs: the notes' formulas, found in the scalar graph\n"
          "(its layers count from the input, so its δ3 is the notes' δ1):")
    print(compiled.explanation())
    with compiled.training(optimiser) as train:
        history = [train(xs, ys) for _ in progress(range(STEPS), desc="training", unit="step")]
for step, mse in enumerate(history):
    if step % max(1, STEPS // 10) == 0 or step == STEPS - 1:
        print(f"step {step:5d}  MSE {mse:.5f}")

# %%
plot_curves(OUT / "loss.png", "Seed 000: mean squared error while training",
            {"MSE": history})
fig, ax = subplots(figsize=(6, 3.8))
grid = [-2.2 + 4.4 * i / 199 for i in range(200)]
ax.plot(grid, [math.sin(2 * t) for t in grid], color="#999", lw=1.5, ls="--", label="sin(2x)")
ax.plot(grid, [model([t]).data for t in grid], color="#1f5fa8", lw=2.5, label="the network")
ax.scatter(xs, ys, s=18, color="#d1495b", zorder=3, label="training data")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)
ax.set_title(f"After {STEPS} steps: MSE {history[-1]:.4f}")
save(fig, OUT / "fit.png")

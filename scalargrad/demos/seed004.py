# %% [markdown]
# # Seed 004: a ReLU network with softmax cross-entropy on the spiral
#
# The notes (CS231n style): s1 = x·W1 + b1, x2 = max(0, s1), s = s2 = x2·W2 + b2, and for an
# example of class y the loss Lᵢ = −ln pᵧ with pⱼ = e^{sⱼ} / Σₖ e^{sₖ}. Their key facts:
#
#     ∂Lᵢ/∂sⱼ = pⱼ − 1 if j = y, else pⱼ         ∂x2/∂s1 = 1 if s1 > 0, else 0
#
# We check both on one example, then train the network on the classic three-armed spiral,
# which no straight line can separate, and plot the regions it carves out.
#
# Training runs compiled (`sg.compile`: the loss of one point, traced once and replayed on
# the whole batch with arrays); `--eager` runs the eager loop instead, the same numbers.
#
# Run: `scalargrad demo seed004` (pictures go to `scalargrad-out/seed004/`).

# %%
import scalargrad.demos._extra  # first: says what to install if numpy, matplotlib, tqdm are missing

# isort: split
import math

import numpy as np

import scalargrad as sg
from scalargrad.datasets import spirals
from scalargrad.demos._common import (
    eager_mode,
    fast_mode,
    heading,
    output_dir,
    plot_curves,
    plot_regions,
    progress,
)

OUT = output_dir("seed004")
FAST = fast_mode()
PER_CLASS, HIDDEN, STEPS = (30, 16, 30) if FAST else (100, 32, 200)

X, y = spirals(PER_CLASS, classes=3, seed=0)
net = sg.nn.MLP(2, [HIDDEN, 3], act="relu", out_act="linear", seed=0)
print(f"{len(X)} points in 3 classes; network {net} with {len(net.parameters())} parameters")

# %% [markdown]
# ## One example by hand: ∂L/∂s = p − onehot(y)

# %%
heading("The notes' two facts, on the first example")
x0, c0 = X[0], y[0]
scores = net(x0)
loss = sg.losses.cross_entropy(scores, c0)
loss.backward()
exps = [math.exp(s.data) for s in scores]
p = [e / sum(exps) for e in exps]
print(f"x = ({x0[0]:.3f}, {x0[1]:.3f}), class y = {c0}, loss −ln p_y = {loss.data:.5f}")
print(f"{'j':>3} {'s_j':>9} {'p_j':>9} {'backprop ∂L/∂s_j':>18} {'p_j − [j = y]':>15}")
for j, s in enumerate(scores):
    print(f"{j:>3} {s.data:9.5f} {p[j]:9.5f} {s.grad:18.10f} {p[j] - (j == c0):15.10f}")
hidden = net.layers[0](x0)
gates = [int(h.data > 0) for h in hidden]
print(f"ReLU gates ∂x2/∂s1 for the {HIDDEN} hidden units: {''.join(map(str, gates))}"
      " (1 where s1 > 0: only those units pass a gradient back)")
net.zero_grad()

# %% [markdown]
# ## Training: full batch, mean cross-entropy, Adam
#
# Eager (`--eager`): the graph of all the points, every step.
#
#     all_scores = [net(x) for x in X]
#     loss = sg.sum_values(sg.losses.cross_entropy(s, c) for s, c in zip(all_scores, y)) / len(y)
#     optimiser.zero_grad(); loss.backward(); optimiser.step()
#
# Compiled (the default): the loss of one point, compiled once, then a step per call.

# %%
EAGER = eager_mode()
heading(f"Training for {STEPS} steps ({'eager' if EAGER else 'compiled'})")
optimiser = sg.optim.Adam(net.parameters(), lr=0.05)
losses, accuracies = [], []


def point_loss(x: list[sg.Value], c: sg.Value) -> tuple[sg.Value, list[sg.Value]]:
    """The cross-entropy of one point (averaged over the batch), and its three scores."""
    scores = net(x)
    return sg.losses.cross_entropy(scores, c), scores


if EAGER:
    for _ in progress(range(STEPS), desc="training", unit="step"):
        all_scores = [net(x) for x in X]
        loss = sg.sum_values(sg.losses.cross_entropy(s, c)
                             for s, c in zip(all_scores, y)) / len(y)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        right = sum(max(range(3), key=lambda j, s=s: s[j].data) == c
                    for s, c in zip(all_scores, y))
        losses.append(loss.data)
        accuracies.append(right / len(y))
else:
    compiled = sg.compile(point_loss, X, y)
    with compiled.training(optimiser) as train:
        for _ in progress(range(STEPS), desc="training", unit="step"):
            loss_value, all_scores = train(X, y)  # all_scores: one row of 3 per point
            losses.append(loss_value)
            accuracies.append(float(np.mean(all_scores.argmax(axis=1) == np.array(y))))
for step in range(STEPS):
    if step % max(1, STEPS // 10) == 0 or step == STEPS - 1:
        print(f"step {step:4d}  loss {losses[step]:.4f}  accuracy {accuracies[step]:.1%}")

# %%
heading("Pictures")
plot_curves(OUT / "training.png", "Spiral: cross-entropy loss and accuracy per step",
            {"loss": losses, "accuracy": accuracies})


def classify(a: float, b: float) -> int:
    """The class with the highest score at the point (a, b)."""
    s = net([a, b])
    return max(range(3), key=lambda j: s[j].data)


plot_regions(OUT / "regions.png", f"Decision regions after {STEPS} steps "
             f"(accuracy {accuracies[-1]:.0%})", classify, X, y, steps=40 if FAST else 150)

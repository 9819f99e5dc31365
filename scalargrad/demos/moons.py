# %% [markdown]
# # Two moons: micrograd's demo, learning live
#
# A 2-16-16-1 ReLU network learns to separate two interleaving half-moons, exactly as in
# micrograd's `demo.ipynb`: max-margin (hinge) loss plus a little L2 regularisation,
# full-batch gradient descent with a learning rate that decays from 1.0 to 0.1.
#
# The loop is written twice. The eager loop builds the graph of all 100 points, calls
# `backward()` and steps the optimiser: read it first. The compiled loop (the default) hands
# `sg.compile` the loss of *one* point; it traces that once and replays it on the whole
# batch with numpy arrays, with the same numbers, about a hundred times faster.
#
# Run: `scalargrad demo moons` (add `--fast` for a 10-second version, `--eager` for the
# eager loop).

# %%
import scalargrad.demos._extra  # first: says what to install if numpy, matplotlib, tqdm are missing

# isort: split
import time

import numpy as np

import scalargrad as sg
from scalargrad.datasets import moons
from scalargrad.demos._common import (
    eager_mode,
    fast_mode,
    heading,
    output_dir,
    plot_curves,
    plot_regions,
    progress,
)

OUT = output_dir("moons")
FAST = fast_mode()
EAGER = eager_mode()
N_POINTS, STEPS = (40, 15) if FAST else (100, 100)
ALPHA = 1e-4  # weight of the L2 penalty, as in micrograd

# %% [markdown]
# ## The data: labels ±1, because the hinge loss wants them that way

# %%
X, labels = moons(N_POINTS, noise=0.1, seed=1)
y = [2 * label - 1 for label in labels]  # 0/1 → −1/+1
model = sg.nn.MLP(2, [16, 16, 1], act="relu", seed=1337)
print(f"{N_POINTS} points, model {model} with {len(model.parameters())} parameters")


# %% [markdown]
# ## The loss
#
# For each point the network gives a score s; the hinge loss max(0, 1 − y·s) is zero once
# the point is on the right side with a margin of 1. We average it and add α·Σ p².

# %%
def loss_and_accuracy() -> tuple[sg.Value, float]:
    """Hinge loss + α·Σp² over the whole data set, and the fraction classified right."""
    scores = [model(x) for x in X]
    data_loss = sg.losses.hinge(scores, y)
    reg_loss = ALPHA * sg.sum_values(p * p for p in model.parameters())
    accuracy = sum((yi > 0) == (s.data > 0) for yi, s in zip(y, scores)) / len(y)
    return data_loss + reg_loss, accuracy


# %% [markdown]
# ## Training: forward, zero the gradients, backward, step
#
# The eager loop (`--eager`): one graph for the whole data set, every step.
#
#     loss, acc = loss_and_accuracy()
#     optimiser.zero_grad()
#     loss.backward()
#     optimiser.step()
#
# The compiled loop (the default): the loss of one point, compiled once; each call of
# `train` is a step of the loop above on the whole batch, on arrays. The parameters live
# in those arrays while training and go back into the model's Values at the end of `with`.

# %%


def point_loss(x: list[sg.Value], label: sg.Value) -> tuple[sg.Value, sg.Value]:
    """The hinge loss of one point (the compiler averages it over the batch), and its score."""
    score = model(x)
    return sg.losses.hinge([score], [label]), score


def penalty() -> sg.Value:
    """α·Σp², added once per batch."""
    return ALPHA * sg.sum_values(p * p for p in model.parameters())


heading(f"Training for {STEPS} steps ({'eager' if EAGER else 'compiled'})")
optimiser = sg.optim.SGD(model.parameters(), lr=1.0)
losses: list[float] = []
accuracies: list[float] = []
start = time.perf_counter()
if EAGER:
    for k in progress(range(STEPS), desc="training", unit="step"):
        loss, acc = loss_and_accuracy()
        optimiser.zero_grad()
        loss.backward()
        optimiser.lr = 1.0 - 0.9 * k / STEPS  # micrograd's schedule: 1.0 falling to 0.1
        optimiser.step()
        losses.append(loss.data)
        accuracies.append(acc)
else:
    step = sg.compile(point_loss, X, y, penalty=penalty)
    with step.training(optimiser) as train:
        for k in progress(range(STEPS), desc="training", unit="step"):
            optimiser.lr = 1.0 - 0.9 * k / STEPS
            loss_value, scores = train(X, y)
            losses.append(loss_value)
            accuracies.append(float(np.mean((scores[:, 0] > 0) == (np.array(y) > 0))))
seconds = time.perf_counter() - start
for k, (loss_value, acc) in enumerate(zip(losses, accuracies)):
    print(f"step {k:3d}  loss {loss_value:.4f}  accuracy {acc:6.1%}")
print(f"\n{STEPS} steps in {seconds:.2f} s ({1000 * seconds / STEPS:.1f} ms a step, "
      f"{'eager' if EAGER else 'compiled, compiling included'})")

# %% [markdown]
# ## How fast is that? The same loop in micrograd (when it is installed)
#
# Same data, same network shape; only the engine differs. micrograd's demo loop (copied
# from its `demo.ipynb`) takes long enough that we time just a few of its steps: every
# step builds and backpropagates the same graph, so the time per step is what counts.

# %%
MICRO_STEPS = 3
try:
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP
except ImportError:
    print("(micrograd is not installed: pip install micrograd==0.1.0 to compare speeds)")
else:
    if not FAST:
        heading(f"{MICRO_STEPS} steps of the same loop in micrograd")
        micro = MicroMLP(2, [16, 16, 1])
        start = time.perf_counter()
        for k in range(MICRO_STEPS):
            scores = [micro(list(map(MicroValue, x))) for x in X]
            data_loss = sum((1 + -yi * s).relu() for yi, s in zip(y, scores)) * (1 / len(y))
            total = data_loss + ALPHA * sum(p * p for p in micro.parameters())
            micro.zero_grad()
            total.backward()
            for p in micro.parameters():
                p.data -= (1.0 - 0.9 * k / STEPS) * p.grad
        micro_ms = 1000 * (time.perf_counter() - start) / MICRO_STEPS
        ours_ms = 1000 * seconds / STEPS
        mode = "eager" if EAGER else "compiled"
        print(f"micrograd {micro_ms:.0f} ms a step, scalargrad ({mode}) {ours_ms:.1f} ms a step"
              f": {micro_ms / ours_ms:.0f}× faster on this machine")

# %% [markdown]
# ## Pictures: the loss and accuracy curves, and the decision boundary

# %%
heading("Pictures")
plot_curves(OUT / "training.png", "Two moons: hinge loss and accuracy per step",
            {"loss": losses, "accuracy": accuracies})
plot_regions(OUT / "boundary.png", f"Decision boundary after {STEPS} steps "
             f"(accuracy {accuracies[-1]:.0%})",
             lambda a, b: int(model([a, b]).data > 0), X, labels, steps=40 if FAST else 100)
print(f"\nFinal loss {losses[-1]:.4f}, accuracy {accuracies[-1]:.1%}")

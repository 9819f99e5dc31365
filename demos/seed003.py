# %% [markdown]
# # Seed 003: a sigmoid network reads handwritten digits
#
# The notes work a 784-K-10 network for MNIST: activation φ, a hidden layer of K units,
# ten outputs (one per digit) and the loss ½ Σₖ (xₖ − yₖ)² against a one-hot target y:
#
#     z⁽¹⁾ = W⁽¹⁾ᵀx⁽⁰⁾ + b⁽¹⁾,  x⁽¹⁾ = φ(z⁽¹⁾),  z⁽²⁾ = W⁽²⁾ᵀx⁽¹⁾ + b⁽²⁾,  x⁽²⁾ = φ(z⁽²⁾)
#     δ⁽²⁾ = (x⁽²⁾ − y) ⊙ φ'(z⁽²⁾),   δ⁽¹⁾ = W⁽²⁾δ⁽²⁾ ⊙ φ'(z⁽¹⁾)
#
# Here φ is the sigmoid and the images are the 1,797 8×8 digits of the UCI handwritten
# digits set (shipped with scalargrad; 64 pixels instead of 784, so a scalar engine trains
# it in about a minute). Every one of the ~2,400 weights is a scalargrad `Value`.
#
# Run: `python demos/seed003.py` (pictures go to `scalargrad-out/seed003/`).

# %%
import random
import time

import scalargrad as sg
from scalargrad.datasets import digits, split
from scalargrad.demos._common import (
    fast_mode,
    heading,
    output_dir,
    plot_curves,
    progress,
    save,
    subplots,
)

OUT = output_dir("seed003")
FAST = fast_mode()
K, EPOCHS, LEARNING_RATE = (16, 1, 0.5) if FAST else (32, 8, 0.5)

# %% [markdown]
# ## The data: pixels scaled to [0, 1], three quarters for training, a quarter held out

# %%
images, labels = digits()
X = [[p / 16 for p in image] for image in images]
X_train, y_train, X_test, y_test = split(X, labels, test_fraction=0.25, seed=0)
if FAST:
    X_train, y_train, X_test, y_test = X_train[:300], y_train[:300], X_test[:150], y_test[:150]
print(f"{len(X_train)} training images, {len(X_test)} held out; each 8×8 = 64 pixels")

net = sg.nn.MLP(64, [K, 10], act="sigmoid", out_act="sigmoid", seed=0)
print(f"network {net}: {len(net.parameters())} parameters")


def one_hot(digit: int) -> list[float]:
    """The target y: 1 for the right digit, 0 for the nine others."""
    return [1.0 if k == digit else 0.0 for k in range(10)]


def predict(x: list[float]) -> int:
    """The digit whose output unit is the most active."""
    outputs = net(x)
    return max(range(10), key=lambda k: outputs[k].data)


def accuracy(X: list[list[float]], y: list[int]) -> float:
    return sum(predict(x) == label for x, label in zip(X, y)) / len(y)


# %% [markdown]
# ## Training: one example at a time (stochastic gradient descent)
#
# For each image: forward, loss ½ Σₖ (outₖ − yₖ)², backward, W ← W − η ∂L/∂W.

# %%
heading(f"Training for {EPOCHS} epoch(s), η = {LEARNING_RATE:g}")
optimiser = sg.optim.SGD(net.parameters(), lr=LEARNING_RATE)
shuffle = random.Random(0)
curve = []  # mean loss over each stretch of 50 examples
window: list[float] = []
start = time.perf_counter()
for epoch in range(1, EPOCHS + 1):
    order = list(range(len(X_train)))
    shuffle.shuffle(order)
    for i in progress(order, desc=f"epoch {epoch}", unit="img", leave=False):
        loss = sg.losses.half_sse(net(X_train[i]), one_hot(y_train[i]))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        window.append(loss.data)
        if len(window) == 50:
            curve.append(sum(window) / len(window))
            window = []
    print(f"epoch {epoch}: mean loss of the last 50 images {curve[-1]:.4f}, "
          f"held-out accuracy {accuracy(X_test, y_test):.1%}")
seconds = time.perf_counter() - start
test_accuracy = accuracy(X_test, y_test)
print(f"\nTrained in {seconds:.0f} s. Held-out accuracy: {test_accuracy:.1%} "
      f"on {len(X_test)} images the network never saw (chance: 10%)")

# %% [markdown]
# ## Pictures: the loss curve, and some held-out digits with the network's answers

# %%
heading("Pictures")
plot_curves(OUT / "loss.png", "Seed 003: training loss ½Σ(out − y)², mean of 50 images",
            {"loss": curve}, xlabel="images seen (× 50)")

fig, axes = subplots(3, 8, figsize=(10, 4.4))
for ax, x, label in zip(axes.flat, X_test, y_test):
    guess = predict(x)
    ax.imshow([x[r * 8:(r + 1) * 8] for r in range(8)], cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"{guess}" if guess == label else f"{guess} (is {label})",
                 color="#1b7837" if guess == label else "#c51b7d", fontsize=12)
    ax.axis("off")
fig.suptitle(f"Held-out digits and the network's answers (accuracy {test_accuracy:.1%})")
fig.tight_layout()
save(fig, OUT / "predictions.png")

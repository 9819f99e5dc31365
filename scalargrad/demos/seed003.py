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
# it in about a minute, compiled in seconds). Every one of the ~2,400 weights is a
# scalargrad `Value`.
#
# `sg.compile` then reads the network's scalar graph and finds the notes' vector formulas in
# it; we print its program next to them, and train with it (`--eager`: the eager loop).
#
# Run: `scalargrad demo seed003` (pictures go to `scalargrad-out/seed003/`).

# %%
import scalargrad.demos._extra  # first: says what to install if numpy, matplotlib, tqdm are missing

# isort: split
import random
import time

import numpy as np

import scalargrad as sg
from scalargrad.datasets import digits, split
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

OUT = output_dir("seed003")
FAST = fast_mode()
EAGER = eager_mode()
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
# ## The compiled network next to the notes
#
# `sg.compile` is given the loss of one image, written with the ordinary engine. It traces
# the scalar graph (about 2,500 nodes), groups the nodes that can run together (a layer's
# neurons become one matrix product) and prints the program it will run. Its W has one row
# per neuron, the transpose of the notes' W, so W1 · x is the notes' [W⁽¹⁾]ᵀx⁽⁰⁾.


# %%
def image_loss(x: list[sg.Value], y: list[sg.Value]) -> tuple[sg.Value, list[sg.Value]]:
    """½ Σₖ (outₖ − yₖ)² for one image x and its one-hot target y, and the ten outputs."""
    outputs = net(x)
    return sg.losses.half_sse(outputs, y), outputs


heading("What the compiler finds in the scalar graph")
T_train = [one_hot(label) for label in y_train]
compiled = sg.compile(image_loss, X_train, T_train)
explanation = compiled.explanation()
print(explanation)

NOTES = {  # the notes' own formulas, by the compiled program's names
    "z1": "z⁽¹⁾ = [W⁽¹⁾]ᵀx⁽⁰⁾ + b⁽¹⁾", "h1": "x⁽¹⁾ = φ(z⁽¹⁾)",
    "z2": "z⁽²⁾ = [W⁽²⁾]ᵀx⁽¹⁾ + b⁽²⁾", "h2": "x⁽²⁾ = φ(z⁽²⁾)",
    "L": "Lₙ = ½ Σₖ (x⁽²⁾ₖ − yₖ)²",
    "δ2": "δ⁽²⁾ = (x⁽²⁾ − y) ⊙ φ′(z⁽²⁾)", "δ1": "δ⁽¹⁾ = W⁽²⁾δ⁽²⁾ ⊙ φ′(z⁽¹⁾)",
    "∂L/∂W2": "∂Lₙ/∂W⁽²⁾ = x⁽¹⁾(δ⁽²⁾)ᵀ", "∂L/∂b2": "∂Lₙ/∂b⁽²⁾ = δ⁽²⁾",
    "∂L/∂W1": "∂Lₙ/∂W⁽¹⁾ = x⁽⁰⁾(δ⁽¹⁾)ᵀ", "∂L/∂b1": "∂Lₙ/∂b⁽¹⁾ = δ⁽¹⁾",
}
print(f"\n{'compiled (φ = σ, h = the notes’ x)':<36} {'shape':>6}   the notes")
for name, formula in NOTES.items():
    line = explanation.line(name)
    print(f"{line.name + ' = ' + line.formula:<36} {line.shape:>6}   {formula}")
print("(v1 = h2 − y, so (0.5 · 2·v1) is the notes' x⁽²⁾ − y; the notes' shapes are transposed)")

# %% [markdown]
# ## Training: one example at a time (stochastic gradient descent)
#
# For each image: forward, loss ½ Σₖ (outₖ − yₖ)², backward, W ← W − η ∂L/∂W. The eager
# loop (`--eager`) reads
#
#     loss = sg.losses.half_sse(net(X_train[i]), one_hot(y_train[i]))
#     optimiser.zero_grad(); loss.backward(); optimiser.step()
#
# and the compiled one (the default) makes the same step with `train(x, y)` on a batch of
# one image, the parameters living in arrays; `train.evaluate` runs the held-out images
# through them, and `train.write_back()` copies them into the network's Values at the end.

# %%
heading(f"Training for {EPOCHS} epoch(s), η = {LEARNING_RATE:g} "
        f"({'eager' if EAGER else 'compiled'})")
optimiser = sg.optim.SGD(net.parameters(), lr=LEARNING_RATE)
train = None if EAGER else compiled.training(optimiser)
X_array, T_array = np.array(X_train), np.array(T_train)
X_held, T_held = np.array(X_test), np.array([one_hot(label) for label in y_test])
shuffle = random.Random(0)
curve = []  # mean loss over each stretch of 50 examples
window: list[float] = []


def held_out_accuracy() -> float:
    """The fraction of held-out images classified right, by the network being trained."""
    if train is None:
        return accuracy(X_test, y_test)
    _, outputs = train.evaluate(X_held, T_held)  # one row of ten outputs per image
    return float(np.mean(outputs.argmax(axis=1) == np.array(y_test)))


start = time.perf_counter()
for epoch in range(1, EPOCHS + 1):
    order = list(range(len(X_train)))
    shuffle.shuffle(order)
    for i in progress(order, desc=f"epoch {epoch}", unit="img", leave=False):
        if train is None:
            loss = sg.losses.half_sse(net(X_train[i]), one_hot(y_train[i]))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            window.append(loss.data)
        else:
            window.append(train(X_array[i:i + 1], T_array[i:i + 1])[0])
        if len(window) == 50:
            curve.append(sum(window) / len(window))
            window = []
    print(f"epoch {epoch}: mean loss of the last 50 images {curve[-1]:.4f}, "
          f"held-out accuracy {held_out_accuracy():.1%}")
if train is not None:
    train.write_back()  # the trained parameters back into the network's Values
seconds = time.perf_counter() - start
test_accuracy = accuracy(X_test, y_test)
print(f"\nTrained in {seconds:.1f} s. Held-out accuracy: {test_accuracy:.1%} "
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

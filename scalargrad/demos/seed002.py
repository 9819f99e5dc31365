# %% [markdown]
# # Seed 002: the 13 partial derivatives of a 2-3-1 sigmoid network
#
# Both layers use the sigmoid σ(z) = 1/(1 + e⁻ᶻ). With the names of the notes' 13 partial
# derivatives (and of the shipped worksheet `seed002.txt`, the exercise and the charts):
#
#     zh_j = w_j1·x1 + w_j2·x2 + b_j,   g_j = σ(zh_j)      (j = 1, 2, 3)
#     z = w41·g1 + w42·g2 + w43·g3 + b4,   g = σ(z)
#     L = ½ (g − y)²
#
# (the notes write g(z_h1) or σ(z_h1) for g1, and g(z), σ(ẑ) or "output" for g). They
# derive all 13 partial derivatives with the chain rule, for instance
#
#     ∂L/∂w11 = (g − y) · g(1 − g) · w41 · g1(1 − g1) · x1
#
# and then take one gradient-descent step, w ← w − η ∂L/∂w. They work with symbols only,
# so we pick numbers, let scalargrad backpropagate, and compare with the notes' formulas.
#
# Run: `scalargrad demo seed002` (pictures go to `scalargrad-out/seed002/`).

# %%
import math

import scalargrad as sg
from scalargrad.demos._common import heading, output_dir
from scalargrad.examples import SEED002_B, SEED002_B4, SEED002_W, SEED002_W4, seed002

x = [1.0, 2.0]
y = 1.0
ETA = 0.5  # learning rate η
W, b, w4, b4 = SEED002_W, SEED002_B, SEED002_W4, SEED002_B4  # W[j-1][i-1] = w_ji

# %% [markdown]
# ## Forward pass, every node named as in the notes
#
# `scalargrad.examples.seed002` builds the network as plain Python (each zh_j is one
# Σ w·x + b node) and labels every node with the notes' name.

# %%
heading(f"Forward pass for x = {x}, y = {y:g}")
nodes = seed002(tuple(x), y)
loss = nodes["L"]
params = {name: node for name, node in nodes.items() if name[0] in "wb"}
print("Parameters:", ", ".join(f"{name} = {p.data:g}" for name, p in params.items()))
for j in (1, 2, 3):
    print(f"  zh{j} = {nodes[f'zh{j}'].data:.6f}   g{j} = σ(zh{j}) = {nodes[f'g{j}'].data:.6f}")
print(f"  z = {nodes['z'].data:.6f}   g = σ(z) = {nodes['g'].data:.6f}")
print(f"  L = ½(g − y)² = {loss.data:.6f}")

# %% [markdown]
# ## Backward pass: all 13 partial derivatives
#
# One call to `backward()`. Next to each result, the notes' chain-rule formula evaluated
# with plain floats: δ = (g − y)·g(1 − g) is shared by all of them.

# %%
loss.backward()
s = [nodes[f"g{j}"].data for j in (1, 2, 3)]
out = nodes["g"].data
delta = (out - y) * out * (1 - out)
by_hand = {}
for j in range(3):
    hidden_delta = delta * w4[j] * s[j] * (1 - s[j])
    by_hand[f"w{j + 1}1"] = hidden_delta * x[0]
    by_hand[f"w{j + 1}2"] = hidden_delta * x[1]
    by_hand[f"b{j + 1}"] = hidden_delta
    by_hand[f"w4{j + 1}"] = delta * s[j]
by_hand["b4"] = delta

heading("∂L/∂parameter: backprop and the notes' formulas")
print(f"{'':>9} {'backprop':>12} {'formula':>12}")
for name, p in params.items():
    print(f"∂L/∂{name:<4} {p.grad:12.8f} {by_hand[name]:12.8f}"
          + ("" if math.isclose(p.grad, by_hand[name], rel_tol=1e-12) else "   DIFFERENT"))

# %% [markdown]
# ## The chain-rule path of ∂L/∂w11, highlighted
#
# ∂L/∂w11 is the product of the local derivatives along the one path from L down to w11:
# L → g → z → g1 → zh1 → w11. The chart shows every local derivative on its edge.

# %%
OUT = output_dir("seed002")
chart = sg.render(loss, OUT / "path_w11.svg", highlight=params["w11"], edge_derivatives=True)
print(f"  wrote {chart}")

# %% [markdown]
# ## One step of gradient descent: w ← w − η ∂L/∂w

# %%
heading(f"One SGD step with η = {ETA:g}")
before = {name: (p.data, p.grad) for name, p in params.items()}
sg.optim.SGD(list(params.values()), lr=ETA).step()
print(f"{'':>4} {'before':>10} {'− η·∂L/∂p':>12} {'after':>10}")
for name, p in params.items():
    old, g = before[name]
    print(f"{name:<4} {old:10.6f} {-ETA * g:12.8f} {p.data:10.6f}")
new = [[params[f"w{j}{i}"].data for i in (1, 2)] for j in (1, 2, 3)]
new_loss = seed002(tuple(x), y, tuple(map(tuple, new)),
                   tuple(params[f"b{j}"].data for j in (1, 2, 3)),
                   tuple(params[f"w4{j}"].data for j in (1, 2, 3)), params["b4"].data)["L"]
print(f"\nL before the step {loss.data:.6f}, after {new_loss.data:.6f}: it went down.")

# %% [markdown]
# # Seed 002: the 13 partial derivatives of a 2-3-1 sigmoid network
#
# Both layers use the sigmoid σ(z) = 1/(1 + e⁻ᶻ):
#
#     z_hj = W_j1·x1 + W_j2·x2 + b_j      (j = 1, 2, 3)
#     z_o  = w41·σ(z_h1) + w42·σ(z_h2) + w43·σ(z_h3) + b4,     out = σ(z_o)
#     Loss = ½ (out − y)²
#
# The notes derive all 13 partial derivatives with the chain rule, for instance
#
#     ∂L/∂W11 = (out − y) · out(1 − out) · w41 · σ(z_h1)(1 − σ(z_h1)) · x1
#
# and then take one gradient-descent step, W ← W − η ∂L/∂W. They work with symbols only,
# so we pick numbers, let scalargrad backpropagate, and compare with the notes' formulas.
#
# Run: `scalargrad demo seed002` (pictures go to `scalargrad-out/seed002/`).

# %%
import math

import scalargrad as sg
from scalargrad.demos._common import heading, output_dir

x = [1.0, 2.0]
y = 1.0
ETA = 0.5  # learning rate η
W = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]  # W[j-1][i-1] = W_ji
b = [0.1, 0.2, 0.3]
w4 = [0.7, 0.8, 0.9]  # w41, w42, w43
b4 = 0.1

net = sg.nn.MLP.from_weights([list(zip(W, b)), [(w4, b4)]], act="sigmoid", out_act="sigmoid")

# %% [markdown]
# ## Give the parameters the notes' names
#
# scalargrad labels parameters by where they live (`L1.n2.w1` is layer 1, neuron 2,
# input 1); the notes call that one W21. Labels are just text, so we rename them.

# %%
hidden_layer, output_layer = net.layers
for j, neuron in enumerate(hidden_layer.neurons, start=1):
    for i, weight in enumerate(neuron.w, start=1):
        weight.label = f"W{j}{i}"
    neuron.b.label = f"b{j}"
output_neuron = output_layer.neurons[0]
for j, weight in enumerate(output_neuron.w, start=1):
    weight.label = f"w4{j}"
output_neuron.b.label = "b4"
params = {p.label: p for p in net.parameters()}
print("Parameters:", ", ".join(f"{name} = {p.data:g}" for name, p in params.items()))

# %% [markdown]
# ## Forward pass, with the intermediate nodes named too

# %%
heading(f"Forward pass for x = {x}, y = {y:g}")
hidden = hidden_layer(x)
for j, h in enumerate(hidden, start=1):
    h.children[0].label = f"z_h{j}"  # the pre-activation (a `dot` node: Σ W·x + b)
    h.label = f"σ(z_h{j})"
out = output_layer(hidden)
out.children[0].label = "z_o"
out.label = "out"
loss = sg.losses.half_sse([out], [y])
loss.label = "L"
for h in hidden:
    print(f"  {h.children[0].label} = {h.children[0].data:.6f}   {h.label} = {h.data:.6f}")
print(f"  z_o = {out.children[0].data:.6f}   out = σ(z_o) = {out.data:.6f}")
print(f"  Loss = ½(out − y)² = {loss.data:.6f}")

# %% [markdown]
# ## Backward pass: all 13 partial derivatives
#
# One call to `backward()`. Next to each result, the notes' chain-rule formula evaluated
# with plain floats: δ = (out − y)·out(1 − out) is shared by all of them.

# %%
loss.backward()
s = [h.data for h in hidden]
delta = (out.data - y) * out.data * (1 - out.data)
by_hand = {}
for j in range(3):
    hidden_delta = delta * w4[j] * s[j] * (1 - s[j])
    by_hand[f"W{j + 1}1"] = hidden_delta * x[0]
    by_hand[f"W{j + 1}2"] = hidden_delta * x[1]
    by_hand[f"b{j + 1}"] = hidden_delta
    by_hand[f"w4{j + 1}"] = delta * s[j]
by_hand["b4"] = delta

heading("∂L/∂parameter: backprop and the notes' formulas")
print(f"{'':>9} {'backprop':>12} {'formula':>12}")
for name, p in params.items():
    print(f"∂L/∂{name:<4} {p.grad:12.8f} {by_hand[name]:12.8f}"
          + ("" if math.isclose(p.grad, by_hand[name], rel_tol=1e-12) else "   DIFFERENT"))

# %% [markdown]
# ## The chain-rule path of ∂L/∂W11, highlighted
#
# ∂L/∂W11 is the product of the local derivatives along the one path from L down to W11:
# L → out → z_o → σ(z_h1) → z_h1 → W11. The chart shows every local derivative on its edge.

# %%
OUT = output_dir("seed002")
chart = sg.render(loss, OUT / "path_W11.svg", highlight=params["W11"], edge_derivatives=True)
print(f"  wrote {chart}")

# %% [markdown]
# ## One step of gradient descent: W ← W − η ∂L/∂W

# %%
heading(f"One SGD step with η = {ETA:g}")
before = {name: (p.data, p.grad) for name, p in params.items()}
sg.optim.SGD(net.parameters(), lr=ETA).step()
print(f"{'':>4} {'before':>10} {'− η·∂L/∂p':>12} {'after':>10}")
for name, p in params.items():
    old, g = before[name]
    print(f"{name:<4} {old:10.6f} {-ETA * g:12.8f} {p.data:10.6f}")
new_loss = sg.losses.half_sse([net(x)], [y])
print(f"\nLoss before the step {loss.data:.6f}, after {new_loss.data:.6f}: it went down.")

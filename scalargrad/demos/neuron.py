# %% [markdown]
# # One neuron: the classic first chart
#
# A single tanh neuron with two inputs, with the numbers from Andrej Karpathy's micrograd
# lecture ("The spelled-out intro to neural networks and backpropagation"):
#
#     n = x1·w1 + x2·w2 + b,     o = tanh(n)
#
# with x1 = 2, x2 = 0, w1 = −3, w2 = 1 and b = 6.8813735870195432, chosen so that n is
# about 0.8814 and o = tanh(n) is almost exactly √2/2 ≈ 0.7071.
#
# Run: `scalargrad demo neuron` (pictures go to `scalargrad-out/neuron/`): the chart as
# SVG, and `backprop.html`, a page that fills in the gradients one node at a time.

# %%
import math

import scalargrad as sg
from scalargrad import Value
from scalargrad.demos._common import heading, output_dir

OUT = output_dir("neuron")

# %% [markdown]
# ## Forward: written as plain Python, named by `sg.name(locals())`

# %%
x1 = Value(2.0)
x2 = Value(0.0)
w1 = Value(-3.0)
w2 = Value(1.0)
b = Value(6.8813735870195432)
x1w1 = x1 * w1
x2w2 = x2 * w2
x1w1x2w2 = x1w1 + x2w2
n = x1w1x2w2 + b
o = n.tanh()
sg.name(locals())  # every Value above gets its variable name as its label

heading("Forward")
print(f"n = x1·w1 + x2·w2 + b = {x1w1.data:g} + {x2w2.data:g} + {b.data:.4f} = {n.data:.4f}")
print(f"o = tanh(n) = {o.data:.4f}")

# %% [markdown]
# ## Backward: do/dnode for every node
#
# do/dn = 1 − tanh²(n) = 1 − o² = 0.5; a sum passes the gradient on unchanged; a product
# sends each factor the gradient times the *other* factor (so do/dw2 = x2 · 0.5 = 0).

# %%
o.backward()
heading("Backward")
for node in (n, b, x1w1x2w2, x1w1, x2w2, x1, w1, x2, w2):
    print(f"do/d{node.label:<9} = {node.grad: .4f}")
print(f"(1 − o² = {1 - o.data**2:.4f}; do/dw1 = x1·0.5 = {x1.data * 0.5:g})")

# %% [markdown]
# ## The chart and the animation

# %%
heading("Pictures")
print(f"  wrote {sg.render(o, OUT / 'neuron.svg', rankdir='LR', digits=4)}")
print(f"  wrote {sg.render(o, OUT / 'neuron_edges.svg', rankdir='LR', edge_derivatives=True)}"
      "  (each edge labelled with its local derivative)")
page = sg.animate(o, OUT / "backprop.html")
print(f"  wrote {page}  (open it in a browser: previous / next / play)")

# %% [markdown]
# ## The same neuron with tanh spelled out: tanh(n) = (e²ⁿ − 1)/(e²ⁿ + 1)
#
# More nodes, the same gradients: backprop only needs each op's local derivative.

# %%
e = (2 * n).exp()
o2 = (e - 1) / (e + 1)
gradients = {v.label: v.grad for v in (x1, w1, x2, w2, b)}
for v in (x1, w1, x2, w2, b):
    v.grad = 0.0
o2.backward()
print("\nWith tanh written with exp:",
      ", ".join(f"do/d{v.label} = {v.grad:.4f}" for v in (x1, w1, x2, w2, b)))
assert all(math.isclose(v.grad, gradients[v.label], abs_tol=1e-12) for v in (x1, w1, x2, w2, b))

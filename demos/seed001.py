# %% [markdown]
# # Seed 001: a 2-3-1 network worked by hand
#
# Two inputs, three sigmoid hidden units, a linear output, squared loss L = (ŷ − y)².
# The notes give every weight; here scalargrad does the same forward and backward pass.

# %%
import scalargrad as sg

# The notes' weights: hidden unit j has bias w_j0 and input weights (w_j1, w_j2);
# the output has bias v0 and weights (v1, v2, v3).
net = sg.nn.MLP.from_weights(
    [
        [([0.02, 0.03], 0.01), ([0.01, 0.02], 0.03), ([0.03, 0.01], 0.02)],
        [([0.02, 0.03, 0.04], 0.01)],
    ],
    act="sigmoid",
    out_act="linear",
)

# %% The first example: x = (1, 2), y = 8
y_hat = net([1.0, 2.0])
loss = (y_hat - 8.0) ** 2
loss.backward()

print(f"ŷ = {y_hat.data:.6f}   (the notes: 0.0561)")
print(f"L = (ŷ − 8)² = {loss.data:.6f}")
print(f"∂L/∂ŷ = {y_hat.grad:.6f}   (the notes: −15.88)")
print()
print("Gradient of the loss with respect to every weight:")
for p in net.parameters():
    print(f"  ∂L/∂{p.label:<9} = {p.grad: .6f}")

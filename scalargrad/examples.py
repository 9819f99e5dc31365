"""Worked examples from the seed notes, built as plain Python and named as on paper."""

from __future__ import annotations

from .engine import Value, sum_values

SEED001_W = ((0.01, 0.02, 0.03), (0.03, 0.01, 0.02), (0.02, 0.03, 0.01))
"""Seed 001's hidden weights: row j is (w_j0, w_j1, w_j2), bias first."""
SEED001_V = (0.01, 0.02, 0.03, 0.04)
"""Seed 001's output weights (v0, v1, v2, v3), bias first."""
SEED001_EXAMPLES = (((1.0, 2.0), 8.0), ((1.0, 3.0), 11.0), ((2.0, 2.0), 10.0))
"""Seed 001's three training examples ((x1, x2), y)."""


def seed001(x: tuple[float, float] = (1.0, 2.0), y: float = 8.0) -> dict[str, Value]:
    """Seed 001's network on one example, every node named as in the notes and as in the
    shipped worksheets (``scalargrad/worksheets/seed001_x1.txt``).

    The inputs of the notes' example k are x_k1, x_k2 (example 1: x₁₁ = 1, x₁₂ = 2); an
    example that is not one of the notes' three has inputs x1, x2. For hidden unit j:
    a_j = x_k2·w_j2,  b_j = x_k1·w_j1,  c_j = w_j0 (the bias),  d_j = a_j + b_j,
    e_j = d_j + c_j,  f_j = σ(e_j),  h_j = f_j·v_j;  then ŷ = h1 + h2 + h3 + v0 and
    L = (ŷ − y)². Returns the nodes by name; ``["L"]`` is the loss.
    """
    known = [k for k, (xs, ys) in enumerate(SEED001_EXAMPLES, start=1) if (xs, ys) == (x, y)]
    first, second = (f"x{known[0]}1", f"x{known[0]}2") if known else ("x1", "x2")
    nodes: dict[str, Value] = {first: Value(x[0], first), second: Value(x[1], second),
                               "y": Value(y, "y")}
    for k, vk in enumerate(SEED001_V):
        nodes[f"v{k}"] = Value(vk, f"v{k}")
    hs = []
    for j, row in enumerate(SEED001_W, start=1):
        w = [Value(wjk, f"w{j}{k}") for k, wjk in enumerate(row)]
        nodes.update({v.label: v for v in w})
        step = {
            "a": nodes[second] * w[2],
            "b": nodes[first] * w[1],
            "c": sum_values([w[0]]),  # c_j = w_j0, as the notes write it (drawn "=")
        }
        step["d"] = step["a"] + step["b"]
        step["e"] = step["d"] + step["c"]
        step["f"] = step["e"].sigmoid()
        step["h"] = step["f"] * nodes[f"v{j}"]
        for letter, node in step.items():
            node.label = f"{letter}{j}"
            nodes[node.label] = node
        hs.append(step["h"])
    y_hat = sum_values([*hs, nodes["v0"]])
    y_hat.label = "ŷ"
    loss = (y_hat - nodes["y"]) ** 2
    loss.label = "L"
    nodes["ŷ"] = y_hat
    nodes["L"] = loss
    return nodes

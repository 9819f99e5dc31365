"""Worked examples from the seed notes (and the micrograd lecture's neuron), built as plain
Python and named as on paper: the same names as their demos and shipped worksheets."""

from __future__ import annotations

from .engine import Value, dot, sum_values

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


SEED002_X = (1.0, 2.0)
"""Seed 002's inputs (x1, x2): the notes give no numbers, these are ours."""
SEED002_Y = 1.0
SEED002_W = ((0.1, 0.2), (0.3, 0.4), (0.5, 0.6))
"""Seed 002's hidden weights: row j is (w_j1, w_j2)."""
SEED002_B = (0.1, 0.2, 0.3)
"""Seed 002's hidden biases (b1, b2, b3)."""
SEED002_W4 = (0.7, 0.8, 0.9)
"""Seed 002's output weights (w41, w42, w43) (the notes' first page: w_a, w_b, w_c)."""
SEED002_B4 = 0.1


def seed002(x: tuple[float, float] = SEED002_X, y: float = SEED002_Y,
            W: tuple[tuple[float, float], ...] = SEED002_W,
            b: tuple[float, ...] = SEED002_B, w4: tuple[float, ...] = SEED002_W4,
            b4: float = SEED002_B4) -> dict[str, Value]:
    """Seed 002's 2-3-1 network with a sigmoid on both layers, every node named as in the
    notes' 13 partial derivatives and as in the shipped worksheet (``seed002.txt``)::

        zh_j = w_j1·x1 + w_j2·x2 + b_j,   g_j = σ(zh_j)          (j = 1, 2, 3)
        z = w41·g1 + w42·g2 + w43·g3 + b4,   g = σ(z),   L = ½ (g − y)²

    The notes write g(z_h1) or σ(z_h1) for g1, and g(z), σ(ẑ) or "output" for g; they give
    no numbers (the defaults are ours). Returns the nodes by name; ``["L"]`` is the loss.
    """
    nodes: dict[str, Value] = {}

    def named(node: Value, name: str) -> Value:
        node.label = name
        nodes[name] = node
        return node

    inputs = [named(Value(x[0]), "x1"), named(Value(x[1]), "x2")]
    named(Value(y), "y")
    for j, (row, bias) in enumerate(zip(W, b), start=1):
        weights = [named(Value(w), f"w{j}{i}") for i, w in enumerate(row, start=1)]
        zh = named(dot(weights, inputs, named(Value(bias), f"b{j}")), f"zh{j}")
        named(zh.sigmoid(), f"g{j}")
    out_weights = [named(Value(w), f"w4{j}") for j, w in enumerate(w4, start=1)]
    hidden = [nodes[f"g{j}"] for j in range(1, len(W) + 1)]
    z = named(dot(out_weights, hidden, named(Value(b4), "b4")), "z")
    g = named(z.sigmoid(), "g")
    named(0.5 * (g - nodes["y"]) ** 2, "L")
    return nodes


def neuron() -> dict[str, Value]:
    """The tanh neuron of Andrej Karpathy's micrograd lecture, named as in the lecture, its
    demo and the shipped worksheet (``karpathy_micrograd_neuron.txt``)::

        x1w1 = x1·w1,  x2w2 = x2·w2,  x1w1x2w2 = x1w1 + x2w2,  n = x1w1x2w2 + b,  o = tanh(n)

    with x1 = 2, x2 = 0, w1 = −3, w2 = 1, b = 6.8813735870195432 (o ≈ √2/2). Returns the
    nodes by name; ``["o"]`` is the output.
    """
    nodes = {name: Value(data, name) for name, data in
             (("x1", 2.0), ("x2", 0.0), ("w1", -3.0), ("w2", 1.0), ("b", 6.8813735870195432))}
    nodes["x1w1"] = nodes["x1"] * nodes["w1"]
    nodes["x2w2"] = nodes["x2"] * nodes["w2"]
    nodes["x1w1x2w2"] = nodes["x1w1"] + nodes["x2w2"]
    nodes["n"] = nodes["x1w1x2w2"] + nodes["b"]
    nodes["o"] = nodes["n"].tanh()
    for name, node in nodes.items():
        node.label = name
    return nodes

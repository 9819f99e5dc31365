# %% [markdown]
# # Seed 001: a 2-3-1 network worked by hand, checked by a machine
#
# Two inputs, three sigmoid hidden units, a linear output, squared loss L = (ŷ − y)².
# The notes give every weight and name every intermediate node: for hidden unit j,
#
#     a_j = x12·w_j2   b_j = x11·w_j1   c_j = w_j0   d_j = a_j + b_j
#     e_j = d_j + c_j   f_j = σ(e_j)   h_j = f_j·v_j   ŷ = h1 + h2 + h3 + v0
#
# scalargrad builds exactly that graph (`scalargrad.examples.seed001`), runs it forward and
# backward, draws it, and checks the notes' own numbers.
#
# Run: `scalargrad demo seed001` (pictures go to `scalargrad-out/seed001/`).

# %%
import math
from importlib import resources

import scalargrad as sg
from scalargrad.demos._common import heading, output_dir
from scalargrad.examples import SEED001_EXAMPLES, SEED001_V, SEED001_W, seed001
from scalargrad.grading import check
from scalargrad.grading.verdicts import Report, shortened, shown_exact
from scalargrad.worksheet import parse

WEIGHTS = [f"w{j}{k}" for j in (1, 2, 3) for k in (0, 1, 2)]
OUTPUT_WEIGHTS = ["v0", "v1", "v2", "v3"]

# %% [markdown]
# ## Example x1 = (1, 2), y = 8: forward and backward
#
# One call builds the graph with every node named as in the notes; `backward()` fills in
# ∂L/∂node for every node at once.

# %%
(x, y) = SEED001_EXAMPLES[0]
nodes = seed001(x, y)
nodes["L"].backward()

heading(f"Example x1 = {x}, y = {y:g}")
print(f"ŷ = {nodes['ŷ'].data:.6f}   (the notes: 0.0561)")
print(f"L = (ŷ − y)² = {nodes['L'].data:.6f}")
print(f"∂L/∂ŷ = 2(ŷ − y) = {nodes['ŷ'].grad:.6f}   (the notes: −15.88)")
print("\nThe gradient of L with respect to every weight:")
print("  " + "   ".join(f"∂L/∂{n} = {nodes[n].grad:9.5f}" for n in OUTPUT_WEIGHTS[:2]))
print("  " + "   ".join(f"∂L/∂{n} = {nodes[n].grad:9.5f}" for n in OUTPUT_WEIGHTS[2:]))
for j in (1, 2, 3):
    print("  " + "   ".join(f"∂L/∂w{j}{k} = {nodes[f'w{j}{k}'].grad:9.5f}" for k in (0, 1, 2)))

# %% [markdown]
# ## Every node, forward (value) and backward (∂L/∂node)
#
# Read a column down for the notes' forward pass, and the ∂ column for their backward pass:
# for instance ∂L/∂f1 = ∂L/∂h1 · v1 and ∂L/∂e1 = ∂L/∂f1 · f1(1 − f1).

# %%
heading("Every node of example x1")
print(f"{'node':>6} {'value':>10} {'∂L/∂node':>11}   " * 3)
for letter in "abcdefh":
    print("   ".join(f"{f'{letter}{j}':>6} {nodes[f'{letter}{j}'].data:10.6f} "
                     f"{nodes[f'{letter}{j}'].grad:11.6f}" for j in (1, 2, 3)))

# %% [markdown]
# ## The chart of example x1
#
# Every node with its name, its value (data) and its gradient (grad). Data flows left to
# right; gradients flow back right to left.

# %%
OUT = output_dir("seed001")
chart = sg.render(nodes["L"], OUT / "x1.svg", rankdir="LR", digits=4, show_grad=True)
print(f"  wrote {chart}")

# %% [markdown]
# ## The worked solution, line by line
#
# `sg.steps` writes out every forward computation and every chain-rule product, the way
# the notes do, in the order a student would do them by hand.

# %%
solution = sg.steps(nodes["L"])
(OUT / "x1_steps.txt").write_text(solution.text(), encoding="utf-8")
heading("From the worked solution: hidden unit 1 forward, and the path back to w11")
unit1 = [nodes[name] for name in ("a1", "b1", "c1", "d1", "e1", "f1", "h1")]
print("\n".join(f"  {step}" for step in solution.of_kind("forward") if step.node in unit1))
path = [nodes["L"], nodes["L"].children[0], *(nodes[n] for n in ("ŷ", "h1", "f1", "e1", "d1",
                                                                   "b1", "w11"))]
print("\n".join(f"  {step}" for step in solution.of_kind("backward") if step.node in path))
print(f"  (all {len(solution)} lines: {OUT / 'x1_steps.txt'})")

# %% [markdown]
# ## All three examples, and part 1d: the gradient summed over the examples
#
# With L = Σᵢ (ŷᵢ − yᵢ)², the gradient of the total is the sum of the per-example
# gradients. Each example gets its own graph; we add the gradients name by name.

# %%
heading("The three examples")
per_example = []
for i, (x, y) in enumerate(SEED001_EXAMPLES, start=1):
    graph = seed001(x, y)
    graph["L"].backward()
    per_example.append(graph)
    print(f"x{i} = {x}, y = {y:4g}:  ŷ = {graph['ŷ'].data:.6f}   L = {graph['L'].data:8.4f}"
          f"   ∂L/∂ŷ = {graph['ŷ'].grad:9.4f}")

heading("Part 1d: ∂L/∂weight for each example, and summed")
print(f"{'weight':>7} {'x1':>10} {'x2':>10} {'x3':>10} {'sum':>10}")
summed = {}
for weight in OUTPUT_WEIGHTS + WEIGHTS:
    grads = [graph[weight].grad for graph in per_example]
    summed[weight] = math.fsum(grads)
    print(f"{weight:>7} " + " ".join(f"{g:10.5f}" for g in grads) + f" {summed[weight]:10.5f}")

# %% [markdown]
# ## The notes' own numbers, checked
#
# scalargrad ships the notes' pages for the three examples as worksheets: the same lines,
# typed in with every number the student wrote (`scalargrad/worksheets/seed001_x1.txt`).
# The checker grades each number at the precision it was written with, each step of
# arithmetic against its working and each formula as an identity, and says of a wrong
# number whether it is a new slip (the place to look), just follows from an earlier
# wrong number, or was cut off instead of rounded (0.249 for 0.2496, a habit, not a
# mistake in the method). The full tables go to the output folder; the same check runs
# as `scalargrad check seed001_x1.txt`.

# %%
heading("The notes' numbers, checked by the worksheet checker")
for i in (1, 2, 3):
    name = f"seed001_x{i}.txt"
    text = resources.files("scalargrad").joinpath("worksheets", name).read_text("utf-8")
    report = check(parse(text, name))
    (OUT / f"x{i}_check.txt").write_text(report.table(), encoding="utf-8")
    print(f"{name}: {report.summary()}   → {OUT / f'x{i}_check.txt'}")
    if i == 1:
        first_example = report
print("\nExample x1: the first slip, what follows from it, the first numbers cut off")
print("(line of the worksheet, claim, as written, exact):")


def first(report: Report, kind: str, n: int = 1) -> list[str]:
    """The first n wrong claims of this kind, one line each."""
    return [f"{v.claim.line:>4}  {v.claim.subject:<12} {shortened(v.claim.written):>9}  "
            f"{shown_exact(v):>11}  ✗ {v.note}"
            for v in report.verdicts if v.kind == kind][:n]


print("\n".join([*first(first_example, "arithmetic"), *first(first_example, "follows"),
                 *first(first_example, "cut off", 2)]))
print("the dropped zero of part 1d, an arithmetic slip:")
print("\n".join(line for line in first(first_example, "arithmetic", 9) if " -0.792 " in line))
print("and in example x2, 1c(3)'s prefactor applied twice (-21.886 times a matrix that")
print("already holds it), a wrong formula:")
print(first(check(parse(resources.files("scalargrad").joinpath(
    "worksheets", "seed001_x2.txt").read_text("utf-8"))), "wrong formula")[0])

# %% [markdown]
# ## Part 2: the vector computation graph
#
# `sg.grad(f)` gives every partial derivative of a function written as ordinary Python;
# `sg.jacobian(F, point)` gives the matrix of them.

# %%
heading("Part 2: gradients, Jacobians and the chain rule")


def f(x, y):
    """f(x, y) = (2x + 3y)²;  ∇f = (4(2x + 3y), 6(2x + 3y))."""
    return (2 * x + 3 * y) ** 2


def F(x, y):
    """F(x, y) = (x² + 2y, 3x + 4y²)."""
    return [x**2 + 2 * y, 3 * x + 4 * y**2]


def G(x):
    """G(x) = (x, x²)."""
    return [x, x**2]


print(f"(a) ∇(2x + 3y)² at (1, 2) = {sg.grad(f)(1.0, 2.0)}   (4·8, 6·8) = (32, 48)")
print(f"(b) DF(1, 2) = {sg.jacobian(F, [1.0, 2.0])}   (the notes: [[2, 2], [3, 16]])")
chain = sg.jacobian(lambda x: F(*G(x)), [2.0])
print(f"(c) D(F∘G)(2) = {[row[0] for row in chain]}   (the notes: [12, 131])")
outer = sg.jacobian(F, [2.0, 4.0])
print(f"    by the chain rule, DF(G(2))·G'(2) = {outer} · [1, 4]; note DF(2, 4) has 2x = 4"
      f" in the corner, where the notes wrote 2·1 = 2 (their final 12 is right)")

# %% [markdown]
# ## Part 3: a sigmoid output and E = ½ Σᵢ (ŷᵢ − yᵢ)²
#
# The same weights, but now ŷ = σ(v0 + z1·v1 + z2·v2 + z3·v3) with zⱼ = σ(wⱼ·x), and the
# error is half the sum of squares over the three examples. The notes' boxed result:
#
#     ∂E/∂v = Σᵢ (ŷᵢ − yᵢ) · ŷᵢ(1 − ŷᵢ) · zᵢ      with zᵢ = (1, z1, z2, z3)
#
# scalargrad's backward pass must agree with that formula, evaluated here with `math`.

# %%
heading("Part 3: sigmoid output, E = ½ Σ (ŷ − y)²")
net = sg.nn.MLP.from_weights(
    [[((w1, w2), w0) for (w0, w1, w2) in SEED001_W], [(SEED001_V[1:], SEED001_V[0])]],
    act="sigmoid", out_act="sigmoid",
)
output = net.layers[-1].neurons[0]
output.b.label = "v0"
for k, v in enumerate(output.w, start=1):
    v.label = f"v{k}"
E = sg.losses.half_sse([net(list(x)) for x, _ in SEED001_EXAMPLES],
                       [y for _, y in SEED001_EXAMPLES])
E.backward()

formula = [0.0] * 4
for (x1, x2), y in SEED001_EXAMPLES:
    z = [1.0] + [1 / (1 + math.exp(-(w0 + w1 * x1 + w2 * x2))) for w0, w1, w2 in SEED001_W]
    y_hat = 1 / (1 + math.exp(-sum(v * zk for v, zk in zip(SEED001_V, z))))
    for k in range(4):
        formula[k] += (y_hat - y) * y_hat * (1 - y_hat) * z[k]
print(f"E = {E.data:.6f}")
print(f"{'':>4} {'backprop':>12} {'the formula':>12}")
for k, v in enumerate([output.b, *output.w]):
    print(f"∂E/∂{v.label} {v.grad:12.6f} {formula[k]:12.6f}")

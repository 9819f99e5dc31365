"""sg.steps: the worked solution, checked against numbers computed here with math/numpy."""

from __future__ import annotations

import math
import re
import shutil
import subprocess

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import Value
from scalargrad.calculus import partials
from scalargrad.examples import SEED001_V, SEED001_W, seed001
from scalargrad.typeset import latex_name

NUMBER = r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?"


def seed001_reference(x=(1.0, 2.0), y=8.0) -> dict[str, float]:
    """Seed 001's forward values and ∂L/∂(every weight) by the vector formulas (numpy)."""
    W, v = np.array(SEED001_W), np.array(SEED001_V)
    xb = np.array([1.0, *x])  # bias input first
    e = W @ xb
    f = 1 / (1 + np.exp(-e))
    y_hat = v[0] + v[1:] @ f
    dy = 2 * (y_hat - y)
    ref = {"ŷ": y_hat, "L": (y_hat - y) ** 2, "∂L/∂ŷ": dy}
    for j in range(3):
        ref[f"e{j + 1}"], ref[f"f{j + 1}"], ref[f"h{j + 1}"] = e[j], f[j], f[j] * v[j + 1]
        for k in range(3):
            ref[f"∂L/∂w{j + 1}{k}"] = dy * v[j + 1] * f[j] * (1 - f[j]) * xb[k]
        ref[f"∂L/∂v{j + 1}"] = dy * f[j]
    ref["∂L/∂v0"] = dy
    return ref


def result(line: str) -> float:
    """The number at the end of a line: ``... = 0.06`` → 0.06."""
    return float(line.rsplit("=", 1)[1])


def test_forward_line_reads_as_on_paper():
    nodes = seed001()
    text = sg.steps(nodes["L"]).text()
    assert "  a1 = x12 · w12 = 2 · 0.03 = 0.06\n" in text
    assert "  d1 = a1 + b1 = 0.06 + 0.02 = 0.08\n" in text
    assert "  f1 = σ(e1) = σ(0.09) = " in text
    assert "  ŷ = h1 + h2 + h3 + v0 = " in text


def test_seed001_numbers_match_the_vector_formulas():
    ref = seed001_reference()
    walk = sg.steps(seed001()["L"], digits=6)
    lines = {s.text.split(" = ")[0]: s.text for s in walk}
    for name, expected in ref.items():
        assert result(lines[name]) == pytest.approx(expected, rel=1e-5), name


def test_backward_line_writes_the_chain_rule():
    walk = sg.steps(seed001()["L"])
    line = next(s.text for s in walk if s.text.startswith("∂L/∂d1 ="))
    match = re.fullmatch(rf"∂L/∂d1 = ∂L/∂e1 · ∂e1/∂d1 = ({NUMBER}) · 1 = ({NUMBER})", line)
    assert match, line
    ref = seed001_reference()
    expected = ref["∂L/∂w10"]  # ∂L/∂d1 = ∂L/∂e1 = ∂L/∂c1 = ∂L/∂w10 (x0 = 1)
    assert float(match.group(1)) == pytest.approx(expected, rel=1e-3)
    assert float(match.group(2)) == pytest.approx(expected, rel=1e-3)


def test_a_node_used_twice_sums_over_every_path():
    x = Value(1.5, label="x")
    a = x * 3.0
    a.label = "a"
    b = x.tanh()
    b.label = "b"
    out = a * b
    out.label = "q"
    line = next(s.text for s in sg.steps(out, digits=8) if s.text.startswith("∂q/∂x ="))
    assert line.startswith("∂q/∂x = ∂q/∂a · ∂a/∂x + ∂q/∂b · ∂b/∂x = ")

    def q(x):
        return 3 * x * math.tanh(x)

    h = 1e-6
    assert result(line) == pytest.approx((q(1.5 + h) - q(1.5 - h)) / (2 * h), rel=1e-6)


def test_repeated_operand_is_one_term_with_the_summed_local_derivative():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    line = [s.text for s in sg.steps(y)][-1]
    assert line == "∂y/∂x = ∂y/∂y · ∂y/∂x = 1 · 6 = 6"  # d(x²)/dx = 2x = 6


def test_generated_names_skip_user_labels():
    x = Value(2.0, label="t1")
    out = (x + 1.0) * (x - 1.0)
    out.label = "out"
    forward = [s.text for s in sg.steps(out).of_kind("forward")]
    assert forward == ["t1 = 2", "t2 = t1 + 1 = 2 + 1 = 3", "t3 = t1 - 1 = 2 - 1 = 1",
                       "out = t2 · t3 = 3 · 1 = 3"]


def test_steps_do_not_touch_grad():
    nodes = seed001()
    sg.steps(nodes["L"])
    assert all(n.grad == 0.0 for n in nodes.values())


def test_steps_are_a_sequence_with_nodes_and_kinds():
    nodes = seed001()
    walk = sg.steps(nodes["L"])
    forward, backward = walk.of_kind("forward"), walk.of_kind("backward")
    assert len(walk) == len(forward) + len(backward) == 2 * len(forward)
    assert {id(s.node) for s in forward} == {id(s.node) for s in backward}
    assert walk[0].kind == "forward" and walk[-1].kind == "backward"
    assert backward[0].node is nodes["L"] and backward[0].text == "∂L/∂L = 1"
    seen: set[int] = set()
    for step in backward:  # every node comes after all the nodes that use it
        users = [s.node for s in backward if any(c is step.node for c in s.node.children)]
        assert all(id(u) in seen for u in users), step.text
        seen.add(id(step.node))
    assert all(isinstance(s.latex, str) and s.latex for s in walk)
    assert str(walk) == walk.text()


@pytest.mark.parametrize(("build", "expected"), [
    (lambda x: x.exp(), "exp(x)"), (lambda x: x.log(), "log(x)"),
    (lambda x: x.tanh(), "tanh(x)"), (lambda x: x.sigmoid(), "σ(x)"),
    (lambda x: x.relu(), "relu(x)"), (lambda x: abs(x), "abs(x)"),
    (lambda x: -x, "-x"), (lambda x: x**3, "x^3"), (lambda x: 1.0 / x, "1 / x"),
    (lambda x: x ** Value(2.0, label="n"), "x^n"),
])
def test_each_op_is_written_and_its_value_substituted(build, expected):
    x = Value(0.7, label="x")
    out = build(x)
    out.label = "out"
    line = next(s.text for s in sg.steps(out, digits=10) if s.text.startswith("out ="))
    assert line.split(" = ")[1] == expected
    assert result(line) == pytest.approx(out.data, rel=1e-9)
    reference = {"exp(x)": math.exp(0.7), "log(x)": math.log(0.7), "tanh(x)": math.tanh(0.7),
                 "σ(x)": 1 / (1 + math.exp(-0.7)), "relu(x)": 0.7, "abs(x)": 0.7,
                 "-x": -0.7, "x^3": 0.343, "1 / x": 1 / 0.7, "x^n": 0.49}
    assert result(line) == pytest.approx(reference[expected], rel=1e-9)


def test_dot_node_is_written_as_a_weighted_sum():
    w1, w2, b = Value(0.5, label="w1"), Value(-2.0, label="w2"), Value(0.1, label="b")
    x1 = Value(3.0, label="x1")
    out = sg.dot([w1, w2], [x1, 4.0], b)
    out.label = "z"
    line = next(s.text for s in sg.steps(out) if s.text.startswith("z ="))
    assert line == "z = w1 · x1 + w2 · 4 + b = 0.5 · 3 + (-2) · 4 + 0.1 = -6.4"


def test_digits_option():
    x = Value(1.0 / 3.0, label="x")
    y = x * 1.0
    y.label = "y"
    assert sg.steps(y, digits=2)[1].text == "y = x · 1 = 0.33 · 1 = 0.33"
    assert sg.steps(y, digits=6)[1].text == "y = x · 1 = 0.333333 · 1 = 0.333333"
    # an input is written in full (the text reads back as a worksheet with the same x)
    assert sg.steps(y, digits=2)[0].text == f"x = {1 / 3!r}"


def test_bad_arguments_are_clear_errors():
    with pytest.raises(TypeError, match="needs a Value"):
        sg.steps(3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="digits"):
        sg.steps(Value(1.0), digits=0)


def test_markdown_is_a_numbered_list_with_escaped_labels():
    a = Value(2.0, label="x_1")
    b = a * 2.0
    b.label = "y*"
    md = sg.steps(b).markdown()
    assert md.startswith("**Forward pass**\n\n1. x\\_1 = 2\n2. y\\* = x\\_1 · 2 = 2 · 2 = 4\n")
    assert "**Backward pass (∂y\\*/∂node, chain rule)**" in md


def test_latex_is_a_balanced_ascii_align_environment():
    tex = sg.steps(seed001()["L"]).latex()
    lines = tex.strip().splitlines()
    assert lines[0] == r"\begin{align*}" and lines[-1] == r"\end{align*}"
    body = [ln for ln in lines[1:-1] if not ln.startswith(r"\intertext")]
    assert len(body) == 2 * 40  # 16 leaves, 7 nodes per hidden unit, ŷ, ŷ − y, L: both ways
    assert all(ln.count("&=") == 1 for ln in body)
    assert all(ln.endswith(r" \\") for ln in body[:-1]) and not body[-1].endswith(r"\\")
    assert tex.isascii()
    assert tex.count("{") == tex.count("}")
    assert r"a_{1} &= x_{12} \cdot w_{12} = 2 \cdot 0.03 = 0.06 \\" in body
    assert r"\frac{\partial L}{\partial \hat{y}} &= " in tex
    assert r"\sigma(e_{1})" in tex


def test_latex_names():
    assert latex_name("w12") == "w_{12}"
    assert latex_name("ŷ") == r"\hat{y}"
    assert latex_name("α2") == r"\alpha_{2}"
    assert latex_name("loss") == r"\mathrm{loss}"
    assert latex_name("x1w1x2w2") == "x_{1}w_{1}x_{2}w_{2}"  # as the chart: x₁w₁x₂w₂
    assert latex_name("a{b}$") == r"\text{a\{b\}\$}"
    assert latex_name("日") == r"\text{U+65E5}"  # pdflatex has no glyph: the code point


@pytest.mark.parametrize(("label", "latex"), [
    ("λ", r"\lambda"), ("ο", "o"), ("Λ", r"\Lambda"), ("Α", "A"), ("ü", r"\ddot{u}"),
    ("é", r"\acute{e}"), ("ǎ", r"\check{a}"), ("ŷ2", r"\hat{y}_{2}"),
    ("a\n\nb", r"\text{a  b}"), ("a\x00b", r"\text{a b}"), ("über", r"\text{\"{u}ber}"),
])
def test_latex_names_for_every_letter(label, latex):
    assert latex_name(label) == latex


@pytest.mark.parametrize("label", ["ü", "é", "ǎ", "λ", "Λ", "ο", "a\n\nb", "a\x00b", "日"])
def test_any_label_gets_every_output(label):
    walk = sg.steps(Value(2.0, label) * 3)
    assert label in walk.text()
    assert r"\begin{align*}" in walk.latex()
    markdown = walk.markdown()
    assert markdown.count("\n1. ") == 2  # each list intact: no label breaks it


def test_markdown_escapes_ampersands_and_keeps_one_line_per_step():
    walk = sg.steps(Value(2.0, "a&b\nc") * 3)
    lines = walk.markdown().splitlines()
    assert "1. a\\&b c = 2" in lines
    assert walk._repr_markdown_() == walk.markdown()


def test_a_neuron_with_equal_weights_and_inputs_reads_as_w_times_x():
    neuron = sg.nn.Neuron(2, "linear")
    neuron.set_weights([1.0, 1.0], 0.0)
    out = neuron([1.0, 1.0])  # numbers: the neuron makes them input nodes x1, x2
    line = sg.steps(out).of_kind("forward")[-1].text
    assert line.endswith("= n1.w1 · x1 + n1.w2 · x2 + n1.b = 1 · 1 + 1 · 1 + 0 = 2")
    direct = sg.dot([Value(1.0, "w1"), Value(1.0, "w2")], [1.0, 1.0])  # plain numbers
    line = sg.steps(direct).of_kind("forward")[-1].text
    assert line == "t1 = w1 · 1 + w2 · 1 = 1 · 1 + 1 · 1 = 2"


def test_latex_compiles_with_pdflatex(tmp_path, needs):
    needs(shutil.which("pdflatex") is not None, "pdflatex", "apt-get install texlive-latex-base")
    x = Value(-1.25e-7, label="x")
    y = (x * Value(2.0, label="ŷ")).sigmoid() / abs(x) + x ** 2
    y.label = "L1.n1.w{1}_$%"
    odd = sum(Value(1.0, label) for label in ["ü", "é", "ǎ", "λ", "Λ", "ο", "a\n\nb", "a\x00b",
                                               "日", "über"])
    document = "\n".join([
        r"\documentclass{article}", r"\usepackage{amsmath}", r"\allowdisplaybreaks",
        r"\begin{document}", sg.steps(seed001()["L"]).latex(), sg.steps(y).latex(),
        sg.steps(odd).latex(), r"\end{document}",
    ])
    (tmp_path / "walk.tex").write_text(document, encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "walk.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "walk.pdf").stat().st_size > 1000


def test_partials_match_backward_on_a_fresh_graph():
    nodes = seed001()
    grads = partials(nodes["L"])
    nodes["L"].backward()
    ref = seed001_reference()
    for j in range(1, 4):
        for k in range(3):
            w = nodes[f"w{j}{k}"]
            assert grads[w] == pytest.approx(ref[f"∂L/∂w{j}{k}"], rel=1e-12)
            assert w.grad == pytest.approx(ref[f"∂L/∂w{j}{k}"], rel=1e-12)


def test_nodes_sharing_a_label_get_distinct_names_that_read_back():
    # A network applied to two examples labels both examples' inputs x1, x2: the
    # walkthrough (and so the chart and the animation) must still name every node once,
    # and the text must check all-right as a worksheet.
    from scalargrad.grading import check
    from scalargrad.worksheet import parse

    net = sg.nn.MLP(2, [2, 1], act="tanh", seed=3)
    loss = sg.losses.half_sse([net([1.0, 2.0]), net([0.5, -1.0])], [1.0, -1.0])
    loss.label = "L"
    walk = sg.steps(loss)
    names = list(walk.names.values())
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert {"x1", "x2", "x1_2", "x2_2"} <= set(names)
    report = check(parse(walk.text()))
    assert report.verdicts and all(v.right for v in report.verdicts), \
        [str(v) for v in report.verdicts if not v.right][:3]


def test_repr_is_one_line_naming_the_root_and_the_step_counts():
    x = Value(2.0, label="x")
    y = x * 3.0
    y.label = "y"
    assert repr(sg.steps(y)) == "<Walkthrough of y: 2 forward, 2 backward steps>"

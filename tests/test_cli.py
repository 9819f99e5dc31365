"""The scalargrad command, in-process (main()) and as `python -m scalargrad`."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scalargrad.cli import demo_names, main

SUBCOMMANDS = ["graph", "steps", "animate", "check", "demo"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scalargrad", *args], capture_output=True,
                          text=True, timeout=120)


def test_help_of_every_subcommand(capsys):
    for command in SUBCOMMANDS:
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: scalargrad {command}")
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(f"    {c} " in out for c in SUBCOMMANDS)


def test_steps_of_an_expression(capsys):
    assert main(["steps", "L = (y - t)^2", "--at", "y=0.8", "t=1"]) == 0
    out = capsys.readouterr().out
    assert "  t1 = y - t = 0.8 - 1 = -0.2\n" in out
    assert "  L = t1^2 = (-0.2)^2 = 0.04\n" in out
    assert "  ∂L/∂y = ∂L/∂t1 · ∂t1/∂y = -0.4 · 1 = -0.4\n" in out  # 2(y − t) = −0.4


@pytest.mark.parametrize(("fmt", "start"), [("markdown", "**Forward pass**"),
                                            ("latex", r"\begin{align*}")])
def test_steps_formats(capsys, fmt, start):
    assert main(["steps", "x * w", "--at", "x=2", "w=0.03", "--format", fmt]) == 0
    assert capsys.readouterr().out.startswith(start)


def test_steps_of_the_shipped_worksheet_match_the_exact_values(capsys):
    assert main(["steps", "seed001_x1.txt", "--digits", "6"]) == 0
    lines = {ln.strip().split(" = ")[0]: ln for ln in capsys.readouterr().out.splitlines()}
    f1 = 1 / (1 + math.exp(-0.09))
    f2 = 1 / (1 + math.exp(-0.08))
    f3 = 1 / (1 + math.exp(-0.07))
    y_hat = 0.02 * f1 + 0.03 * f2 + 0.04 * f3 + 0.01
    for name, exact in [("f1", f1), ("h2", 0.03 * f2), ("ŷ", y_hat),
                        ("∂L/∂ŷ", 2 * (y_hat - 8)),
                        ("∂L/∂w12", 2 * (y_hat - 8) * 0.02 * f1 * (1 - f1) * 2)]:
        assert float(lines[name].rsplit("=", 1)[1]) == pytest.approx(exact, rel=1e-5), name


def test_check_exit_status_and_table(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text("x = 2; w = 0.03\na = x * w = 0.06\nda/dw = 2 # claimed\n", "utf-8")
    assert main(["check", str(good)]) == 0
    assert "2 claims: 2 right, 0 wrong" in capsys.readouterr().out
    assert main(["check", "seed001_x1.txt"]) == 1
    out = capsys.readouterr().out
    assert "h2" in out and "✗ arithmetic: the working gives 0.0156" in out
    assert "✗ follows from h2 = 0.015 (line 24)" in out


def test_check_without_claims(tmp_path, capsys):
    plain = tmp_path / "plain.txt"
    plain.write_text("x = 1\ny = x * 2\n", "utf-8")
    assert main(["check", str(plain)]) == 0
    assert "no claims" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["check", "missing.txt"], "no such worksheet file: missing.txt"),
    (["steps", "x +", "--at", "x=1"], "expression:1:4: expected a number"),
    (["steps", "x * q", "--at", "x=1"], "unknown name 'q'"),
    (["steps", "x", "--at", "x"], "--at expects NAME=NUMBER, got 'x'"),
    (["steps", "seed001_x1.txt", "--at", "x=1"], "a worksheet has its own numbers"),
    (["demo", "nope"], "no demo called 'nope'"),
    (["graph", "x", "--at", "x=1", "-o", "chart.xyz"], "cannot tell the format"),
])
def test_bad_input_is_one_line_on_stderr(capsys, args, message):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    *notes, error = captured.err.splitlines()
    assert error.startswith(f"scalargrad {args[0]}: error: ") and message in error
    assert all(n.startswith("scalargrad: using the worksheet shipped") for n in notes)


def test_malformed_worksheet_via_subprocess(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("x = 1\ny = x $ 2\n", "utf-8")
    done = run("check", str(bad))
    assert done.returncode == 2
    assert done.stderr == (f"scalargrad check: error: {bad}:2:7: unexpected character '$' "
                           "(hint: formulas use numbers in digits 0-9, names, + - * / ^ ( ) [ ] "
                           "and sigmoid exp log tanh relu abs)\n")


def test_check_via_subprocess():
    done = run("check", "seed001_x1.txt")
    assert done.returncode == 1 and " claims: " in done.stdout.splitlines()[-1]
    assert done.stderr.startswith("scalargrad: using the worksheet shipped with scalargrad: ")
    assert done.stderr.rstrip().endswith("seed001_x1.txt") and done.stderr.count("\n") == 1


def test_graph_of_the_worksheet_names_every_node(tmp_path):
    out = tmp_path / "x1.svg"
    done = run("graph", "seed001_x1.txt", "-o", str(out), "--rankdir", "TB", "--digits", "3")
    assert done.returncode == 0, done.stderr
    svg = out.read_text("utf-8")
    assert svg.lstrip().startswith(("<?xml", "<svg"))
    for letter in "abcdefh":  # drawn with subscripts: a₁ … h₃
        for j in "₁₂₃":
            assert f"{letter}{j}" in svg, letter + j


def test_graph_options_in_process(tmp_path, capsys):
    out = tmp_path / "o.svg"
    assert main(["graph", "o = tanh(x*w + b)", "--at", "x=2", "w=-3", "b=6.88",
                 "-o", str(out), "--no-grad", "--edge-derivatives"]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    assert box_texts(out, "x") == ["x", "2"]  # its name and value, no grad
    assert main(["graph", "x * 2", "--at", "x=1", "-o", str(out)]) == 0
    assert box_texts(out, "x") == ["x", "1", "2"]  # and ∂(x·2)/∂x = 2


def box_texts(svg: Path, name: str) -> list[str]:
    """The texts of the node box whose first text is ``name``."""
    for box in re.findall(r'<g id="v\d+" class="node">.*?</g>\n</g>', svg.read_text("utf-8"),
                          re.S):
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", box)
        if texts and texts[0] == name:
            return texts
    raise AssertionError(f"no box named {name}")


def test_animate(tmp_path, capsys):
    out = tmp_path / "bp.html"
    assert main(["animate", "L = (x * w - 1)^2", "--at", "x=2", "w=0.3", "-o", str(out)]) == 0
    assert out.stat().st_size > 1000 and capsys.readouterr().out == f"wrote {out}\n"


def test_demo_list(capsys):
    names = demo_names()
    assert "seed001" in names and all(not n.startswith("_") for n in names)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert all(f"  {n}\n" in out for n in names)


def test_demo_runs_seed001():
    done = run("demo", "seed001")
    assert done.returncode == 0, done.stderr
    assert "ŷ" in done.stdout

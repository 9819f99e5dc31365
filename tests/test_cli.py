"""The scalargrad command, in-process (main()) and as `python -m scalargrad`."""

from __future__ import annotations

import json
import math
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import scalargrad as sg
from scalargrad import __version__
from scalargrad.chart import graphviz_engine
from scalargrad.cli import demo_names, main

SUBCOMMANDS = ["graph", "steps", "animate", "check", "demo"]


def run(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m scalargrad ARGS`` in ``cwd`` with these environment variables added."""
    return subprocess.run([sys.executable, "-m", "scalargrad", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd, env={**os.environ, **env})


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
    assert all(re.search(rf"^  {n} ", out, re.M) for n in names)


def test_demo_runs_seed001(tmp_path):
    done = run("demo", "seed001", cwd=tmp_path)  # the pictures go to ./scalargrad-out
    assert done.returncode == 0, done.stderr
    assert "ŷ" in done.stdout
    assert (tmp_path / "scalargrad-out" / "seed001" / "x1.svg").is_file()


# --- every failure is one line and status 2, never a traceback ------------------------------


def broken_dot(folder: Path) -> Path:
    """A `dot` in ``folder`` that starts and fails, as one with missing libraries does."""
    dot = folder / "dot"
    dot.write_text("#!/bin/sh\necho 'dot: error while loading shared libraries' >&2\nexit 127\n",
                   encoding="utf-8")
    dot.chmod(dot.stat().st_mode | stat.S_IXUSR)
    return dot


@pytest.mark.parametrize("case", ["pdf with the bundled engine", "system engine without dot",
                                  "broken dot asked for", "timeout"])
def test_graphviz_failures_are_one_line_and_status_2(case, tmp_path, capsys, monkeypatch):
    args = ["graph", "o = x * 2", "--at", "x=1", "-o", str(tmp_path / "chart.svg")]
    if case == "pdf with the bundled engine":
        args[-1] = str(tmp_path / "chart.pdf")
        args += ["--engine", "bundled"]
        message = "bundled Graphviz engine cannot write PDF"
    elif case == "system engine without dot":
        monkeypatch.setenv("PATH", str(tmp_path))  # the bundled engine lies beside Python
        monkeypatch.setenv(graphviz_engine.ENV_VAR, "system")
        message = "`dot` is not on PATH"
    elif case == "broken dot asked for":
        monkeypatch.setenv("PATH", f"{broken_dot(tmp_path)}".removesuffix("/dot"))
        args += ["--engine", "system"]
        message = "error while loading shared libraries"
    else:
        monkeypatch.setattr(graphviz_engine, "TIMEOUT_SECONDS", 1e-6)
        message = "took more than"
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("scalargrad graph: error: ") and err.count("\n") == 1
    assert message in err


def test_a_broken_dot_on_path_gives_way_to_the_bundled_engine_with_a_warning(tmp_path):
    broken_dot(tmp_path)
    out = tmp_path / "chart.svg"
    done = run("graph", "o = x * 2", "--at", "x=1", "-o", str(out),
               PATH=f"{tmp_path}{os.pathsep}{os.environ['PATH']}", SCALARGRAD_GRAPHVIZ="")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("scalargrad graph: warning: the system Graphviz engine")
    assert done.stderr.count("\n") == 1 and "bundled engine instead" in done.stderr
    assert "<svg" in out.read_text("utf-8")


@pytest.mark.parametrize(("at", "message"), [
    (["x=nan"], "--at x=nan: x must be a finite number, not nan"),
    (["x=1e999"], "--at x=1e999: x must be a finite number, not inf"),
    (["x=-inf"], "x must be a finite number, not -inf"),
    (["x=2", "x=3"], "--at gives x twice (x=2 and x=3)"),
    (["x=2", "y=3"], "--at y=…: the expression has no name y (its names: x)"),
])
def test_at_values_are_finite_given_once_and_used(at, message, capsys):
    assert main(["steps", "o = x * 2", "--at", *at]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and message in captured.err


@pytest.mark.parametrize("command", ["graph", "animate"])
def test_output_onto_the_worksheet_being_read_is_refused(command, tmp_path, capsys,
                                                         monkeypatch):
    sheet = tmp_path / "w.txt"
    sheet.write_text("x = 2\ny = x * x = 4\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    for output in (str(sheet), "w.txt", "./w.txt"):  # the same file, spelt three ways
        assert main([command, str(sheet), "-o", output]) == 2
        assert "would overwrite it" in capsys.readouterr().err
    assert sheet.read_text("utf-8") == "x = 2\ny = x * x = 4\n"


def test_argparse_mistakes_are_one_line_too():
    for args in [[], ["graph"], ["graph", "x", "--rankdir", "XY"], ["steps", "x", "--bogus"],
                 ["frobnicate"], ["graph", "x", "--digits", "many"]]:
        done = run(*args)
        assert done.returncode == 2, args
        assert done.stdout == "" and done.stderr.count("\n") == 1, (args, done.stderr)
        assert re.match(r"scalargrad( \w+)?: error: .* \(see scalargrad( \w+)? --help\)$",
                        done.stderr), done.stderr


def test_version():
    done = run("--version")
    assert (done.returncode, done.stdout) == (0, f"scalargrad {__version__}\n")


@pytest.mark.skipif(sys.platform == "win32", reason="no SIGPIPE on Windows")
@pytest.mark.parametrize(("command", "status"), [
    (["-m", "scalargrad", "demo", "seed001"], 141),
    (["-m", "scalargrad.demos.seed001"], -13),  # SIGPIPE, as C tools
], ids=["scalargrad demo", "python -m scalargrad.demos.seed001"])
def test_a_closed_pipe_ends_quietly(tmp_path, command, status):
    """`scalargrad demo seed001 | head -1`: no traceback, no 'Exception ignored'."""
    reader = subprocess.Popen([sys.executable, *command],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    reader.stdout.readline()
    reader.stdout.close()  # as head does after its line
    stderr = reader.stderr.read()
    assert reader.wait(timeout=120) == status
    assert stderr == b""


def test_ctrl_c_is_one_line_and_status_130(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("scalargrad.walkthrough.steps", interrupted)
    assert main(["steps", "o = x * 2", "--at", "x=1"]) == 130
    assert capsys.readouterr().err == "scalargrad steps: interrupted\n"


# --- the API's options on graph and animate -------------------------------------------------


def test_graph_highlight_title_and_engine(tmp_path, capsys):
    out = tmp_path / "o.svg"
    neuron = ["graph", "o = tanh(x*w + b)", "--at", "x=2", "w=-3", "b=6.88", "-o", str(out)]
    assert main([*neuron, "--highlight", "w", "--engine", "bundled"]) == 0
    svg = out.read_text("utf-8")
    # ∂o/∂w = x·(1 − tanh²(xw + b)), and the caption says so
    exact = 2 * (1 - math.tanh(2 * -3 + 6.88) ** 2)
    assert f"∂o/∂w = {exact:.4g}" in svg
    assert main([*neuron, "--title", "One neuron & its chart"]) == 0
    assert "One neuron &amp; its chart" in out.read_text("utf-8")
    assert main([*neuron, "--size", "slide"]) == 0
    assert re.search(r'<svg[^>]* width="1280(px|pt)?" height="720(px|pt)?"',
                     out.read_text("utf-8"))
    assert main([*neuron, "--highlight", "v"]) == 2
    assert "--highlight v: no node of the graph is called that; the names are: b, o, w, x" \
        in capsys.readouterr().err


def test_animate_options(tmp_path, capsys):
    out = tmp_path / "bp.html"
    assert main(["animate", "L = (x * w - 1)^2", "--at", "x=2", "w=0.3", "-o", str(out),
                 "--title", "Two <steps>", "--no-zoom", "--seconds-per-step", "0.5",
                 "--rankdir", "TB", "--engine", "bundled"]) == 0
    html = out.read_text("utf-8")
    assert "Two &lt;steps&gt;" in html
    data = json.loads(re.search(r'<script type="application/json"[^>]*>(.*?)</script>', html,
                                re.S)[1])
    assert (data["zoom"], data["interval"]) == (False, 500)
    assert graphviz_engine.ENV_VAR not in os.environ or os.environ[graphviz_engine.ENV_VAR] \
        != "bundled"  # --engine is set for the call only


# --- demos -----------------------------------------------------------------------------------


def test_demo_list_says_what_each_demo_is(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^  seed001 +Seed 001: a 2-3-1 network worked by hand", out, re.M)
    assert re.search(r"^  moons +Two moons: micrograd's demo", out, re.M)


def test_demo_fast_and_out(tmp_path):
    pictures = tmp_path / "pictures"
    done = run("demo", "seed000", "--fast", "--out", str(pictures), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "fast mode" in done.stdout.lower() or "Pictures go to" in done.stdout
    assert (pictures / "seed000" / "fit.png").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pictures"]  # nothing else


def test_python_demo_help_prints_help_and_runs_nothing(tmp_path):
    for name in ("seed001", "moons"):
        done = subprocess.run([sys.executable, "-m", f"scalargrad.demos.{name}", "--help"],
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(
            f"usage: python -m scalargrad.demos.{name} [-h] [--fast] [--out DIR] [--eager]")
        assert "--fast" in done.stdout and "Pictures go to" not in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_animate_passes_view_on(tmp_path, monkeypatch):
    seen = {}

    def animate(root, path, **options):
        seen.update(options)
        return path

    monkeypatch.setattr("scalargrad.classroom.animation.animate", animate)
    assert main(["animate", "x * 2", "--at", "x=1", "-o", str(tmp_path / "a.html"),
                 "--view", "neuron"]) == 0
    assert seen["view"] == "neuron" and seen["zoom"] is None


def test_demo_passes_its_options_to_the_demo(monkeypatch):
    seen = []
    monkeypatch.setattr("runpy.run_module", lambda name, run_name: seen.append(
        (name, list(sys.argv))))
    assert main(["demo", "moons", "--eager", "--fast", "--out", "pics"]) == 0
    assert seen == [("scalargrad.demos.moons",
                     ["scalargrad demo moons", "--fast", "--eager", "--out", "pics"])]
    assert sys.argv[0] != "scalargrad demo moons"  # put back afterwards


@pytest.mark.parametrize("command", ["check", "steps", "graph"])
def test_a_path_that_is_not_a_regular_file_is_named_as_such(command, tmp_path, capsys):
    # /dev/zero and a FIFO exist: "no such file" would send the user looking in vain.
    fifo = tmp_path / "answers.txt"
    os.mkfifo(fifo)
    for source in ("/dev/zero", str(fifo)):
        assert main([command, source, "-o", str(tmp_path / "out.svg")] if command == "graph"
                    else [command, source]) == 2
        err = capsys.readouterr().err
        assert f"{source}: not a regular file" in err, err


def test_the_default_single_variant_is_counted_in_the_singular(tmp_path, capsys):
    status = main(["exercise", "L = x*w", "--at", "x=2", "w=0.5", "-o", str(tmp_path / "ex"),
                   "--no-pdf"])
    assert status == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("wrote 1 variant and the index ")


def test_counts_of_one_are_singular_on_the_chart_the_index_and_the_walkthrough(tmp_path):
    """Siblings of the class summary's "17 wrong formula": a one-neuron layer, a
    one-variant exercise's index and a one-op walkthrough say "1 neuron", "1 variant",
    "1 backward step"."""
    net = sg.nn.MLP(2, [3, 1], seed=0)
    loss = sg.losses.mse([net([0.5, -1.0])], [1.0])
    assert "layer 2: 1 neuron (" in sg.to_svg(loss, view="layer")
    assert main(["exercise", "L = (y - t)^2", "--at", "y=0.8", "t=1", "--no-pdf",
                 "-o", str(tmp_path / "ex")]) == 0
    assert "# Exercise: " in (index := (tmp_path / "ex" / "index.md").read_text("utf-8"))
    assert ", 1 variant\n" in index
    x, w = sg.Value(2.0, label="x"), sg.Value(3.0, label="w")
    for y in (x * 3, x * w):  # one backward step, then two
        y.label = "y"
        walk = sg.steps(y)
        count, s = re.search(r"(\d+) backward step(s?)>$", repr(walk)).groups()
        assert count == str(len(walk.of_kind("backward"))) and (s == "") == (count == "1")

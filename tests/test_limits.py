"""One budget per input (issue 17): small hostile files that asked for exponential time,
gigabytes, 100,000 verdicts or quadratic work are refused at once with an error naming
the limit, or done in linear time.  The wall-time bounds are loose guards against a hang
(a refusal must come long before them), not performance claims."""

from __future__ import annotations

import random
import time

import pytest

import scalargrad as sg
from scalargrad.chart.drawing import ChartTooBig
from scalargrad.classroom.variants import ExerciseError, from_expression, make_variants
from scalargrad.grading import check
from scalargrad.limits import MAX_EDGES, MAX_TOTAL_ENTRIES, MAX_VERDICTS
from scalargrad.worksheet import WorksheetError, parse

GUARD_SECONDS = 20.0  # loose: the machine may be busy


def timed(f, *args):
    start = time.perf_counter()
    try:
        outcome = f(*args)
    except (WorksheetError, ExerciseError, ChartTooBig) as err:
        outcome = err
    return outcome, time.perf_counter() - start


def nested_functions(depth: int) -> str:
    lines = ["F_0(t) = t"] + [f"F_{k}(t) = F_{k - 1}(t) + F_{k - 1}(t)"
                              for k in range(1, depth + 1)]
    return "\n".join([*lines, "x = 1", f"L = F_{depth}(x)"]) + "\n"


def test_nested_functions_are_evaluated_once_per_call():
    """981 bytes of F_k = F_{k-1} + F_{k-1}: 2^40 evaluations before; now each call once,
    and the value is exact (2^depth · x, by arithmetic, not by the code)."""
    text = nested_functions(40)
    assert len(text.encode()) < 1200
    ws, seconds = timed(parse, text)
    assert not isinstance(ws, Exception), ws
    assert ws.root.data == 2.0**40
    assert seconds < GUARD_SECONDS


def test_nested_functions_with_different_arguments_are_refused():
    """Memoising cannot help when each level calls with new arguments: the budget
    (operations including function bodies) refuses at once, naming the limit."""
    lines = ["F_0(t) = t"] + [f"F_{k}(t) = F_{k - 1}(t) + F_{k - 1}(t + 1)"
                              for k in range(1, 41)]
    err, seconds = timed(parse, "\n".join([*lines, "x = 1", "L = F_40(x)"]))
    assert isinstance(err, WorksheetError) and "operations evaluated" in str(err)
    assert seconds < GUARD_SECONDS


def test_many_large_arrays_are_refused_before_memory_runs_out():
    """80 lines of A_i = M ⊙ M with M a 316×316 outer product (2 kB): over 2 GB before."""
    u = "[" + ", ".join(["1"] * 316) + "]"
    text = "\n".join([f"u = {u}", "M = uᵀ u", *(f"A{i} = M ⊙ M" for i in range(80)),
                      "L = u · u"])
    assert len(text.encode()) < 3000
    err, seconds = timed(parse, text)
    assert isinstance(err, WorksheetError), err
    assert f"{MAX_TOTAL_ENTRIES:,} vector and matrix entries" in str(err)
    assert err.line < 10  # at once: a few lines in, not after 80 arrays
    assert seconds < GUARD_SECONDS


def test_a_matrix_formula_of_100000_entries_is_refused():
    """One ∂L/∂M = uᵀ u claim (1 kB): 100,000 verdicts, 7.7 s a line before."""
    u = "[" + ", ".join(str(1 + k % 3) for k in range(316)) + "]"
    ws = parse("\n".join([f"u = {u}", "M = uᵀ u", "L = u · u", "∂L/∂M = uᵀ u",
                          "∂L/∂M = uᵀ u"]))
    err, seconds = timed(check, ws)
    assert isinstance(err, WorksheetError), err
    assert f"{MAX_VERDICTS:,} verdicts" in str(err)
    assert seconds < GUARD_SECONDS


def test_a_long_sum_with_wrong_derivatives_is_checked_in_linear_time():
    """4,000 leaves summed, each ∂L/∂x claimed wrong: quadratic (16 million path tests)
    before.  ∂L/∂xₖ = 1 for a sum, so every claim of 2 is wrong."""
    n = 4000
    text = "\n".join([*(f"x{k} = 1" for k in range(n)),
                      "L = " + " + ".join(f"x{k}" for k in range(n)),
                      *(f"∂L/∂x{k} = 2" for k in range(n))])
    report, seconds = timed(lambda: check(parse(text)))
    assert not isinstance(report, Exception), report
    assert len(report.verdicts) == n and not any(v.right for v in report.verdicts)
    assert seconds < GUARD_SECONDS


def test_an_exercise_whose_every_draw_is_degenerate_is_refused_early():
    """L = 0·w: ∂L/∂w is 0 whatever is drawn (56 s of draws before "no good draw")."""
    template = from_expression("L = 0*w", {"w": 0.5})
    err, seconds = timed(make_variants, template, 30, "1")
    assert isinstance(err, ExerciseError)
    assert "exactly 0" in str(err) and "every draw" in str(err)
    assert seconds < GUARD_SECONDS


def test_too_many_variants_are_refused():
    template = from_expression("L = x*w", {"w": 0.5, "x": 0.25})
    err, seconds = timed(make_variants, template, 10**6, "1")
    assert isinstance(err, ExerciseError) and "variants" in str(err)
    assert seconds < GUARD_SECONDS


def dense_chart(boxes: int = 130, fan_in: int = 8) -> str:
    """A 6 kB chart of ~141 boxes and ~1,000 arrows (each node sums 8 earlier ones)."""
    rng = random.Random(1)
    lines = [f"a{k} = {k + 1}" for k in range(10)]
    names = [f"a{k}" for k in range(10)]
    for i in range(boxes):
        lines.append(f"h{i} = " + " + ".join(rng.sample(names, min(fan_in, len(names)))))
        names.append(f"h{i}")
    return "\n".join([*lines, f"L = h{boxes - 1}"]) + "\n"


def test_a_dense_chart_is_refused_by_its_arrows():
    """141 boxes are well within the box limit; the 1,041 arrows are not (67 s before)."""
    text = dense_chart()
    assert len(text.encode()) < 7000
    root = parse(text).root
    err, seconds = timed(sg.draw, root)
    assert isinstance(err, ChartTooBig), err
    assert f"{MAX_EDGES:,} arrows" in str(err)
    assert seconds < GUARD_SECONDS


@pytest.mark.parametrize("command", ["graph", "practice"])
def test_the_commands_refuse_a_dense_chart_with_exit_status_2(command, tmp_path, capsys):
    from scalargrad.cli import main

    source = tmp_path / "dense.txt"
    source.write_text(dense_chart(), "utf-8")
    start = time.perf_counter()
    output = tmp_path / ("out.svg" if command == "graph" else "out.html")
    status = main([command, str(source), "-o", str(output)])
    assert status == 2
    assert "arrows" in capsys.readouterr().err
    assert time.perf_counter() - start < GUARD_SECONDS


def _sum_sheet(terms: int) -> str:
    """x summed ``terms`` times, a loss of it, and a formula to check at random points."""
    return (f"x = 3\ny = {' + '.join(['x'] * terms)}\nL = y^2\n"
            f"∂L/∂x = 2y·{terms}\n")


def test_the_checks_re_evaluations_spend_the_worksheets_one_budget():
    worksheet = parse(_sum_sheet(200))
    read = worksheet.work.operations.spent
    assert read > 200
    report = check(worksheet)
    assert all(v.right for v in report.verdicts)
    assert worksheet.work.operations.spent > 5 * read, "each random point re-evaluates y"


def test_a_worksheet_whose_re_evaluations_exceed_the_budget_is_refused(monkeypatch):
    from scalargrad.worksheet import evaluation

    read = parse(_sum_sheet(200)).work.operations.spent
    monkeypatch.setattr(evaluation, "MAX_EVALUATIONS", 2 * read)  # reading fits, not checking
    worksheet = parse(_sum_sheet(200))
    with pytest.raises(WorksheetError, match=f"more than {2 * read:,} operations evaluated"):
        check(worksheet)


def test_a_random_point_past_the_budget_is_refused_not_skipped(monkeypatch):
    """A random point whose draws all fail is dropped; one past the budget is an error."""
    from scalargrad.grading.identities import random_point
    from scalargrad.worksheet import evaluation

    read = parse(_sum_sheet(200)).work.operations.spent
    monkeypatch.setattr(evaluation, "MAX_EVALUATIONS", read + 10)
    worksheet = parse(_sum_sheet(200))
    with pytest.raises(WorksheetError, match="operations evaluated"):
        random_point(worksheet, 1, [10**6])


def test_every_budget_is_in_the_readmes_table():
    """The README's Limits table lists each limit of `scalargrad.limits` with its number."""
    from pathlib import Path

    from scalargrad import limits

    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    table = readme.split("## Limits", 1)[1].split("\n\n")[2]
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    for name in dir(limits):
        value = getattr(limits, name)
        if name.isupper() and isinstance(value, int):
            assert any(f"{value:,}" in row.rsplit("|", 2)[1] for row in rows), name

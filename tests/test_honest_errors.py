"""Crashes and exit statuses that lied (issue 17): each input gets a clear error and exit
status 2, or the right result; a class summary survives any one bad file."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from scalargrad.cli import main
from scalargrad.grading import check
from scalargrad.grading.reports import class_summary, grade_file
from scalargrad.worksheet import WorksheetError, load, parse


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_animate_refuses_an_infinite_pace(capsys, tmp_path):
    for pace in ("inf", "nan", "1e300"):
        status, _, err = run(capsys, "animate", "seed001_x1.txt", "--seconds-per-step", pace,
                             "-o", str(tmp_path / "a.html"))
        assert status == 2 and "seconds_per_step" in err and "Traceback" not in err


def test_exercise_refuses_an_enormous_range(capsys, tmp_path):
    status, _, err = run(capsys, "exercise", "L = x*w", "--at", "x=1", "w=2",
                         "--range", "x=-1e30:1e30", "-o", str(tmp_path / "ex"))
    assert status == 2 and "too wide" in err


def test_a_number_claimed_for_a_one_entry_vector_is_an_error():
    with pytest.raises(WorksheetError, match="a number claimed for v, which is a 1-vector"):
        check(parse("b = 1\nv = [b] = 0.5\nL = b"))


@pytest.mark.parametrize("claimed, words", [("[1]", "1 number claimed"),
                                             ("[1, 2, 3]", "3 numbers claimed")])
def test_a_count_of_numbers_claimed_for_a_vector_agrees_with_its_noun(claimed, words):
    with pytest.raises(WorksheetError, match=f"{words} for v, which is a 2-vector"):
        check(parse(f"a = 1; b = 2\nv = [a, b] = {claimed}\nL = a"))


def test_one_bad_file_is_one_malformed_row_of_the_summary(tmp_path, monkeypatch):
    good = tmp_path / "good.txt"
    good.write_text("x = 2\nL = x^2 = 4\n", "utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("x = 1\nL = x = 1\n", "utf-8")

    def broken(_worksheet):  # any defect of scalargrad, not only a WorksheetError
        raise IndexError("tuple index out of range")

    graded_good = grade_file(good)
    monkeypatch.setattr("scalargrad.grading.reports.check", broken)
    graded_bad = grade_file(bad)
    assert graded_bad.error and "internal error (IndexError" in graded_bad.error
    summary = class_summary([graded_good, graded_bad])
    assert "good.txt" in summary and "bad.txt" in summary


@pytest.mark.parametrize("text", ["F(t) = t^2\nq = 2\nF(∂L/∂q) = 16",
                                  "F(t) = t^2\nL = 2\nF(∂L/∂q) = 16"])
def test_a_derivative_of_an_unknown_name_in_a_function_argument_is_an_error(text):
    with pytest.raises(WorksheetError, match="unknown name"):
        parse(text)


def test_a_key_with_a_tiny_answer_checks_all_right(capsys, tmp_path):
    """exp(-144) written out in plain decimals is 66 characters: too long for a worksheet."""
    status, _, err = run(capsys, "exercise", "L = exp(-x*w)", "--at", "x=12", "w=12",
                         "--range", "11:13", "-o", str(tmp_path / "ex"))
    assert status == 0, err
    status, out, err = run(capsys, "check", str(tmp_path / "ex" / "variant-01" / "key.txt"))
    assert status == 0, err
    assert "0 wrong" in out


def test_a_worksheet_of_vectors_and_matrices_only_is_checked(capsys):
    """Seed 001 part 2c alone; the products by hand: 4 + 2·4 = 12, 3 + 32·4 = 131."""
    ws = parse("fprime = [[4, 2], [3, 32]]\nGprime = [1, 4]\n"
               "D = fprime · Gprime = [4 + 2·4, 3 + 128] = [12, 131]")
    report = check(ws)
    assert [v.right for v in report.verdicts if v.claim.form == "number"] == [True, True]
    with pytest.raises(WorksheetError, match="no single number"):
        ws.root  # noqa: B018 — a chart of it has no root: a clear error


@pytest.mark.parametrize("loss", ["λ", "变"])
def test_an_exercise_whose_loss_is_not_latin_compiles(loss, tmp_path, needs):
    needs(shutil.which("pdflatex") is not None, "pdflatex", "texlive-latex-base")
    needs(shutil.which("dot") is not None, "dot", "graphviz")
    from scalargrad.classroom.exercises import exercise

    written = exercise(f"{loss} = x*w", tmp_path, at={"x": 1.0, "w": 2.0}, pdf=True)
    assert written.pdf and (tmp_path / "handouts.pdf").exists() and written.index.exists()


def test_a_label_with_non_characters_renders():
    import scalargrad as sg

    x = sg.Value(2.0, label="a\ufffeb")
    y = sg.Value(3.0, label="c\uffff")
    svg = sg.to_svg(x * y)
    import xml.etree.ElementTree as ET

    ET.fromstring(svg)
    assert "\ufffd" in svg


def test_tiny_answers_read_back(tmp_path):
    from scalargrad.classroom.variants import rounded

    for x in (math.exp(-144), 1e-70, -3.3e-100):
        text = rounded(x)
        ws = load(_written(tmp_path, f"x = 1\nL = x\ny ≈ {text}\n"))
        assert math.isclose(float(ws.claims[0].written), x, rel_tol=1e-3)


def _written(folder: Path, text: str) -> Path:
    path = folder / "w.txt"
    path.write_text(text.replace("y ≈", "L ≈"), "utf-8")
    return path

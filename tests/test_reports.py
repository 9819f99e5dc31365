"""Reports for a teacher: Markdown, JSON, several files at once, the class summary."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from scalargrad.cli import main
from scalargrad.grading import check
from scalargrad.grading.reports import class_summary, grade_file, verdict_record
from scalargrad.grading.verdicts import MAX_MARKDOWN_ROWS, MAX_SHOWN_CHARS, markdown
from scalargrad.worksheet import parse

# h = σ(x)·v at x = 0.08, v = 0.03: 0.0155999…, so 0.015 is a slip and 0.0156 right
SLIP = "x = 0.08; v = 0.03\nf = sigmoid(x) = 0.52\nh = f · v = 0.015\n"
RIGHT = "x = 2; w = 0.03\na = x * w = 0.06\n"


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return str(path)


def test_json_has_every_verdict_with_where_what_and_the_exact_value(tmp_path, capsys):
    sheet = write(tmp_path, "slip.txt", SLIP)
    assert main(["check", sheet, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    (record,) = data["files"]
    assert (record["file"], record["status"], record["claims"], record["right"],
            record["wrong"]) == (sheet, "wrong", 2, 1, 1)
    f, h = record["verdicts"]
    assert (f["line"], f["column"], f["claim"], f["written"], f["kind"], f["right"]) == \
        (2, 18, "f", "0.52", "right", True)
    assert f["exact"] == pytest.approx(sigmoid(0.08), rel=1e-12)
    assert (h["line"], h["column"], h["claim"], h["written"], h["kind"], h["right"]) == \
        (3, 13, "h", "0.015", "slip", False)
    assert h["exact"] == pytest.approx(0.03 * sigmoid(0.08), rel=1e-12)
    assert h["file"] == sheet and h["entry"] is None and h["form"] == "number"
    assert data["totals"] == {"files": 1, "all_right": 0, "some_wrong": 1, "malformed": 0,
                              "claims": 2, "right": 1, "wrong": 1}


def test_markdown_report_is_a_table_with_escaped_text():
    report = check(parse("my_x = 0.08; v = 0.03\nh_1 = sigmoid(my_x) · v = 0.015\n"))
    text = markdown(report)
    lines = text.splitlines()
    assert lines[0] == "**1 claim: 0 right, 1 wrong (1 slip)**"
    assert lines[2].startswith("| line | claim | written | exact |")
    assert lines[4].startswith("| 2 | `h_1` | `0.015` | 0.015600 | ✗ | slip")
    assert report._repr_markdown_() == text
    assert repr(report) == "<Report of a worksheet: 1 claim: 0 right, 1 wrong (1 slip)>"


def test_a_huge_report_shows_its_wrong_claims_first_in_a_notebook():
    rows = MAX_MARKDOWN_ROWS + 100
    lines = ["x = 1"] + [f"y{i} = x + {i} = {i + 1}" for i in range(rows)]
    lines[-1] = lines[-1].rsplit("=", 1)[0] + "= 7"  # the last claim is wrong
    text = check(parse("\n".join(lines)))._repr_markdown_()
    marks = [ln.split(" | ")[4] for ln in text.splitlines() if ln.startswith("| ")]
    assert marks.count("✓") == MAX_MARKDOWN_ROWS - 1 and marks.count("✗") == 1
    assert f"`y{rows - 1}` | `7`" in text
    assert text.endswith("(100 claims not shown: 100 right, 0 wrong)\n")
    all_wrong = ["x = 1"] + [f"y{i} = x + {i} = {i + 2}" for i in range(rows)]
    text = check(parse("\n".join(all_wrong)))._repr_markdown_()
    assert text.endswith("(100 claims not shown: 0 right, 100 wrong)\n")


def test_several_files_one_line_each_and_the_worst_exit_status(tmp_path, capsys):
    good = write(tmp_path, "good.txt", RIGHT)
    slip = write(tmp_path, "slip.txt", SLIP)
    bad = write(tmp_path, "bad.txt", "x = 1\ny = x $ 2\n")
    assert main(["check", good, "--summary"]) == 0
    assert main(["check", good, slip, "--summary"]) == 1
    capsys.readouterr()
    assert main(["check", good, slip, bad, str(tmp_path / "gone.txt"), "--summary"]) == 2
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["file", "claims", "right", "wrong"]
    assert out[1].split() == [good, "1", "1", "0", "✓"]
    assert out[2].split() == [slip, "2", "1", "1", "✗", "1", "slip"]
    assert out[3].startswith(bad)
    assert f"  malformed: {bad}:2:7: unexpected character '$' (hint: " in out[3]
    assert out[4].endswith(f"malformed: no such worksheet file: {tmp_path / 'gone.txt'}")
    assert out[5:] == ["", "4 files: 1 all right, 1 with wrong claims, 2 malformed"]


def test_several_files_in_full_grade_the_good_ones_past_a_bad_one(tmp_path, capsys):
    bad = write(tmp_path, "bad.txt", "y = q\n")
    slip = write(tmp_path, "slip.txt", SLIP)
    assert main(["check", bad, slip]) == 2
    out = capsys.readouterr().out
    assert out.startswith(f"==> {bad} <==\nmalformed: {bad}:1:5: unknown name 'q'")
    assert f"==> {slip} <==\nline  claim" in out and "2 claims: 1 right, 1 wrong" in out
    assert main(["check", bad, slip, "--format", "markdown"]) == 2
    out = capsys.readouterr().out
    assert out.startswith(f"### `{bad}`\n\nmalformed: ")  # the path, Markdown-escaped
    assert out.split("\n")[2].endswith(":1:5: unknown name 'q' (hint: define it on a line above)")
    assert f"### `{slip}`\n\n**2 claims: 1 right, 1 wrong (1 slip)**\n\n| line |" in out
    assert main(["check", bad, slip, "--format", "json"]) == 2
    files = json.loads(capsys.readouterr().out)["files"]
    assert files[0]["status"] == "malformed" and files[0]["claims"] is None
    assert "unknown name 'q'" in files[0]["error"] and files[0]["verdicts"] == []
    assert [v["kind"] for v in files[1]["verdicts"]] == ["right", "slip"]


def test_summary_formats_agree(tmp_path):
    files = [grade_file(write(tmp_path, "good.txt", RIGHT)),
             grade_file(write(tmp_path, "slip.txt", SLIP))]
    md = class_summary(files, "markdown").splitlines()
    assert md[2] == f"| `{files[0].file}` | 1 | 1 | 0 | ✓ |"
    assert md[3] == f"| `{files[1].file}` | 2 | 1 | 1 | ✗ 1 slip |"
    assert md[-1] == "**2 files: 1 all right, 1 with wrong claims, 0 malformed**"
    data = json.loads(class_summary(files, "json"))
    assert [(f["status"], f["kinds"]) for f in data["files"]] == [
        ("right", {"right": 1}), ("wrong", {"right": 1, "slip": 1})]


def test_a_shipped_worksheet_is_reached_by_its_bare_name_only(tmp_path, monkeypatch,
                                                               capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "hw/seed001_x1.txt"]) == 2
    assert capsys.readouterr().err == (
        "scalargrad check: error: no such worksheet file: hw/seed001_x1.txt (the shipped "
        "one is named without a folder: seed001_x1.txt)\n")
    for command in ["steps", "graph", "animate"]:  # every command that reads a worksheet
        assert main([command, "hw/seed001_x1.txt"]) == 2
        assert "no such worksheet file: hw/seed001_x1.txt" in capsys.readouterr().err
    assert main(["check", "seed001_x1.txt", "--summary"]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("scalargrad: using the worksheet shipped with scalargrad: ")
    assert captured.out.split()[4] == "seed001_x1.txt"
    (tmp_path / "seed001_x1.txt").write_text(RIGHT, "utf-8")  # a file of one's own wins
    assert main(["check", "seed001_x1.txt"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "1 claim: 1 right, 0 wrong" in captured.out


def test_a_long_formula_is_cut_short_in_markdown_and_whole_in_json():
    long = " + ".join(["x"] * 40)  # 157 characters
    report = check(parse(f"x = 1\ny = 40x = {long} = 40\n"))
    row = next(ln for ln in markdown(report).splitlines() if long[:20] in ln)
    shown = row.split(" | ")[2]
    assert len(shown) == len("``") + MAX_SHOWN_CHARS and shown.endswith("…`")
    assert verdict_record(report.verdicts[0])["written"] == long
    first_row = report.table().splitlines()[1]  # the plain-text table cuts it the same way
    assert f"  {shown.strip('`')}  " in first_row


def test_the_readme_class_summary_is_a_real_run(monkeypatch, capsys):
    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text("utf-8")
    command = "$ scalargrad check docs/examples/answers/*.txt --summary\n"
    shown = readme.split(command, 1)[1].split("```", 1)[0]
    monkeypatch.chdir(root)
    files = sorted(str(p.relative_to(root)) for p in (root / "docs/examples/answers").iterdir())
    assert main(["check", *files, "--summary"]) == 2
    assert capsys.readouterr().out == shown


def test_a_class_with_hostile_files_grades_the_rest(tmp_path, capsys):
    good = write(tmp_path, "good.txt", RIGHT)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00x = 1")
    huge = tmp_path / "huge.txt"
    huge.write_text("x = 1\n" + "y = x # padding\n" * 20_000, "utf-8")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert main(["check", str(binary), str(huge), str(folder), good, "--summary"]) == 2
    out = capsys.readouterr().out.splitlines()
    assert out[4].startswith(good) and out[4].endswith("  ✓")
    assert all("  malformed: " in line for line in out[1:4])
    assert "not UTF-8" in out[1] and "too large" in out[2]
    assert out[-1] == "4 files: 1 all right, 0 with wrong claims, 3 malformed"


# 4 wrong formulas, 3 slips and 2 arithmetic slips (the class summary once said "4 wrong
# formula, 3 slip, 2 arithmetic"); then one claim of each kind.
MANY = ("x = 2; w = 3\na = x * w\nb = a * a\n∂b/∂a = 3a = 18\n∂a/∂x = 2w = 6\n"
        "∂a/∂w = 2 * 2 = 5\n∂b/∂x = 2 * 7 = 15\ny = a + 1 = 8\n")
ONE_EACH = ("x = 2; w = 3\na = x * w = 7\nc = a + 1 = 8\nd = a / 7\n∂d/∂a = 2 * 1 = 3\n"
            "f = x / 3 = 0.666\ne = a * a = ?\n")


@pytest.mark.parametrize("text, counts", [
    (MANY, "4 wrong formulas, 3 slips, 2 arithmetic slips"),
    (ONE_EACH, "1 arithmetic slip, 1 cut off instead of rounded, 1 follows from earlier "
               "numbers, 1 slip, 1 unanswered, 1 wrong formula"),
])
def test_the_class_summary_counts_each_kind_in_words_that_agree_with_the_number(
        tmp_path, capsys, text, counts):
    sheet = write(tmp_path, "sheet.txt", text)
    assert main(["check", sheet, "--summary"]) == 1
    assert capsys.readouterr().out.splitlines()[1].endswith(f"  ✗ {counts}")
    md = class_summary([grade_file(sheet)], "markdown").splitlines()
    assert md[2].endswith(f" | ✗ {counts} |")


def test_the_summary_of_one_report_says_follow_for_two():
    report = check(parse("x = 2; w = 3\na = x * w = 7\nc = a + 1 = 8\nd = a - 1 = 6\n"))
    assert report.summary() == ("3 claims: 0 right, 3 wrong (1 slip, 2 follow from earlier "
                                "numbers)")

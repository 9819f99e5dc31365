"""Every code block of the README runs as written, in an empty folder outside the clone,
with the installed package, and prints what the README shows.

- A ```python block runs alone as a script (``python block.py``). A ```text block right
  after it (nothing but blank lines between) is its output.
- A ```bash block runs line by line in one folder (a line ending in ``\\`` continues);
  each command must exit 0 or 1 (1: `check` found wrong claims) without a traceback or an
  error. Set-up lines (``pip install``, ``python3 -m venv``) are skipped: the package and
  its extras are installed already.
- A ```text block whose first line starts with ``$ `` is a transcript: each command runs,
  and what it prints must hold the lines shown. In expected output a line starting with
  ``...`` stands for any number of lines.
- An HTML comment on the line before a block marks it: ``<!-- fragment: ... -->`` (a
  Python block that continues the one before it: they run together), ``<!-- not run:
  why -->``, ``<!-- from the clone's root -->`` (runs there, not in an empty folder).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
SET_UP = ("pip install", "python3 -m venv")
MOST_MARKED = 8  # fragments, blocks not run (servers too) and blocks run in the clone: few


@dataclass
class Block:
    line: int  # of the opening fence, 1-based
    lang: str
    code: str
    marker: str  # the HTML comment just before, or ""
    output: Block | None = None  # the text block right after a code block


def blocks() -> list[Block]:
    lines = README.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = previous_end = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        indent, lang = len(fence[1]), fence[2]
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
        before = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = before if before.startswith("<!--") and before.endswith("-->") else ""
        block = Block(i + 1, lang, "\n".join(line[indent:] for line in lines[i + 1:end]) + "\n",
                      marker)
        previous = found[-1] if found else None
        gap = lines[previous_end + 1:i] if previous else []
        if (previous and lang == "text" and previous.lang in ("python", "bash")
                and not any(line.strip() for line in gap)):
            previous.output = block
        found.append(block)
        previous_end = end
        i = end + 1
    return found


def runnable() -> list[Block]:
    return [b for b in blocks() if b.lang in ("python", "bash")
            or (b.lang == "text" and b.code.startswith("$ "))]


def environment() -> dict[str, str]:
    """The installed `scalargrad` and `python` first on PATH, nothing else changed."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    return env


def folder_for(block: Block, tmp_path: Path) -> Path:
    return ROOT if "from the clone's root" in block.marker else tmp_path


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=environment(),
                          capture_output=True, text=True, timeout=600)


def holds(shown: str, printed: str) -> None:
    """Every run of lines of ``shown`` between ``...`` lines appears in ``printed``, in
    order (trailing spaces ignored)."""
    actual = [line.rstrip() for line in printed.splitlines()]
    at = 0
    chunk: list[str] = []
    for line in [*shown.splitlines(), "..."]:
        if not line.lstrip().startswith("..."):
            chunk.append(line.rstrip())
            continue
        if chunk:
            starts = [i for i in range(at, len(actual) - len(chunk) + 1)
                      if actual[i:i + len(chunk)] == chunk]
            assert starts, "the README shows\n" + "\n".join(chunk) + \
                "\nbut the code printed\n" + printed
            at = starts[0] + len(chunk)
        chunk = []


def commands(code: str) -> list[str]:
    """The bash block's commands, a line each (``\\`` joins lines), without set-up lines."""
    joined = re.sub(r"\\\n\s*", " ", code)
    return [line for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith(("#", *SET_UP))]


def test_the_marked_blocks_are_few():
    marked = [b for b in blocks() if b.marker]
    assert 0 < len(marked) <= MOST_MARKED, [(b.line, b.marker) for b in marked]
    assert all(re.match(r"<!-- (fragment: .+|not run: .+|from the clone's root) -->$",
                        b.marker) for b in marked), [b.marker for b in marked]


@pytest.mark.parametrize("block", runnable(), ids=lambda b: f"README.md:{b.line}:{b.lang}")
def test_the_readme_block_runs_as_written(block, tmp_path):
    if block.marker.startswith("<!-- not run:"):
        pytest.skip(block.marker)  # (not a missing tool: the README says why)
    cwd = folder_for(block, tmp_path)
    if block.lang == "python":
        code = block.code
        if block.marker.startswith("<!-- fragment"):
            code = previous_python(block).code + code
        script = tmp_path / "block.py"
        script.write_text(code, encoding="utf-8")
        done = subprocess.run([sys.executable, str(script)], cwd=cwd, env=environment(),
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        if block.output:
            holds(block.output.code, done.stdout + done.stderr)
    elif block.lang == "bash":
        for command in commands(block.code):
            done = shell(command, cwd)
            assert done.returncode in (0, 1), (command, done.stderr)
            assert "Traceback" not in done.stderr and ": error:" not in done.stderr, \
                (command, done.stderr)
    else:
        for command, shown in transcript(block.code):
            done = shell(command, cwd)
            holds(shown, done.stdout + done.stderr)


def previous_python(block: Block) -> Block:
    earlier = [b for b in blocks() if b.lang == "python" and b.line < block.line]
    return earlier[-1]


def transcript(text: str) -> list[tuple[str, str]]:
    """``$ command`` lines and the output shown after each."""
    runs: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            runs.append((line[2:], []))
        else:
            runs[-1][1].append(line)
    return [(command, "\n".join(shown)) for command, shown in runs]

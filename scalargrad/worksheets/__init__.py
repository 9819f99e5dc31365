"""The worksheets that ship with scalargrad: the seeds' pages typed in as the notes wrote
them (see the README's "The shipped worksheets"). Any ``.txt`` file in this folder is one.

>>> import scalargrad as sg
>>> "seed001_x1.txt" in sg.worksheets.names()
True

`scalargrad.worksheet.load`, `scalargrad.exercise`, `scalargrad.practice` and the command
line find one by its bare name (``load("seed001_x1.txt")``) when no such file exists in
the current folder, and say so on stderr; a name with a folder (``hw/seed001_x1.txt``) is
only ever that file.
"""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path

__all__ = ["find", "names", "path"]


def names() -> list[str]:
    """The shipped worksheets' file names, sorted."""
    return sorted(entry.name for entry in files(__name__).iterdir()
                  if entry.name.endswith(".txt") and entry.is_file())


def path(name: str) -> Path:
    """The shipped worksheet ``name`` (``"seed001_x1.txt"``)."""
    if name not in names():
        raise FileNotFoundError(f"no worksheet called {name!r} ships with scalargrad; "
                                f"the shipped ones: {', '.join(names())}")
    return Path(str(files(__name__) / name))


def find(source: str | Path) -> Path:
    """The file ``source`` names: itself if it exists, else the shipped worksheet of that
    bare name (said on stderr), else ``source`` unchanged (reading it will say it is
    missing)."""
    given = Path(source)
    if given.exists() or str(source) != given.name or given.name not in names():
        return given
    shipped = path(given.name)
    print(f"scalargrad: using the worksheet shipped with scalargrad: {shipped}",
          file=sys.stderr)
    return shipped


def __dir__() -> list[str]:
    """Tab completion (``sg.worksheets.``) offers the public names only."""
    return __all__

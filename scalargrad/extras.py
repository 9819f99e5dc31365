"""Optional dependencies, each brought by an extra of this distribution (scalargrad-edu).

A missing one is one line that names the extra to install, said before any work starts:

>>> install_command("compile")
'pip install "scalargrad-edu[compile]"'
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["DISTRIBUTION", "MissingExtra", "install_command", "missing", "require"]

DISTRIBUTION = "scalargrad-edu"  # on PyPI "scalargrad" is an unrelated project


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message says which extra brings it."""


def install_command(extra: str) -> str:
    """The pip command that installs ``extra`` of this distribution."""
    return f'pip install "{DISTRIBUTION}[{extra}]"'


def missing(*modules: str) -> list[str]:
    """The ``modules`` that cannot be imported (not installed, or installed broken)."""
    absent = []
    for module in modules:
        try:
            import_module(module)
        except ImportError:
            absent.append(module)
    return absent


def require(*modules: str, extra: str, needed_by: str) -> None:
    """Raise `MissingExtra` (one line) unless every one of ``modules`` can be imported."""
    absent = missing(*modules)
    if absent:
        names = ", ".join(absent[:-1]) + (" and " if absent[:-1] else "") + absent[-1]
        raise MissingExtra(f"{needed_by} needs {names}, which "
                           f"{'is' if len(absent) == 1 else 'are'} not installed: "
                           f"{install_command(extra)}")

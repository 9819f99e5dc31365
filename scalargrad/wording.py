"""How counts read in messages: ``1 claim``, ``2 claims``, ``1 entry``, ``3 entries``."""

from __future__ import annotations

# Nouns whose plural is not noun + "s" (the checker's kinds of verdict among them).
_IRREGULAR = {"entry": "entries", "follows": "follow", "cut off": "cut off",
              "true here only": "true here only", "unanswered": "unanswered"}


def plural(n: int, noun: str) -> str:
    """``n`` and the noun, singular for exactly one: ``plural(1, "input")`` → ``1 input``,
    ``plural(5802, "step")`` → ``5,802 steps``."""
    return f"{n:,} {noun if n == 1 else _IRREGULAR.get(noun, noun + 's')}"

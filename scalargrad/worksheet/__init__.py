"""Worksheets: a hand-worked example as a small text file, parsed (never executed).

A worksheet reads like a page of notes::

    # seed 001, first example
    x11 = 1; x12 = 2; y = 8
    w11 = 0.02; w12 = 0.03
    a1 = x12 · w12 = 2 · (0.03) = 0.06      # name = formula = working = claimed value
    f1 = Sigmoid(e1) = 0.52
    L = (ŷ - y)^2
    ∂L/∂ŷ = 2(ŷ - y) = -15.88               # a claimed derivative (also dL/dyhat)
    x = [1, 1, 2]ᵀ; W = [[0.01, 0.02, 0.03], [0.03, 0.01, 0.02]]; z = W x = [0.09, 0.08]

The rules, line by line (see the README for the whole format):

- ``name = formula`` defines ``name`` once; a formula uses numbers, names defined on an
  earlier line, ``+ - * / ** ^`` (also ``· × ÷ −``), implicit products (``2(ŷ - y)``,
  ``f1(1 - f1)``), the functions ``sigmoid σ exp log ln tanh relu abs``, vectors
  ``[a, b]`` and matrices ``[[a, b], [c, d]]`` with ``ᵀ @ ⊙``;
- ``F(x, y) = formula`` defines a function; ``F(1, 2)``, ``DF(1, 2)`` (its Jacobian),
  ``∇f(1, 2)`` and ``D(F∘G)(2)`` may then be used and claimed;
- further ``= …`` or ``≈ …`` parts on the line are the student's working: a plain number
  (or a bracket of them) is a *claim* about the value, numbers-only working an
  *arithmetic step*, working with names a *formula*; ``# 0.06`` ends a line with a claim;
- ``name ≈ 0.52`` claims a value again later; ``∂U/∂V = …`` or ``dU/dV = …`` claims a
  derivative; ``loss: L`` names the root (otherwise the last name defined);
- ``;`` or ``,`` separate statements on one line; ``#`` starts a comment;
- the notation of published examples: Euler's ``e^{-x}``, ``w5⁺`` and ``w'``, ``σ'(z)``
  and ``f'(x)``, ``max(z, w)``, ``1(x > 0)`` and ``[x ≥ y]``, labels such as ``net(h1)``,
  MATLAB's ``[2; 3]`` and ``[0.14 0.15]``, ``∂(½(p − a)²)/∂p`` and ``d/dx (x^2)``, a weight
  updated by a gradient, and givens known to the digits shown (``w1 ≈ 0.2355``).

The modules: `tokens` (a line into tokens), `syntax` (the tree), `parser` (tokens into
the tree), `arrays` (vectors and matrices over scalar nodes), `evaluation` (the tree with
the engine's operations), `derivative_graphs` (∇ and D as graphs, so they can be differentiated
again), `prescan` (the whole text at a glance: labels, defined names, rounded givens),
`model` (what a worksheet is once read), `reader` (statements, definitions and chains;
`statements` is its first pass), `exact` (the values again in high-precision interval
arithmetic). Any problem is a `WorksheetError` that names the line and column and gives a
hint.
"""

from .arrays import Array
from .evaluation import Evaluator, Function, evaluate, number
from .model import Chain, Claim, Definition, Link, Subject, Worksheet
from .parser import Parser
from .reader import expression, load, parse
from .syntax import FUNCTIONS, derivatives_in, names_in
from .tokens import MAX_BYTES, MAX_DEPTH, MAX_NUMBER_CHARS, Token, WorksheetError, tokenize

__all__ = [
    "FUNCTIONS", "MAX_BYTES", "MAX_DEPTH", "MAX_NUMBER_CHARS", "Array", "Chain", "Claim",
    "Definition", "Evaluator", "Function", "Link", "Parser", "Subject", "Token",
    "Worksheet", "WorksheetError", "derivatives_in", "evaluate", "expression", "load",
    "names_in", "number", "parse", "tokenize",
]

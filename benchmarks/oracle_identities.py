"""The identity check against SymPy: generated worksheets, right formulas and mutants.

    python benchmarks/oracle_identities.py [--cases N] [--seed S]

Each case is a small worksheet (numbers, one operation a line, a loss; vectors and
matrices; functions, gradients and identities in variables) with one formula claim: a
right formula (the chain rule written out in the worksheet's names, or SymPy's own
derivative printed) or a mutant of it (a sign, a factor, a branch — relu′ or abs′
dropped, abs put on a name —, a missing σ′, a transposed product, a reshaped matrix, a
given substituted for its name, a wrong number substituted).  SymPy decides whether the
formula equals its quantity *identically*: simplify(formula − quantity) == 0 on every
sign case of the inputs that relu and abs depend on (each input x written ±t with t > 0,
so that |t|, relu(t) resolve); a non-zero difference is confirmed by a witness (the
difference evaluated at random positive t with 50 digits); a case that is neither proved
nor refuted is counted as undecided and left out.  The checker's verdict must agree:
right ↔ identical; and for a scalar formula that is not identical, "true here only" ↔
equal at the worksheet's own point (SymPy at 40 digits; a gap under 1e-4 but not 0 is
left out), else "wrong formula".

Numbers that stand for names follow the rule of `scalargrad.grading.identities` (a
number may be read as a name whose value it is at the digits written and which the
formula does not write by name): the oracle tries every such reading in SymPy, and the
formula is identical when one reading is.

The suite runs a few hundred cases (tests/test_identities_oracle.py); this script runs
as many as asked and prints the counts, by family and by verdict.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import sympy as sp

from scalargrad.grading import check
from scalargrad.worksheet import parse

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its helper, oracle_trees.py
from oracle_trees import (
    SYMPY_CALLS,
    Case,
    Tree,
    from_sympy,
    nodes,
    readings,
    replace,
    text,
    to_sympy,
)


def _value(rng: random.Random) -> str:
    return rng.choice(["1", "2", "3", "-1", "-2", "0.5", "-0.3", "1.5", "0.25", "7", "-2.5",
                       "0.7", "-1.2"])


INPUTS = ["a", "b", "c", "w", "x", "y"]


@dataclass
class Sheet:
    """A generated scalar worksheet: inputs, one operation a line, SymPy's view of it."""

    values: dict[str, str] = field(default_factory=dict)          # input → written value
    exprs: dict[str, sp.Expr] = field(default_factory=dict)       # name → in the inputs
    lines: list[str] = field(default_factory=list)
    locals: dict[str, dict[str, Tree]] = field(default_factory=dict)  # ∂node/∂ref as a tree
    atoms: dict[tuple[str, str], sp.Expr] = field(default_factory=dict)
    monomial: set[str] = field(default_factory=set)               # ± products of inputs
    kinks: set[sp.Symbol] = field(default_factory=set)
    trees: dict[str, Tree] = field(default_factory=dict)              # node → its formula

    def input(self, name: str, value: str) -> None:
        self.values[name] = value
        self.exprs[name] = sp.Symbol(name, real=True)
        self.lines.append(f"{name} = {value}")
        self.monomial.add(name)

    def node(self, name: str, tree: Tree, local: dict[str, Tree], monomial: bool = False
             ) -> None:
        self.lines.append(f"{name} = {text(tree)}")
        self.trees[name] = tree
        self.exprs[name] = to_sympy(tree, self.exprs, {})
        self.locals[name] = local
        if monomial:
            self.monomial.add(name)


def scalar_sheet(rng: random.Random) -> Sheet:
    """Inputs and 2–5 nodes of one operation each, the last one the loss L."""
    s = Sheet()
    for name in rng.sample(INPUTS, rng.randint(1, 3)):
        s.input(name, _value(rng))
    count = rng.randint(2, 5)
    for k in range(1, count + 1):
        name = "L" if k == count else f"h{k}"
        names = list(s.exprs)
        u, v = rng.choice(names), rng.choice(names)
        U, V = ("name", u), ("name", v)
        op = rng.choice(["add", "sub", "mul", "mul", "sigmoid", "tanh", "exp", "relu", "abs",
                         "pow", "twice", "loss"])
        if op in ("relu", "abs") and u not in s.monomial:
            op = "mul"
        if op == "exp" and u not in s.monomial:
            op = "tanh"
        if op == "add":
            s.node(name, ("add", U, V), {u: ("num", "1")} if u != v else {u: ("num", "2")})
            if u != v:
                s.locals[name][v] = ("num", "1")
        elif op == "sub":
            s.node(name, ("sub", U, V), {u: ("num", "1"), v: ("neg", ("num", "1"))}
                   if u != v else {u: ("num", "0")})
        elif op == "mul":
            s.node(name, ("mul", U, V), {u: V, v: U} if u != v else {u: ("mul", ("num", "2"), U)},
                   monomial=u in s.monomial and v in s.monomial)
        elif op == "sigmoid":
            n = ("name", name)
            s.node(name, ("call", "sigmoid", U), {u: ("mul", n, ("sub", ("num", "1"), n))})
        elif op == "tanh":
            n = ("name", name)
            s.node(name, ("call", "tanh", U), {u: ("sub", ("num", "1"), ("pow", n, 2))})
        elif op == "exp":
            s.node(name, ("call", "exp", U), {u: ("name", name)})
        elif op in ("relu", "abs"):
            s.node(name, ("call", op, U), {u: ("d", name, u)})
            t = sp.Symbol("t")
            rule = sp.diff(SYMPY_CALLS[op](t), t)
            s.atoms[(name, u)] = rule.subs(t, s.exprs[u])
            s.kinks |= s.exprs[u].free_symbols
        elif op == "pow":
            s.node(name, ("pow", U, 2), {u: ("mul", ("num", "2"), U)})
        elif op == "twice":
            s.node(name, ("mul", ("num", "2"), U), {u: ("num", "2")},
                   monomial=u in s.monomial)
        else:  # a squared error against an input
            target = rng.choice([n for n in s.values] or [u])
            s.node(name, ("pow", ("sub", U, ("name", target)), 2),
                   {u: ("mul", ("num", "2"), ("sub", U, ("name", target)))}
                   if u != target else {u: ("num", "0")})
    return s


def chain_rule(s: Sheet, top: str, bottom: str) -> Tree | None:
    """∂top/∂bottom written out (forward from ``bottom``): Σ over refs of the local
    derivative times the ref's; None where it is 0."""
    d: dict[str, Tree | None] = {bottom: ("num", "1")}
    order = list(s.exprs)
    for name in order[order.index(bottom) + 1:]:
        terms = []
        for ref, local in s.locals.get(name, {}).items():
            if d.get(ref) is not None and local != ("num", "0"):
                terms.append(local if d[ref] == ("num", "1") else ("mul", local, d[ref]))
        d[name] = None
        for t in terms:
            d[name] = t if d[name] is None else ("add", d[name], t)
    return d.get(top)


def node_derivative(s: Sheet, top: str, bottom: str) -> sp.Expr:
    """The true ∂top/∂bottom, bottom a node: top with bottom a free symbol, differentiated."""
    order = list(s.exprs)
    free = sp.Symbol("_bottom", real=True)
    exprs: dict[str, sp.Expr] = {}
    for name in order:
        if name == bottom:
            exprs[name] = free
        elif name in s.values or order.index(name) < order.index(bottom):
            exprs[name] = s.exprs[name]
        else:
            exprs[name] = to_sympy(s.trees[name], exprs, {})
    return sp.diff(exprs[top], free).subs(free, s.exprs[bottom])


def mutants(formula: Tree, s: Sheet, rng: random.Random) -> list[tuple[str, Tree]]:
    """Right and mutated versions of a formula."""
    out = [("right", formula), ("sign", ("neg", formula)), ("factor", ("mul", ("num", "2"),
                                                                        formula))]
    all_nodes = nodes(formula)
    for n in all_nodes:
        if n[0] == "d":
            out.append(("branch: relu′/abs′ dropped", replace(formula, n, ("num", "1"))))
        if n[0] == "mul" and n[2][0] == "sub" and n[2][1] == ("num", "1"):
            out.append(("missing σ′", replace(formula, n, n[2])))
        if n[0] == "name" and n[1] in s.values:
            out.append(("abs on a name", replace(formula, n, ("call", "abs", n))))
            out.append(("given substituted", replace(formula, n, ("num", s.values[n[1]]))))
            wrong = str(Decimal(s.values[n[1]]) + 1)
            out.append(("wrong number substituted", replace(formula, n, ("num", wrong))))
        if n[0] == "add":
            out.append(("sign of a term", replace(formula, n, ("sub", n[1], n[2]))))
    rng.shuffle(out)
    return out[:4] if ("right", formula) in out[:4] else [("right", formula), *out[:3]]


# -- deciding: SymPy -------------------------------------------------------------------


def identical(difference: sp.Expr, signs: list[sp.Symbol], rng: random.Random) -> bool | None:
    """Is ``difference`` 0 identically, on every sign case of ``signs``?  None: undecided."""
    ts = [sp.Symbol(f"t_{x.name}", positive=True) for x in signs]
    for case in itertools.product((1, -1), repeat=len(signs)):
        d = difference.subs({x: c * t for x, c, t in zip(signs, case, ts)}, simultaneous=True)
        if sp.simplify(d) == 0:
            continue
        for _ in range(6):  # a witness: the difference is not 0 somewhere in this case
            at = {x: sp.Rational(rng.randint(1, 60), rng.randint(3, 30)) *
                  (1 if x.is_positive else rng.choice((1, -1))) for x in d.free_symbols}
            try:
                value = complex(sp.N(d.subs(at), 50))
            except (TypeError, ValueError, ZeroDivisionError):
                continue
            if abs(value) > 1e-30:
                return False
        return None
    return True


def oracle(case: Case, rng: random.Random) -> bool | None:
    """SymPy's verdict: is the formula (under some reading of its numbers) identical?"""
    if case.formula is None:
        return None
    undecided = False
    for value in case.formula.values():
        if isinstance(case.truth, sp.MatrixBase):
            if not isinstance(value, sp.MatrixBase) or value.shape != case.truth.shape:
                if isinstance(value, sp.MatrixBase) and 1 in value.shape and 1 in case.truth.shape \
                        and len(value) == len(case.truth):
                    value = value.reshape(*case.truth.shape)
                else:
                    continue
            verdicts = [identical(sp.sympify(a - b), case.signs, rng)
                        for a, b in zip(value, case.truth)]
            if all(v is True for v in verdicts):
                return True
            undecided |= any(v is None for v in verdicts) and not any(v is False for v in verdicts)
            continue
        verdict = identical(sp.sympify(value - case.truth), case.signs, rng)
        if verdict:
            return True
        undecided |= verdict is None
    return None if undecided else False


def formula_values(formula: Tree, exprs: dict[str, sp.Expr], values: dict[str, str],
                   atoms: dict[tuple[str, str], sp.Expr]) -> dict[int, sp.Expr] | None:
    """The formula in SymPy under each reading of its numbers (None: too many readings)."""
    options = readings(formula, exprs, _own(exprs, values))
    if options is None:
        return None
    return {k: to_sympy(formula, exprs, atoms, r) for k, r in enumerate(options)}


# -- families --------------------------------------------------------------------------


def scalar_cases(rng: random.Random) -> list[Case]:
    """∂L/∂(an input or a node) in a chain of one-operation lines."""
    s = scalar_sheet(rng)
    bottom = rng.choice([n for n in s.exprs if n != "L"])
    formula = chain_rule(s, "L", bottom)
    if formula is None:
        return []
    truth = sp.diff(s.exprs["L"], s.exprs[bottom]) if bottom in s.values else \
        node_derivative(s, "L", bottom)
    return [Case("scalar", mutation, s.lines, f"∂L/∂{bottom} = {text(tree)}", truth,
                 formula_values(tree, s.exprs, s.values, s.atoms), sorted(s.kinks, key=str),
                 _point(s.values))
            for mutation, tree in mutants(formula, s, rng) if is_formula(tree)]


def is_formula(t: Tree) -> bool:
    """Does it use a name or a derivative (else it is a number, not a formula)?"""
    return any(n[0] in ("name", "d") for n in nodes(t))


def _point(values: dict[str, str]) -> dict[sp.Symbol, sp.Rational]:
    return {sp.Symbol(k, real=True): sp.Rational(v) for k, v in values.items()}


def _own(exprs: dict[str, sp.Expr], values: dict[str, str]) -> dict[str, sp.Expr]:
    """Every name's value at the worksheet's point."""
    at = {sp.Symbol(k, real=True): sp.Rational(v) for k, v in values.items()}
    return {n: sp.sympify(e).subs(at) for n, e in exprs.items()}


def _printed(e: sp.Expr) -> Tree | None:
    try:
        return from_sympy(sp.expand(e))
    except ValueError:
        return None


def _generic(formula: Tree, values: dict[str, str], rng: random.Random
             ) -> list[tuple[str, Tree]]:
    """A right formula and three mutants: a sign, a factor, a given substituted (right by
    the rule) or a wrong number substituted."""
    out = [("right", formula), ("sign", ("neg", formula)),
           ("factor", ("mul", ("num", "2"), formula))]
    names = [n for n in nodes(formula) if n[0] == "name" and n[1] in values]
    if names:
        n = rng.choice(names)
        if rng.random() < 0.5:
            out.append(("given substituted", replace(formula, n, ("num", values[n[1]]))))
        else:
            wrong = str(Decimal(values[n[1]]) + 1)
            out.append(("wrong number substituted", replace(formula, n, ("num", wrong))))
    return out


BODIES = ["(t) · (x)", "(t)^2 + (x)", "tanh((t) · (x))", "(exp(t)) · (x)", "σ((x) · (t))",
          "(t) · (x)^2"]
LOSSES = ["(x) · (r)", "(r)^2", "(r) + (x)^2", "(r) · (x)^2", "(r) - (x)"]


def function_cases(rng: random.Random) -> list[Case]:
    """Paths through function bodies, gradients as values, identities in variables, and
    names defined through functions (moved at random points)."""
    return rng.choice([_body_path, _gradient_value, _variables, _through_function])(rng)


def _read(line: str, names: dict[str, sp.Expr]) -> sp.Expr:
    """A printed formula back in SymPy (the few notations these families print)."""
    local = {**names, "σ": lambda u: 1 / (1 + sp.exp(-u)), "tanh": sp.tanh, "exp": sp.exp}
    return sp.sympify(line.replace("·", "*").replace("^", "**"), locals=local)


def _body_path(rng: random.Random) -> list[Case]:
    x = sp.Symbol("x", real=True)
    values = {"x": rng.choice(["2", "0.5", "-1", "1.5", "3"])}
    k = rng.choice(["3", "2", "0.5", "-1"])
    body, loss = rng.choice(BODIES), rng.choice(LOSSES)
    r = _read(body, {"t": sp.Rational(k), "x": x})
    L = _read(loss, {"x": x, "r": r})
    lines = [f"x = {values['x']}", f"F(t) = {body}", f"r = F({k})", f"L = {loss}"]
    exprs = {"x": x, "r": r, "L": L}
    formula = _printed(sp.diff(L, x))
    held = _printed(sp.diff(_read(loss, {"x": x, "r": sp.Symbol("r", real=True)}), x))
    if formula is None:
        return []
    pairs = _generic(formula, values, rng)
    if held is not None:  # the path through F's body missed: r held fixed
        pairs.append(("body path missed", held))
    return _cases("functions", lines, "∂L/∂x", sp.diff(L, x), exprs, values, pairs, [])


POLYS = ["(t)^3", "(t)^4 + (t)", "exp((2) · (t))", "tanh(t)", "(t)^2 · (exp(t))"]


def _gradient_value(rng: random.Random) -> list[Case]:
    x, t = sp.Symbol("x", real=True), sp.Symbol("t", real=True)
    values = {"x": rng.choice(["2", "0.5", "-1", "1.5"])}
    f = rng.choice(POLYS)
    fx = _read(f, {"t": t})
    g = sp.diff(fx, t).subs(t, x)
    lines = [f"f(t) = {f}", f"x = {values['x']}", "g = ∇f(x)"]
    exprs = {"x": x, "g": g}
    formula = _printed(sp.diff(g, x))
    if formula is None:
        return []
    pairs = _generic(formula, values, rng)
    once = _printed(g)
    if once is not None:
        pairs.append(("differentiated once, not twice", once))
    return _cases("functions", lines, "∂g/∂x", sp.diff(g, x), exprs, values, pairs, [])


TWO = ["(s)^2 + (s) · (t)", "(s) · (t)^2", "((2) · (s) + (3) · (t))^2", "(s)^3 - (t)",
       "exp((s) · (t))"]


def _variables(rng: random.Random) -> list[Case]:
    s_, t = sp.Symbol("s", real=True), sp.Symbol("t", real=True)
    f = rng.choice(TWO)
    fx = _read(f, {"s": s_, "t": t})
    grad = [sp.diff(fx, s_), sp.diff(fx, t)]
    printed = [_printed(g) for g in grad]
    if None in printed:
        return []
    truth = sp.Matrix([grad])
    lines = ["z = 0", f"f(s, t) = {f}"]
    pairs = [("right", printed), ("sign", [("neg", printed[0]), printed[1]]),
             ("swapped", printed[::-1])]
    names = [n for n in nodes(printed[0]) if n[0] == "name"]
    if names:  # abs put on a variable (2abs(x) for 2x)
        n = rng.choice(names)
        pairs.append(("abs on a variable", [replace(printed[0], n, ("call", "abs", n)),
                                            printed[1]]))
    cases = []
    for mutation, entries in pairs:
        claim = f"∇f(s, t) = [{text(entries[0])}, {text(entries[1])}]"
        value = {0: sp.Matrix([[to_sympy(e, {"s": s_, "t": t, "z": 0}, {}) for e in entries]])}
        cases.append(Case("variables", mutation, lines, claim, truth, value, [s_, t]))
    return cases


def _through_function(rng: random.Random) -> list[Case]:
    b, x = sp.Symbol("b", real=True), sp.Symbol("x", real=True)
    k = rng.choice(["2", "3", "0.5", "-1"])
    values = {"b": k, "x": rng.choice(["2", "1.5", "-0.5"])}
    loss = rng.choice(["(3) · (b)^2 + (x) · (b)", "(b) · (x)^2", "tanh((b) · (x))",
                       "(b)^2 · (x)"])
    L = _read(loss, {"b": b, "x": x})
    lines = ["G(t) = [t, t^2]", f"b = G({k}) · [1, 0]", f"x = {values['x']}", f"L = {loss}"]
    exprs = {"b": b, "x": x, "L": L}
    wrt = rng.choice(["b", "x"])
    symbol = b if wrt == "b" else x
    formula = _printed(sp.diff(L, symbol))
    if formula is None:
        return []
    return _cases("functions", lines, f"∂L/∂{wrt}", sp.diff(L, symbol), exprs, values,
                  _generic(formula, values, rng), [])


def _cases(family: str, lines: list[str], subject: str, truth: sp.Expr,
           exprs: dict[str, sp.Expr], values: dict[str, str],
           pairs: list[tuple[str, Tree]], signs: list[sp.Symbol]) -> list[Case]:
    out = []
    for mutation, tree in pairs:
        if not is_formula(tree):
            continue
        out.append(Case(family, mutation, lines, f"{subject} = {text(tree)}", truth,
                        formula_values(tree, exprs, values, {}), signs, _point(values)))
    return out


def vector_cases(rng: random.Random) -> list[Case]:
    """Products of vectors and matrices (transposed or not) and reshaped matrices."""
    return rng.choice([_products, _shapes])(rng)


def _products(rng: random.Random) -> list[Case]:
    entries = {n: rng.choice(["1", "2", "-1", "0.5", "3", "-2"]) for n in
               ["u1", "u2", "v1", "v2", "m11", "m12", "m21", "m22"]}
    sym = {n: sp.Symbol(n, real=True) for n in entries}
    U = sp.Matrix([[sym["u1"], sym["u2"]]])
    V = sp.Matrix([[sym["v1"], sym["v2"]]])
    M = sp.Matrix([[sym["m11"], sym["m12"]], [sym["m21"], sym["m22"]]])
    lines = [*(f"{n} = {v}" for n, v in entries.items()), "u = [u1, u2]", "v = [v1, v2]",
             "M = [[m11, m12], [m21, m22]]", "L = u · (M v)"]
    L = (U * M * V.T)[0]
    wrt = rng.choice(["v", "u", "M"])
    if wrt == "M":
        truth = sp.Matrix(2, 2, lambda i, j: sp.diff(L, M[i, j]))
        options = {"uᵀ v": (U.T * V, "right"), "vᵀ u": (V.T * U, "transposed"),
                   "2 uᵀ v": (2 * U.T * V, "factor")}
    else:
        X = V if wrt == "v" else U
        truth = sp.Matrix([[sp.diff(L, x) for x in X]])
        options = ({"Mᵀ u": (M.T * U.T, "right"), "u M": (U * M, "right"),
                    "M u": (M * U.T, "transposed"), "-Mᵀ u": (-M.T * U.T, "sign")}
                   if wrt == "v" else
                   {"M v": (M * V.T, "right"), "v Mᵀ": (V * M.T, "right"),
                    "Mᵀ v": (M.T * V.T, "transposed"), "2 M v": (2 * M * V.T, "factor")})
    return [Case("vectors", mutation, lines, f"∂L/∂{wrt} = {written}", truth, {0: value})
            for written, (value, mutation) in options.items()]


def _shapes(rng: random.Random) -> list[Case]:
    names = ["p", "q", "r", "s", "t", "w"]
    values = {n: str(rng.randint(-3, 9)) for n in names}
    sym = [sp.Symbol(n, real=True) for n in names]
    A = sp.Matrix(3, 2, sym)
    lines = [*(f"{n} = {v}" for n, v in values.items()), "A = [[p, q], [r, s], [t, w]]"]
    options = {
        "[[p, q], [r, s], [t, w]]": (A, "right"),
        "[[p, r, t], [q, s, w]]ᵀ": (sp.Matrix(2, 3, [sym[i] for i in (0, 2, 4, 1, 3, 5)]).T,
                                    "right"),
        "[[p, q, r], [s, t, w]]": (sp.Matrix(2, 3, sym), "reshaped"),
        "[[p, r, t], [q, s, w]]": (sp.Matrix(2, 3, [sym[i] for i in (0, 2, 4, 1, 3, 5)]),
                                   "transposed"),
        "[p, q, r, s, t, w]": (sp.Matrix(1, 6, sym), "a vector"),
        "[[q, p], [r, s], [t, w]]": (sp.Matrix(3, 2, [sym[i] for i in (1, 0, 2, 3, 4, 5)]),
                                     "entries swapped"),
    }
    return [Case("shapes", mutation, lines, f"D = A = {written}", A, {0: value})
            for written, (value, mutation) in options.items()]


# -- running ---------------------------------------------------------------------------

FAMILIES = [scalar_cases, function_cases, scalar_cases, vector_cases]


def here_only(case: Case) -> bool | None:
    """For a formula that is not an identity: does it (under some reading of its numbers)
    equal the quantity at the worksheet's own point?  SymPy at 40 digits; None where the
    two differ too little to say (within 1e-4 but not 0)."""
    if not case.point or isinstance(case.truth, sp.MatrixBase) or case.formula is None:
        return None
    try:
        truth = complex(sp.N(sp.sympify(case.truth).subs(case.point), 40))
        values = [complex(sp.N(sp.sympify(v).subs(case.point), 40))
                  for v in case.formula.values()]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    gaps = [abs(v - truth) / (1 + abs(truth)) for v in values]
    if any(g <= 1e-25 for g in gaps):
        return True
    return False if all(g > 1e-4 for g in gaps) else None


def checker_says(case: Case) -> tuple[bool, list[str]]:
    """Is the claim's formula right by the checker (every entry), and its verdicts' kinds."""
    report = check(parse(case.worksheet))
    line = len(case.lines) + 1
    kinds = [v.kind for v in report.verdicts if v.claim.line == line and v.claim.form == "formula"]
    return bool(kinds) and all(k == "right" for k in kinds), kinds


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    disagreements: list[tuple[Case, bool, list[str]]] = field(default_factory=list)


def run(cases: int, seed: int) -> Tally:
    """Generate and decide ``cases`` cases (families in turn) from ``seed``."""
    tally = Tally()
    rng = random.Random(seed)
    done = 0
    for turn in itertools.count():
        if done >= cases:
            break
        for case in FAMILIES[turn % len(FAMILIES)](rng):
            if done >= cases:
                break
            done += 1
            truth = oracle(case, rng)
            if truth is None:
                tally.counts[case.family, "undecided"] += 1
                continue
            right, kinds = checker_says(case)
            tally.counts[case.family, "identical" if truth else "not identical"] += 1
            if right != truth:
                tally.disagreements.append((case, truth, kinds))
            elif not truth and (here := here_only(case)) is not None:
                expected = "true here only" if here else "wrong formula"
                tally.counts[case.family, f"  of which {expected}"] += 1
                if any(k != expected for k in kinds):
                    tally.disagreements.append((case, truth, kinds))
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    start = time.perf_counter()
    tally = run(args.cases, args.seed)
    seconds = time.perf_counter() - start
    for (family, verdict), n in sorted(tally.counts.items()):
        print(f"{family:10} {verdict:30} {n:6}")
    total = sum(n for (_, verdict), n in tally.counts.items() if not verdict.startswith(" "))
    print(f"{total} cases in {seconds:.0f} s, {len(tally.disagreements)} disagreements")
    for case, truth, kinds in tally.disagreements[:10]:
        print(f"--- SymPy: {'identical' if truth else 'not identical'}; checker: {kinds} "
              f"({case.family}, {case.mutation})\n{case.worksheet}")
    return 1 if tally.disagreements else 0


if __name__ == "__main__":
    sys.exit(main())

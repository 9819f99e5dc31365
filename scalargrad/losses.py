"""Loss functions: sequences of Values (or numbers) in, one Value out.

Targets may be numbers or Values (a compiled function's trace passes every number of a
sample as a Value, targets included; see `scalargrad.compiler`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .engine import Operand, Value, constant, sum_values
from .wording import plural

# Called as listener(loss, scores, target) by cross_entropy while `sg.compile` traces a
# function: the loss's shift m = max s is a number read from .data, which a trace of the
# scalar ops alone cannot follow from one sample to the next, so the compiler runs the whole
# loss as one array op instead of replaying its nodes.
trace_listeners: list[Callable[[Value, list[Value], Value | int], None]] = []


@dataclass(frozen=True)
class Rule:
    """A check a loss makes on a number it is given: ``holds(x)`` (a float, or elementwise
    an array: the compiled path checks every sample with it) and the message if not."""

    holds: Callable[[Any], Any]
    message: Callable[[float, int], str]  # (the number, its position)


HINGE_LABEL = Rule(lambda y: (y == 1) | (y == -1),
                   lambda y, i: f"hinge: labels must be -1 or +1, got {y:g} at position {i}")
BCE_PROBABILITY = Rule(lambda p: (p > 0) & (p < 1),
                       lambda p, i: f"bce: probability at position {i} is {p:g}; it must be "
                                    "strictly between 0 and 1 (squash scores with sigmoid first)")
BCE_TARGET = Rule(lambda y: (y >= 0) & (y <= 1),
                  lambda y, i: f"bce: target at position {i} is {y:g}; it must be between 0 "
                               "and 1 (a probability, usually a label 0 or 1)")

# Called as listener(rule, value, position, scores) for each check a loss makes on a Value
# (``scores``: the Values the loss was given, computed before the check), so that a
# compiled function makes it on every sample, not only on the traced ones.
check_listeners: list[Callable[[Rule, Value, int, Sequence[Value]], None]] = []


def _require(rule: Rule, x: Operand, position: int, scores: Sequence[Operand]) -> None:
    """Raise ValueError unless ``rule`` holds for ``x``; tell the listeners."""
    data = x.data if isinstance(x, Value) else x
    if not rule.holds(data):
        raise ValueError(rule.message(data, position))
    if isinstance(x, Value):
        for listener in check_listeners:
            listener(rule, x, position, [s for s in scores if isinstance(s, Value)])


def _pairs(name: str, preds: Sequence[Operand], targets: Sequence[Operand]) -> None:
    if len(preds) != len(targets):
        raise ValueError(f"{name}: {plural(len(preds), 'prediction')} "
                         f"but {plural(len(targets), 'target')}")
    if not preds:
        raise ValueError(f"{name}: needs at least one prediction")


LOSS_NAME = "L"
"""What a loss is called (its label) unless one names it otherwise: the notes' name, the
same in every view of the chart, the walkthrough and the animation."""


def _named(loss: Value) -> Value:
    """The loss, labelled `LOSS_NAME` unless it has a label already."""
    loss.label = loss.label or LOSS_NAME
    return loss


def _value(x: Operand) -> Value:
    return x if isinstance(x, Value) else constant(x)


def _total(terms: Sequence[Value]) -> Value:
    """Σ terms as one node; a single term is itself (no copy node that no formula has)."""
    return terms[0] if len(terms) == 1 else sum_values(terms)


def _mean(total: Value, n: int) -> Value:
    """total / n, without a "÷ 1" node when there is one term."""
    return total if n == 1 else total / n


def mse(preds: Sequence[Operand], targets: Sequence[Operand]) -> Value:
    """Mean squared error, (1/n) Σ (ŷᵢ − yᵢ)²."""
    _pairs("mse", preds, targets)
    squares = [(_value(p) - t) ** 2 for p, t in zip(preds, targets)]
    return _named(_mean(_total(squares), len(preds)))


def half_sse(preds: Sequence[Operand], targets: Sequence[Operand]) -> Value:
    """Half the sum of squared errors, ½ Σ (ŷᵢ − yᵢ)², whose derivative is ŷᵢ − yᵢ."""
    _pairs("half_sse", preds, targets)
    return _named(0.5 * _total([(_value(p) - t) ** 2 for p, t in zip(preds, targets)]))


def cross_entropy(logits: Sequence[Operand], target_index: int | Value) -> Value:
    """Softmax cross-entropy, −log pₜ with pₜ = e^{sₜ} / Σⱼ e^{sⱼ}.

    Computed as log Σⱼ e^{sⱼ−m} + m − sₜ with m = max s (a constant), so no exp
    overflows; ∂/∂sⱼ = pⱼ − [j = t].
    """
    if not logits:
        raise ValueError("cross_entropy: needs at least one logit")
    index = target_index
    if isinstance(index, Value) and index.data.is_integer():
        index = int(index.data)  # a class index held by a Value (as a compiled trace gives)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(logits):
        raise ValueError(
            f"cross_entropy: target_index must be an int in 0..{len(logits) - 1}, "
            f"got {target_index!r}"
        )
    scores = [_value(s) for s in logits]
    m = max(s.data for s in scores)
    log_sum_exp = _total([(s - m).exp() for s in scores]).log() + m
    loss = log_sum_exp - scores[index]
    for listener in trace_listeners:
        listener(loss, scores, target_index)
    return _named(loss)


def hinge(scores: Sequence[Operand], labels: Sequence[int | Value]) -> Value:
    """Max-margin loss as in micrograd's demo, (1/n) Σ max(0, 1 − yᵢ·sᵢ), labels ±1."""
    _pairs("hinge", scores, labels)
    for i, y in enumerate(labels):
        _require(HINGE_LABEL, y, i, scores)
    margins = [(1 - y * _value(s)).relu() for s, y in zip(scores, labels)]
    return _named(_mean(_total(margins), len(scores)))


def bce(probs: Sequence[Operand], targets: Sequence[Operand]) -> Value:
    """Binary cross-entropy, −(1/n) Σ [yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)], 0 < pᵢ < 1,
    0 ≤ yᵢ ≤ 1."""
    _pairs("bce", probs, targets)
    terms = []
    for i, (p, y) in enumerate(zip(probs, targets)):
        p = _value(p)
        _require(BCE_PROBABILITY, p, i, probs)
        _require(BCE_TARGET, y, i, probs)
        terms.append(y * p.log() + (1 - y) * (1 - p).log())
    return _named(-_mean(_total(terms), len(terms)))


__all__ = ["bce", "cross_entropy", "half_sse", "hinge", "mse"]


def __dir__() -> list[str]:
    """Tab completion (``sg.losses.``) offers the public names, not the helpers imported here."""
    return __all__

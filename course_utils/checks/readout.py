"""What a test loop reports (notebook 06): its average loss and accuracy, returned or printed.

The course's ``test`` returns ``(avg_loss, accuracy)``. Learners arrive with other shapes: the
PyTorch Quickstart's ``test`` prints ``Accuracy: 55.6%, Avg loss: 1.817000`` and returns nothing,
others return only the accuracy, or print ``Accuracy: 5/9 (56%)``. :func:`read` finds the two
numbers wherever they are, each a :class:`Number` that knows where it came from and how exactly it
was written (a printed number is only as exact as its digits), so that the rules of
:mod:`.metric_rules` judge what the loop computed, whatever its shape.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import torch

__all__ = ["Number", "Readout", "as_number", "read"]

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
#: A label (loss, acc...) then its number: after a ':' or '=' on the same line (with no other label
#: in between), or right after the label. 'Accuracy: 5/9 (56%)' gives the fraction 5/9.
_LABELLED = re.compile(
    rf"(?P<label>loss|acc)[a-z_]*"
    rf"(?:(?:(?!loss|acc)[^\n:=])*?[:=]\s*|\s*)(?:tensor\()?"
    rf"(?P<number>{_NUMBER})(?:\s*/\s*(?P<total>\d+))?(?P<percent>\s*%)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Number:
    """One number the loop reported: its value (a percentage already divided by 100), where, and how exact."""

    value: float
    where: str  # "returned" or "printed"
    text: str  # as the learner gave it: '55.6%', '5/9', or the value to 4 decimals
    tolerance: float = 0.0  # printed: one unit of the last digit (rounded, or cut off as `100 * correct // n` does)
    percent_sign: bool = False  # printed with '%' (the value is then divided by 100)

    def matches(self, target: float) -> bool:
        """True when ``target``, written as the learner wrote this number, gives this number."""
        return abs(self.value - target) <= self.tolerance * (1 + 1e-9) or math.isclose(
            self.value, target, rel_tol=1e-4, abs_tol=1e-6
        )

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


@dataclass(frozen=True)
class Readout:
    """The loss and accuracy a test loop reported (None where it reported none), and what it returned."""

    loss: Number | None
    accuracy: Number | None
    returned: str  # "pair", "one number", "nothing" or "other"
    tensors: tuple[str, ...] = ()  # the type names of the values returned, when any of them is a tensor


def as_number(v: Any) -> float | None:
    """``v`` as a Python float (a one-element tensor too), or None when it is not a number."""
    if isinstance(v, torch.Tensor):
        return float(v.detach().reshape(-1)[0]) if v.numel() == 1 else None
    if isinstance(v, bool):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _returned(v: Any) -> Number | None:
    value = as_number(v)
    return None if value is None else Number(value, "returned", f"{value:.4f}")


def _printed(match: re.Match[str]) -> Number | None:
    """The number of one labelled match, with the tolerance its digits give it."""
    number, total, percent = match["number"], match["total"], bool(match["percent"])
    if total is not None:
        return Number(float(number) / int(total), "printed", f"{number}/{total}") if int(total) else None
    try:
        exponent = Decimal(number).as_tuple().exponent
    except InvalidOperation:
        return None
    tolerance = 10.0**exponent if isinstance(exponent, int) else 0.0
    scale = 100 if percent else 1
    return Number(float(number) / scale, "printed", number + ("%" if percent else ""), tolerance / scale, percent)


def printed_numbers(text: str) -> tuple[Number | None, Number | None]:
    """(loss, accuracy) from printed ``text``: the last number labelled with each (a final summary wins)."""
    found: dict[str, Number | None] = {"loss": None, "acc": None}
    for match in _LABELLED.finditer(text):
        found[match["label"].lower()] = _printed(match) or found[match["label"].lower()]
    return found["loss"], found["acc"]


def read(value: Any, printed: str, loss_targets: Sequence[float]) -> Readout:
    """What ``test`` reported: the returned ``value``, and the numbers in its ``printed`` text where it returned none.

    A single number returned is the loss when it matches one of ``loss_targets`` (the right average
    losses), and the accuracy otherwise; the other one is then read from the printed text.
    """
    loss, accuracy = printed_numbers(printed)
    values = value if isinstance(value, (tuple, list)) else (value,)
    tensors = tuple(type(v).__name__ for v in values if isinstance(v, torch.Tensor))
    if value is None:
        return Readout(loss, accuracy, "nothing")
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return Readout(_returned(value[0]), _returned(value[1]), "pair", tensors)
    number = _returned(value)
    if number is None:
        return Readout(None, None, "other", tensors)
    if any(number.matches(target) for target in loss_targets):
        return Readout(number, accuracy, "one number", tensors)
    return Readout(loss, number, "one number", tensors)

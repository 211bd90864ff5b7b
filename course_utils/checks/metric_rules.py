"""The rules on what ``test`` returns (notebook 06): the average loss and the accuracy, and how each goes wrong.

The check's data is made so that every common mistake gives its own number (:class:`Facts`); each
rule below recognises one of them in a :class:`TestRun` (what one run of ``test`` showed) and says
what went wrong. The rules run in order, and those that stop the list leave the later ones a pair
of numbers. :mod:`.test` runs the learner's loop and these rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from .rules import first_of, rule
from .spies import Recorder

__all__ = ["TEST_BATCH", "VALUE_RULES", "Facts", "TestRun"]

TEST_BATCH = 4  # the check's batch size: 9 images in batches of 4, 4 and 1


@dataclass(frozen=True)
class Facts:
    """The right answers on the check's data, and the numbers that common mistakes give instead."""

    n: int  # images
    n_batches: int
    per_batch: float  # the mean of the batch losses (right)
    per_image: float  # the mean over images (right too)
    sum_batch: float  # the batch losses, summed
    sum_image: float  # the per-image losses, summed
    correct: int  # images predicted right
    accuracy: float  # correct / n (right)
    unweighted: float  # the plain mean of the batch accuracies


def close(a: float, b: float) -> bool:
    """True when ``a`` and ``b`` agree to a relative 1e-4 (the check's numbers are sums of a few floats)."""
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)


def _as_number(v: Any) -> float | None:
    """``v`` as a Python float (a one-element tensor too), or None when it is not a number."""
    if isinstance(v, torch.Tensor):
        return float(v.detach().reshape(-1)[0]) if v.numel() == 1 else None
    if isinstance(v, bool):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


@dataclass
class TestRun:
    """What one run of the learner's ``test`` showed: the spies' record, the value returned, the argmax problem."""

    __test__ = False  # not a pytest test class, despite the name

    recorder: Recorder
    value: Any
    exc: BaseException | None
    facts: Facts
    n_batches: int
    argmax_problem: str | None  # the message for an argmax over the wrong dimension, if any

    @property
    def numbers(self) -> tuple[float | None, float | None]:
        """(loss, accuracy) as Python numbers, None where the value is not a number."""
        loss, accuracy = (_as_number(v) for v in self.value)
        return loss, accuracy

    @property
    def loss(self) -> float | None:
        """The average loss returned, as a number."""
        return self.numbers[0]

    @property
    def accuracy(self) -> float | None:
        """The accuracy returned, as a number."""
        return self.numbers[1]

    @property
    def loss_ok(self) -> bool:
        """The loss is the mean of the batch losses, or the mean over images."""
        return close(self.loss, self.facts.per_batch) or close(self.loss, self.facts.per_image)

    @property
    def accuracy_ok(self) -> bool:
        """The accuracy is the fraction of images predicted right."""
        return close(self.accuracy, self.facts.accuracy)

    @property
    def expected_loss(self) -> str:
        """The right average losses, in words."""
        f = self.facts
        return f"{f.per_batch:.4f} (the mean of the batch losses) or {f.per_image:.4f} (the mean over images)"

    @property
    def expected_accuracy(self) -> str:
        """The right accuracy, as a fraction."""
        return f"{self.facts.correct}/{self.facts.n} = {self.facts.accuracy:.4f}"


@rule(stop=True)
def batches_skipped(run: TestRun) -> str | None:
    """A `return` or `break` inside the loop: only some batches were used."""
    if not 0 < len(run.recorder.forwards) < run.n_batches:
        return None
    return (
        f"the loop used only {len(run.recorder.forwards)} of the {run.n_batches} batches: a `return` or "
        f"`break` inside the loop ends it early. Loop over all of them, `for X, y in dataloader:`, and "
        f"return after the loop (check the indentation of `return`)."
    )


@rule(stop=True)
def returned_nothing(run: TestRun) -> str | None:
    """test returns None: the `return` is missing."""
    if run.value is not None:
        return None
    return (
        "test returned nothing (None): it must return the two numbers, "
        "`return test_loss, correct` (the average loss, then the accuracy as a fraction)."
    )


@rule(stop=True)
def not_a_pair(run: TestRun) -> str | None:
    """test returns something other than two values."""
    if isinstance(run.value, (tuple, list)) and len(run.value) == 2:
        return None
    return (
        f"test returned {type(run.value).__name__} {run.value!r:.80}: it must return two numbers, "
        f"`return test_loss, correct` (the average loss, then the accuracy)."
    )


@rule
def returned_tensors(run: TestRun) -> str | None:
    """test returns tensors, not Python numbers (`.item()` is missing)."""
    if not any(isinstance(v, torch.Tensor) for v in run.value):
        return None
    kinds = ", ".join(type(v).__name__ for v in run.value)
    return (
        f"test returned tensors ({kinds}) instead of numbers: add `.item()` to each batch's "
        f"values, `test_loss += loss_fn(pred, y).item()` and `correct += (...).sum().item()`, "
        f"so the totals are plain Python numbers."
    )


@rule(stop=True)
def not_numbers(run: TestRun) -> str | None:
    """One of the two values is not a number."""
    if run.loss is not None and run.accuracy is not None:
        return None
    return f"test should return two numbers, got {run.value!r:.120}."


@rule(stop=True)
def loss_and_accuracy_swapped(run: TestRun) -> str | None:
    """test returns (accuracy, average loss): the order is loss first."""
    f = run.facts
    swapped = close(run.loss, f.accuracy) and (close(run.accuracy, f.per_batch) or close(run.accuracy, f.per_image))
    if run.loss_ok or run.accuracy_ok or not swapped:
        return None
    return (
        "test returned (accuracy, average loss): the order is the average loss first, then "
        "the accuracy: `return test_loss, correct`."
    )


@rule
def loss_never_averaged(run: TestRun) -> str | None:
    """The loss is the sum over batches (or images), never divided."""
    f = run.facts
    if run.loss_ok or not (close(run.loss, f.sum_batch) or close(run.loss, f.sum_image)):
        return None
    return (
        f"the loss is summed but never averaged: got {run.loss:.4f}, the total over "
        f"{f.n_batches} batches. Divide by the number of batches, "
        f"`test_loss /= len(dataloader)`: expected {run.expected_loss}."
    )


@rule
def loss_wrong_count(run: TestRun) -> str | None:
    """The sum of batch losses divided by the number of images (or the reverse)."""
    f = run.facts
    if run.loss_ok or not (close(run.loss, f.sum_batch / f.n) or close(run.loss, f.sum_image / f.n_batches)):
        return None
    return (
        f"the loss is averaged over the wrong count: got {run.loss:.4f}. The sum of the batch "
        f"losses (each already a mean over its batch) divides by the number of batches, "
        f"`len(dataloader)`: expected {run.expected_loss}."
    )


@rule
def loss_wrong(run: TestRun) -> str | None:
    """The average loss is wrong, in no way recognised above."""
    if run.loss_ok:
        return None
    return f"the average loss should be {run.expected_loss}; test returned {run.loss:.4f}."


def _accuracy_wrong(run: TestRun) -> bool:
    """The accuracy is wrong, and not because of an argmax over the wrong dimension (already reported)."""
    return not run.accuracy_ok and run.argmax_problem is None


@rule
def accuracy_in_percent(run: TestRun) -> str | None:
    """The accuracy in percent, not as a fraction."""
    f = run.facts
    if not _accuracy_wrong(run) or not close(run.accuracy, 100 * f.accuracy):
        return None
    return (
        f"the accuracy is in percent ({run.accuracy:.2f}) instead of a fraction: test returns a "
        f"fraction between 0 and 1 ({f.accuracy:.4f}); multiply by 100 only to print it, "
        f"`print(f\"Accuracy: {{100 * correct:.1f}}%\")`."
    )


@rule
def accuracy_per_batch(run: TestRun) -> str | None:
    """The count of correct predictions divided by the number of batches."""
    c, nb = run.facts.correct, run.facts.n_batches
    if not _accuracy_wrong(run) or not (close(run.accuracy, c / nb) or close(run.accuracy, 100 * c / nb)):
        return None
    return (
        f"the accuracy is divided by the number of batches ({nb}): got {run.accuracy:.4f}. Divide the "
        f"count of correct predictions by the number of images, `len(dataloader.dataset)`: "
        f"expected {run.expected_accuracy}."
    )


@rule
def accuracy_per_batch_size(run: TestRun) -> str | None:
    """The count of correct predictions divided by the batch size."""
    if not _accuracy_wrong(run) or not close(run.accuracy, run.facts.correct / TEST_BATCH):
        return None
    return (
        f"the accuracy is divided by the batch size ({TEST_BATCH}): got {run.accuracy:.4f}. Divide "
        f"by the number of images, `len(dataloader.dataset)`: expected {run.expected_accuracy}."
    )


@rule
def accuracy_never_divided(run: TestRun) -> str | None:
    """The accuracy is the count of correct predictions, never divided."""
    c = run.facts.correct
    if not _accuracy_wrong(run) or not close(run.accuracy, c):
        return None
    return (
        f"the accuracy is the count of correct predictions ({c}), never divided: divide it by "
        f"the number of images, `correct /= len(dataloader.dataset)`: expected {run.expected_accuracy}."
    )


@rule
def accuracy_unweighted(run: TestRun) -> str | None:
    """The plain mean of the batch accuracies, which overweights the last, smaller batch."""
    u = run.facts.unweighted
    if not _accuracy_wrong(run) or not (close(run.accuracy, u) or close(run.accuracy, 100 * u)):
        return None
    return (
        f"the accuracy is the plain mean of the batch accuracies ({run.accuracy:.4f}), which counts "
        f"the last, smaller batch as much as the full ones: count the correct predictions (or "
        f"weight each batch by its size) and divide by `len(dataloader.dataset)`: expected {run.expected_accuracy}."
    )


@rule
def accuracy_wrong(run: TestRun) -> str | None:
    """The accuracy is wrong, in no way recognised above."""
    if not _accuracy_wrong(run):
        return None
    return (
        f"the accuracy should be the fraction of correct predictions, {run.expected_accuracy}; test returned "
        f"{run.accuracy:.4f}. Count `(pred.argmax(1) == y).type(torch.float).sum().item()` per batch "
        f"and divide the total by `len(dataloader.dataset)`."
    )


#: The value returned, in order; the rules that stop the list leave the later ones a pair of numbers.
VALUE_RULES = (
    batches_skipped,
    returned_nothing,
    not_a_pair,
    returned_tensors,
    not_numbers,
    loss_and_accuracy_swapped,
    first_of(loss_never_averaged, loss_wrong_count, loss_wrong),
    first_of(accuracy_in_percent, accuracy_per_batch, accuracy_per_batch_size, accuracy_never_divided,
             accuracy_unweighted, accuracy_wrong),
)

"""The rules on what ``test`` reports (notebook 06): the average loss and the accuracy, and how each goes wrong.

The check's data is made so that every common mistake gives its own number (:class:`Facts`); each
rule below recognises one of them in a :class:`TestRun` (what one run of ``test`` showed) and says
what went wrong. The numbers are judged wherever the loop reports them, returned or printed
(:mod:`.readout`); a loop that computes them right but reports them otherwise than the course's
``test`` (printed only, the accuracy alone, in percent) gets :func:`contract_notes`, not a failure.
The rules run in order, and those that stop the list leave the later ones an accuracy to judge.
:mod:`.test` runs the learner's loop and these rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .readout import Number, Readout
from .rules import first_of, rule
from .spies import Recorder

__all__ = ["TEST_BATCH", "VALUE_RULES", "Facts", "TestRun", "contract_notes"]

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


@dataclass
class TestRun:
    """What one run of the learner's ``test`` showed: the spies' record, what it reported, the argmax problem."""

    __test__ = False  # not a pytest test class, despite the name

    recorder: Recorder
    value: Any
    exc: BaseException | None
    facts: Facts
    n_batches: int
    argmax_problem: str | None  # the message for an argmax over the wrong dimension, if any
    readout: Readout  # the numbers it reported, returned or printed
    warnings: list[str] = field(default_factory=list)  # what the learner's code warned (old idioms warn)

    @property
    def loss(self) -> Number | None:
        """The average loss reported (returned or printed), or None."""
        return self.readout.loss

    @property
    def accuracy(self) -> Number | None:
        """The accuracy reported (returned or printed; a printed percentage already divided by 100), or None."""
        return self.readout.accuracy

    @property
    def loss_ok(self) -> bool:
        """The loss is the mean of the batch losses, or the mean over images (or there is none to judge)."""
        return self.loss is None or self.loss.matches(self.facts.per_batch) or self.loss.matches(self.facts.per_image)

    def accuracy_is(self, fraction: float) -> bool:
        """True when the accuracy reported is ``fraction``, or (with no % sign) ``fraction`` in percent."""
        a = self.accuracy
        return a is not None and (a.matches(fraction) or (not a.percent_sign and a.matches(100 * fraction)))

    @property
    def accuracy_ok(self) -> bool:
        """The accuracy is the fraction of images predicted right (in percent too: see :func:`contract_notes`)."""
        return self.accuracy_is(self.facts.accuracy)

    @property
    def in_percent(self) -> bool:
        """The accuracy was returned in percent (55.56 for 5 of 9): right, but not the course's contract."""
        a = self.accuracy
        return a is not None and a.where == "returned" and not a.matches(self.facts.accuracy) and self.accuracy_ok

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
    """test returns None (the `return` is missing) and prints no loss or accuracy either."""
    if run.readout.returned != "nothing" or run.loss is not None or run.accuracy is not None:
        return None
    return (
        "test returned nothing (None): it must return the two numbers, "
        "`return test_loss, correct` (the average loss, then the accuracy as a fraction)."
    )


@rule(stop=True)
def not_a_pair(run: TestRun) -> str | None:
    """test returns something other than two values, or one number."""
    if run.readout.returned != "other":
        return None
    return (
        f"test returned {type(run.value).__name__} {run.value!r:.80}: it must return two numbers, "
        f"`return test_loss, correct` (the average loss, then the accuracy)."
    )


@rule
def returned_tensors(run: TestRun) -> str | None:
    """test returns tensors, not Python numbers (`.item()` is missing)."""
    if not run.readout.tensors:
        return None
    return (
        f"test returned tensors ({', '.join(run.readout.tensors)}) instead of numbers: add `.item()` to each "
        f"batch's values, `test_loss += loss_fn(pred, y).item()` and `correct += (...).sum().item()`, "
        f"so the totals are plain Python numbers."
    )


@rule(stop=True)
def not_numbers(run: TestRun) -> str | None:
    """One of the two values returned is not a number."""
    if run.readout.returned != "pair" or (run.loss is not None and run.accuracy is not None):
        return None
    return f"test should return two numbers, got {run.value!r:.120}."


@rule(stop=True)
def loss_and_accuracy_swapped(run: TestRun) -> str | None:
    """test returns (accuracy, average loss): the order is loss first."""
    f, loss, accuracy = run.facts, run.loss, run.accuracy
    if run.readout.returned != "pair" or run.loss_ok or run.accuracy_ok:
        return None
    if not (loss.matches(f.accuracy) and (accuracy.matches(f.per_batch) or accuracy.matches(f.per_image))):
        return None
    return (
        "test returned (accuracy, average loss): the order is the average loss first, then "
        "the accuracy: `return test_loss, correct`."
    )


@rule(stop=True)
def accuracy_missing(run: TestRun) -> str | None:
    """test reports only the average loss: the accuracy (the heart of a test loop) is missing."""
    if run.accuracy is not None:
        return None
    return (
        f"test {run.loss.where} only the average loss ({run.loss.text}): it must measure the accuracy "
        f"too, the fraction of images whose largest logit is the label. Count "
        f"`(pred.argmax(1) == y).type(torch.float).sum().item()` per batch, divide the total by "
        f"`len(dataloader.dataset)`, and `return test_loss, correct`."
    )


@rule
def loss_never_averaged(run: TestRun) -> str | None:
    """The loss is the sum over batches (or images), never divided."""
    f = run.facts
    if run.loss_ok or not (run.loss.matches(f.sum_batch) or run.loss.matches(f.sum_image)):
        return None
    return (
        f"the loss is summed but never averaged: test {run.loss.where} {run.loss.text}, the total over "
        f"{f.n_batches} batches. Divide by the number of batches, "
        f"`test_loss /= len(dataloader)`: expected {run.expected_loss}."
    )


@rule
def loss_wrong_count(run: TestRun) -> str | None:
    """The sum of batch losses divided by the number of images (or the reverse)."""
    f = run.facts
    if run.loss_ok or not (run.loss.matches(f.sum_batch / f.n) or run.loss.matches(f.sum_image / f.n_batches)):
        return None
    return (
        f"the loss is averaged over the wrong count: test {run.loss.where} {run.loss.text}. The sum of the "
        f"batch losses (each already a mean over its batch) divides by the number of batches, "
        f"`len(dataloader)`: expected {run.expected_loss}."
    )


@rule
def loss_divided_by_last_index(run: TestRun) -> str | None:
    """The sum of batch losses divided by the last batch's index (`batch_idx`, one less than the count)."""
    f = run.facts
    if run.loss_ok or f.n_batches < 2 or not run.loss.matches(f.sum_batch / (f.n_batches - 1)):
        return None
    return (
        f"the loss is divided by {f.n_batches - 1}, the last batch's index (`batch_idx` after "
        f"`for batch_idx, (X, y) in enumerate(dataloader)`), which counts from 0: test {run.loss.where} "
        f"{run.loss.text}. Divide by the number of batches, `len(dataloader)`: expected {run.expected_loss}."
    )


@rule
def loss_wrong(run: TestRun) -> str | None:
    """The average loss is wrong, in no way recognised above."""
    if run.loss_ok:
        return None
    return f"the average loss should be {run.expected_loss}; test {run.loss.where} {run.loss.text}."


def _accuracy_wrong(run: TestRun) -> bool:
    """The accuracy is wrong, and not because of an argmax over the wrong dimension (already reported)."""
    return not run.accuracy_ok and run.argmax_problem is None


@rule
def accuracy_per_batch(run: TestRun) -> str | None:
    """The count of correct predictions divided by the number of batches."""
    c, nb = run.facts.correct, run.facts.n_batches
    if not _accuracy_wrong(run) or not run.accuracy_is(c / nb):
        return None
    return (
        f"the accuracy is divided by the number of batches ({nb}): test {run.accuracy.where} "
        f"{run.accuracy.text}. Divide the count of correct predictions by the number of images, "
        f"`len(dataloader.dataset)`: expected {run.expected_accuracy}."
    )


@rule
def accuracy_per_batch_size(run: TestRun) -> str | None:
    """The count of correct predictions divided by the batch size."""
    if not _accuracy_wrong(run) or not run.accuracy_is(run.facts.correct / TEST_BATCH):
        return None
    return (
        f"the accuracy is divided by the batch size ({TEST_BATCH}): test {run.accuracy.where} "
        f"{run.accuracy.text}. Divide by the number of images, `len(dataloader.dataset)`: "
        f"expected {run.expected_accuracy}."
    )


@rule
def accuracy_never_divided(run: TestRun) -> str | None:
    """The accuracy is the count of correct predictions, never divided."""
    c = run.facts.correct
    if not _accuracy_wrong(run) or not run.accuracy_is(c):
        return None
    return (
        f"the accuracy is the count of correct predictions ({c}), never divided: divide it by "
        f"the number of images, `correct /= len(dataloader.dataset)`: expected {run.expected_accuracy}."
    )


@rule
def accuracy_unweighted(run: TestRun) -> str | None:
    """The plain mean of the batch accuracies, which overweights the last, smaller batch."""
    if not _accuracy_wrong(run) or not run.accuracy_is(run.facts.unweighted):
        return None
    return (
        f"the accuracy is the plain mean of the batch accuracies (test {run.accuracy.where} "
        f"{run.accuracy.text}), which counts the last, smaller batch as much as the full ones: count the "
        f"correct predictions (or weight each batch by its size) and divide by `len(dataloader.dataset)`: "
        f"expected {run.expected_accuracy}."
    )


@rule
def accuracy_wrong(run: TestRun) -> str | None:
    """The accuracy is wrong, in no way recognised above."""
    if not _accuracy_wrong(run):
        return None
    return (
        f"the accuracy should be the fraction of correct predictions, {run.expected_accuracy}; test "
        f"{run.accuracy.where} {run.accuracy.text}. Count `(pred.argmax(1) == y).type(torch.float).sum().item()` "
        f"per batch and divide the total by `len(dataloader.dataset)`."
    )


#: What test reported, in order; the rules that stop the list leave the later ones an accuracy (and maybe a loss).
VALUE_RULES = (
    batches_skipped,
    returned_nothing,
    not_a_pair,
    returned_tensors,
    not_numbers,
    loss_and_accuracy_swapped,
    accuracy_missing,
    first_of(loss_never_averaged, loss_wrong_count, loss_divided_by_last_index, loss_wrong),
    first_of(accuracy_per_batch, accuracy_per_batch_size, accuracy_never_divided, accuracy_unweighted,
             accuracy_wrong),
)


def contract_notes(run: TestRun) -> list[str]:
    """Notes where the loop computes the right numbers but reports them otherwise than the course's `test`."""
    notes, readout, a = [], run.readout, run.accuracy
    if readout.returned == "nothing" and a is not None:
        what = "the accuracy" if run.loss is None else "the average loss and the accuracy"
        notes.append(
            f"note: test printed {what} and returned nothing. The course's test returns its two numbers, "
            f"`return test_loss, correct`, so that notebook 07 can keep them for every epoch and plot them "
            f"(`val_loss, val_accuracy = test(val_loader, model, loss_fn)`)."
        )
    elif readout.returned == "one number" and a is not None:
        notes.append(
            f"note: test returned only {'the accuracy' if a.where == 'returned' else 'the average loss'}. The "
            f"course's test returns both, `return test_loss, correct`, so that notebook 07 can plot both for "
            f"every epoch (`val_loss, val_accuracy = test(val_loader, model, loss_fn)`)."
        )
    if run.in_percent:
        notes.append(
            f"note: test returned the accuracy in percent ({a.value:.2f}). The course's test returns a "
            f"fraction between 0 and 1 ({run.facts.accuracy:.4f}), which notebooks 07 and 08 plot, and print "
            f"as a percentage with `f\"{{val_accuracy:.2%}}\"`: `return test_loss, correct` with "
            f"`correct /= size`, and multiply by 100 only to print it."
        )
    return notes

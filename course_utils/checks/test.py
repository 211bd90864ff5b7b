"""``check_test``: does the learner's test loop return the average loss and the accuracy (notebook 06)?

``test(dataloader, model, loss_fn)`` runs on 9 synthetic images in batches of 4, 4 and 1 with a
model whose logits are preset (:class:`~.spies._TableProbe`), so the right answer is known, and
every wrong denominator gives its own number. The rules below read the spies' record; the rules on
the numbers returned are in :mod:`.metric_rules`. Each rule is one mistake, and its docstring says which.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from .attempts import finish, level_name
from .hints import bare_call_notes, warning_notes
from .isolation import explain, is_not_implemented, isolated, on_cpu, run
from .metric_rules import TEST_BATCH, VALUE_RULES, Facts, TestRun, contract_notes
from .readout import read
from .result import CORRECT, INCORRECT, CheckResult, function_precheck, not_attempted, result
from .rules import diagnose, rule, softmax_before_loss
from .spies import Call, Recorder, Trace, _SpyLoss, _TableProbe

__all__ = ["RULES", "check_test"]

NAME = "check_test(test)"
#: The test check's data: 9 images in batches of 4, 4 and 1; labels, predicted classes and the
#: resulting counts (3, 2 and 0 right: 5 of 9). Uneven batches make every wrong denominator show.
_TEST_LABELS = (3, 1, 4, 1, 5, 9, 2, 6, 5)
_TEST_PREDS = (3, 1, 4, 0, 5, 9, 7, 8, 2)


def check_test(test: Callable[..., Any] | None, *, level: int | str = "lesson") -> CheckResult:
    """Check ``test(dataloader, model, loss_fn) -> (avg_loss, accuracy)`` on a model with preset logits.

    Taught in ``06_test_loop_and_metrics``. Diagnoses: no ``torch.no_grad()`` (or
    ``inference_mode``), no ``model.eval()``, ``argmax`` over the wrong dimension, accuracy
    divided by the wrong count or averaged over batches, tensors returned instead of numbers
    (``.item()``), the loss summed but never averaged or divided by the wrong count, no accuracy,
    a ``return`` or ``break`` inside the loop, a softmax before the loss, the course's own ``test``
    handed in, and old PyTorch idioms. Accepts the average loss per batch or per sample, accuracy
    weighted by batch size, and judges the numbers wherever the loop reports them: returned,
    printed (the PyTorch Quickstart's ``test`` prints and returns nothing), the accuracy alone or in
    percent; those get a note on what the course's ``test`` returns.

    ``level`` is where the check runs: an exercise passes its level (1, 2, 3 or "all"), a lesson
    none. The result is recorded in the progress file (:mod:`course_utils.progress`), and
    ``result.hint()`` gives hints on request.
    """
    where = level_name(level)
    with isolated():
        found = _check_test(test)
    return finish(found, "test", where)


def _check_test(test: Callable[..., Any] | None) -> CheckResult:
    early = function_precheck(NAME, test, "test", "def test(dataloader, model, loss_fn):")
    if early is not None:
        return early
    fn, notes = on_cpu(test, "test")
    seen, output = _watch(fn)
    if is_not_implemented(seen.exc):
        return not_attempted(NAME, "test", output)
    problems = diagnose(RULES, seen)
    if seen.exc is not None:
        problems.append(explain(seen.exc, "test"))
    else:
        problems += diagnose(VALUE_RULES, seen)
        notes = contract_notes(seen) + notes
    notes = warning_notes(seen.warnings) + notes
    if problems:
        return result(NAME, INCORRECT, problems + bare_call_notes(fn, problems) + notes, output)
    facts = seen.facts
    return result(NAME, CORRECT, [
        f"test is correct: in evaluation mode without gradient tracking, on {facts.n} images in "
        f"batches of 4, 4 and 1, it {_reported(seen)}."
    ] + notes, output)


def _reported(seen: TestRun) -> str:
    """What a correct loop reported, in words: 'returned the average loss 1.8170 and the accuracy ...'."""
    facts, loss, accuracy = seen.facts, seen.loss, seen.accuracy
    right = f"({facts.correct} of {facts.n} right)"
    if seen.readout.returned == "pair":
        return f"returned the average loss {loss:.4f} and the accuracy {accuracy:.4f} {right} as Python numbers"
    said = f"{accuracy.where} the accuracy {accuracy.text} {right}"
    if loss is None:
        return said
    return f"{said} and {'' if loss.where == accuracy.where else loss.where + ' '}the average loss {loss.text}"


def _test_setup() -> tuple[torch.Tensor, Any, Facts]:
    """(the model's logits per image, the loader, the facts)."""
    from course_utils.data import BatchLoader

    n = len(_TEST_LABELS)
    y = torch.tensor(_TEST_LABELS)
    table = torch.zeros(n, 10)
    for i, (label, guess) in enumerate(zip(_TEST_LABELS, _TEST_PREDS)):
        table[i, guess] = 2.0 + 0.5 * i
        if guess != label:
            table[i, label] = 1.0 + 0.25 * i
    X = torch.zeros(n, 1, 32, 32)
    X[:, 0, 0, 0] = torch.arange(n, dtype=torch.float)
    loader = BatchLoader(X, y, batch_size=TEST_BATCH)
    per_image = F.cross_entropy(table, y, reduction="none")
    batches = [(per_image[i:i + TEST_BATCH], (torch.tensor(_TEST_PREDS[i:i + TEST_BATCH]) == y[i:i + TEST_BATCH]))
               for i in range(0, n, TEST_BATCH)]
    batch_means = [float(b.mean()) for b, _ in batches]
    right = [int(r.sum()) for _, r in batches]
    facts = Facts(
        n=n,
        n_batches=len(batches),
        per_batch=sum(batch_means) / len(batches),
        per_image=float(per_image.sum()) / n,
        sum_batch=sum(batch_means),
        sum_image=float(per_image.sum()),
        correct=sum(right),
        accuracy=sum(right) / n,
        unweighted=sum(r / len(b) for r, (b, _) in zip(right, batches)) / len(batches),
    )
    return table, loader, facts


def _watch(fn: Callable[..., Any]) -> tuple[TestRun, str]:
    """Run ``fn`` with the spies on the check's data; return what they saw, and what ``fn`` printed."""
    recorder = Recorder()
    table, loader, facts = _test_setup()
    model = _TableProbe(table, recorder)
    model.train()  # as a training loop leaves it: test must switch it with model.eval()
    loss_fn = _SpyLoss(recorder, wrap=False)
    trace = Trace(watch={"argmax", "max"})

    def call() -> Any:
        with trace:
            return fn(loader, model, loss_fn)

    ran = run(call)
    readout = read(ran.value, ran.output, (facts.per_batch, facts.per_image))
    problem = _argmax_problem(trace.calls)
    return TestRun(recorder, ran.value, ran.error, facts, len(loader), problem, readout, ran.warnings), ran.output


def _argmax_problem(calls: list[Call]) -> str | None:
    """The message for the first argmax (or max) of logits over another dimension than the classes, or None."""
    for call in calls:
        t = call.arg(0, "input")
        if not isinstance(t, torch.Tensor) or t.dim() != 2 or t.shape[-1] != 10:
            continue
        dim = call.arg(1, "dim")
        if call.name == "argmax" and dim is None:
            what = f"`{call.name}()` without a dimension picks one position in the whole flattened batch"
        elif isinstance(dim, int) and dim not in (1, -1):
            what = f"`{call.name}({dim})` compares the images of the batch with each other (dimension {dim})"
        else:
            continue
        return (
            f"{what}, instead of picking the best of the 10 classes for each image: pred has shape "
            f"(batch, 10), so the predicted classes are `pred.argmax(1)`, one per image."
        )
    return None


# --------------------------------------------------------------------------- the rules, in order


@rule
def model_never_called(run: TestRun) -> str | None:
    """The model was never called: no loop over the batches, or no `pred = model(X)`."""
    if run.recorder.forwards or run.exc is not None:
        return None
    return (
        "the model was never called: loop over the batches, `for X, y in dataloader:`, and "
        "compute `pred = model(X)`."
    )


@rule
def not_in_eval_mode(run: TestRun) -> str | None:
    """A forward pass ran in training mode: `model.eval()` is missing."""
    if not any(training for training, _, _ in run.recorder.forwards):
        return None
    return (
        "model.eval() was never called: the model stayed in training mode, where dropout drops "
        "activations at random and batch normalisation uses each batch's statistics, so a model "
        "with either layer would give noisy or wrong results (LeNet has neither, but the habit makes "
        "the loop right for every model). Start test with `model.eval()`."
    )


@rule
def gradients_tracked(run: TestRun) -> str | None:
    """A forward pass ran with gradient tracking: no `torch.no_grad()` (or `torch.inference_mode()`)."""
    if not any(grad for _, grad, _ in run.recorder.forwards):
        return None
    return (
        "the forward passes ran with gradient tracking on: wrap the loop in `with "
        "torch.no_grad():` (or `torch.inference_mode()`). A test loop only measures, so "
        "recording the computation graph keeps memory it never uses (the saved activations), "
        "and can cost time."
    )


@rule
def loss_arguments_swapped(run: TestRun) -> str | None:
    """`loss_fn(y, pred)`: the labels first, the logits second."""
    if not run.recorder.swapped:
        return None
    return (
        "loss_fn was called with its arguments swapped, `loss_fn(y, pred)`: the predictions "
        "(logits) come first, the labels second: `loss_fn(pred, y)`."
    )


@rule
def argmax_wrong_dimension(run: TestRun) -> str | None:
    """argmax (or max) over the batch, or over everything, instead of over the 10 classes of each image."""
    return run.argmax_problem


#: What the spies saw, in the order the messages appear.
RULES = (model_never_called, not_in_eval_mode, gradients_tracked, loss_arguments_swapped, softmax_before_loss,
         argmax_wrong_dimension)

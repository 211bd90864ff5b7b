"""The rules of ``check_train`` (notebook 05): what one run of the learner's training loop showed, and its mistakes.

:class:`TrainRun` is the spies' record of one run; each rule below reads it and returns its message
or None (:mod:`.rules`), and its docstring names the mistake. :func:`.train.check_train` runs the
learner's loop and these rules, in the order of :data:`RULES`, then :data:`LAST_RULES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from .hints import and_list
from .rules import first_of, rule, softmax_before_loss
from .spies import Recorder

__all__ = ["LAST_RULES", "RULES", "TrainRun", "accumulation_period", "first_batch_order"]


@dataclass
class TrainRun:
    """What one run of the learner's ``train`` showed: the spies' record, its return value or exception."""

    recorder: Recorder
    value: Any
    exc: BaseException | None
    params: list[torch.Tensor]
    before: list[torch.Tensor]  # the weights before the run
    n_batches: int
    warnings: list[str] = field(default_factory=list)  # what the learner's code warned (old idioms warn)
    longer: TrainRun | None = None  # a second run on more batches, when steps were fewer than backward passes

    @property
    def events(self) -> list[str]:
        return self.recorder.events

    @property
    def n_forward(self) -> int:
        return len(self.recorder.forwards)

    def count(self, event: str) -> int:
        """How many times ``event`` (zero_grad, backward, step ...) ran."""
        return self.events.count(event)

    @property
    def ran(self) -> bool:
        """The model was called and nothing raised: the rules on the steps apply."""
        return self.n_forward > 0 and self.exc is None

    @property
    def stepped(self) -> bool:
        """The loop ran, with backward passes and steps: the rules on their number and order apply."""
        return self.ran and bool(self.recorder.steps) and self.count("backward") > 0

    @property
    def steps_fewer_than_backwards(self) -> bool:
        """backward ran for every batch but step on fewer: a step outside the loop, or every k batches."""
        n = self.n_forward
        return self.ran and self.count("backward") == n and len(self.recorder.steps) < n

    @property
    def order(self) -> str:
        return f"Order seen in one batch: {first_batch_order(self.events)}."

    @property
    def changed(self) -> bool:
        """True when the weights changed."""
        return any(not torch.equal(b, p.detach()) for b, p in zip(self.before, self.params))


def first_batch_order(events: list[str]) -> str:
    """The events of the first batch, e.g. 'zero_grad \u2192 forward \u2192 loss \u2192 backward \u2192 step'."""
    starts = [i for i, e in enumerate(events) if e == "forward"]
    part = events[: starts[1]] if len(starts) > 1 else events[:12]
    if part and part[0] == "zero_grad":  # zeroing at the start: a trailing zero_grad is the next batch's
        while len(part) > 1 and part[-1] == "zero_grad":
            part = part[:-1]
    return " \u2192 ".join(part) if part else "nothing"


_TIMES = {1: "once", 2: "twice", 3: "three times"}


def _times(count: int, batches: int) -> str:
    """'twice per batch' for 6 calls in 3 batches; '7 times for 3 batches' when it does not divide."""
    if batches and count % batches == 0:
        k = count // batches
        return f"{_TIMES.get(k, f'{k} times')} per batch"
    return f"{count} times for {batches} batches"


def _ran(name: str, count: int) -> str:
    return f"{name} ran {count} time{'s' if count != 1 else ''}"


# --------------------------------------------------------------------------- the rules, in order


@rule
def model_never_called(run: TrainRun) -> str | None:
    """The model was never called: no loop over the batches, or no `pred = model(X)`."""
    if run.n_forward or run.exc is not None:
        return None
    return (
        "the model was never called: loop over the batches, `for X, y in dataloader:`, and "
        "compute the predictions with `pred = model(X)`."
    )


@rule
def not_in_training_mode(run: TrainRun) -> str | None:
    """A forward pass ran in evaluation mode: `model.train()` is missing."""
    if all(training for training, _, _ in run.recorder.forwards):
        return None
    return (
        "model.train() was never called before the forward passes: the model was still in "
        "evaluation mode (as a test loop leaves it), where dropout and batch normalisation "
        "behave as at test time. Start train with `model.train()`."
    )


@rule
def loss_arguments_swapped(run: TrainRun) -> str | None:
    """`loss_fn(y, pred)`: the labels first, the logits second."""
    if not run.recorder.swapped:
        return None
    return (
        "loss_fn was called with its arguments swapped, `loss_fn(y, pred)`: the predictions "
        "(logits) come first, the labels second: `loss = loss_fn(pred, y)`."
    )


@rule
def loss_never_called(run: TrainRun) -> str | None:
    """The model ran but loss_fn never did."""
    if not run.ran or "loss" in run.events:
        return None
    return (
        "loss_fn was never called: compute the loss with the loss function you are given, "
        "`loss = loss_fn(pred, y)`."
    )


@rule
def backward_never_called(run: TrainRun) -> str | None:
    """`loss.backward()` never ran: no gradients for the optimizer."""
    if not run.ran or run.count("backward"):
        return None
    return (
        "loss.backward() was never called: without it no gradients are computed, so "
        f"optimizer.step() has nothing to apply. Call `loss.backward()` after the loss. {run.order}"
    )


@rule
def new_optimizer(run: TrainRun) -> str | None:
    """The weights changed without the given optimizer's step: train made an optimizer of its own."""
    if not run.ran or run.recorder.steps or not run.changed:
        return None
    return (
        "the weights changed, but optimizer.step() of the `optimizer` you were given was never "
        "called: use that optimizer (`optimizer.step()`, `optimizer.zero_grad()`) rather than "
        "creating a new one inside train."
    )


@rule
def step_never_called(run: TrainRun) -> str | None:
    """`optimizer.step()` never ran: the weights never change."""
    if not run.ran or run.recorder.steps:
        return None
    return (
        "optimizer.step() was never called: the gradients are computed but the weights "
        f"never change. Call `optimizer.step()` after `loss.backward()`. {run.order}"
    )


def accumulation_period(run: TrainRun) -> int | None:
    """k when the longer run shows gradient accumulation: backward every batch, step every k batches (k >= 2).

    Each step must come inside the loop (more batches follow it) after k backward passes whose
    gradients were added up; a last, shorter step (the remainder) is allowed.
    """
    longer = run.longer
    if longer is None or not longer.steps_fewer_than_backwards or not longer.recorder.steps:
        return None
    steps, events = longer.recorder.steps, longer.events
    k = steps[0][1]
    inside = events.index("step") < len(events) - 1 - events[::-1].index("forward")  # before the last forward
    regular = all(since == k for _, since in steps[:-1]) and steps[-1][1] <= k
    added_up = all(state == "accumulated" for state, since in steps if since > 1)
    return k if k >= 2 and inside and regular and added_up else None


@rule
def gradient_accumulation(run: TrainRun) -> str | None:
    """Gradient accumulation: backward every batch, step and zero_grad every k batches (another algorithm)."""
    k = accumulation_period(run)
    if k is None:
        return None
    return (
        f"this is gradient accumulation: loss.backward() runs for every batch, but optimizer.step() "
        f"and optimizer.zero_grad() only every {k} batches, so each step applies the gradients of {k} "
        f"batches added up. It is a real technique (a {k} times larger effective batch, when memory is "
        f"short), but a different algorithm from the course's train, which updates the weights once per "
        f"batch: run `optimizer.zero_grad()`, `loss.backward()` and `optimizer.step()` for every batch, "
        f"without the `if` around them (and use the loss as it is, not divided by {k})."
    )


@rule
def calls_outside_loop(run: TrainRun) -> str | None:
    """backward or step ran fewer times than there were batches: they sit after the loop (indentation)."""
    batches = run.n_forward
    n = {name: run.count(name) for name in ("zero_grad", "backward", "step")}
    if not run.stepped or (n["backward"] >= batches and n["step"] >= batches):
        return None
    calls = (("optimizer.zero_grad()", "zero_grad"), ("loss.backward()", "backward"), ("optimizer.step()", "step"))
    parts = [_ran(call, n[name]) for call, name in calls if 0 < n[name] < batches]
    which = {1: "it belongs", 2: "both belong"}.get(len(parts), "all three belong")
    return (
        f"{and_list(parts)} for {batches} batches: {which} inside the loop, once per batch (check the "
        f"indentation: the lines after `for X, y in dataloader:` must be indented under it). {run.order}"
    )


@rule
def zero_grad_outside_loop(run: TrainRun) -> str | None:
    """zero_grad ran fewer times than there were batches: it sits before (or after) the loop."""
    batches, n = run.n_forward, run.count("zero_grad")
    if not run.stepped or not 0 < n < batches:
        return None
    return (
        f"{_ran('optimizer.zero_grad()', n)} for {batches} batches: move it inside "
        f"the loop, once per batch, so that each loss.backward() starts from zero gradients instead "
        f"of adding to those of the previous batches."
    )


@rule
def step_repeated(run: TrainRun) -> str | None:
    """`optimizer.step()` runs more than once per batch."""
    batches, n = run.n_forward, run.count("step")
    if not run.stepped or n <= batches:
        return None
    return (
        f"optimizer.step() runs {_times(n, batches)}: each extra step applies the same "
        f"gradients again, so the weights move too far. Call it once per batch, after `loss.backward()`. "
        f"{run.order}"
    )


@rule
def backward_repeated(run: TrainRun) -> str | None:
    """`loss.backward()` runs more than once per batch, doubling the gradients."""
    batches, n = run.n_forward, run.count("backward")
    if not run.stepped or n <= batches:
        return None
    return (
        f"loss.backward() runs {_times(n, batches)}, so the gradients are doubled: each "
        f"backward adds to `.grad`. Call it once per batch, on that batch's loss (and drop "
        f"`retain_graph=True`). {run.order}"
    )


@rule
def step_before_backward(run: TrainRun) -> str | None:
    """A step ran with no backward since the previous one: step comes before backward."""
    if not run.stepped or all(since for _, since in run.recorder.steps):
        return None
    return (
        "optimizer.step() runs before loss.backward(): each step applies the gradients "
        "of the previous batch (or none). The order is `loss.backward()`, then "
        f"`optimizer.step()`. {run.order}"
    )


@rule
def zero_grad_between(run: TrainRun) -> str | None:
    """A step found the gradients empty: zero_grad runs between backward and step."""
    if not run.stepped or all(state != "empty" for state, _ in run.recorder.steps):
        return None
    return (
        "optimizer.zero_grad() runs between loss.backward() and optimizer.step(): it "
        "erases the fresh gradients, so step changes nothing. Zero the gradients at the "
        f"start of each step (before `loss.backward()`), or after `optimizer.step()`. {run.order}"
    )


@rule
def gradients_never_reset(run: TrainRun) -> str | None:
    """A step found gradients accumulated over several batches: no zero_grad per batch."""
    if not run.stepped or all(state != "accumulated" for state, _ in run.recorder.steps):
        return None
    return (
        "the gradients are never reset: without `optimizer.zero_grad()` once per batch, "
        "each loss.backward() adds to the gradients of all the previous batches. Call "
        f"`optimizer.zero_grad()` at the start of each step. {run.order}"
    )


@rule
def loss_tensors_added_up(run: TrainRun) -> str | None:
    """Loss tensors added up across batches (`total_loss += loss`), keeping every graph alive."""
    if not run.recorder.accumulated:
        return None
    return (
        "loss tensors are added up (e.g. `total_loss += loss`): each one keeps its whole "
        "computation graph alive, so memory grows with every batch. Add the number instead: "
        "`total_loss += loss.item()`."
    )


@rule
def returns_loss_tensor(run: TrainRun) -> str | None:
    """train returns the loss tensor itself, not `loss.item()`."""
    if not (isinstance(run.value, torch.Tensor) and run.value.requires_grad):
        return None
    return (
        "train returns the loss tensor itself, which keeps its computation graph (and so the "
        "batch's activations) alive: return loss.item() (a number), not the tensor."
    )


@rule
def returns_loss_tensors(run: TrainRun) -> str | None:
    """train returns a list of loss tensors, not numbers."""
    value = run.value
    if not (isinstance(value, (list, tuple)) and any(isinstance(v, torch.Tensor) and v.requires_grad for v in value)):
        return None
    return (
        "train returns loss tensors, and each one keeps its whole computation graph alive, so "
        "memory grows with every batch: collect the numbers instead, `losses.append(loss.item())`."
    )


@rule(stop=True)
def weights_unchanged(run: TrainRun) -> str | None:
    """Every step ran, yet the weights did not change."""
    if run.changed:
        return None
    return f"the weights did not change: check that `optimizer.step()` runs once per batch. {run.order}"


@rule
def batches_skipped(run: TrainRun) -> str | None:
    """The loop stopped before the last batch."""
    if run.n_forward >= run.n_batches:
        return None
    return (
        f"the loop used only {run.n_forward} of the {run.n_batches} batches: loop over all of them, "
        f"`for X, y in dataloader:`."
    )


#: The diagnoses, in the order their messages appear. Within a first_of, only the first that fires speaks.
RULES = (
    model_never_called,
    not_in_training_mode,
    first_of(loss_arguments_swapped, loss_never_called),
    backward_never_called,
    first_of(gradient_accumulation, new_optimizer, step_never_called, calls_outside_loop, zero_grad_outside_loop,
             step_repeated, backward_repeated, step_before_backward, zero_grad_between, gradients_never_reset),
    softmax_before_loss,
    first_of(loss_tensors_added_up, returns_loss_tensor, returns_loss_tensors),
)
#: Run only when RULES found nothing and nothing raised.
LAST_RULES = (weights_unchanged, batches_skipped)

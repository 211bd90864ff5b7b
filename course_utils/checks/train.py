"""``check_train``: does the learner's training loop run the five steps, once per batch, in order (notebook 05)?

``train(dataloader, model, loss_fn, optimizer)`` runs on 3 tiny synthetic batches with the spies of
:mod:`.spies` (a model, a loss function and an optimizer that record what happens); the rules below
read the record. Each rule is one mistake, and its docstring says which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from .hints import and_list, bare_call_notes
from .isolation import explain, is_not_implemented, isolated, on_cpu, run
from .result import CORRECT, INCORRECT, CheckResult, function_precheck, not_attempted, result
from .rules import diagnose, first_of, rule, softmax_before_loss
from .spies import Recorder, _SpyLoss, _SpyOptimizer, _TrainProbe, recording

__all__ = ["LAST_RULES", "RULES", "check_train"]

NAME = "check_train(train)"


def check_train(train: Callable[..., Any] | None) -> CheckResult:
    """Check ``train(dataloader, model, loss_fn, optimizer)`` on 3 tiny synthetic batches.

    Taught in ``05_training_loop``. Diagnoses: a missing or misplaced ``zero_grad``, a missing
    ``backward``, a missing or early ``step``, any of the three not run once per batch (outside
    the loop, or twice in it), ``loss_fn(y, pred)``, a softmax before the loss, loss tensors
    added up or returned instead of ``.item()``, and a missing ``model.train()``. Accepts ``zero_grad`` at the start
    of the step or after ``step``, ``model.zero_grad()`` and ``set_to_none``; prints are captured
    and the return value is not needed.
    """
    with isolated():
        return _check_train(train)


def _check_train(train: Callable[..., Any] | None) -> CheckResult:
    early = function_precheck(NAME, train, "train", "def train(dataloader, model, loss_fn, optimizer):")
    if early is not None:
        return early
    fn, notes = on_cpu(train, "train")
    seen, output = _watch(fn)
    if is_not_implemented(seen.exc):
        return not_attempted(NAME, "train", output)
    problems = diagnose(RULES, seen)
    problems += bare_call_notes(fn, problems)
    if seen.exc is not None:
        problems.append(explain(seen.exc, "train"))
    problems = problems or diagnose(LAST_RULES, seen)
    if problems:
        return result(NAME, INCORRECT, problems + notes, output)
    return result(NAME, CORRECT, [
        f"train is correct: on {seen.n_batches} batches it ran {_order(seen.events)} in training mode, "
        f"with fresh gradients at every step, and the weights changed."
    ] + notes, output)


@dataclass
class TrainRun:
    """What one run of the learner's ``train`` showed: the spies' record, its return value or exception."""

    recorder: Recorder
    value: Any
    exc: BaseException | None
    params: list[torch.Tensor]
    before: list[torch.Tensor]  # the weights before the run
    n_batches: int

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
    def order(self) -> str:
        return f"Order seen in one batch: {_order(self.events)}."

    @property
    def changed(self) -> bool:
        """True when the weights changed."""
        return any(not torch.equal(b, p.detach()) for b, p in zip(self.before, self.params))


def _train_data() -> Any:
    from course_utils.data import BatchLoader

    X = torch.randn(20, 1, 32, 32)
    y = torch.randint(0, 10, (20,))
    return BatchLoader(X, y, batch_size=8)  # 3 batches: 8, 8 and 4 images


def _watch(fn: Callable[..., Any]) -> tuple[TrainRun, str]:
    """Run ``fn`` with the spies on 3 batches; return what they saw, and what ``fn`` printed."""
    recorder = Recorder()
    loader = _train_data()
    model = _TrainProbe(recorder)
    model.eval()  # as a test loop leaves it: train must switch it back with model.train()
    params = list(model.parameters())
    for i, p in enumerate(params):
        p.register_hook(lambda grad, i=i, p=p: recorder.on_grad(i, p))
    loss_fn = _SpyLoss(recorder, wrap=True)
    optimizer = _SpyOptimizer(params, recorder)
    before = [p.detach().clone() for p in params]
    with recording(recorder):
        value, exc, output = run(fn, loader, model, loss_fn, optimizer)
    return TrainRun(recorder, value, exc, params, before, len(loader)), output


def _order(events: list[str]) -> str:
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


@rule
def calls_outside_loop(run: TrainRun) -> str | None:
    """backward or step ran fewer times than there were batches: they sit after the loop (indentation)."""
    batches = run.n_forward
    n = {name: run.count(name) for name in ("zero_grad", "backward", "step")}
    if not run.stepped or (n["backward"] >= batches and n["step"] >= batches):
        return None
    parts = [_ran("loss.backward()", n["backward"]), _ran("optimizer.step()", n["step"])]
    which = "both belong"
    if 0 < n["zero_grad"] < batches:
        parts.insert(0, _ran("optimizer.zero_grad()", n["zero_grad"]))
        which = "all three belong"
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
    first_of(new_optimizer, step_never_called, calls_outside_loop, zero_grad_outside_loop, step_repeated,
             backward_repeated, step_before_backward, zero_grad_between, gradients_never_reset),
    softmax_before_loss,
    first_of(loss_tensors_added_up, returns_loss_tensor, returns_loss_tensors),
)
#: Run only when RULES found nothing and nothing raised.
LAST_RULES = (weights_unchanged, batches_skipped)

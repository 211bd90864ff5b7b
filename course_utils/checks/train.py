"""``check_train``: does the learner's training loop run the five steps, once per batch, in order (notebook 05)?

``train(dataloader, model, loss_fn, optimizer)`` runs on 3 tiny synthetic batches with the spies of
:mod:`.spies` (a model, a loss function and an optimizer that record what happens, each a real
instance of the class it stands for); the rules of :mod:`.train_rules` read the record. A loop that
steps on fewer batches than it runs backward on runs once more, on 12 batches, to tell gradient
accumulation (a step every k batches) from a step outside the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from .attempts import finish, level_name
from .hints import bare_call_notes, warning_notes
from .isolation import explain, is_not_implemented, isolated, on_cpu, run
from .result import CORRECT, INCORRECT, CheckResult, function_precheck, not_attempted, result
from .rules import diagnose
from .spies import Recorder, _SpyLoss, _SpyOptimizer, _TrainProbe, recording
from .train_rules import LAST_RULES, RULES, TrainRun, first_batch_order

__all__ = ["LAST_RULES", "RULES", "check_train"]

NAME = "check_train(train)"
#: The check's data: (images, batch size) for the usual run (3 batches: 8, 8 and 4 images) and the longer one.
SHORT, LONG = (20, 8), (24, 2)


def check_train(train: Callable[..., Any] | None, *, level: int | str = "lesson") -> CheckResult:
    """Check ``train(dataloader, model, loss_fn, optimizer)`` on 3 tiny synthetic batches.

    Taught in ``05_training_loop``. Diagnoses: a missing or misplaced ``zero_grad``, a missing
    ``backward``, a missing or early ``step``, any of the three not run once per batch (outside
    the loop, or twice in it), gradient accumulation (named: another algorithm), ``loss_fn(y, pred)``,
    a softmax before the loss, loss tensors added up or returned instead of ``.item()``, a missing
    ``model.train()``, the course's own ``train`` handed in, and old PyTorch idioms (``loss.data[0]``).
    Accepts ``zero_grad`` at the start of the step or after ``step``, ``model.zero_grad()``,
    ``set_to_none``, and any public PyTorch API used on the optimizer (an LR scheduler, ``GradScaler``);
    prints are captured and the return value is not needed.

    ``level`` is where the check runs: an exercise passes its level (1, 2, 3 or "all"), a lesson
    none. The result is recorded in the progress file (:mod:`course_utils.progress`), and
    ``result.hint()`` gives hints on request.
    """
    where = level_name(level)
    with isolated():
        found = _check_train(train)
    return finish(found, "train", where)


def _check_train(train: Callable[..., Any] | None) -> CheckResult:
    early = function_precheck(NAME, train, "train", "def train(dataloader, model, loss_fn, optimizer):")
    if early is not None:
        return early
    fn, notes = on_cpu(train, "train")
    seen, output = _watch(fn, SHORT)
    if is_not_implemented(seen.exc):
        return not_attempted(NAME, "train", output)
    if seen.steps_fewer_than_backwards:
        seen.longer = _watch(fn, LONG)[0]
    problems = diagnose(RULES, seen)
    problems += bare_call_notes(fn, problems)
    if seen.exc is not None:
        problems.append(explain(seen.exc, "train"))
    problems = problems or diagnose(LAST_RULES, seen)
    notes = warning_notes(seen.warnings) + notes
    if problems:
        return result(NAME, INCORRECT, problems + notes, output)
    return result(NAME, CORRECT, [
        f"train is correct: on {seen.n_batches} batches it ran {first_batch_order(seen.events)} in training mode, "
        f"with fresh gradients at every step, and the weights changed."
    ] + notes, output)


def _train_data(images: int, batch_size: int) -> Any:
    from course_utils.data import BatchLoader

    X = torch.randn(images, 1, 32, 32)
    y = torch.randint(0, 10, (images,))
    return BatchLoader(X, y, batch_size=batch_size)


def _watch(fn: Callable[..., Any], data: tuple[int, int]) -> tuple[TrainRun, str]:
    """Run ``fn`` with the spies on ``data`` (images, batch size); return what they saw, and what ``fn`` printed."""
    recorder = Recorder()
    loader = _train_data(*data)
    model = _TrainProbe(recorder)
    model.eval()  # as a test loop leaves it: train must switch it back with model.train()
    params = list(model.parameters())
    for i, p in enumerate(params):
        p.register_hook(lambda grad, i=i, p=p: recorder.on_grad(i, p))
    loss_fn = _SpyLoss(recorder, wrap=True)
    optimizer = _SpyOptimizer(params, recorder)
    before = [p.detach().clone() for p in params]
    with recording(recorder):
        ran = run(fn, loader, model, loss_fn, optimizer)
    return TrainRun(recorder, ran.value, ran.error, params, before, len(loader), ran.warnings), ran.output

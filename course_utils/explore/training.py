"""Training for the playground: optimizers, one epoch of the course's loop, and divergence.

The loop itself is taught in ``05_training_loop``; :func:`train_epoch` runs it, by default its
generated copy :func:`course_utils.reference.train`, or the learner's own ``train`` (``train_fn=``),
and only watches it: each batch's loss is reported as it happens, and the epoch can end early
(the playground's Stop button, or a diverging loss).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import torch
from torch import nn

from course_utils import reference
from course_utils.data import CLASSES

__all__ = ["OPTIMIZERS", "TrainFn", "divergence", "make_optimizer", "moving_average", "train_epoch"]

#: A training function with the signature of ``05``'s ``train(dataloader, model, loss_fn, optimizer)``.
TrainFn = Callable[
    [Iterable[Any], nn.Module, Callable[[torch.Tensor, torch.Tensor], torch.Tensor], torch.optim.Optimizer], Any
]

#: The optimizers the training playground offers (built by :func:`make_optimizer`).
OPTIMIZERS: tuple[str, ...] = ("SGD", "SGD + momentum", "Adam")


def make_optimizer(name: str, params: Iterable[torch.nn.Parameter], lr: float) -> torch.optim.Optimizer:
    """Build one of :data:`OPTIMIZERS`: ``SGD``, ``SGD + momentum`` (0.9) or ``Adam``.

    Taught in ``04`` (what an optimizer does) and ``05_training_loop``.
    """
    if name == "SGD":
        return torch.optim.SGD(params, lr=lr)
    if name == "SGD + momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "Adam":
        return torch.optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}: expected one of {', '.join(OPTIMIZERS)}")


class _LastLoss(nn.Module):
    """The loss function handed to the training function: ``loss_fn``'s loss, the last one kept (detached)."""

    def __init__(self, loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
        super().__init__()
        self.loss_fn = loss_fn
        self.last: torch.Tensor | None = None

    def forward(self, pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        loss = self.loss_fn(pred, y)
        self.last = loss.detach()
        return loss


class _ReportingLoader:
    """The dataloader handed to the training function: ``dataloader``'s batches, one at a time.

    When train asks for the next batch, the previous one's five steps are done: its loss goes to
    ``on_step``, and the epoch ends there if ``on_step`` returns False. A train that asks for the
    next batch without computing a loss with ``loss_fn`` gets an error that says so.
    """

    def __init__(self, dataloader: Iterable[Any], loss: _LastLoss, on_step: Callable[[float], bool]) -> None:
        self.dataloader, self.loss, self.on_step = dataloader, loss, on_step

    def __len__(self) -> int:  # train's progress bar shows how many batches an epoch has
        return len(self.dataloader)

    def __iter__(self) -> Iterator[Any]:
        for batch in self.dataloader:
            self.loss.last = None
            yield batch
            if self.loss.last is None:
                raise RuntimeError(
                    "train asked for the next batch without computing this batch's loss with loss_fn: "
                    "expected train(dataloader, model, loss_fn, optimizer) to run loss = loss_fn(pred, y) "
                    "for every batch (step 3 of 05_training_loop)"
                )
            if not self.on_step(float(self.loss.last)):
                return


def train_epoch(
    model: nn.Module,
    dataloader: Iterable[tuple[torch.Tensor, torch.Tensor]],
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    on_step: Callable[[float], bool] = lambda loss: True,
    train_fn: TrainFn | None = None,
) -> Any:
    """One epoch of ``train_fn`` (default :func:`course_utils.reference.train`, the five steps of
    ``05_training_loop``; pass the notebook's own ``train`` to run the learner's version).

    After each batch's step, ``on_step(loss)`` gets that batch's loss (a float); when it returns
    False the epoch ends there, keeping every step already taken. Returns what ``train_fn``
    returns: for reference.train, the per-batch losses, one for each step taken. reference.train
    draws its tqdm progress bar (``tqdm.auto``) as it does in the notebook.
    """
    last = _LastLoss(loss_fn)
    train_fn = reference.train if train_fn is None else train_fn
    return train_fn(_ReportingLoader(dataloader, last, on_step), model, last, optimizer)


def divergence(losses: Sequence[float], factor: float = 5.0) -> str | None:
    """Say why training has diverged, or return None while it has not.

    Diverged means the last loss is NaN or infinite, or larger than ``factor`` times the
    first loss (itself at least ln 10 = 2.30, the loss of a uniform guess over 10 classes).
    """
    if not losses:
        return None
    last = float(losses[-1])
    if not math.isfinite(last):
        return f"the loss became {last} (not a number): the weights overflowed"
    start = max(float(losses[0]), math.log(len(CLASSES)))
    if last > factor * start:
        return f"the loss exploded to {last:.3g}, more than {factor:g} times its start ({start:.2f})"
    return None


def moving_average(values: Sequence[float], window: int) -> list[float]:
    """Return the trailing mean of the last ``window`` values at each position (shorter at the start)."""
    if window < 1:
        raise ValueError(f"window must be a positive integer, got {window}")
    out, total = [], 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out

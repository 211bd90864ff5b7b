"""Reference copies of the course's training and test loops, for the notebooks that come after.

The loops are *taught* in the notebooks, where they are typed out in full:

- :func:`train` in ``05_training_loop`` (the five steps), typed out again in ``07_full_training``;
- :func:`test` in ``06_test_loop_and_metrics`` (measuring, not learning), again in ``07``;
- :func:`predict`, :func:`confusion_matrix` and :func:`per_class_accuracy` in
  ``06_test_loop_and_metrics`` (beyond accuracy).

The copies here are the same code, so later notebooks and the widgets can call them without
pasting them again. Nothing runs at import.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn
from tqdm.auto import tqdm

__all__ = ["confusion_matrix", "per_class_accuracy", "predict", "test", "train"]

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


def train(
    dataloader: Batches,
    model: nn.Module,
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
) -> list[float]:
    """Train ``model`` for one pass over ``dataloader`` (one epoch); return the per-batch losses.

    Taught in ``05_training_loop`` (the five steps, one per cell, then this function).
    It calls ``model.train()``, then for every batch ``(X, y)``: ``optimizer.zero_grad()``,
    ``pred = model(X)``, ``loss = loss_fn(pred, y)``, ``loss.backward()``, ``optimizer.step()``.
    The batches are moved to the model's device. A tqdm bar shows the running loss (mean of the
    last 50 batches). Returns a list of Python floats (``loss.item()``), one per batch, so that
    no computational graph is kept alive.
    """
    device = next(model.parameters()).device  # the batches go where the weights are
    model.train()  # training mode: dropout and batch norm (if any) behave as in training
    losses = []
    progress = tqdm(dataloader, desc="train")
    for X, y in progress:
        X, y = X.to(device), y.to(device)
        # step 1: zero the gradients (they accumulate by default)
        optimizer.zero_grad()
        # step 2: forward pass, the model's guess (raw logits)
        pred = model(X)
        # step 3: compute the loss, one scalar for the whole batch
        loss = loss_fn(pred, y)
        # step 4: backward pass, d loss / d parameter for every parameter
        loss.backward()
        # step 5: update the weights against their gradients
        optimizer.step()
        losses.append(loss.item())  # a plain float: keeps no graph alive
        recent = losses[-50:]
        progress.set_postfix(loss=f"{sum(recent) / len(recent):.4f}")
    return losses


def test(dataloader: Batches, model: nn.Module, loss_fn: nn.Module) -> tuple[float, float]:
    """Measure ``model`` on ``dataloader``; return ``(avg_loss, accuracy)``.

    Taught in ``06_test_loop_and_metrics``. ``avg_loss`` is the mean of the per-batch losses
    (the Quickstart's average: the sum of ``loss_fn(pred, y).item()`` divided by the number of
    batches); ``accuracy`` is the fraction of correct predictions, in [0, 1]. It calls
    ``model.eval()`` and runs under ``torch.no_grad()``: no optimizer, no backward, no step.
    """
    device = next(model.parameters()).device  # the batches go where the weights are
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()  # evaluation mode: dropout off, batch norm uses its running statistics
    test_loss, correct = 0, 0
    with torch.no_grad():  # measuring, not learning: record no graph
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    return test_loss, correct


def predict(model: nn.Module, dataloader: Batches) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(preds, labels)``: the predicted and true class of every image, on the CPU.

    Taught in ``06_test_loop_and_metrics``: the test loop's ``pred.argmax(1)``, kept instead of
    counted. Both are int64 tensors of shape (N,), in the loader's order. Calls ``model.eval()``.
    """
    device = next(model.parameters()).device
    model.eval()
    preds, labels = [], []
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X.to(device))
            preds.append(pred.argmax(1).cpu())
            labels.append(y.cpu())
    return torch.cat(preds), torch.cat(labels)


def confusion_matrix(
    model: nn.Module, dataloader: Batches, num_classes: int = 10
) -> torch.Tensor:
    """Return the confusion matrix, int64 (num_classes, num_classes): rows true, columns predicted.

    Taught in ``06_test_loop_and_metrics``. Entry ``[i, j]`` counts the images of class ``i``
    that the model called class ``j``; the diagonal holds the correct ones, so
    ``matrix.diag().sum() / matrix.sum()`` is the accuracy. Draw it with
    ``course_utils.plots.plot_confusion_matrix``.
    """
    preds, labels = predict(model, dataloader)
    flat = labels * num_classes + preds  # one bin per (true, predicted) pair
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def per_class_accuracy(matrix: torch.Tensor) -> torch.Tensor:
    """Return each class's accuracy (recall) from a confusion matrix: diagonal / row sums.

    Taught in ``06_test_loop_and_metrics``. A float tensor of shape (num_classes,); a class
    with no images gets NaN rather than a misleading number.
    """
    matrix = torch.as_tensor(matrix)
    totals = matrix.sum(dim=1).to(torch.float64)
    return matrix.diag().to(torch.float64) / totals

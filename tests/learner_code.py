"""Learner's code for the checks' tests: the course's own code as a learner types it, and loops from elsewhere.

The checks refuse the course's copy itself (``course_utils.reference.train`` imported and handed in),
so a test that wants the course's code judged on its merits uses :func:`typed`: the same source,
run in a fresh notebook-like namespace, as a learner who typed it would have it. The PyTorch
Quickstart's ``train`` and ``test`` are here verbatim, as source text, because copying them exactly
is the point (pytorch/tutorials, ``beginner_source/basics/quickstart_tutorial.py``).
"""

from __future__ import annotations

import inspect
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

__all__ = ["QUICKSTART_TEST", "QUICKSTART_TRAIN", "notebook_cell", "typed"]


def notebook_cell(source: str, **names: Any) -> dict[str, Any]:
    """The namespace of a notebook after running ``source`` in a cell, with ``names`` (and torch, nn, F) defined."""
    namespace: dict[str, Any] = {"__name__": "__main__", "torch": torch, "nn": nn, "F": F, "tqdm": tqdm, **names}
    exec(compile(source, "<notebook cell>", "exec"), namespace)
    return namespace


def typed(obj: Any) -> Any:
    """``obj`` (the course's Net, train or test) as a learner who typed its code in a notebook has it."""
    return notebook_cell(inspect.getsource(obj))[obj.__name__]


QUICKSTART_TRAIN = """
def train(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)

        # Compute prediction error
        pred = model(X)
        loss = loss_fn(pred, y)

        # Backpropagation
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

        if batch % 100 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")
"""

QUICKSTART_TEST = """
def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \\n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \\n")
"""

"""Predictions: softmax probabilities for a whole split, accuracy, and walking the mistakes.

Taught in ``06_test_loop_and_metrics``; the prediction explorer and the training playground's
test accuracy are built on these.
"""

from __future__ import annotations

import torch
from torch import nn

from course_utils.data import CLASSES
from course_utils.explore.figures import detach_figure
from course_utils.explore.network import model_device

__all__ = [
    "class_indices",
    "evaluate",
    "mistake_indices",
    "next_mistake",
    "predict_probabilities",
    "prediction_figure",
]


def predict_probabilities(model: nn.Module, X: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Return ``softmax(model(X))`` for every image, (N, 10) on the CPU; rows sum to 1.

    Computed once for the whole split in batches under ``torch.no_grad()`` with the model in
    eval mode (its previous mode is restored). Taught in ``06_test_loop_and_metrics``.
    """
    device = model_device(model)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            chunks = [
                torch.softmax(model(X[i : i + batch_size].to(device)), dim=1).cpu()
                for i in range(0, len(X), batch_size)
            ]
    finally:
        model.train(was_training)
    return torch.cat(chunks) if chunks else torch.empty(0, len(CLASSES))


def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch_size: int = 1000) -> float:
    """Return the accuracy (a fraction in [0, 1]) of ``model`` on ``(X, y)``.

    What ``06_test_loop_and_metrics``'s ``test`` counts as ``correct``, divided by the number of
    images, counted from :func:`predict_probabilities` (the most probable class is the largest
    logit). Not ``reference.test``: the playground needs no loss here, and the model's
    train/eval mode is restored afterwards (``test`` leaves it in eval mode).
    """
    probs = predict_probabilities(model, X, batch_size)
    return float((probs.argmax(1) == torch.as_tensor(y).cpu()).float().mean())


def class_indices(y: torch.Tensor, label: int) -> torch.Tensor:
    """Return the positions (int64, ascending) of the images of class ``label`` in ``y``."""
    return torch.nonzero(torch.as_tensor(y) == int(label)).flatten()


def mistake_indices(probs: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Return the positions (ascending, int64) of the images whose most probable class is not ``y``."""
    return torch.nonzero(probs.argmax(1) != torch.as_tensor(y).cpu()).flatten()


def next_mistake(mistakes: torch.Tensor, current: int, forward: bool = True) -> int | None:
    """Return the first mistake after ``current`` (before it when ``forward`` is False), wrapping round.

    Returns None when there are no mistakes at all.
    """
    if len(mistakes) == 0:
        return None
    if forward:
        later = mistakes[mistakes > current]
        return int(later[0]) if len(later) else int(mistakes[0])
    earlier = mistakes[mistakes < current]
    return int(earlier[-1]) if len(earlier) else int(mistakes[-1])


def prediction_figure(image: torch.Tensor, probs: torch.Tensor, label: int, index: int, split: str = "test"):
    """One image of ``split`` beside the bar chart of its 10 class probabilities (true class in title).

    Drawn by :func:`course_utils.plots.plot_probabilities`; returns the (detached) Figure.
    """
    from course_utils import plots

    title = f"{split.capitalize()} image {index}, predicted"
    return detach_figure(plots.plot_probabilities(image, probs, label, title=title))

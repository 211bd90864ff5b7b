"""Metrics built on the course's test loop: the confusion matrix and each class's accuracy.

Taught in ``06_test_loop_and_metrics`` (beyond accuracy). The loops themselves (``train``,
``test``, ``predict``) are not written here: they are generated from the notebooks' cells into
:mod:`course_utils.reference` (``make export``), and :func:`confusion_matrix` calls that
``predict``. Nothing runs at import.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from course_utils import reference

__all__ = ["confusion_matrix", "per_class_accuracy"]

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


def confusion_matrix(model: nn.Module, dataloader: Batches, num_classes: int = 10) -> torch.Tensor:
    """Return the confusion matrix, int64 (num_classes, num_classes): rows true, columns predicted.

    Taught in ``06_test_loop_and_metrics``. Entry ``[i, j]`` counts the images of class ``i``
    that the model called class ``j``; the diagonal holds the correct ones, so
    ``matrix.diag().sum() / matrix.sum()`` is the accuracy. The predictions come from
    :func:`course_utils.reference.predict` (06's ``predict``), which calls ``model.eval()``.
    Draw it with ``course_utils.plots.plot_confusion_matrix``.
    """
    preds, labels = reference.predict(model, dataloader)
    flat = labels * num_classes + preds  # one bin per (true, predicted) pair
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def per_class_accuracy(matrix: torch.Tensor) -> torch.Tensor:
    """Return each class's accuracy (recall) from a confusion matrix: diagonal / row sums.

    Taught in ``06_test_loop_and_metrics``. A float64 tensor of shape (num_classes,); a class
    with no images gets NaN rather than a misleading number.
    """
    matrix = torch.as_tensor(matrix)
    totals = matrix.sum(dim=1).to(torch.float64)
    return matrix.diag().to(torch.float64) / totals

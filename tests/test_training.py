"""course_utils.training: the confusion matrix and per-class accuracy, against hand counts."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from course_utils.reference import test as run_test
from course_utils.training import confusion_matrix, per_class_accuracy

# `test` is imported as `run_test`: pytest would collect a function named `test`


def _loader(X, y, batch_size: int) -> DataLoader:
    return DataLoader(TensorDataset(X, y), batch_size=batch_size)


def test_predict_and_confusion_matrix_by_hand(passthrough):
    # predicted classes 0, 1, 1, 2, 2, 0; true classes 0, 1, 2, 2, 0, 0
    logits = torch.eye(3)[[0, 1, 1, 2, 2, 0]]
    y = torch.tensor([0, 1, 2, 2, 0, 0])
    model = passthrough
    matrix = confusion_matrix(model, _loader(logits, y, 4), num_classes=3)
    expected = torch.tensor([[2, 0, 1], [0, 1, 0], [0, 1, 1]])
    assert torch.equal(matrix, expected)
    assert matrix.dtype == torch.int64
    assert matrix.sum().item() == 6
    per_class = per_class_accuracy(matrix)
    torch.testing.assert_close(per_class, torch.tensor([2 / 3, 1.0, 0.5], dtype=torch.float64))
    _, accuracy = run_test(_loader(logits, y, 4), model, nn.CrossEntropyLoss())
    assert accuracy == pytest.approx(matrix.diag().sum().item() / matrix.sum().item())


def test_per_class_accuracy_marks_empty_classes_nan():
    matrix = torch.tensor([[3, 1], [0, 0]])
    result = per_class_accuracy(matrix)
    assert result[0].item() == 0.75
    assert math.isnan(result[1].item())


def test_module_exports_and_docstrings_name_the_notebook():
    from course_utils import training

    assert set(training.__all__) == {"confusion_matrix", "per_class_accuracy"}
    for name in training.__all__:
        assert "06_test_loop_and_metrics" in getattr(training, name).__doc__

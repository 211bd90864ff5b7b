"""The noise of a difference between two models scored on the same images (taught in ``07_full_training``).

Two models measured on the **same** images form a paired comparison: an image both get right, or
both get wrong, says nothing about which is better. Only the images that exactly one of them gets
right count (McNemar's *b* and *c*), and the standard error of the difference of the two accuracies
is about ``sqrt(b + c) / n``. Notebook 08 goes further: it repeats such comparisons over several
seeds, which is what decides between recipes.
"""

import math

import torch

__all__ = ["disagreements", "paired_standard_error"]


def disagreements(right_a: torch.Tensor, right_b: torch.Tensor) -> int:
    """Return b + c: how many images exactly one of the two models gets right.

    ``right_a`` and ``right_b`` are boolean tensors, one entry per image, in the same order
    (``pred.argmax(1) == y`` for each model).
    """
    if right_a.shape != right_b.shape or right_a.dim() != 1:
        raise ValueError(
            f"expected two 1-D tensors of the same length (one entry per image), got shapes "
            f"{tuple(right_a.shape)} and {tuple(right_b.shape)}: score both models on the same images"
        )
    return int((right_a.bool() != right_b.bool()).sum())


def paired_standard_error(right_a: torch.Tensor, right_b: torch.Tensor) -> float:
    """Return the standard error of accuracy(a) - accuracy(b) on the same n images: sqrt(b + c) / n."""
    return math.sqrt(disagreements(right_a, right_b)) / len(right_a)

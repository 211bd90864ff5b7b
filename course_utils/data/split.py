"""A validation split taken from the training set: choices are made on it, never on the test set.

Taught in ``07_full_training`` (the three-way split: train to learn, validation to choose, test
once at the end) and used again in ``08_beyond_lenet``. The split is stratified (every class
keeps its share) and seeded with its own generator, so it is the same in every notebook and run,
and drawing it leaves PyTorch's global random state alone.
"""

from __future__ import annotations

import torch

from course_utils.data.files import DataInfo
from course_utils.data.loaders import BatchLoader, load_tensors
from course_utils.data.sources import prepare

__all__ = ["VALIDATION_FRACTION", "get_split_loaders", "validation_indices"]

#: 5,000 of the 60,000 full training images (500 of the sample's 6,000).
VALIDATION_FRACTION = 5_000 / 60_000


def _quotas(counts: torch.Tensor, size: int) -> torch.Tensor:
    """Split ``size`` over the classes in proportion to ``counts`` (largest remainders round up)."""
    exact = counts.double() * size / counts.sum()
    quotas = exact.floor().long()
    missing = size - int(quotas.sum())
    if missing:
        order = torch.argsort(exact - quotas, descending=True, stable=True)
        quotas[order[:missing]] += 1
    return quotas


def validation_indices(y: torch.Tensor, size: int | None = None, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(train_idx, val_idx)``: a stratified, seeded split of the positions ``0..len(y)-1``.

    ``size`` (default: :data:`VALIDATION_FRACTION` of ``len(y)``, rounded) images go to validation,
    each class in proportion to its count; the rest stay for training. Both index tensors are
    sorted, disjoint and together cover every position once. The same ``y``, ``size`` and ``seed``
    always give the same split.
    """
    y = torch.as_tensor(y).cpu()
    n = len(y)
    size = round(n * VALIDATION_FRACTION) if size is None else int(size)
    if not 0 < size < n:
        raise ValueError(f"a validation split needs 0 < size < {n} (the number of images), got size={size}")
    classes, counts = torch.unique(y, return_counts=True)
    generator = torch.Generator().manual_seed(seed)
    chosen = []
    for label, quota in zip(classes.tolist(), _quotas(counts, size).tolist()):
        members = torch.nonzero(y == label).flatten()
        chosen.append(members[torch.randperm(len(members), generator=generator)[:quota]])
    val_idx = torch.sort(torch.cat(chosen)).values
    keep = torch.ones(n, dtype=torch.bool)
    keep[val_idx] = False
    return torch.nonzero(keep).flatten(), val_idx


def get_split_loaders(
    batch_size: int = 64,
    device: str | torch.device | None = None,
    info: DataInfo | None = None,
    test_batch_size: int | None = None,
    seed: int = 0,
) -> tuple[BatchLoader, BatchLoader, BatchLoader]:
    """Return ``(train_loader, val_loader, test_loader)``, in memory.

    The training images are split by :func:`validation_indices` (5,000 on the full data, 500 on
    the sample): training shuffled, validation and test in order, in batches of
    ``test_batch_size`` (default ``max(batch_size, 1000)``). ``device`` as in ``get_loaders``.
    """
    info = info or prepare()
    X, y = load_tensors(True, info)
    X_test, y_test = load_tensors(False, info)
    train_idx, val_idx = validation_indices(y, seed=seed)
    eval_batch = test_batch_size or max(batch_size, 1000)
    return (
        BatchLoader(X[train_idx], y[train_idx], batch_size, shuffle=True, device=device),
        BatchLoader(X[val_idx], y[val_idx], eval_batch, device=device),
        BatchLoader(X_test, y_test, eval_batch, device=device),
    )

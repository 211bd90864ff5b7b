"""Reading the prepared files: class names, the transform, datasets and fast in-memory batches.

Taught in ``01_data`` (datasets, transforms, loaders). Files are always read by
``torchvision.datasets.FashionMNIST(root, download=False)`` over the folder that
:func:`course_utils.data.prepare` chose.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

from course_utils.data.files import DataInfo, display_path
from course_utils.data.sources import prepare

if TYPE_CHECKING:  # torchvision is imported where it is used: `import course_utils.data` stays light
    from torchvision import transforms
    from torchvision.datasets import FashionMNIST

__all__ = [
    "CLASSES",
    "MEAN",
    "STD",
    "BatchLoader",
    "dataset",
    "expect_batch",
    "get_loaders",
    "lenet_transform",
    "load_tensors",
    "pad32",
]

#: Class names, index = label id (the same list as ``torchvision.datasets.FashionMNIST.classes``).
CLASSES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

#: Mean and standard deviation of the full training set's pixels after ``ToTensor`` (0..1).
MEAN: float = 0.2860
STD: float = 0.3530


def lenet_transform() -> transforms.Compose:
    """The course's per-image transform: ``ToTensor`` (0..1), ``Pad(2)`` (28 -> 32), ``Normalize``.

    Taught in ``01_data``. LeNet was designed for 32x32 inputs: after two 5x5 convolutions and
    two 2x2 poolings, 32 leaves 5x5 maps, hence ``fc1 = nn.Linear(16 * 5 * 5, 120)``.
    """
    from torchvision import transforms

    return transforms.Compose(
        [transforms.ToTensor(), transforms.Pad(2), transforms.Normalize((MEAN,), (STD,))]
    )


def dataset(
    train: bool = True, transform: Callable | None = None, info: DataInfo | None = None
) -> FashionMNIST:
    """Return ``torchvision.datasets.FashionMNIST`` over the prepared folder (never downloads).

    The folder is passed as :func:`display_path` shows it when that is a relative path (``../data``
    from ``notebooks/``), so that printing the dataset shows no machine's absolute path. torchvision
    reads the files when the dataset is made, so a later change of working directory does not matter.
    """
    import torchvision

    info = info or prepare()
    shown = display_path(info.root)
    root = str(info.root) if Path(shown).is_absolute() or shown.startswith("~") else shown
    return torchvision.datasets.FashionMNIST(root, train=train, download=False, transform=transform)


def pad32(x: torch.Tensor) -> torch.Tensor:
    """Pad images from 28x28 to 32x32 with two zero pixels on every side (any leading dims)."""
    if x.dim() < 2 or tuple(x.shape[-2:]) != (28, 28):
        raise ValueError(
            f"pad32 expects images whose last two dimensions are 28x28, got shape "
            f"{tuple(x.shape)}. Fix: pass Fashion-MNIST images as read (N, 28, 28) or (N, 1, 28, 28)."
        )
    return F.pad(x, (2, 2, 2, 2))


def expect_batch(X: torch.Tensor) -> None:
    """Raise a ValueError that explains the fix unless ``X`` is a float batch (N, 1, 32, 32)."""
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor batch shaped (N, 1, 32, 32), got {type(X).__name__}")
    shape = tuple(X.shape)
    if X.dim() == 4 and shape[1:] == (1, 32, 32):
        if not X.is_floating_point():
            raise ValueError(
                f"expected a float batch, got dtype {X.dtype}: convert with X.float() / 255 "
                f"or read it through course_utils.data.lenet_transform()"
            )
        return
    hints = []
    if X.dim() == 3:
        hints.append("add a batch dimension with x.unsqueeze(0)")
    elif X.dim() == 2:
        hints.append("add channel and batch dimensions with x[None, None]")
    if shape[-2:] == (28, 28):
        hints.append("pad to 32 with course_utils.data.pad32")
    hint = " and ".join(hints) or "reshape it to (N, 1, 32, 32)"
    raise ValueError(f"expected a batch shaped (N, 1, 32, 32), got {shape}: {hint}")


@lru_cache(maxsize=4)
def _tensors_cpu(root: str, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
    ds = dataset(train, info=DataInfo("?", Path(root), 0, 0))
    X = pad32(ds.data.unsqueeze(1).float().div(255)).sub(MEAN).div(STD)
    return X, ds.targets.clone()


def load_tensors(
    train: bool = True, info: DataInfo | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the whole split as ``(X, y)``: X float (N, 1, 32, 32), normalised; y int64 (N,).

    Identical, value for value, to reading every image through :func:`lenet_transform`, but
    done once for the whole split with tensor operations. The work is cached per folder and
    split; each call returns its own copy, so changing a batch in place never alters the data
    a later call (or another loader) gets.
    """
    info = info or prepare()
    X, y = _tensors_cpu(str(info.root), train)
    return X.clone(), y.clone()


class BatchLoader:
    """Yield ``(X, y)`` batches from tensors held in memory, like a ``DataLoader`` without PIL.

    It has what the course's loops use from a ``DataLoader``: iteration, ``len(loader)`` (the
    number of batches), ``loader.dataset`` (with ``len``) and ``loader.batch_size``. Shuffling
    draws a fresh order every epoch from PyTorch's global random generator, so ``setup(seed)``
    makes runs reproducible, or from ``generator`` when one is given (a run that must not touch
    the global state, like the training playground's thread). On a GPU the tensors live on the
    device: no copy per batch.
    """

    def __init__(
        self,
        X: torch.Tensor,
        y: torch.Tensor,
        batch_size: int = 64,
        shuffle: bool = False,
        device: str | torch.device | None = None,
        generator: torch.Generator | None = None,
    ) -> None:
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} images but y has {len(y)} labels: they must match")
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        device = torch.device(device) if device is not None else X.device
        self.X, self.y = X.to(device), y.to(device)
        self.dataset = torch.utils.data.TensorDataset(self.X, self.y)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self) -> int:
        return math.ceil(len(self.y) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.y)
        if self.shuffle:
            gen = self.generator
            if gen is None:
                seed = int(torch.empty((), dtype=torch.int64).random_().item())
                gen = torch.Generator().manual_seed(seed)
            order = torch.randperm(n, generator=gen).to(self.X.device)
            for start in range(0, n, self.batch_size):
                idx = order[start : start + self.batch_size]
                yield self.X[idx], self.y[idx]
        else:
            for start in range(0, n, self.batch_size):
                yield self.X[start : start + self.batch_size], self.y[start : start + self.batch_size]

    def __repr__(self) -> str:
        return (
            f"BatchLoader({len(self.y)} images, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, device={self.X.device})"
        )


def get_loaders(
    batch_size: int = 64,
    device: str | torch.device | None = None,
    info: DataInfo | None = None,
    test_batch_size: int | None = None,
) -> tuple[BatchLoader, BatchLoader]:
    """Return ``(train_loader, test_loader)``: in-memory, training shuffled, test in order.

    ``device`` defaults to the CPU; pass ``setup().device`` to keep the data on a GPU.
    """
    info = info or prepare()
    Xtr, ytr = load_tensors(True, info)
    Xte, yte = load_tensors(False, info)
    train_loader = BatchLoader(Xtr, ytr, batch_size, shuffle=True, device=device)
    test_loader = BatchLoader(Xte, yte, test_batch_size or max(batch_size, 1000), device=device)
    return train_loader, test_loader

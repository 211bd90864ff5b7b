"""Part 1: how fast the course's network trains, fed by three data paths, measured interleaved.

The network is the course's ``reference.Net`` (taught in notebook 03) and every timed run is one
call of ``reference.train`` (notebook 05: the five steps and ``loss.item()`` per batch) over a
fixed number of batches, so what is timed is the code the learner types. The paths:

- ``course``: the course's data path, ``course_utils.data.get_loaders`` (in memory; on CUDA the
  data stays on the GPU);
- ``quickstart``: the PyTorch Quickstart pipeline, ``torchvision.datasets.FashionMNIST`` with
  ``ToTensor`` and ``Pad(2)`` in a ``DataLoader(batch_size=64, shuffle=True, num_workers=0)``;
- ``limit``: the compute-only limit, one batch fed again and again.

The runs go A B C, A B C, ... and are summarised by medians (:func:`summarise_throughput`).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from benchmarks.stats import interleaved, median, paired_ratios, ratio

__all__ = [
    "METHODS",
    "METHOD_LABELS",
    "measure_throughput",
    "progress_bars_off",
    "summarise_throughput",
    "time_data",
    "time_training",
]

METHODS = ("course", "quickstart", "limit")
METHOD_LABELS = {
    "course": "course data path (get_loaders, in memory)",
    "quickstart": "Quickstart pipeline (FashionMNIST + ToTensor + Pad(2), DataLoader)",
    "limit": "compute-only limit (the same batch again and again)",
}
WARM_UP_BATCHES = 20  # per path, before the timed runs: allocations, kernel choices, file caches
DATA_ALONE_BATCHES = 300  # at most, per run of a data path alone


def progress_bars_off() -> bool:
    """Import tqdm with ``TQDM_DISABLE=1``, so that ``reference.train`` shows no bar in this process.

    tqdm reads its ``TQDM_*`` variables once, when it is first imported (``import torch`` imports
    it), so call this before anything imports torch. The variable is restored at once: notebook
    kernels started later show their bars, as under ``make execute``. Returns True when the bars
    are off, False when tqdm had been imported already (the timings then include drawing the bar).
    """
    saved = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"
    try:
        from tqdm.auto import tqdm
    finally:
        if saved is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = saved
    return bool(tqdm(iterable=()).disable)


class _Counted:
    """Iterate over ``batches`` and count the images that went by (``images``)."""

    def __init__(self, batches: Iterable) -> None:
        self.batches, self.images = batches, 0

    def __iter__(self) -> Iterator:
        for X, y in self.batches:
            self.images += len(y)
            yield X, y


def _sync(device) -> None:
    """Wait for the device's queued work, so that a timing ends when the work does."""
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def time_training(batches: Iterable, model, loss_fn, optimizer, device) -> tuple[float, int]:
    """Seconds and images for one ``reference.train(batches, model, loss_fn, optimizer)``."""
    from course_utils import reference

    counted = _Counted(batches)
    _sync(device)
    start = time.perf_counter()
    reference.train(counted, model, loss_fn, optimizer)
    _sync(device)
    return time.perf_counter() - start, counted.images


def time_data(batches: Iterable, device) -> tuple[float, int]:
    """Seconds and images for moving ``batches`` to ``device`` with no training: the data path alone."""
    counted = _Counted(batches)
    _sync(device)
    start = time.perf_counter()
    for X, y in counted:
        X, y = X.to(device), y.to(device)
    _sync(device)
    return time.perf_counter() - start, counted.images


def _data_paths(device) -> tuple[dict[str, Callable[[], Iterator]], int]:
    """A fresh iterator of batches of 64 for each path (``METHODS``), and the batches in an epoch."""
    from itertools import repeat

    import torch
    import torchvision
    from torchvision import transforms

    from course_utils import data

    info = data.prepare()
    if not info.is_full:
        raise SystemExit(
            f"the throughput part measures an epoch of the full Fashion-MNIST, but the data in use is {info}: "
            f"run `make data` and make sure COURSE_QUICK is unset"
        )
    course_loader, _ = data.get_loaders(batch_size=64, device=device, info=info)
    quickstart_set = torchvision.datasets.FashionMNIST(
        str(info.root),
        train=True,
        download=False,
        transform=transforms.Compose([transforms.ToTensor(), transforms.Pad(2)]),
    )
    quickstart_loader = torch.utils.data.DataLoader(quickstart_set, batch_size=64, shuffle=True, num_workers=0)
    X0, y0 = next(iter(course_loader))
    X0, y0 = X0.to(device), y0.to(device)
    sources = {
        "course": lambda: iter(course_loader),
        "quickstart": lambda: iter(quickstart_loader),
        "limit": lambda: repeat((X0, y0)),
    }
    return sources, len(course_loader)


def measure_throughput(device, repeats: int, batches: int, log: Callable[[str], object] = print) -> dict:
    """Images per second of training with each path, ``repeats`` interleaved runs of ``batches`` each.

    ``batches`` <= 0 means one full epoch. Returns :func:`summarise_throughput`'s dictionary.
    """
    import torch
    from torch import nn

    from course_utils import reference
    from course_utils.env import seed_everything

    seed_everything(0)
    sources, epoch_batches = _data_paths(device)
    num_batches = epoch_batches if batches <= 0 else min(batches, epoch_batches)
    loss_fn = nn.CrossEntropyLoss()
    models = {m: reference.Net().to(device) for m in METHODS}
    optimizers = {m: torch.optim.Adam(models[m].parameters(), lr=1e-3) for m in METHODS}

    def train_on(method: str, n: int) -> tuple[float, int]:
        return time_training(islice(sources[method](), n), models[method], loss_fn, optimizers[method], device)

    for method in METHODS:
        train_on(method, WARM_UP_BATCHES)
    samples: dict[str, list[float]] = {m: [] for m in METHODS}
    for repeat, method in interleaved(METHODS, repeats):
        seconds, images = train_on(method, num_batches)
        samples[method].append(images / seconds)
        log(f"  repeat {repeat + 1}/{repeats} {method:10} {images / seconds:9,.0f} img/s")

    data_alone: dict[str, list[float]] = {"course": [], "quickstart": []}
    data_batches = min(num_batches, DATA_ALONE_BATCHES)
    for _, method in interleaved(tuple(data_alone), max(1, min(repeats, 3))):
        seconds, images = time_data(islice(sources[method](), data_batches), device)
        data_alone[method].append(images / seconds)
    return summarise_throughput(samples, data_alone, num_batches, epoch_batches, repeats)


def summarise_throughput(
    samples: dict[str, list[float]],
    data_alone: dict[str, list[float]],
    num_batches: int,
    epoch_batches: int,
    repeats: int,
) -> dict:
    """Medians, the two ratios (median of the per-repeat ratios) and a diagnosis of the gap.

    The diagnosis is a cost model: seconds per image = compute-only limit + the data path alone.
    """
    med = {m: median(samples[m]) for m in samples}
    data_med = {m: median(v) for m, v in data_alone.items()}
    predicted = {
        m: ratio(1.0, 1.0 / med["limit"] + 1.0 / data_med[m]) if data_med.get(m) else math.nan for m in data_med
    }
    return {
        "samples": samples,
        "median": med,
        "data_alone": data_alone,
        "data_alone_median": data_med,
        "predicted": predicted,
        "loader_vs_limit": median(paired_ratios(samples["course"], samples["limit"])),
        "loader_vs_quickstart": median(paired_ratios(samples["course"], samples["quickstart"])),
        "ratio_of_medians": {
            "loader_vs_limit": ratio(med["course"], med["limit"]),
            "loader_vs_quickstart": ratio(med["course"], med["quickstart"]),
        },
        "num_batches": num_batches,
        "epoch_batches": epoch_batches,
        "repeats": repeats,
    }

"""The course's environment: quick mode, seeding, the device, and the one-call ``setup()``.

Every notebook's first code cell calls :func:`setup`. Quick mode (``COURSE_QUICK=1``,
set by the test suite) is read here and nowhere else: see :func:`quick_mode`.
"""

from __future__ import annotations

import os
import platform
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import torch

if TYPE_CHECKING:  # only for the annotation: course_utils.data is imported lazily in setup()
    from course_utils.data import DataInfo

__all__ = ["CourseSetup", "quick_mode", "pick", "pick_device", "seed_everything", "setup"]

QUICK_ENV = "COURSE_QUICK"
T = TypeVar("T")


def quick_mode() -> bool:
    """Return True when ``COURSE_QUICK`` asks for quick mode (embedded sample, fewer epochs).

    This is the course's one switch. Values ``1``, ``true``, ``yes`` and ``on`` turn it on;
    unset, ``0``, ``false``, ``no``, ``off`` or empty leave it off.
    """
    value = os.environ.get(QUICK_ENV, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValueError(
        f"{QUICK_ENV}={value!r} is not understood: expected 1 (quick mode, the embedded sample) "
        f"or 0 (full mode). Fix: export {QUICK_ENV}=1 or unset it."
    )


def pick(full: T, quick: T) -> T:
    """Return ``quick`` in quick mode and ``full`` otherwise, e.g. ``num_epochs = pick(10, 1)``."""
    return quick if quick_mode() else full


def pick_device() -> torch.device:
    """Return the best available device: CUDA, then Apple's MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy (when installed) and PyTorch (CPU and every GPU)."""
    random.seed(seed)
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy ships with torch's usual installs
        pass
    else:
        np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


@dataclass(frozen=True)
class CourseSetup:
    """What :func:`setup` decided: the seed, the device, quick mode and the data in use."""

    seed: int
    device: torch.device
    quick: bool
    data: DataInfo

    def __str__(self) -> str:
        import torchvision

        from course_utils.data import SAMPLE_NOTE

        mode = "quick mode (COURSE_QUICK=1)" if self.quick else "full mode"
        return (
            f"python {platform.python_version()} | torch {torch.__version__} | "
            f"torchvision {torchvision.__version__}\n"
            f"device: {self.device} | seed: {self.seed} | {mode}\n"
            f"data: {self.data}"
        ) + ("" if self.quick or self.data.is_full else f"\n{SAMPLE_NOTE} Then restart the kernel.")


def setup(seed: int = 0, verbose: bool = True) -> CourseSetup:
    """Seed everything, pick the device, prepare the data, and print what was chosen.

    Call it once, in a notebook's first code cell (taught in ``00_start_here``). Returns a
    :class:`CourseSetup`; its ``device`` is what ``model.to(device)`` should use.
    """
    from course_utils import data  # local import: keeps `import course_utils.env` light

    seed_everything(seed)
    info = CourseSetup(seed=seed, device=pick_device(), quick=quick_mode(), data=data.prepare())
    if verbose:
        print(info)
    return info

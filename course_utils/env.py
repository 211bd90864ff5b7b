"""The course's environment: quick mode, seeding, the device, and the one-call ``setup()``.

Every notebook's first code cell calls :func:`setup` (taught in ``00_start_here``). Quick mode
(``COURSE_QUICK=1``, set by the test suite) is read in :mod:`course_utils.config` and nowhere
else; :func:`quick_mode` and :func:`pick` are offered here too, for the notebooks.

Imports go one way: ``env`` imports ``config`` and ``data``; neither imports ``env``.

Repeatable runs: seeding makes a rerun give the same numbers on the CPU (same machine, PyTorch and
number of threads). On an NVIDIA GPU that also needs deterministic algorithms, which
:func:`use_deterministic_gpu` switches on and :func:`setup` calls; see PyTorch's notes on
reproducibility (https://pytorch.org/docs/stable/notes/randomness.html).
"""

from __future__ import annotations

import os
import platform
import random
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from course_utils.config import pick, quick_mode

if TYPE_CHECKING:  # only for the annotation: course_utils.data is imported lazily in setup()
    from course_utils.data import DataInfo

__all__ = [
    "CUBLAS_WORKSPACE_CONFIG",
    "CourseSetup",
    "quick_mode",
    "pick",
    "pick_device",
    "seed_everything",
    "setup",
    "use_deterministic_gpu",
]

#: The cuBLAS setting that CUDA's deterministic matrix products need (read when CUDA starts).
CUBLAS_WORKSPACE_CONFIG = ":4096:8"


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


def use_deterministic_gpu(device: torch.device) -> bool:
    """On a CUDA device, ask PyTorch for deterministic algorithms; return True when it did.

    Sets ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` (unless already set: cuBLAS reads it when CUDA
    starts, so :func:`setup` runs first), ``torch.backends.cudnn.benchmark = False`` and
    ``deterministic = True`` (the same convolution algorithm every run), and
    ``torch.use_deterministic_algorithms(True, warn_only=True)``: an operation that has no
    deterministic version warns instead of stopping the notebook. On the CPU (already
    deterministic for a fixed number of threads) and on Apple's ``mps`` nothing changes.
    """
    if device.type != "cuda":
        return False
    if "CUBLAS_WORKSPACE_CONFIG" not in os.environ and torch.cuda.is_initialized():
        warnings.warn(
            "CUDA started before setup(): matrix products may not repeat exactly. Fix: restart the "
            "kernel and call setup() in the first cell, before anything runs on the GPU.",
            stacklevel=3,
        )
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", CUBLAS_WORKSPACE_CONFIG)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    torch.use_deterministic_algorithms(True, warn_only=True)
    return True


@dataclass(frozen=True)
class CourseSetup:
    """What :func:`setup` decided: the seed, the device, quick mode, the data in use, and whether
    it switched on deterministic algorithms (on a CUDA GPU only, see :func:`use_deterministic_gpu`)."""

    seed: int
    device: torch.device
    quick: bool
    data: DataInfo
    deterministic_gpu: bool = False

    def __str__(self) -> str:
        import torchvision

        from course_utils.data import SAMPLE_NOTE

        mode = "quick mode (COURSE_QUICK=1)" if self.quick else "full mode"
        return (
            f"python {platform.python_version()} | torch {torch.__version__} | "
            f"torchvision {torchvision.__version__}\n"
            f"device: {self.device}{' (deterministic algorithms)' if self.deterministic_gpu else ''} | "
            f"seed: {self.seed} | {mode}\n"
            f"data: {self.data}"
        ) + ("" if self.quick or self.data.is_full else f"\n{SAMPLE_NOTE} Then restart the kernel.")


def setup(
    seed: int = 0, verbose: bool = True, deterministic: bool = True, figure_html: bool | None = None
) -> CourseSetup:
    """Seed everything, pick the device, find the data, show figures with their descriptions, and print what was chosen.

    Call it once, in a notebook's first code cell (taught in ``00_start_here``). Returns a
    :class:`CourseSetup`; its ``device`` is what ``model.to(device)`` should use. On a CUDA GPU,
    ``deterministic=True`` also switches on deterministic algorithms (:func:`use_deterministic_gpu`),
    so that a rerun repeats its numbers there too; ``False`` leaves PyTorch's settings as they are
    (its faster defaults, in a fresh kernel). The data comes from :func:`course_utils.data.prepare`
    without ``download``: local files, the system package, else the embedded sample (always the
    sample in quick mode). Downloading is ``make data``'s job, never ``setup()``'s.

    In IPython, every figure is then shown with its description (alt text) in the output's
    metadata and as its text (:func:`course_utils.figure_text.register_formatter`; calling
    ``setup()`` again changes nothing). JupyterLab reads an image's description only from HTML:
    ``figure_html=True`` also stores each figure as ``<img alt="...">``, which JupyterLab shows
    instead of the PNG, for a reader with a screen reader (the notebook then holds each PNG twice).
    The default, ``None``, does so in JupyterLab (a kernel a Jupyter server started) and not in a
    headless run such as ``make execute``; ``False`` never does.
    """
    from course_utils import data, figure_text  # local imports: keep `import course_utils.env` light

    figure_text.register_formatter(html_too=figure_html)

    device = pick_device()
    deterministic_gpu = use_deterministic_gpu(device) if deterministic else False
    seed_everything(seed)
    info = CourseSetup(
        seed=seed, device=device, quick=quick_mode(), data=data.prepare(), deterministic_gpu=deterministic_gpu
    )
    if verbose:
        print(info)
    return info

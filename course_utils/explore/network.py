"""The network the explorers build, and where a model's weights live."""

from __future__ import annotations

import torch
from torch import nn

from course_utils import reference

__all__ = ["model_device", "seed_net"]


def seed_net() -> nn.Module:
    """Return a fresh, untrained seed LeNet: :class:`course_utils.reference.Net`.

    The network is taught (and typed out) in ``03_network_module``; ``reference.Net`` is the
    generated copy of that cell, so the training playground can build new networks without the
    notebook's class.
    """
    return reference.Net()


def model_device(model: nn.Module) -> torch.device:
    """Return the device of the model's first parameter (the CPU for a model without parameters)."""
    param = next(model.parameters(), None)
    return param.device if param is not None else torch.device("cpu")

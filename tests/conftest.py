"""Fixtures shared by the tests of the reference loops and the metrics built on them."""

from __future__ import annotations

import pytest
import torch
from torch import nn


class PassThrough(nn.Module):
    """A "model" whose inputs are already the logits: test loops on it can be checked by hand.

    It has one unused parameter, because the loops find the device with ``next(model.parameters())``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


@pytest.fixture
def passthrough() -> PassThrough:
    """A fresh :class:`PassThrough` model."""
    return PassThrough()

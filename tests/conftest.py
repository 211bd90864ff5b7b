"""Fixtures shared by the tests: the reference loops and the metrics built on them, and the built decks."""

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


@pytest.fixture(scope="session")
def decks(tmp_path_factory):
    """Every teaching notebook's reveal.js deck, built once for the session (``python -m tools slides``).

    Skips (fails under ``CI=true``) when reveal.js is not in ``node_modules/`` (``npm ci``).
    """
    from browser_support import missing

    from tools import assets
    from tools import slides as build_slides

    if not (assets.REVEAL / "dist" / "reveal.js").exists():
        missing("reveal.js is not installed in node_modules/: run `npm ci` (make test does, where npm exists)")
    out = tmp_path_factory.mktemp("decks")
    build_slides.build(out)
    return out

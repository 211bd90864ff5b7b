"""What autograd keeps in memory for ``backward()``: the bytes of the tensors a forward pass saves.

Taught in ``06_test_loop_and_metrics`` (``torch.no_grad()``: no graph, nothing saved). The
notebook shows only the call and the comparison; the measuring machinery lives here.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["saved_bytes"]


def saved_bytes(model: nn.Module, X: torch.Tensor) -> int:
    """Run ``model(X)`` in the current grad mode; return the bytes autograd saved for backward.

    Taught in ``06_test_loop_and_metrics``. ``torch.autograd.graph.saved_tensors_hooks`` calls
    a hook for every tensor autograd saves for the backward pass (the input, each layer's
    activations, the pooling indices); each distinct tensor is counted once, by its storage
    address and shape. Under ``torch.no_grad()`` nothing is saved and the result is 0. The
    output of the forward pass is not kept.
    """
    saved: dict[tuple[int, torch.Size], int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:  # called for every tensor saved for backward
        saved[(t.data_ptr(), t.shape)] = t.numel() * t.element_size()  # count each tensor once
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(X)
    return sum(saved.values())

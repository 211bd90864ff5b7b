"""What can be wrong with one call of a convolution or linear layer (``check_net``, notebook 03).

:func:`layer_calls` turns the traced layer calls into :class:`LayerCall` records; :data:`LAYER_RULES`
is checked on each in turn, and the first problem is the one reported (the layers after a wrong
one receive wrong sizes too). Each rule's docstring names the mistake.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .rules import first_of, rule
from .spies import Call

__all__ = ["LAYER_RULES", "LayerCall", "layer_calls"]


@dataclass
class LayerCall:
    """One call of a convolution or linear layer: what it received, and whether it is the first of its kind."""

    kind: str  # "conv2d" or "linear"
    layer: str  # its attribute path, e.g. 'fc1'
    x: torch.Tensor
    weight: torch.Tensor
    first: bool
    batch: int  # the number of images in the check's batch
    groups: int = 1

    @property
    def in_channels(self) -> int:
        """The channels the layer was made for (its weight's dimension 1, times the groups)."""
        return self.weight.shape[1] * self.groups


def layer_calls(calls: list[Call], names: dict[int, str], batch: int) -> list[LayerCall]:
    """A :class:`LayerCall` for each of ``calls`` that got tensors; ``names`` maps id(weight) to the layer's name."""
    found: list[LayerCall] = []
    for call in calls:
        x, weight = call.arg(0, "input"), call.arg(1, "weight")
        if isinstance(x, torch.Tensor) and isinstance(weight, torch.Tensor):
            layer = names.get(id(weight), "a layer created in forward")
            first = all(c.kind != call.name for c in found)
            groups = (call.arg(6, "groups", 1) or 1) if call.name == "conv2d" else 1
            found.append(LayerCall(call.name, layer, x, weight, first, batch, groups))
    return found


@rule
def first_conv_channels(call: LayerCall) -> str | None:
    """The first convolution's in_channels is not 1: Fashion-MNIST images are greyscale."""
    if call.kind != "conv2d" or not call.first or call.x.dim() < 3 or call.x.shape[-3] == call.in_channels:
        return None
    return (
        f"{call.layer} has in_channels={call.in_channels}, but the images have {call.x.shape[-3]} "
        f"channel: Fashion-MNIST is greyscale, so the first convolution takes in_channels=1."
    )


@rule
def conv_channels(call: LayerCall) -> str | None:
    """A later convolution's in_channels differs from the out_channels of the layer before."""
    if call.kind != "conv2d" or call.first or call.x.dim() < 3 or call.x.shape[-3] == call.in_channels:
        return None
    return (
        f"{call.layer} has in_channels={call.in_channels}, but it receives {call.x.shape[-3]} channels "
        f"(the out_channels of the layer before): make them match."
    )


@rule
def flatten_swallowed_batch(call: LayerCall) -> str | None:
    """The first linear layer does not get one row per image: the flatten swallowed the batch dimension."""
    if call.kind != "linear" or not call.first or (call.x.dim() >= 2 and call.x.shape[0] == call.batch):
        return None
    shape = str(tuple(call.x.shape))
    return (
        f"{call.layer} receives a tensor shaped {shape} for a batch of {call.batch} images "
        f"(expected one row per image, {call.batch} rows): the flatten swallowed the batch dimension. Use "
        f"`torch.flatten(x, 1)`, which keeps dimension 0 (the batch) and flattens the "
        f"rest, or `x.view(x.size(0), -1)`."
    )


@rule
def fc1_in_features(call: LayerCall) -> str | None:
    """fc1's in_features is not 16 * 5 * 5 = 400, the size of conv2's pooled maps."""
    in_features = call.weight.shape[1]
    if call.kind != "linear" or not call.first or call.x.shape[-1] == in_features:
        return None
    return (
        f"{call.layer} expects in_features={in_features} but receives {call.x.shape[-1]} features "
        f"per image: a linear layer's in_features must be the number of values each image has when it "
        f"arrives, here after the last pooling (channels \u00d7 height \u00d7 width)"
        + ("" if call.x.shape[-1] == 400 else "; check the kernel sizes and the poolings too")
        + ". `.hint()` on this result works the size out with you."
    )


@rule
def linear_in_features(call: LayerCall) -> str | None:
    """A later linear layer's in_features differs from the out_features of the layer before."""
    in_features = call.weight.shape[1]
    if call.kind != "linear" or call.first or call.x.shape[-1] == in_features:
        return None
    return (
        f"{call.layer} expects in_features={in_features} but receives {call.x.shape[-1]} features "
        f"(the out_features of the layer before): make them match."
    )


#: What can be wrong with one layer call, checked on each call in turn up to the first problem.
LAYER_RULES = first_of(first_conv_channels, conv_channels, flatten_swallowed_batch, fc1_in_features, linear_in_features)

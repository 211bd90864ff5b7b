"""The rules of ``check_net`` (notebook 03), in four stages: layer calls, output, structure, computation.

Each rule reads a :class:`NetRun`, what one forward pass of the learner's network showed, and
returns its message or None (:mod:`.rules`). :func:`.net.check_net` runs the stages in order and
stops at the first that finds a problem. The last compares the output with
:class:`course_utils.reference.Net` carrying the learner's own weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import torch
import torch.nn as nn

from course_utils import reference

from .hints import SOFTMAX_WHY
from .layer_rules import LAYER_RULES, layer_calls
from .rules import first_of, rule
from .spies import Call

__all__ = [
    "BATCH", "CALL_RULES", "COMPUTATION_RULES", "LENET_LAYERS", "LENET_TEXT", "OUTPUT_RULES", "STRUCTURE_RULES",
    "NetRun",
]

#: LeNet's layers in the order forward uses them: (operation, weight shape).
LENET_LAYERS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("conv2d", (6, 1, 5, 5)),
    ("conv2d", (16, 6, 5, 5)),
    ("linear", (120, 400)),
    ("linear", (84, 120)),
    ("linear", (10, 84)),
)
LENET_TEXT = "conv 1\u21926 (5\u00d75), conv 6\u219216 (5\u00d75), linear 400\u2192120, 120\u219284, 84\u219210"
_ACTIVATIONS = {
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "gelu", "elu", "elu_", "selu", "celu",
    "silu", "mish", "sigmoid", "sigmoid_", "tanh", "tanh_", "hardtanh", "hardtanh_", "softplus",
    "prelu", "rrelu", "hardswish", "hardsigmoid", "logsigmoid", "softsign", "threshold", "clamp",
    "clamp_min", "clip",
}
_OUTPUT_SQUASHERS = {
    "relu", "relu_", "relu6", "softmax", "_softmax", "sigmoid", "sigmoid_", "clamp", "clamp_min",
    "clip", "hardtanh", "softplus", "abs",
}
_POOLS = {
    "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "lp_pool2d", "fractional_max_pool2d",
}
_RANDOM = {"dropout", "dropout_", "dropout2d", "feature_dropout", "alpha_dropout", "rrelu"}
BATCH = 3  # not 1 (a flatten without a batch dimension would go unnoticed) and not 10


@dataclass
class NetRun:
    """What one forward pass of the learner's network showed."""

    model: nn.Module
    X: torch.Tensor
    names: dict[int, str]  # id(weight tensor) -> the layer's attribute path, e.g. 'conv1' or 'features.0'
    calls: list[Call]
    out: Any = None
    exc: BaseException | None = None
    warnings: list[str] = field(default_factory=list)  # what forward warned (old idioms warn)

    @cached_property
    def producer(self) -> Call | None:
        """The operation whose result forward returned."""
        return next((c for c in reversed(self.calls) if c.result is self.out), None)

    @property
    def layers(self) -> list[Call]:
        """The convolution and linear layer calls, in order."""
        return [c for c in self.calls if c.name in ("conv2d", "linear")]


# --------------------------------------------------------------------------- stage 1: the layer calls


def _plain_containers(model: nn.Module) -> list[str]:
    """Attributes that hold layers in a plain list, tuple or dict (so they are not registered)."""
    found = []
    for name, value in vars(model).items():
        if name.startswith("_"):  # nn.Module's own registries (_modules, _parameters, ...)
            continue
        items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
        if any(isinstance(item, nn.Module) for item in items):
            found.append(name)
    return found


@rule
def unregistered_layers(run: NetRun) -> str | None:
    """Layers kept in a plain list, created in forward, or missing: the optimizer would never train them."""
    stray = [c for c in run.layers if id(c.arg(1, "weight")) not in run.names]
    if not stray and run.names:
        return None
    containers = _plain_containers(run.model)
    if containers:
        where = ", ".join(f"`self.{c}`" for c in containers)
        how = (f"{where} is a plain Python list (or dict), so the layers in it are not registered: "
               f"use `nn.ModuleList([...])` or `nn.Sequential(...)`, or assign each layer to "
               f"`self.name`.")
    elif not run.names:
        how = ("Net has no parameters at all: create the layers in __init__ as attributes of `self` "
               "(`self.<name> = nn.<Layer>(...)`).")
    else:
        how = ("a layer is created inside forward (e.g. `nn.Linear(...)(x)`): it gets new random "
               "weights at every call. Create every layer once, in __init__, as `self.name = ...`.")
    return (
        f"some layers are not registered, so their weights are missing from `model.parameters()` "
        f"and the optimizer would never train them: {how}"
    )


@rule
def layer_sizes(run: NetRun) -> str | None:
    """A layer receives another number of channels or features than it was made for (the first such layer)."""
    calls = layer_calls(run.layers, run.names, BATCH)
    return next((message for call in calls if (message := LAYER_RULES(call))), None)


def _padding_text(padding: Any) -> str:
    """'padding=2' for 2 or (2, 2), "padding='same'" for 'same'."""
    if isinstance(padding, (tuple, list)) and len(set(padding)) == 1:
        padding = padding[0]
    return f"padding={padding!r}"


@rule
def padded_for_28x28(run: NetRun) -> str | None:
    """conv1 keeps the image size (`padding=2`): code written for 28x28 input, here fed 32x32 images."""
    conv = next((c for c in run.layers if c.name == "conv2d"), None)
    x, weight, out = (conv.arg(0, "input"), conv.arg(1, "weight"), conv.result) if conv else (None, None, None)
    if not all(isinstance(t, torch.Tensor) for t in (x, weight, out)) or weight.shape[-2:] != (5, 5):
        return None
    if x.dim() < 3 or out.shape[-2:] != x.shape[-2:]:
        return None
    fc1 = next((c for c in run.layers if c.name == "linear"), None)
    features = fc1.arg(0, "input").shape[-1] if fc1 is not None else 16 * 6 * 6
    return (
        f"{run.names.get(id(weight), 'conv1')} keeps the image size ({_padding_text(conv.arg(4, 'padding'))}): "
        f"that is the recipe for 28\u00d728 input, common in MNIST code, where padding=2 makes 28\u00d728 "
        f"behave like 32\u00d732. This course pads in the transform instead: the images arrive 32\u00d732 "
        f"already (notebook 01's `transforms.Pad(2)`), so with the padding as well the first convolution "
        f"gives 32\u00d732 maps, and the first linear layer receives {features} features per image, more "
        f"than LeNet's sizes give. Remove the padding from the first convolution."
    )


CALL_RULES = (unregistered_layers, first_of(padded_for_28x28, layer_sizes))


# --------------------------------------------------------------------------- stage 2: the output


@rule(stop=True)
def output_not_a_tensor(run: NetRun) -> str | None:
    """forward returns no tensor (usually a missing `return output`)."""
    if isinstance(run.out, torch.Tensor):
        return None
    what = "nothing (None)" if run.out is None else f"a {type(run.out).__name__}"
    return f"forward returns {what}: end forward with `return output`, the tensor of logits."


@rule(stop=True)
def batch_mixed_up(run: NetRun) -> str | None:
    """The output is not one row per image: the batch dimension got mixed with the others."""
    if run.out.dim() == 2 and run.out.shape[0] == BATCH:
        return None
    return (
        f"for a batch of {BATCH} images the output has shape {tuple(run.out.shape)}, expected "
        f"({BATCH}, 10): the batch dimension got mixed with the others, usually by a flatten. "
        f"Use `torch.flatten(x, 1)`, which keeps dimension 0 (the batch)."
    )


@rule
def not_ten_classes(run: NetRun) -> str | None:
    """The network gives another number of scores than Fashion-MNIST's 10 classes."""
    if run.out.shape[1] == 10:
        return None
    return (
        f"the network gives {run.out.shape[1]} scores per image, but Fashion-MNIST has 10 classes: "
        f"the last layer must give 10 out_features, one score per class."
    )


@rule
def no_activation(run: NetRun) -> str | None:
    """No activation function at all: the linear layers collapse into one, the convolutions lose most of their power."""
    if any(c.name in _ACTIVATIONS for c in run.calls):
        return None
    return (
        "there is no activation function: without `F.relu` between them, the linear layers collapse "
        "into a single linear layer, and the convolutions keep only max pooling as their non-linear "
        "step. Apply `F.relu` after each convolution and each linear layer but the last."
    )


@rule
def log_softmax_output(run: NetRun) -> str | None:
    """The output goes through log_softmax (which belongs with nn.NLLLoss), not raw logits."""
    if run.producer is None or run.producer.name not in ("log_softmax", "_log_softmax"):
        return None
    return (
        "the output goes through `log_softmax`, but the network must return raw logits (any real "
        "number, one score per class): nn.CrossEntropyLoss applies log-softmax itself (log_softmax "
        "belongs with nn.NLLLoss, which this course does not use). Return the last layer's output "
        "as it is."
    )


@rule
def squashed_output(run: NetRun) -> str | None:
    """The output goes through a ReLU, softmax or sigmoid (all scores >= 0, or rows summing to 1), not raw logits."""
    squashed = run.producer is not None and run.producer.name in _OUTPUT_SQUASHERS
    detached = run.out.detach()
    sums_to_one = bool(torch.allclose(detached.sum(1), torch.ones(BATCH, device=run.out.device)))
    if not (squashed or sums_to_one or bool((detached >= 0).all())):
        return None
    which = run.producer.name if squashed else ("softmax" if sums_to_one else "relu")
    if "softmax" in which or "sigmoid" in which:
        why = SOFTMAX_WHY
    else:
        why = "a ReLU here turns every negative score into 0, so the network cannot express \"surely not\""
    return (
        f"the output goes through `{which}`, but the network must return raw logits (any real "
        f"number, one score per class): {why}. Return the last layer's output as it is."
    )


OUTPUT_RULES = (output_not_a_tensor, batch_mixed_up, not_ten_classes, no_activation,
                first_of(log_softmax_output, squashed_output))


# --------------------------------------------------------------------------- stage 3: the structure


@rule(stop=True)
def no_gradient(run: NetRun) -> str | None:
    """The output carries no gradient (torch.no_grad, .detach() or .item() in forward)."""
    if run.out.requires_grad:
        return None
    return (
        "the output carries no gradient: forward must not use `torch.no_grad()`, `.detach()` "
        "or `.item()`, or training could not compute gradients through it."
    )


@rule
def unused_layers(run: NetRun) -> str | None:
    """Layers created in __init__ but never used in forward (no gradient reaches them)."""
    params = list(run.model.parameters())
    saved = [p.grad for p in params]  # an instance passed in keeps the gradients it had
    for p in params:
        p.grad = None
    run.out.sum().backward()
    unused = sorted({n.rsplit(".", 1)[0] for n, p in run.model.named_parameters() if p.grad is None})
    for p, grad in zip(params, saved):
        p.grad = grad
    if not unused:
        return None
    return (
        f"these layers are created in __init__ but never used in forward: {', '.join(unused)}. "
        f"Every layer must be called in forward, in order."
    )


@rule
def layers_differ(run: NetRun) -> str | None:
    """The layers called, in order, are not LeNet's two convolutions and three linear layers."""
    layers = tuple((c.name, tuple(c.arg(1, "weight").shape)) for c in run.layers)
    if layers == LENET_LAYERS:
        return None
    parts = [f"{op} {shape}" for op, shape in layers]
    found = ", ".join(parts)
    if len(layers) != len(LENET_LAYERS):
        which = f"LeNet has {len(LENET_LAYERS)} layers with weights (2 convolutions, 3 linear), yours {len(layers)}"
    else:
        first = next(i for i, (mine, lenet) in enumerate(zip(layers, LENET_LAYERS)) if mine != lenet)
        which = f"the first that differs is layer {first + 1}, {parts[first]}"
    return (
        f"the layers differ from LeNet's: {which} (weight shapes: {found}). `.hint()` on this result "
        f"names LeNet's layers, one step at a time."
    )


@rule
def activation_count(run: NetRun) -> str | None:
    """Not exactly 4 activations (after conv1, conv2, fc1 and fc2; none on the output)."""
    relus = sum(c.name in _ACTIVATIONS for c in run.calls)
    if relus == 4:
        return None
    return (
        f"LeNet applies a relu after every layer but the last (4 in all, none on the output); "
        f"yours applies {relus} activation{'s' if relus != 1 else ''}."
    )


STRUCTURE_RULES = (no_gradient, unused_layers, layers_differ, activation_count)


# --------------------------------------------------------------------------- stage 4: the computation


def _computes_lenet(run: NetRun) -> bool:
    """True when the output is what course_utils.reference.Net computes with the learner's weights."""
    net = reference.Net().to(run.X.device)
    layers = [(c.arg(1, "weight"), c.arg(2, "bias")) for c in run.layers]
    tensors = [t for weight, bias in layers for t in (weight, torch.zeros(len(weight)) if bias is None else bias)]
    try:
        net.load_state_dict(dict(zip(net.state_dict(), tensors)))
        with torch.no_grad():
            expected = net(run.X)
    except (RuntimeError, ValueError):  # the layers fit only the learner's own way of calling them
        return False
    return expected.shape == run.out.shape and torch.allclose(run.out.detach(), expected, rtol=1e-4, atol=1e-5)


def _differences(names: list[str]) -> str:
    """The operations in forward that LeNet's forward does not have, in words."""
    found = []
    others = sorted({n for n in names if n in _ACTIVATIONS and n not in ("relu", "relu_")})
    if others:
        found.append(f"activation {', '.join(others)} where LeNet uses `F.relu`")
    pools = [n for n in names if n in _POOLS]
    if any(n != "max_pool2d" for n in pools) or len(pools) != 2:
        found.append(
            f"pooling {', '.join(pools) or 'none'} where LeNet uses `F.max_pool2d(x, 2)` twice, "
            f"after each convolution's relu"
        )
    randoms = sorted({n for n in names if n in _RANDOM})
    if randoms:
        found.append(f"{', '.join(randoms)}, which LeNet's forward (notebook 03) does not have")
    return "; ".join(found) if found else (
        "an extra operation or a different order somewhere in forward; compare it line by line "
        "with LeNet's forward in notebook 03"
    )


@rule
def computes_something_else(run: NetRun) -> str | None:
    """LeNet's layers, but forward computes something else with them (another activation or pooling, dropout).

    The reference is :class:`course_utils.reference.Net` with the learner's own weights, so this
    catches what every shape check misses.
    """
    if _computes_lenet(run):
        return None
    return (
        f"every layer has LeNet's shape, but forward computes something else with them: "
        f"{_differences([c.name for c in run.calls])}. "
        f"Compare it with LeNet's forward (notebook 03): its layers, ReLUs, poolings and one flatten, "
        f"with nothing else in between."
    )


COMPUTATION_RULES = (computes_something_else,)

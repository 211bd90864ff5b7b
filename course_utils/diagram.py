"""An architecture diagram of LeNet, drawn from the network itself: every layer's shape and parameters.

Taught in ``02_layers`` (the destination: the whole network at a glance). Nothing is typed in:
:func:`lenet_stages` runs the model on a dummy batch and reads what each step of its ``forward``
returns, and :func:`lenet_diagram` draws that.

How: ``torch.fx.symbolic_trace`` records the steps of ``forward`` (layer calls such as
``self.conv1`` and function calls such as ``F.max_pool2d``) as a graph, and ``ShapeProp`` runs
that graph on a dummy batch, keeping the shape of every step's result.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from torch import fx, nn
from torch.fx.passes.shape_prop import ShapeProp

from course_utils.figure_text import record

__all__ = ["Stage", "lenet_stages", "lenet_diagram", "format_shape"]

#: box colours by kind of step (the legend of the diagram)
KIND_COLOURS = {
    "input": "#dddddd",
    "convolution": "#9ecae1",
    "pooling": "#a1d99b",
    "flatten": "#fdd0a2",
    "linear": "#bcbddc",  # purple: not a red beside pooling's green
    "other": "#eeeeee",
}
_LAYER_KINDS = ((nn.Conv2d, "convolution"), (nn.Linear, "linear"), (nn.MaxPool2d, "pooling"), (nn.Flatten, "flatten"))


@dataclass
class Stage:
    """One box of the diagram: a step of ``forward`` and what it gives for one image.

    ``name``: e.g. "conv1 + ReLU" (a layer and the activation applied right after it);
    ``kind``: a key of :data:`KIND_COLOURS`; ``shape``: the result's shape for one image, without
    the batch dimension, (C, H, W) for maps and (features,) for vectors; ``params``: the number of
    learned numbers (weights and biases) of the step.
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    params: int


def format_shape(shape: tuple[int, ...]) -> str:
    """``(6, 28, 28)`` -> ``"6 × 28 × 28"``; ``(400,)`` -> ``"400"``."""
    return " × ".join(f"{size:,}" for size in shape)


def _function_stage(node: fx.Node, shape: tuple[int, ...]) -> Stage:
    """The stage for a function call in ``forward`` (pooling, flatten, ...): no parameters."""
    if node.target is F.max_pool2d or "max_pool2d" in node.name:
        size = node.args[1] if len(node.args) > 1 else node.kwargs.get("kernel_size")
        size = size if isinstance(size, (tuple, list)) else (size, size)
        return Stage(f"max pool {size[0]}×{size[1]}", "pooling", shape, 0)
    if node.target is torch.flatten or node.name.startswith("flatten"):
        return Stage("flatten", "flatten", shape, 0)
    return Stage(node.name, "other", shape, 0)


def _add_relu(stages: list[Stage], shape: tuple[int, ...]) -> None:
    """A ReLU joins the box of the layer right before it ("conv1 + ReLU"), or gets a box of its own."""
    if stages and stages[-1].kind in ("convolution", "linear") and stages[-1].shape == shape:
        stages[-1].name += " + ReLU"
    else:
        stages.append(Stage("ReLU", "other", shape, 0))


def lenet_stages(model: nn.Module | None = None, input_shape: tuple[int, ...] = (1, 32, 32)) -> list[Stage]:
    """The steps of ``model``'s forward, each with its output shape (one image) and parameter count.

    ``model`` defaults to the course's ``Net`` (:class:`course_utils.reference.Net`, written in
    ``03_network_module``), built on PyTorch's "meta" device, where tensors have shapes but no
    values: drawing the default diagram draws no random numbers, so it leaves the notebook's random
    state as it was. The model runs on a dummy batch of one image shaped ``input_shape``. A ReLU
    that directly follows a layer is drawn in that layer's box ("conv1 + ReLU"): it changes no shape
    and has no parameters. Raises a TypeError naming the fix when ``forward`` cannot be traced.
    """
    if model is None:
        from course_utils.reference import Net

        with torch.device("meta"):  # shapes only: no memory, and no random numbers drawn for the weights
            model = Net()
    try:
        traced = fx.symbolic_trace(model)
    except Exception as err:  # fx raises several kinds of errors on data-dependent code
        raise TypeError(
            f"expected a network whose forward is a fixed chain of layer and function calls, like the "
            f"course's Net; torch.fx could not trace {type(model).__name__}.forward: {err}. Fix: draw "
            f"the diagram of a network without if/for statements that depend on the input."
        ) from err
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    with torch.no_grad():  # only the shapes are wanted: no gradients
        ShapeProp(traced).propagate(torch.zeros(1, *input_shape, device=device))
    stages: list[Stage] = []
    for node in traced.graph.nodes:
        meta = node.meta.get("tensor_meta")
        shape = tuple(meta.shape[1:]) if meta is not None and hasattr(meta, "shape") else ()
        if node.op == "placeholder":
            stages.append(Stage("input", "input", shape, 0))
        elif node.op == "call_module" and isinstance(traced.get_submodule(node.target), nn.ReLU):
            _add_relu(stages, shape)
        elif node.op == "call_module":
            layer = traced.get_submodule(node.target)
            kind = next((k for cls, k in _LAYER_KINDS if isinstance(layer, cls)), "other")
            params = sum(p.numel() for p in layer.parameters())
            stages.append(Stage(str(node.target), kind, shape, params))
        elif node.op in ("call_function", "call_method") and node.target in (F.relu, torch.relu, "relu"):
            _add_relu(stages, shape)
        elif node.op in ("call_function", "call_method"):
            stages.append(_function_stage(node, shape))
    return stages


def lenet_diagram(
    model: nn.Module | None = None, input_shape: tuple[int, ...] = (1, 32, 32), notice: str | None = None
) -> Figure:
    """LeNet as a chain of boxes, one per step of ``forward``, and its parameters per layer.

    Top: each box names the step and gives its output shape for one image, C × H × W for maps and
    the number of features for vectors, and its parameter count. Bottom: a bar per step with its
    parameters. Everything comes from :func:`lenet_stages` (the model run on a dummy batch), so
    the figure shows the network as it is, not as it was typed. ``notice``: what to notice, for the
    figure's description (which lists every step, its shape and its parameters). Returns the Figure.
    """
    stages = lenet_stages(model, input_shape)
    total = sum(stage.params for stage in stages)
    n = len(stages)
    fig, (ax_chain, ax_params) = plt.subplots(
        2, 1, figsize=(max(8.0, 1.15 * n), 5.2), gridspec_kw={"height_ratios": [1.25, 1]}
    )
    ax_chain.set_xlim(-0.55, n - 0.45)
    ax_chain.set_ylim(0, 1)
    ax_chain.axis("off")
    for i, stage in enumerate(stages):
        box = FancyBboxPatch(
            (i - 0.44, 0.12), 0.88, 0.76, boxstyle="round,pad=0.02",
            facecolor=KIND_COLOURS.get(stage.kind, KIND_COLOURS["other"]), edgecolor="black", linewidth=0.8,
        )
        ax_chain.add_patch(box)
        ax_chain.text(i, 0.74, stage.name.replace(" + ", "\n+ "), ha="center", va="center", fontsize=8,
                      fontweight="bold")
        ax_chain.text(i, 0.44, format_shape(stage.shape), ha="center", va="center", fontsize=8)
        ax_chain.text(i, 0.24, f"{stage.params:,} params", ha="center", va="center", fontsize=7,
                      color="black" if stage.params else "dimgray")
        if i:
            ax_chain.annotate("", xy=(i - 0.46, 0.5), xytext=(i - 0.54, 0.5),
                              arrowprops={"arrowstyle": "->", "linewidth": 0.8})
    ax_chain.set_title("Each box: a step of forward, its output shape for one image (C × H × W, or features), "
                       "its parameters", fontsize=9)
    colours = [KIND_COLOURS.get(stage.kind, KIND_COLOURS["other"]) for stage in stages]
    bars = ax_params.bar(range(n), [stage.params for stage in stages], color=colours, edgecolor="black",
                         linewidth=0.6)
    ax_params.bar_label(bars, labels=[f"{stage.params:,}" for stage in stages], fontsize=7, padding=2)
    ax_params.set_xticks(range(n), [stage.name for stage in stages], rotation=20, ha="right", fontsize=8)
    ax_params.set_xlim(-0.55, n - 0.45)
    ax_params.set_ylim(0, max(1, max(stage.params for stage in stages)) * 1.18)
    ax_params.set_ylabel("parameters")
    ax_params.set_xlabel("step of forward")
    ax_params.set_title("Parameters per step (weights + biases)", fontsize=9)
    ax_params.grid(axis="y", alpha=0.3)
    name = type(model).__name__ if model is not None else "Net"
    fig.suptitle(f"LeNet as the course builds it ({name}): {total:,} parameters, "
                 f"input {format_shape(input_shape)}")
    fig.tight_layout()
    steps = "; ".join(f"{s.name}: {format_shape(s.shape)}, {s.params:,} parameters" for s in stages)
    largest = max(stages, key=lambda s: s.params)
    summary = (
        f"Diagram of {name} as a chain of {n} boxes, one per step of forward, each with its output shape "
        f"for one image and its parameter count, above a bar chart of the parameters per step. The steps, "
        f"in order: {steps}. In all {total:,} parameters; the largest layer is {largest.name} with "
        f"{largest.params:,} ({largest.params / max(total, 1):.0%})"
    )
    return record(fig, summary, notice)

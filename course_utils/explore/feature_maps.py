"""Feature maps: what conv1, pool1, conv2 and pool2 make of an image, and their figures.

Taught in ``02_layers`` (the layers one by one) and ``07_full_training`` (what the trained
filters became). The maps are not computed by code of their own: :func:`layer_outputs` runs
the seed's ``forward`` (:class:`course_utils.reference.Net`) with the given ``conv1`` and
``conv2`` in it, and records what its first four lines (:data:`LAYERS`) return.
"""

from __future__ import annotations

import ast
import functools
import inspect
import math
import textwrap
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from course_utils import reference
from course_utils.data import expect_batch
from course_utils.explore.figures import FIGURE_WIDTH, detach_figure
from course_utils.explore.network import model_device
from course_utils.figure_text import clear, record

__all__ = ["LAYERS", "as_conv_model", "feature_map_figure", "layer_outputs", "update_feature_map_figure"]

_NAMES = ("conv1", "pool1", "conv2", "pool2")  # what the explorer calls the forward's first four lines
_RECORDED = {"F.relu": F.relu, "F.max_pool2d": F.max_pool2d}  # the calls whose results those lines keep


@functools.cache
def _forward_steps() -> tuple[tuple[str, str, Callable[..., torch.Tensor]], ...]:
    """(name, line, function) for the first four statements of ``reference.Net.forward``.

    ``line`` is the statement as written, without its shape comment; ``function`` is the call
    whose result it keeps (``F.relu`` or ``F.max_pool2d``).
    """
    source = textwrap.dedent(inspect.getsource(reference.Net.forward))
    body = ast.parse(source).body[0].body
    steps = []
    for name, statement in zip(_NAMES, body):
        call = getattr(statement, "value", None)
        if not (isinstance(statement, ast.Assign) and isinstance(call, ast.Call)):
            break
        function = _RECORDED.get(ast.unparse(call.func))
        if function is None:
            break
        steps.append((name, ast.get_source_segment(source, statement), function))
    if len(steps) != len(_NAMES):
        raise RuntimeError(
            f"expected reference.Net.forward to start with four lines of the form c1 = F.relu(...), "
            f"s2 = F.max_pool2d(...), c3 = F.relu(...), s4 = F.max_pool2d(...); it is now\n{source}\n"
            f"Fix: update _NAMES and _RECORDED in {__name__} to the network's new layers."
        )
    return tuple(steps)


def _forward_lines() -> dict[str, str]:
    """``{"conv1": "c1 = F.relu(self.conv1(input))", ...}``: see :func:`_forward_steps`."""
    return {name: line for name, line, _ in _forward_steps()}


class _ForwardLines(Mapping[str, str]):
    """``{"conv1": "c1 = F.relu(self.conv1(input))", "pool1": ..., "conv2": ..., "pool2": ...}``.

    Read from the source of ``reference.Net.forward`` on first use, not at import.
    """

    def __getitem__(self, key: str) -> str:
        return _forward_lines()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_forward_lines())

    def __len__(self) -> int:
        return len(_forward_lines())

    def __repr__(self) -> str:
        return repr(_forward_lines())


#: The four places the feature-map explorer can look, with the seed's line that computes each.
LAYERS: Mapping[str, str] = _ForwardLines()


class _Enough(Exception):
    """Raised by :class:`_Recorder` once the last wanted result is in: the rest of forward is skipped."""


class _Recorder(TorchFunctionMode):
    """While active, keeps (in call order) what each call of a function in ``wanted`` returns.

    After ``count`` results it raises :class:`_Enough`, ending the forward pass there.
    """

    def __init__(self, wanted: tuple[Any, ...], count: int) -> None:
        super().__init__()
        self.wanted, self.count = wanted, count
        self.results: list[torch.Tensor] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        if func in self.wanted:
            self.results.append(result)
            if len(self.results) == self.count:
                raise _Enough
        return result


def as_conv_model(model: nn.Module | Mapping[str, nn.Module]) -> nn.Module:
    """Return ``model`` itself, or a dict of layers such as ``{"conv1": conv1, "conv2": conv2}``
    (notebook ``02``, before ``Net`` exists) wrapped as an ``nn.ModuleDict``.

    Raises a TypeError naming the fix unless the result has ``conv1`` and ``conv2`` layers.
    """
    if isinstance(model, Mapping):
        model = nn.ModuleDict(dict(model))
    missing = [name for name in ("conv1", "conv2") if not isinstance(getattr(model, name, None), nn.Module)]
    if missing:
        raise TypeError(
            f"expected a network with conv1 and conv2 layers like the course's Net "
            f"(03_network_module), got {type(model).__name__} without {' and '.join(missing)}. "
            f'Fix: pass an instance of Net, e.g. model = Net(), or the layers, {{"conv1": conv1, "conv2": conv2}}.'
        )
    return model


def layer_outputs(model: nn.Module | Mapping[str, nn.Module], X: torch.Tensor) -> dict[str, torch.Tensor]:
    """Run the first half of the seed's ``forward`` on ``X`` and keep every step's output.

    ``X`` is a batch (N, 1, 32, 32). Returns, on the CPU, ``{"conv1": c1, "pool1": s2,
    "conv2": c3, "pool2": s4}`` with shapes (N, 6, 28, 28), (N, 6, 14, 14), (N, 16, 10, 10)
    and (N, 16, 5, 5): what the seed's own lines (:data:`LAYERS`) give with ``model.conv1`` and
    ``model.conv2``, so it works for any network that has them, trained or not, and for a dict
    of the two layers (:func:`as_conv_model`). Taught in ``02`` (one layer at a time) and ``07``
    (what training changed).

    How: a ``reference.Net`` is built on the meta device (no memory, no random numbers drawn),
    ``model``'s ``conv1`` and ``conv2`` are put in it, and its ``forward`` runs under a
    ``TorchFunctionMode`` that records what ``F.relu`` and ``F.max_pool2d`` return, in order
    (c1, s2, c3, s4), and stops the pass after s4, before the fully connected layers.
    """
    model = as_conv_model(model)
    expect_batch(X)
    X = X.to(model_device(model))
    steps = _forward_steps()
    with torch.device("meta"):  # only conv1 and conv2 run: the other layers need no real weights
        net = reference.Net()
    net.conv1, net.conv2 = model.conv1, model.conv2
    recorder = _Recorder(tuple(function for _, _, function in steps), count=len(steps))
    with torch.no_grad():  # looking, not learning
        try:
            with recorder:
                net(X)
        except _Enough:
            pass
    if len(recorder.results) != len(steps):
        raise RuntimeError(
            f"expected {len(steps)} feature maps from reference.Net.forward, recorded {len(recorder.results)}"
        )
    return {name: result.cpu() for (name, _, _), result in zip(steps, recorder.results)}


def feature_map_figure(maps: torch.Tensor, image: torch.Tensor, title: str):
    """Every channel of one image's feature maps (C, H, W) beside the input image.

    Drawn by :func:`course_utils.plots.show_feature_maps` (shared colours, "channel c" titles),
    laid out in two rows, at most :data:`FIGURE_WIDTH` inches wide.
    Returns the (detached) Figure.
    """
    from course_utils import plots

    maps = maps.detach().cpu()
    channels = maps.shape[-3]
    fig = plots.show_feature_maps(maps, title, ncols=math.ceil((channels + 1) / 2), image=image)
    width, height = fig.get_size_inches()
    if width > FIGURE_WIDTH:  # 16 channels: shrink to the notebook's width
        width, height = FIGURE_WIDTH, height * FIGURE_WIDTH / width
    fig.set_size_inches(width, height + 0.25)  # room for each row's titles
    plots.fitted_suptitle(fig, fig._suptitle.get_text())  # re-wrapped to the new width
    plots.layout_with_colorbar(fig)
    return detach_figure(fig)


def update_feature_map_figure(fig, maps: torch.Tensor, image: torch.Tensor, title: str) -> bool:
    """Redraw a :func:`feature_map_figure` in place with new maps of the same shape.

    About three times faster than drawing a new figure (the explorer's sliders use it).
    Returns False, changing nothing, when ``fig`` was drawn for maps of another shape.
    """
    from course_utils.plots import fitted_suptitle, to_numpy_image

    maps = maps.detach().cpu()
    if maps.dim() == 4:
        maps = maps[0]
    axes = [ax for ax in fig.axes if ax.images]
    if len(axes) != maps.shape[0] + 1 or axes[1].images[0].get_array().shape != tuple(maps.shape[1:]):
        return False
    pixels = to_numpy_image(image)
    axes[0].images[0].set_data(pixels)
    axes[0].images[0].set_clim(float(pixels.min()), float(pixels.max()))
    vmin, vmax = float(maps.min()), float(maps.max())
    for ax, channel in zip(axes[1:], maps):
        ax.images[0].set_data(channel.numpy())
        ax.images[0].set_clim(vmin, vmax)
    fitted_suptitle(fig, f"{title}: {tuple(maps.shape)} (C, H, W)")
    c, h, w = maps.shape
    record(clear(fig), f"{title}: the input image, then {c} feature maps of {h} × {w} pixels on one colour scale")
    return True

"""The plain logic behind the course's interactive explorers: tensors in, data or figures out.

:mod:`course_utils.widgets` only wires ipywidgets controls to these functions, so everything
here works (and is tested) without a widget front end. Where each idea is taught:

- feature maps, :func:`layer_outputs` and :func:`feature_map_figure`: ``02`` (the layers one
  by one) and ``07`` (what the trained filters became);
- a kernel sliding over an image, :func:`convolve` and :func:`kernel_figure`: ``02``;
- the loss while training, :func:`training_steps`, :func:`divergence` and
  :func:`loss_curve_figure`: ``05_training_loop`` and ``07_full_training``;
- predictions, :func:`predict_probabilities` and :func:`mistake_indices`:
  ``06_test_loop_and_metrics``.

Figures come back detached from pyplot (``plt.close`` was already called), so a notebook never
shows them twice; draw them with :func:`figure_png`, or display the Figure itself. Nothing runs
at import.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.data import CLASSES, expect_batch

__all__ = [
    "FIGURE_WIDTH",
    "KERNEL_PRESETS",
    "LAYERS",
    "OPTIMIZERS",
    "KernelError",
    "as_conv_model",
    "class_indices",
    "convolve",
    "divergence",
    "evaluate",
    "feature_map_figure",
    "figure_png",
    "kernel_figure",
    "kernel_tensor",
    "layer_outputs",
    "loss_curve_figure",
    "make_optimizer",
    "mistake_indices",
    "model_device",
    "moving_average",
    "next_mistake",
    "predict_probabilities",
    "prediction_figure",
    "seed_net",
    "training_steps",
    "update_feature_map_figure",
]

#: Width in inches of every explorer figure (at 100 dpi: 900 pixels, a notebook's width).
FIGURE_WIDTH = 9.0

#: The four places the feature-map explorer can look, with the seed's line that computes each.
LAYERS: dict[str, str] = {
    "conv1": "c1 = F.relu(self.conv1(input))",
    "pool1": "s2 = F.max_pool2d(c1, (2, 2))",
    "conv2": "c3 = F.relu(self.conv2(s2))",
    "pool2": "s4 = F.max_pool2d(c3, 2)",
}

_EDGE = [-1.0, -1.0, 0.0, 1.0, 1.0]

#: 5x5 kernels to start from (rows of numbers, as typed in the kernel playground).
KERNEL_PRESETS: dict[str, list[list[float]]] = {
    "identity": [[1.0 if (i, j) == (2, 2) else 0.0 for j in range(5)] for i in range(5)],
    "vertical edges": [list(_EDGE) for _ in range(5)],
    "horizontal edges": [[v] * 5 for v in _EDGE],
    "diagonal edges": [[float((j > i) - (j < i)) for j in range(5)] for i in range(5)],
    "outline (all edges)": [[24.0 if (i, j) == (2, 2) else -1.0 for j in range(5)] for i in range(5)],
    "blur": [[0.04] * 5 for _ in range(5)],
    "sharpen": [
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, -1.0, 0.0, 0.0],
        [0.0, -1.0, 5.0, -1.0, 0.0],
        [0.0, 0.0, -1.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0],
    ],
}

#: The optimizers the training playground offers (built by :func:`make_optimizer`).
OPTIMIZERS: tuple[str, ...] = ("SGD", "SGD + momentum", "Adam")


class KernelError(ValueError):
    """A kernel that is not 25 finite numbers; the message says what was found and the fix."""


# --------------------------------------------------------------------------- shared


def _detach(fig):
    """Remove ``fig`` from pyplot's list of open figures (so the notebook does not show it)."""
    import matplotlib.pyplot as plt

    plt.close(fig)
    return fig


def _new_figure(width: float, height: float):
    """A Figure outside pyplot: safe to draw from a background thread, never shown twice."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def figure_png(fig, dpi: int = 100) -> bytes:
    """Return the PNG bytes of ``fig`` (what the explorers put in their Image widget)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (the CPU for a model without parameters)."""
    param = next(model.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


def class_indices(y: torch.Tensor, label: int) -> torch.Tensor:
    """Return the positions (int64, ascending) of the images of class ``label`` in ``y``."""
    return torch.nonzero(torch.as_tensor(y) == int(label)).flatten()


class _SeedNet(nn.Module):
    """The seed's LeNet, exactly as ``03_network_module`` teaches it (see :func:`seed_net`)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        c1 = F.relu(self.conv1(input))
        s2 = F.max_pool2d(c1, (2, 2))
        c3 = F.relu(self.conv2(s2))
        s4 = F.max_pool2d(c3, 2)
        s4 = torch.flatten(s4, 1)
        f5 = F.relu(self.fc1(s4))
        f6 = F.relu(self.fc2(f5))
        output = self.fc3(f6)
        return output


def seed_net() -> nn.Module:
    """Return a fresh, untrained copy of the seed's LeNet ``Net``.

    The network is taught (and typed out) in ``03_network_module``; this copy is plumbing, so
    the training playground can build new networks without the notebook's class.
    """
    return _SeedNet()


# --------------------------------------------------------------------------- feature maps


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
    and (N, 16, 5, 5): the seed's own lines (:data:`LAYERS`), called on ``model.conv1`` and
    ``model.conv2``, so it works for any network that has them, trained or not, and for a dict
    of the two layers (:func:`as_conv_model`). Taught in ``02`` (one layer at a time) and ``07``
    (what training changed).
    """
    model = as_conv_model(model)
    expect_batch(X)
    X = X.to(model_device(model))
    with torch.no_grad():  # looking, not learning
        c1 = F.relu(model.conv1(X))
        s2 = F.max_pool2d(c1, (2, 2))
        c3 = F.relu(model.conv2(s2))
        s4 = F.max_pool2d(c3, 2)
    return {"conv1": c1.cpu(), "pool1": s2.cpu(), "conv2": c3.cpu(), "pool2": s4.cpu()}


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
    return _detach(fig)


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
    return True


# --------------------------------------------------------------------------- kernels


def kernel_tensor(values: Sequence[float] | Sequence[Sequence[float]] | torch.Tensor) -> torch.Tensor:
    """Return a 5x5 float kernel from 25 numbers (flat, 5 rows of 5, or a tensor).

    Raises :class:`KernelError` naming what was found when there are not 25 numbers or one
    of them is not finite.
    """
    try:
        kernel = torch.as_tensor(values, dtype=torch.float32)
    except (TypeError, ValueError) as exc:
        raise KernelError(f"a kernel is 5 rows of 5 numbers; could not read {values!r} as numbers ({exc})") from exc
    if kernel.numel() != 25:
        raise KernelError(
            f"a kernel is 5 rows of 5 numbers (25 in all), got {kernel.numel()} numbers shaped "
            f"{tuple(kernel.shape)}. Fix: give every one of the 25 cells a number."
        )
    kernel = kernel.reshape(5, 5)
    bad = torch.nonzero(~torch.isfinite(kernel))
    if len(bad):
        row, col = (int(v) for v in bad[0])
        raise KernelError(
            f"kernel cell (row {row + 1}, column {col + 1}) holds {float(kernel[row, col])}, "
            f"not a finite number. Fix: type a number such as 0, 1 or -0.5 there."
        )
    return kernel


def convolve(image: torch.Tensor, kernel: torch.Tensor, relu: bool = False) -> torch.Tensor:
    """Slide ``kernel`` (5, 5) over ``image`` (32x32) with ``F.conv2d``; return (28, 28).

    The same call ``nn.Conv2d`` makes (no padding, stride 1, no bias): each output pixel is the
    sum of a 5x5 patch times the kernel, so 32 - 5 + 1 = 28 pixels remain per side. With
    ``relu=True`` negatives become 0, as in ``c1 = F.relu(self.conv1(input))``. Taught in ``02``.
    """
    image = torch.as_tensor(image, dtype=torch.float32).detach().cpu()
    if image.numel() != 32 * 32:
        raise ValueError(
            f"expected one 32x32 image, got shape {tuple(image.shape)}. Fix: pass X[i] from "
            f"course_utils.data.load_tensors (28x28 images: pad with course_utils.data.pad32)."
        )
    weight = kernel_tensor(kernel).reshape(1, 1, 5, 5)  # (out_channels, in_channels, kH, kW)
    out = F.conv2d(image.reshape(1, 1, 32, 32), weight)  # (N, C, H, W): (1, 1, 28, 28)
    if relu:
        out = F.relu(out)
    return out[0, 0]


def _fmt(value: float) -> str:
    return f"{value:.2g}" if value % 1 else f"{value:.0f}"


def kernel_figure(
    image: torch.Tensor,
    kernel: torch.Tensor,
    output: torch.Tensor | None = None,
    name: str = "custom",
    image_title: str = "input",
    relu: bool = False,
):
    """Input image, kernel (its numbers written in) and ``F.conv2d`` output, side by side.

    ``output`` defaults to :func:`convolve` of ``image`` by ``kernel``. Returns a Figure.
    """
    from course_utils.plots import show_image, to_numpy_image

    kernel = kernel_tensor(kernel)
    if output is None:
        output = convolve(image, kernel, relu=relu)
    fig = _new_figure(FIGURE_WIDTH, 3.4)
    ax_in, ax_k, ax_out = fig.subplots(1, 3)
    show_image(image, f"{image_title} (32×32)", ax=ax_in)
    limit = float(kernel.abs().max()) or 1.0
    ax_k.imshow(kernel.numpy(), cmap="bwr", vmin=-limit, vmax=limit)
    for i in range(5):
        for j in range(5):
            value = float(kernel[i, j])
            colour = "white" if abs(value) > 0.6 * limit else "black"
            ax_k.text(j, i, _fmt(value), ha="center", va="center", fontsize=9, color=colour)
    ax_k.set_title(f"kernel: {name} (5×5)")
    ax_k.axis("off")
    pixels = to_numpy_image(output)
    show_image(
        output,
        f"output{' after ReLU' if relu else ''} (28×28): {pixels.min():.2g} to {pixels.max():.2g}",
        ax=ax_out,
    )
    fig.suptitle("One 5×5 kernel slides over the image: F.conv2d turns (1, 1, 32, 32) into (1, 1, 28, 28)")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


# --------------------------------------------------------------------------- training


def make_optimizer(name: str, params: Iterable[torch.nn.Parameter], lr: float) -> torch.optim.Optimizer:
    """Build one of :data:`OPTIMIZERS`: ``SGD``, ``SGD + momentum`` (0.9) or ``Adam``.

    Taught in ``04`` (what an optimizer does) and ``05_training_loop``.
    """
    if name == "SGD":
        return torch.optim.SGD(params, lr=lr)
    if name == "SGD + momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "Adam":
        return torch.optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}: expected one of {', '.join(OPTIMIZERS)}")


def training_steps(
    model: nn.Module,
    dataloader: Iterable[tuple[torch.Tensor, torch.Tensor]],
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
) -> Iterator[float]:
    """One epoch of the five-step training loop, yielding each batch's loss after its step.

    The loop is taught in ``05_training_loop``; yielding between batches lets a caller draw
    the loss, check it, or stop (simply by not asking for the next batch), keeping every step
    already taken.
    """
    device = model_device(model)
    model.train()
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        # step 1: zero the gradients (they accumulate by default)
        optimizer.zero_grad()
        # step 2: forward pass
        pred = model(X)
        # step 3: the loss
        loss = loss_fn(pred, y)
        # step 4: backward pass
        loss.backward()
        # step 5: update the weights
        optimizer.step()
        yield loss.item()


def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch_size: int = 1000) -> float:
    """Return the accuracy (a fraction in [0, 1]) of ``model`` on ``(X, y)``.

    The test loop of ``06_test_loop_and_metrics``, counting only ``correct``. The model's
    train/eval mode is restored afterwards.
    """
    probs = predict_probabilities(model, X, batch_size)
    return float((probs.argmax(1) == torch.as_tensor(y).cpu()).float().mean())


def divergence(losses: Sequence[float], factor: float = 5.0) -> str | None:
    """Say why training has diverged, or return None while it has not.

    Diverged means the last loss is NaN or infinite, or larger than ``factor`` times the
    first loss (itself at least ln 10 = 2.30, the loss of a uniform guess over 10 classes).
    """
    if not losses:
        return None
    last = float(losses[-1])
    if not math.isfinite(last):
        return f"the loss became {last} (not a number): the weights overflowed"
    start = max(float(losses[0]), math.log(len(CLASSES)))
    if last > factor * start:
        return f"the loss exploded to {last:.3g}, more than {factor:g} times its start ({start:.2f})"
    return None


def moving_average(values: Sequence[float], window: int) -> list[float]:
    """Trailing mean of the last ``window`` values at each position (shorter at the start)."""
    if window < 1:
        raise ValueError(f"window must be a positive integer, got {window}")
    out, total = [], 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def loss_curve_figure(
    losses: Sequence[float],
    batches_per_epoch: int,
    title: str = "Training loss",
    previous: Sequence[float] | None = None,
    previous_batches_per_epoch: int | None = None,
    previous_label: str = "previous run",
    diverged: bool = False,
    num_epochs: float | None = None,
):
    """The loss of every batch (faint) and its moving average, against epochs.

    The x axis counts epochs (batch / batches per epoch), so runs with different batch sizes
    line up; ``previous`` adds the last run's average as a grey dashed line to compare with.
    A NaN or exploded loss switches the y axis to a log scale and marks the last point.
    ``num_epochs`` fixes the x axis to the whole run, so the curve grows towards its end.
    Returns a Figure built outside pyplot (safe from a training thread). Taught in ``05``.
    """
    fig = _new_figure(FIGURE_WIDTH, 3.6)
    ax = fig.subplots()
    window = max(1, batches_per_epoch // 10)
    finite = [v if math.isfinite(v) else math.nan for v in losses]
    xs = [(i + 1) / batches_per_epoch for i in range(len(finite))]
    if previous:
        prev_per_epoch = previous_batches_per_epoch or batches_per_epoch
        prev = [v if math.isfinite(v) else math.nan for v in previous]
        ax.plot(
            [(i + 1) / prev_per_epoch for i in range(len(prev))],
            moving_average(prev, max(1, prev_per_epoch // 10)),
            color="tab:gray",
            linestyle="--",
            label=f"{previous_label} (average)",
        )
    if finite:
        marker = "o" if len(finite) <= 30 else None
        ax.plot(xs, finite, color="tab:blue", alpha=0.3, marker=marker, markersize=3, label="batch loss")
        ax.plot(xs, moving_average(finite, window), color="tab:blue", label=f"average of {window} batches")
    guess = math.log(len(CLASSES))
    ax.axhline(guess, color="tab:orange", linestyle=":", label=f"guessing: ln 10 = {guess:.2f}")
    exploded = diverged or any(not math.isfinite(v) or v > 20 for v in losses)
    if exploded:
        ax.set_yscale("log")
        shown = [v for v in finite if not math.isnan(v)]
        if shown:
            ax.plot(xs[len(shown) - 1], shown[-1], "x", color="tab:red", markersize=12, label="diverged")
    else:
        ax.set_ylim(0, max([3.0, *[v for v in finite if v == v]]) * 1.05)
    if not finite and not previous:
        ax.text(
            0.5,
            0.5,
            "press Run: each batch's loss appears here while the network trains",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color="tab:gray",
        )
        ax.set_xlim(0, num_epochs or 1)
    ax.set_xlim(0, num_epochs) if num_epochs else ax.set_xlim(left=0)
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- predictions


def predict_probabilities(model: nn.Module, X: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Return ``softmax(model(X))`` for every image, (N, 10) on the CPU; rows sum to 1.

    Computed once for the whole split in batches under ``torch.no_grad()`` with the model in
    eval mode (its previous mode is restored). Taught in ``06_test_loop_and_metrics``.
    """
    device = model_device(model)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            chunks = [
                torch.softmax(model(X[i : i + batch_size].to(device)), dim=1).cpu()
                for i in range(0, len(X), batch_size)
            ]
    finally:
        model.train(was_training)
    return torch.cat(chunks) if chunks else torch.empty(0, len(CLASSES))


def mistake_indices(probs: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Positions (ascending, int64) of the images whose most probable class is not ``y``."""
    return torch.nonzero(probs.argmax(1) != torch.as_tensor(y).cpu()).flatten()


def next_mistake(mistakes: torch.Tensor, current: int, forward: bool = True) -> int | None:
    """The first mistake after ``current`` (before it when ``forward`` is False), wrapping round.

    Returns None when there are no mistakes at all.
    """
    if len(mistakes) == 0:
        return None
    if forward:
        later = mistakes[mistakes > current]
        return int(later[0]) if len(later) else int(mistakes[0])
    earlier = mistakes[mistakes < current]
    return int(earlier[-1]) if len(earlier) else int(mistakes[-1])


def prediction_figure(image: torch.Tensor, probs: torch.Tensor, label: int, index: int):
    """One test image beside the bar chart of its 10 class probabilities (true class in title).

    Drawn by :func:`course_utils.plots.plot_probabilities`; returns the (detached) Figure.
    """
    from course_utils import plots

    return _detach(plots.plot_probabilities(image, probs, label, title=f"Test image {index}, predicted"))

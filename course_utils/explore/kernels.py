"""A kernel sliding over an image: 5x5 kernels, ``F.conv2d`` on one image, and its figure.

Taught in ``02_layers`` (what a convolution computes); the kernel playground is built on these.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from course_utils.explore.figures import FIGURE_WIDTH, new_figure

__all__ = ["KERNEL_PRESETS", "KernelError", "convolve", "kernel_figure", "kernel_tensor"]

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


class KernelError(ValueError):
    """A kernel that is not 25 finite numbers; the message says what was found and the fix."""


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
    from course_utils.plots import DIVERGING_CMAP, show_image, to_numpy_image

    kernel = kernel_tensor(kernel)
    if output is None:
        output = convolve(image, kernel, relu=relu)
    fig = new_figure(FIGURE_WIDTH, 3.4)
    ax_in, ax_k, ax_out = fig.subplots(1, 3)
    show_image(image, f"{image_title}\n(32×32)", ax=ax_in)  # two lines: "training image 16: Trouser" is long
    limit = float(kernel.abs().max()) or 1.0
    ax_k.imshow(kernel.numpy(), cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit, aspect="equal")
    for k in range(6):  # thin lines between the cells, so that equal neighbours still read as a 5x5 grid
        ax_k.axhline(k - 0.5, color="0.6", linewidth=0.8)
        ax_k.axvline(k - 0.5, color="0.6", linewidth=0.8)
    for i in range(5):
        for j in range(5):
            value = float(kernel[i, j])
            colour = "white" if abs(value) > 0.6 * limit else "black"
            ax_k.text(j, i, _fmt(value), ha="center", va="center", fontsize=9, color=colour)
    ax_k.set_title(f"kernel: {name} (5×5)")
    ax_k.axis("off")
    pixels = to_numpy_image(output)
    # signed output: a diverging map centred at 0; after ReLU (all >= 0): a sequential one
    out_limit = float(abs(pixels).max()) or 1.0
    shown = ax_out.imshow(
        pixels, cmap="viridis" if relu else DIVERGING_CMAP, vmin=0 if relu else -out_limit, vmax=out_limit
    )
    ax_out.set_title(f"output{' after ReLU' if relu else ''} (28×28): {pixels.min():.2g} to {pixels.max():.2g}")
    ax_out.axis("off")
    fig.colorbar(shown, ax=ax_out, fraction=0.046, label="output" if relu else "output: blue < 0 < red")
    fig.suptitle("One 5×5 kernel slides over the image: F.conv2d turns (1, 1, 32, 32) into (1, 1, 28, 28)")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig

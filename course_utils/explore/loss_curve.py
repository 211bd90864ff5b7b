"""Loss figures: the training playground's (each batch's loss and its moving average, against
epochs) and 05's comparison of broken training loops (:func:`variant_losses_figure`).

Taught in ``05_training_loop`` (what the loss does while a network learns) and ``07``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.figure import Figure

from course_utils.data import CLASSES
from course_utils.explore.figures import FIGURE_WIDTH, new_figure
from course_utils.explore.training import moving_average
from course_utils.figure_text import record
from course_utils.plots import plot_curves

__all__ = ["loss_curve_figure", "variant_losses_figure"]


def _finite_or_nan(values: Sequence[float]) -> list[float]:
    return [v if math.isfinite(v) else math.nan for v in values]


def _plot_previous(ax, previous: Sequence[float], batches_per_epoch: int, label: str) -> None:
    """The previous run's moving average, grey and dashed."""
    prev = _finite_or_nan(previous)
    ax.plot(
        [(i + 1) / batches_per_epoch for i in range(len(prev))],
        moving_average(prev, max(1, batches_per_epoch // 10)),
        color="tab:gray",
        linestyle="--",
        label=f"{label} (average)",
    )


def _plot_losses(ax, xs: list[float], finite: list[float], window: int) -> None:
    """Every batch's loss (faint, with markers while there are few) and its moving average."""
    marker = "o" if len(finite) <= 30 else None
    ax.plot(xs, finite, color="tab:blue", alpha=0.3, marker=marker, markersize=3, label="batch loss")
    ax.plot(xs, moving_average(finite, window), color="tab:blue", label=f"average of {window} batches")


def _scale_y(ax, losses: Sequence[float], xs: list[float], finite: list[float], diverged: bool) -> None:
    """A log axis with the last point marked when the loss is NaN or exploded, else 0 to at least 3."""
    if diverged or any(not math.isfinite(v) or v > 20 for v in losses):
        ax.set_yscale("log")
        shown = [v for v in finite if not math.isnan(v)]
        if shown:
            ax.plot(xs[len(shown) - 1], shown[-1], "x", color="tab:red", markersize=12, label="diverged")
    else:
        ax.set_ylim(0, max([3.0, *[v for v in finite if v == v]]) * 1.05)


def _say_press_run(ax, num_epochs: float | None) -> None:
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
    fig = new_figure(FIGURE_WIDTH, 3.6)
    ax = fig.subplots()
    finite = _finite_or_nan(losses)
    xs = [(i + 1) / batches_per_epoch for i in range(len(finite))]
    if previous:
        _plot_previous(ax, previous, previous_batches_per_epoch or batches_per_epoch, previous_label)
    if finite:
        _plot_losses(ax, xs, finite, window=max(1, batches_per_epoch // 10))
    guess = math.log(len(CLASSES))
    ax.axhline(guess, color="tab:orange", linestyle=":", label=f"guessing: ln 10 = {guess:.2f}")
    _scale_y(ax, losses, xs, finite, diverged)
    if not finite and not previous:
        _say_press_run(ax, num_epochs)
    ax.set_xlim(0, num_epochs) if num_epochs else ax.set_xlim(left=0)
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right")
    fig.tight_layout()
    summary = (
        f"Line chart {title}: the loss of each batch (faint) and its moving average (x: epoch, y: cross-entropy "
        f"loss), with a dotted line at {guess:.2f}, the loss of guessing"
        + ("; the previous run's average dashed in grey" if previous else "")
        + ("; the loss diverged" if diverged else "")
    )
    return record(fig, summary)


def variant_losses_figure(
    curves: dict[str, Sequence[float]],
    same: Sequence[str] = (),
    top: float = 4.0,
    title: str = "Loss per batch",
    notice: str | None = None,
) -> Figure:
    """The loss of every batch for several variants of the training loop, on a linear axis from 0 to ``top``.

    ``same`` names curves that lie exactly on top of each other: their markers are staggered
    along the batches, so that each of them shows. The legend sits beside the axes, off the
    curves. ``notice``: what to notice, for the figure's description. Returns a Figure built outside
    pyplot (display it once). Taught in ``05``.
    """
    fig = new_figure(9.5, 3.5)
    ax = fig.subplots()
    plot_curves(curves, title=title, xlabel="batch", ylabel="cross-entropy loss", ax=ax)
    ax.set_ylim(0, top)
    lines = {line.get_label(): line for line in ax.get_lines()}
    every = max(3, max((len(values) for values in curves.values()), default=0) // 10)
    for k, name in enumerate(same):
        lines[name].set_markevery((k * every // len(same), every))
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.tight_layout()
    if same:
        record(fig, f"{', '.join(same)} lie on one curve, with staggered markers; the y axis stops at {top:g}")
    return record(fig, notice=notice)

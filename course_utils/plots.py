"""Figures for the course: one idea per figure, each with a title, labels and class names.

Every function takes tensors or arrays, draws one figure and returns the matplotlib ``Figure``
(so tests and widgets can inspect it). In a notebook the figure shows as the cell's output.

Every function also takes ``notice``: what the reader should notice, a sentence written by the
notebook (generated from its results when it states a number). It is recorded with the function's
own one-line summary of what it draws, and :func:`describe` turns both, and what the figure itself
shows, into the figure's description (its alt text; see :mod:`course_utils.figure_text`).
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from course_utils.data import CLASSES, MEAN, STD
from course_utils.figure_text import clear, describe, record, set_description, spoken

#: What the drawing functions accept as an image: a tensor or array shaped (H, W), (1, H, W) or (1, 1, H, W).
Image = torch.Tensor | np.ndarray

__all__ = [
    "show_image",
    "show_images",
    "show_feature_maps",
    "layout_with_colorbar",
    "show_kernels",
    "plot_curves",
    "curve_style",
    "plot_confusion_matrix",
    "show_mistakes",
    "plot_probabilities",
    "to_numpy_image",
    "fitted_suptitle",
    "DIVERGING_CMAP",
    "describe",
    "set_description",
]


#: inches kept free on the right of a figure for its colour bar, its ticks and its label
COLORBAR_ROOM = 0.95

#: the one colour map for signed values (weights, maps before a ReLU): blue < 0 < red, white = 0
DIVERGING_CMAP = "RdBu_r"

#: eight line styles and eight markers that tell curves apart without colour (see :func:`curve_style`)
LINE_STYLES = (
    "-",
    "--",
    "-.",
    ":",
    (0, (3, 1, 1, 1, 1, 1)),  # dash, dot, dot
    (0, (10, 3)),  # long dashes
    (0, (1, 4)),  # sparse dots
    (0, (10, 2, 2, 2)),  # long dash, short dash
)
#: at most this many curves of one chart get a sentence on their trend (the description lists up to 8 anyway)
MAX_TRENDS = 4
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<")

#: title colours of a right and a wrong prediction: dark blue and dark orange (told apart without red-green vision)
RIGHT_TEXT, WRONG_TEXT = "#08519c", "#a63603"


def to_numpy_image(img: Image, unnormalize: bool = False) -> np.ndarray:
    """Return a 2-D NumPy array from an image shaped (H, W), (1, H, W) or (1, 1, H, W)."""
    arr = img.detach().cpu().float().numpy() if isinstance(img, torch.Tensor) else np.asarray(img, float)
    arr = np.squeeze(arr)
    if arr.ndim != 2:
        raise ValueError(f"expected one grey image shaped (H, W) or (1, H, W), got {np.shape(img)}")
    return arr * STD + MEAN if unnormalize else arr


def fitted_suptitle(fig: Figure, text: str, chars_per_inch: float = 10.0) -> Text:
    """Set the figure's title, wrapped onto several lines so that it fits the figure's width."""
    width = max(int(fig.get_size_inches()[0] * chars_per_inch), 20)
    return fig.suptitle("\n".join(textwrap.wrap(" ".join(text.split()), width)))


def _count(n: int, thing: str, things: str | None = None) -> str:
    """``_count(1, "row")`` -> "1 row"; ``_count(3, "row")`` -> "3 rows"; ``things``: an irregular plural."""
    return f"{n:,} {thing if n == 1 else things or thing + 's'}"


def _label(y: int | torch.Tensor) -> str:
    return CLASSES[int(y)]


def _a(noun: str) -> str:
    """"a Coat", "an Ankle boot": the noun with its article."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _list(items: Sequence[str]) -> str:
    """``["a", "b", "c"]`` -> "a, b and c"."""
    items = list(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def _confusions(labels: torch.Tensor, preds: torch.Tensor) -> list[tuple[int, int, int]]:
    """The mistakes counted by class pair: ``[(count, true, predicted), ...]``, the most frequent first."""
    wrong = labels != preds
    pairs = torch.stack([labels[wrong], preds[wrong]], dim=1).tolist()
    counted: dict[tuple[int, int], int] = {}
    for t, p in pairs:
        counted[(t, p)] = counted.get((t, p), 0) + 1
    return sorted(((n, t, p) for (t, p), n in counted.items()), key=lambda item: (-item[0], item[1], item[2]))


def _mistakes_notice(labels: torch.Tensor, preds: torch.Tensor, most: int = 3) -> str:
    """What to notice in a set of predictions: how many are right, and the most frequent mistakes."""
    n, right = len(labels), int((labels == preds).sum())
    text = f"{right} of {n} predictions are right"
    confusions = _confusions(labels, preds)
    if confusions:
        shown = [
            f"{CLASSES[t]} taken for {CLASSES[p]}" + (f" ({c} times)" if c > 1 else "") for c, t, p in confusions[:most]
        ]
        text += f"; the most frequent mistake{'s' if len(shown) > 1 else ''}: {_list(shown)}"
    return text


def _trend(name: str, values: Sequence[float], xs: Sequence[float] | Sequence[str], xlabel: str) -> str:
    """What to notice in one curve: which way it goes, and where it turns (its extreme inside the run).

    ``xs``: the points' positions (said with ``xlabel``: "epoch 3"), or their names (said alone: "fc1").
    """

    def at(x: float | str) -> str:
        return x if isinstance(x, str) else f"{xlabel} {x:g}"

    first, last = values[0], values[-1]
    verb = "falls" if last < first else "rises"
    if min(values) == max(values):
        return f'"{name}" stays at {spoken(first)}'
    if spoken(first) == spoken(last):  # no change at the precision said: not "falls from 2.31 to 2.31"
        return f'"{name}" stays near {spoken(first)} (between {spoken(min(values))} and {spoken(max(values))})'
    text = f'"{name}" {verb} from {spoken(first)} to {spoken(last)}'
    low = min(range(len(values)), key=values.__getitem__)
    high = max(range(len(values)), key=values.__getitem__)
    ends = {spoken(first), spoken(last)}  # an extreme that reads as an end point adds nothing said aloud
    if 0 < low < len(values) - 1 and spoken(values[low]) not in ends:
        text += f", lowest at {at(xs[low])} ({spoken(values[low])})"
    if 0 < high < len(values) - 1 and spoken(values[high]) not in ends:
        text += f", highest at {at(xs[high])} ({spoken(values[high])})"
    return text


def _gaps(curves: dict[str, list[float]], unit: str = "") -> list[str]:
    """At the last point, each training curve against the validation or test curve of the same quantity.

    ``unit``: what a difference is counted in, said after it (" points" for curves in percent).
    """
    split_words = ("validation", "val", "test")
    found = []
    for name, values in curves.items():
        words = name.split()
        if not words or words[0] not in ("train", "training"):
            continue
        for other, other_values in curves.items():
            other_words = other.split()
            if (
                other_words
                and other_words[0] in split_words
                and other_words[1:2] == words[1:2]
                and len(other_values) == len(values)
            ):
                gap = other_values[-1] - values[-1]
                where = "above" if gap > 0 else "below"
                found.append(f'at the end "{other}" lies {spoken(abs(gap))}{unit} {where} "{name}"')
    return found


def show_image(
    img: Image,
    title: str = "",
    ax: Axes | None = None,
    cmap: str = "gray",
    colorbar: bool = False,
    colorbar_label: str = "pixel value",
    notice: str | None = None,
) -> Figure:
    """Draw one grey image (any of the shapes :func:`to_numpy_image` takes); returns the Figure.

    With ``colorbar=True`` a colour bar labelled ``colorbar_label`` gives the values. ``notice``:
    what to notice, for the figure's description.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(3, 3))
    else:
        fig = ax.figure
    arr = to_numpy_image(img)
    im = ax.imshow(arr, cmap=cmap)
    ax.set_title(title)
    ax.axis("off")
    if colorbar:
        fig.colorbar(im, ax=ax, fraction=0.046, label=colorbar_label)
    scale = f", {colorbar_label} from {arr.min():.3g} to {arr.max():.3g}" if colorbar else ""
    summary = f"Image {title or 'without title'}: {arr.shape[0]} × {arr.shape[1]} pixels in {cmap}{scale}"
    darkest = float((arr <= arr.min() + 1e-6 * max(1.0, float(np.ptp(arr)))).mean())
    summary += f"; {darkest:.0%} of its pixels have its lowest value"
    summary += " (the darkest grey)" if cmap == "gray" else ""
    return record(fig, summary, notice)


def show_images(
    images: torch.Tensor,
    labels: Sequence[int] | torch.Tensor | None = None,
    title: str = "Fashion-MNIST images",
    ncols: int = 8,
    preds: Sequence[int] | torch.Tensor | None = None,
    notice: str | None = None,
) -> Figure:
    """A grid of images titled with their class names (and predictions, when given).

    With predictions, a title is dark blue when the prediction is right and dark orange when it is
    wrong (a pair colour-blind readers tell apart; the names say it too). ``notice``: what to notice.
    """
    n = len(images)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    row_height = 2.4 if preds is not None else 2.0  # room for one or two title lines per row
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.6 * ncols, row_height * nrows + 0.5), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(to_numpy_image(images[i]), cmap="gray")
        if labels is not None and preds is not None:
            ok = int(preds[i]) == int(labels[i])
            ax.set_title(
                f"true: {_label(labels[i])}\npred: {_label(preds[i])}",
                fontsize=8,
                color=RIGHT_TEXT if ok else WRONG_TEXT,
            )
        elif labels is not None:
            ax.set_title(_label(labels[i]), fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    what = "true and predicted class" if preds is not None and labels is not None else "class name"
    summary = f"A grid of {_count(n, 'grey image')}, {_count(nrows, 'row')} of up to {ncols}" + (
        f", each titled with its {what}" if labels is not None else ""
    )
    if labels is not None and preds is not None:
        summary += ". " + _mistakes_notice(torch.as_tensor(labels).cpu()[:n], torch.as_tensor(preds).cpu()[:n])
    elif labels is not None:
        classes = sorted({int(y) for y in torch.as_tensor(labels).cpu()[:n]})
        appear = "appears" if len(classes) == 1 else "appear"
        summary += f". {_count(len(classes), 'class', 'classes')} {appear}: {_list([CLASSES[c] for c in classes])}"
    return record(fig, summary, notice)


def show_feature_maps(
    maps: torch.Tensor,
    title: str = "Feature maps",
    ncols: int = 8,
    image: Image | None = None,
    signed: bool | None = None,
    label: str | None = None,
    notice: str | None = None,
) -> Figure:
    """Every channel of one feature map stack (C, H, W) or (1, C, H, W), with shared colours.

    When ``image`` is given it is drawn first, labelled "input", so the maps can be compared.
    A colour bar gives the values. ``signed`` chooses the colour map: ``True`` for values of both
    signs (before a ReLU), drawn with a diverging map centred at 0 (blue < 0 < red, white = 0);
    ``False`` for values that cannot be negative (after a ReLU), drawn with viridis from the
    smallest value to the largest. The default, ``None``, picks ``True`` when the maps hold both
    negative and positive values. ``label`` names the colour bar; by default
    "value: blue < 0 < red" for signed maps and "activation" otherwise. ``notice``: what to notice,
    for the figure's description. Taught in ``02_layers``.
    """
    maps = maps.detach().cpu()
    if maps.dim() == 4:
        maps = maps[0]
    if maps.dim() != 3:
        raise ValueError(f"expected feature maps shaped (C, H, W) or (1, C, H, W), got {tuple(maps.shape)}")
    panels = ([("input", image)] if image is not None else []) + [
        (f"channel {c}", maps[c]) for c in range(maps.shape[0])
    ]
    ncols = min(ncols, len(panels))
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.7 * ncols, 2.0 * nrows + 0.5), squeeze=False)
    vmin, vmax = float(maps.min()), float(maps.max())
    if signed is None:
        signed = vmin < 0 < vmax
    if signed:  # symmetric limits: 0 is white, and equal sizes get equal strengths of red and blue
        limit = max(abs(vmin), abs(vmax)) or 1.0
        cmap, vmin, vmax = DIVERGING_CMAP, -limit, limit
    else:
        cmap = "viridis"
    shown = None
    for ax, (name, panel) in zip(axes.flat, panels):
        if name == "input":
            ax.imshow(to_numpy_image(panel), cmap="gray")
        else:
            shown = ax.imshow(panel.numpy(), cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_title(name, fontsize=8)
    for ax in axes.flat:
        ax.axis("off")
    fitted_suptitle(fig, f"{title}: {tuple(maps.shape)} (C, H, W)")
    bar = fig.add_axes((0.945, 0.1, 0.012, 0.8), label="colorbar")
    if label is None:
        label = "value: blue < 0 < red" if signed else "activation"
    fig.colorbar(shown, cax=bar, label=label)
    bar.tick_params(labelsize=7)
    bar.yaxis.label.set_size(8)
    layout_with_colorbar(fig)
    scale = (
        f"a diverging colour map centred at 0 (blue below 0, red above) from {vmin:.3g} to {vmax:.3g}"
        if signed
        else f"viridis from {vmin:.3g} (dark) to {vmax:.3g} (yellow)"
    )
    c, h, w = maps.shape
    summary = (
        f"{title}: {c} feature maps of {h} × {w} pixels, one per channel"
        + (", shown after the input image" if image is not None else "")
        + f", on one colour scale, {scale}"
    )
    strength = maps.flatten(1).abs().max(dim=1).values  # each channel's largest value, in size
    strongest, weakest = int(strength.argmax()), int(strength.argmin())
    top, bottom = float(strength[strongest]), float(strength[weakest])
    summary += f". The strongest channel is {strongest} (values up to {top:.3g} in size), the weakest "
    summary += f"channel {weakest}, 0 everywhere" if bottom == 0 else f"{weakest} (up to {bottom:.3g})"
    if signed:
        summary += f"; {float((maps < 0).float().mean()):.0%} of the values are below 0"
    else:
        summary += f"; {float((maps == 0).float().mean()):.0%} of the values are exactly 0"
        dead = int((strength == 0).sum())
        if dead:
            summary += f", and {_count(dead, 'channel')} {'is' if dead == 1 else 'are'} 0 everywhere"
    return record(fig, summary, notice)


def layout_with_colorbar(fig: Figure) -> None:
    """``tight_layout`` for a figure of panels plus one colour bar on the right (axes labelled "colorbar").

    The panels make room on the right, and the bar spans their height. The room is fixed in
    inches (:data:`COLORBAR_ROOM`), so that the bar's ticks and label stay inside the figure,
    also when it is saved without ``bbox_inches="tight"`` (the explorers' pictures). Call it again
    after resizing the figure.
    """
    bar = next((ax for ax in fig.axes if ax.get_label() == "colorbar"), None)
    if bar is None:
        fig.tight_layout()
        return
    width = fig.get_size_inches()[0]
    right = max(0.5, 1 - COLORBAR_ROOM / width)  # the panels' right edge, as a fraction of the width
    with warnings.catch_warnings():  # the bar is placed by hand below: tight_layout need not fit it
        warnings.filterwarnings("ignore", message=".*not compatible with tight_layout.*")
        fig.tight_layout(rect=(0, 0, right, 1))
    panels = [ax for ax in fig.axes if ax is not bar]
    top, bottom = max(ax.get_position().y1 for ax in panels), min(ax.get_position().y0 for ax in panels)
    bar.set_position((right + 0.1 / width, bottom, 0.12 / width, top - bottom))


def show_kernels(
    weight: torch.Tensor, title: str = "Convolution kernels", ncols: int = 8, notice: str | None = None
) -> Figure:
    """The kernels (filters) of a conv layer's weight (out, in, k, k), first input channel.

    A diverging colour map centred at 0 (blue < 0 < red, white = 0), one scale for all kernels,
    with a colour bar. ``notice``: what to notice, for the figure's description.
    """
    w = weight.detach().cpu()
    if w.dim() != 4:
        raise ValueError(f"expected a conv weight shaped (out, in, k, k), got {tuple(w.shape)}")
    n = w.shape[0]
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    lim = float(w[:, 0].abs().max()) or 1.0
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.5 * ncols + 0.5, 1.9 * nrows + 0.5), squeeze=False)
    shown = None
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            shown = ax.imshow(w[i, 0].numpy(), cmap=DIVERGING_CMAP, vmin=-lim, vmax=lim)
            ax.set_title(f"kernel {i}", fontsize=8)
    fig.suptitle(f"{title}: weight {tuple(w.shape)}")
    bar = fig.add_axes((0.945, 0.1, 0.012, 0.8), label="colorbar")
    fig.colorbar(shown, cax=bar, label="weight")
    bar.tick_params(labelsize=7)
    bar.yaxis.label.set_size(8)
    layout_with_colorbar(fig)
    summary = (
        f"{title}: {n} kernels of {w.shape[2]} × {w.shape[3]} weights (first input channel), on one "
        f"diverging colour scale centred at 0, blue below 0 and red above, from {-lim:.3g} to {lim:.3g}"
    )
    size = w[:, 0].flatten(1).abs().max(dim=1).values
    big, small = int(size.argmax()), int(size.argmin())
    summary += (
        f". The largest weights in size are in kernel {big} (up to {float(size[big]):.3g}), the smallest in kernel "
        f"{small} (up to {float(size[small]):.3g}); {float((w[:, 0] < 0).float().mean()):.0%} of the weights are "
        "below 0"
    )
    return record(fig, summary, notice)


def curve_style(index: int) -> dict[str, str | tuple]:
    """Return the line style and marker of series number ``index`` in :func:`plot_curves`.

    The first eight series each get a line style and a marker of their own; up to 64 series,
    no two get the same (line style, marker) pair.
    """
    n = len(LINE_STYLES)  # == len(MARKERS)
    return {"linestyle": LINE_STYLES[index % n], "marker": MARKERS[(index + index // n) % n]}


def plot_curves(
    curves: dict[str, Sequence[float]],
    title: str = "Learning curves",
    xlabel: str = "epoch",
    ylabel: str = "loss",
    ax: Axes | None = None,
    logy: bool = False,
    notice: str | None = None,
    xticks: Sequence[str] | None = None,
) -> Figure:
    """Line plot of named series, e.g. ``{"train loss": [...], "test loss": [...]}``.

    Each series gets its own line style and its own marker as well as its colour
    (:func:`curve_style`), and the markers are hollow, so curves that lie on top of each other
    (or a reader who does not see colour) can still tell them apart. ``notice``: what to notice,
    for the figure's description. ``xticks``: names for the points (``["input", "conv1", ...]``),
    shown on the x axis and used in the description instead of their positions.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.5))
    else:
        fig = ax.figure
    for i, (name, values) in enumerate(curves.items()):
        values = [float(v) for v in values]
        xs = range(1, len(values) + 1) if xlabel == "epoch" else range(len(values))
        ax.plot(
            list(xs),
            values,
            markevery=max(1, len(values) // 15),
            markersize=5,
            markerfacecolor="none",  # hollow: a marker drawn on another one hides neither
            markeredgewidth=1.2,
            label=name,
            **curve_style(i),
        )
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if xlabel in ("epoch", "batch"):  # counted things: whole-number ticks (a 1-epoch run shows no "1.25")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if logy:
        ax.set_yscale("log")
    if xticks is not None:
        ax.set_xticks(range(len(xticks)), list(xticks))
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    names = ", ".join(f'"{name}"' for name in curves)
    log = " (log scale)" if logy and "log" not in ylabel.lower() else ""
    summary = f"Line chart \"{title}\": {names}; x: {xlabel}, y: {ylabel}{log}"
    series = {name: [float(v) for v in values] for name, values in curves.items() if len(values) > 1}
    def positions(n: int) -> list[float] | list[str]:
        if xticks is not None and len(xticks) == n:
            return list(xticks)
        return list(range(1, n + 1)) if xlabel == "epoch" else list(range(n))

    shown = list(series.items())[:MAX_TRENDS]
    trends = [_trend(name, values, positions(len(values)), xlabel) for name, values in shown]
    said = trends + _gaps(series, " points" if "%" in ylabel else "")
    if said:
        summary += ". " + "; ".join(said)
    return record(fig, summary, notice)


def plot_confusion_matrix(
    matrix: torch.Tensor | np.ndarray,
    title: str = "Confusion matrix",
    normalize: bool = True,
    notice: str | None = None,
) -> Figure:
    """A 10x10 confusion matrix (rows: true class, columns: predicted) with class names.

    ``notice``: what to notice, for the figure's description, which also names the largest
    cell off the diagonal (the most frequent confusion).
    """
    m = matrix.cpu().numpy() if isinstance(matrix, torch.Tensor) else np.asarray(matrix)
    m = m.astype(float)
    shown = m / np.maximum(m.sum(axis=1, keepdims=True), 1) if normalize else m
    fig, ax = plt.subplots(figsize=(7, 6))
    im = ax.imshow(shown, cmap="Blues")
    ax.set_xticks(range(len(CLASSES)), CLASSES, rotation=45, ha="right")
    ax.set_yticks(range(len(CLASSES)), CLASSES)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    for i in range(shown.shape[0]):
        for j in range(shown.shape[1]):
            text = f"{shown[i, j]:.2f}" if normalize else f"{int(m[i, j])}"
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if shown[i, j] > shown.max() / 2 else "black")
    fig.colorbar(im, ax=ax, fraction=0.046, label="fraction of the true class" if normalize else "count")
    ax.set_title(title)
    fig.tight_layout()
    off = shown - np.diag(np.diag(shown))
    i, j = np.unravel_index(int(off.argmax()), off.shape)
    value = f"{shown[i, j]:.2f}" if normalize else f"{int(m[i, j])}"
    summary = (
        f"Heat map \"{title}\": rows are the true class, columns the predicted class, both "
        f"{', '.join(CLASSES)}; each cell {'is the fraction of its row' if normalize else 'counts images'}, "
        f"darker blue is more. The diagonal holds the right answers; the largest cell off it is "
        f"{CLASSES[i]} predicted as {CLASSES[j]} ({value})"
    )
    rows = m.sum(axis=1)
    if (rows > 0).all():
        recall = np.diag(m) / rows
        best, worst = int(recall.argmax()), int(recall.argmin())
        if recall[best] == recall[worst]:
            summary += f". Every class has {recall[best]:.0%} of its images right"
        else:
            summary += (
                f". The best recognised class is {CLASSES[best]} ({recall[best]:.0%} of its images right), "
                f"the worst {CLASSES[worst]} ({recall[worst]:.0%})"
            )
        called = m.sum(axis=0)
        over = int((called - rows).argmax())  # read down a column: the class predicted most often beyond its images
        if called[over] > rows[over] and np.array_equal(m, np.round(m)):  # counts, not fractions
            summary += (
                f". Read down its column, {CLASSES[over]} is the most over-called class: predicted "
                f"{int(called[over]):,} times for {int(rows[over]):,} images"
            )
    return record(fig, summary, notice)


def show_mistakes(
    images: torch.Tensor,
    labels: Sequence[int] | torch.Tensor,
    preds: Sequence[int] | torch.Tensor,
    title: str = "Misclassified test images",
    max_images: int = 16,
    notice: str | None = None,
) -> Figure:
    """A gallery of misclassified images, each titled with its true and predicted class.

    ``notice``: what to notice, for the figure's description.
    """
    labels = torch.as_tensor(labels).cpu()
    preds = torch.as_tensor(preds).cpu()
    wrong = torch.nonzero(labels != preds).flatten()[:max_images]
    if len(wrong) == 0:
        fig, ax = plt.subplots(figsize=(4, 1))
        ax.axis("off")
        ax.set_title(f"{title}: none")
        return record(fig, f"{title}: no image is misclassified", notice)
    total = int((labels != preds).sum())
    fig = show_images(images[wrong.to(images.device)], labels[wrong], title=title, preds=preds[wrong])
    clear(fig)  # show_images' summary would count right answers in a gallery of mistakes: this one says it all
    count, true, pred = _confusions(labels, preds)[0]
    summary = (
        f"{title}: a grid of the first {len(wrong)} of {_count(total, 'misclassified image')} (of {len(labels):,} "
        "in all), each titled with its true and predicted class; over all of them, "
        f"the most frequent mistake is {CLASSES[true]} taken for {CLASSES[pred]} ({count} of {total:,})"
    )
    return record(fig, summary, notice)


def plot_probabilities(
    image: Image,
    probs: torch.Tensor,
    label: int | None = None,
    title: str = "Prediction",
    notice: str | None = None,
) -> Figure:
    """An image beside a bar chart of its 10 class probabilities.

    The predicted class's bar is coloured: blue when it is the true class, orange when it is not
    (blue when no label is given), a pair colour-blind readers tell apart; the others are grey.
    The true class's bar is outlined in black and its name is bold. The title says "right" or
    "wrong", and a legend names both marks.
    """
    p = torch.as_tensor(probs).detach().cpu().float().flatten()
    if p.numel() != len(CLASSES):
        raise ValueError(f"expected {len(CLASSES)} probabilities, got {p.numel()}")
    pred = int(p.argmax())
    true = None if label is None else int(label)
    fig, (ax_img, ax_bar) = plt.subplots(1, 2, figsize=(9.5, 3), gridspec_kw={"width_ratios": [1, 2]})
    ax_img.imshow(to_numpy_image(image), cmap="gray")
    ax_img.axis("off")
    ax_img.set_title(f"true: {_label(true)}" if true is not None else "input")
    if true is None:
        mark, verdict = "tab:blue", ""
        handles = [Patch(facecolor=mark, label="prediction")]
    else:
        right = pred == true
        mark, verdict = ("tab:blue", ", right") if right else ("tab:orange", ", wrong")
        handles = [
            Patch(facecolor=mark, label=f"prediction, {'right' if right else 'wrong'}"),
            Patch(facecolor="white", edgecolor="black", linewidth=2, label="true class (outlined, bold name)"),
        ]
    colors = ["tab:gray"] * len(CLASSES)
    colors[pred] = mark
    bars = ax_bar.barh(range(len(CLASSES)), p.numpy(), color=colors)
    if true is not None:
        bars[true].set_edgecolor("black")
        bars[true].set_linewidth(2)
    ax_bar.set_yticks(range(len(CLASSES)), CLASSES)
    if true is not None:  # a bar near 0 shows little outline: its class name is bold too
        ax_bar.get_yticklabels()[true].set_fontweight("bold")
    ax_bar.invert_yaxis()
    ax_bar.set_xlim(0, 1)
    ax_bar.set_xlabel("softmax probability")
    ax_bar.set_title(f"{title}: {CLASSES[pred]} ({p[pred]:.0%}){verdict}")
    ax_bar.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    fig.tight_layout()
    second = int(p.argsort(descending=True)[1])
    summary = (
        f"{title}: {CLASSES[pred]} ({p[pred]:.0%}){verdict}. An image"
        f"{f' of {_a(CLASSES[true])}' if true is not None else ''} beside a bar chart of its 10 class "
        f"probabilities (x: softmax probability, 0 to 1; y: the class names). "
    )
    named = {pred}
    if true is not None and true != pred:  # said once: the true class, and whether it comes second
        rank = "the second highest" if true == second else f"below {CLASSES[second]} ({p[second]:.0%})"
        summary += f"The true class, {CLASSES[true]}, gets {p[true]:.0%}, {rank}"
        named |= {true, second}
    else:
        summary += f"Next comes {CLASSES[second]} with {p[second]:.0%}"
        named.add(second)
    if float(p.max() - p.min()) < 0.1:
        summary += f"; all ten bars lie between {p.min():.0%} and {p.max():.0%}, nearly equal"
    else:
        rest, others = 1 - float(p[list(named)].sum()), len(CLASSES) - len(named)
        share = f"{rest:.0%}" if rest >= 0.095 else f"{rest:.1%}"  # 67% + 33% + "1%" would not add up: 0.6%
        summary += f"; the other {others} classes " + (f"share {share}" if rest >= 0.0005 else "are all near 0")
    return record(fig, summary, notice)

"""The kernel playground: a 5×5 kernel editor and its ``F.conv2d`` over a chosen image (``02``)."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import torch

from course_utils import explore
from course_utils.data import CLASSES, load_tensors
from course_utils.widgets.base import RED, STYLE, Explorer, ImagePicker, coloured, data_info, image_widget

__all__ = ["KernelPlayground", "kernel_playground"]


class KernelPlayground(Explorer):
    """A 5×5 kernel editor and its ``F.conv2d`` over a chosen image of ``X`` (``02``).

    ``split`` names where the images come from in titles ("test" or "training").
    ``.kernel`` is the kernel in the grid, ``.output`` the (28, 28) result drawn last.
    """

    explorer_name = "Kernel playground"
    css_class = "course-kernel-playground"

    def __init__(
        self, X: torch.Tensor, y: torch.Tensor, preset: str = "vertical edges", label: int = 1, split: str = "test"
    ) -> None:
        if preset not in explore.KERNEL_PRESETS:
            raise ValueError(f"unknown preset {preset!r}: expected one of {', '.join(explore.KERNEL_PRESETS)}")
        self.preset_select = widgets.Dropdown(
            options=[*explore.KERNEL_PRESETS, "custom"],
            value=preset,
            description="kernel",
            style=STYLE,
            layout=widgets.Layout(width="250px"),
        )
        values = [v for row in explore.KERNEL_PRESETS[preset] for v in row]
        first = widgets.FloatText(value=values[0], step=0.1, layout=widgets.Layout(width="4.6em"))
        self.cells = (
            [first]
            + [  # one layout and style model for all 25 cells: less stored state
                widgets.FloatText(value=v, step=0.1, layout=first.layout, style=first.style) for v in values[1:]
            ]
        )
        grid = widgets.GridBox(
            self.cells, layout=widgets.Layout(grid_template_columns="repeat(5, 4.8em)", grid_gap="2px 2px")
        )
        self.relu_box = widgets.Checkbox(value=False, description="apply F.relu (as conv1 does)", indent=False)
        picker = ImagePicker(y, self.redraw, label=label)
        self.caption = widgets.HTML()
        figure = image_widget()
        left = widgets.VBox(
            [self.preset_select, grid, self.relu_box], layout=widgets.Layout(min_width="340px", flex="0 0 auto")
        )
        right = widgets.VBox(picker.controls, layout=widgets.Layout(margin="0 0 0 2em"))
        super().__init__([widgets.HBox([left, right]), figure, self.caption], figure=figure)
        self.X, self.y, self.picker, self.split = X, y, picker, split
        self.output: torch.Tensor | None = None
        self._quiet = False
        self.preset_select.observe(self._preset_changed, names="value")
        for cell in self.cells:
            cell.observe(self._cell_changed, names="value")
        self.relu_box.observe(lambda _: self.redraw(), names="value")
        self.redraw()

    @property
    def kernel(self) -> torch.Tensor:
        """The kernel in the grid, (5, 5); :class:`course_utils.explore.KernelError` if invalid."""
        return explore.kernel_tensor([cell.value for cell in self.cells])

    def set_kernel(self, values: Any) -> None:
        """Fill the grid with 25 numbers (5 rows of 5, or flat) and redraw; the menu says custom."""
        kernel = explore.kernel_tensor(values)
        self._quiet = True
        try:
            for cell, value in zip(self.cells, kernel.flatten().tolist()):
                cell.value = value
            self._sync_preset()
        finally:
            self._quiet = False
        self.redraw()

    def _sync_preset(self) -> None:
        """Name the preset the grid matches, else "custom" (without a redraw)."""
        values = [cell.value for cell in self.cells]
        name = next(
            (n for n, rows in explore.KERNEL_PRESETS.items() if [v for r in rows for v in r] == values),
            "custom",
        )
        quiet, self._quiet = self._quiet, True
        try:
            self.preset_select.value = name
        finally:
            self._quiet = quiet

    def _preset_changed(self, change: dict) -> None:
        if self._quiet or change["new"] == "custom":
            return
        self._quiet = True
        try:
            for cell, value in zip(self.cells, [v for row in explore.KERNEL_PRESETS[change["new"]] for v in row]):
                cell.value = value
        finally:
            self._quiet = False
        self.redraw()

    def _cell_changed(self, _change: dict) -> None:
        if self._quiet:
            return
        self._sync_preset()
        self.redraw()

    def redraw(self) -> None:
        """Convolve the chosen image with the grid's kernel and draw input, kernel and output."""
        if self._quiet:
            return
        try:
            kernel = self.kernel
        except explore.KernelError as exc:
            self.caption.value = coloured(f"Not drawn: {exc}", RED)
            return
        index = self.picker.index
        image = self.X[index]
        relu = bool(self.relu_box.value)
        self.output = explore.convolve(image, kernel, relu=relu)
        name = self.preset_select.value
        fig = explore.kernel_figure(
            image,
            kernel,
            self.output,
            name=name,
            image_title=f"{self.split} image {index}: {CLASSES[int(self.y[index])]}",
            relu=relu,
        )
        self.show_figure(fig)
        self.caption.value = (
            "Each output pixel is the sum of a 5×5 patch of the image times the kernel: "
            "<code>F.conv2d(X, weight)</code> with <code>weight</code> shaped (1, 1, 5, 5), the "
            "call <code>nn.Conv2d(1, 6, 5)</code> makes with its 6 learned kernels. In the kernel, red "
            "weights are positive and blue ones negative. Edit any number (press Enter) or pick a preset."
        )


def kernel_playground(info: Any = None, preset: str = "vertical edges", train: bool = False) -> KernelPlayground:
    """Edit a 5×5 kernel (presets: identity, edges, outline, blur, sharpen, or your own numbers)
    and see its convolution over a chosen image, through ``F.conv2d`` like ``conv1``.

    Notebook ``02`` (what a convolution computes). ``info`` is ``setup()``'s result; the images
    are test images, or training images with ``train=True`` (``02``: the test set is kept for
    the final measurement).
    """
    X, y = load_tensors(train, data_info(info))
    return KernelPlayground(X, y, preset=preset, split="training" if train else "test")

"""The feature-map explorer: every channel of conv1, pool1, conv2 or pool2 for a chosen image (``02``, ``07``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import torch
from torch import nn

from course_utils import explore
from course_utils.data import CLASSES, load_tensors
from course_utils.widgets.base import STYLE, Explorer, ImagePicker, data_info, image_widget

__all__ = ["FeatureMapExplorer", "feature_map_explorer"]


class FeatureMapExplorer(Explorer):
    """Every channel of conv1, pool1, conv2 or pool2 for a chosen image of ``X`` (``02``, ``07``).

    Computed from the model's weights at each redraw, so it shows a trained network as well as
    an untrained one. ``split`` names where the images come from in titles ("test" or
    "training"). ``.maps`` holds the maps drawn last, (C, H, W).
    """

    explorer_name = "Feature-map explorer"
    css_class = "course-feature-map-explorer"

    def __init__(
        self,
        model: nn.Module | Mapping[str, nn.Module],
        X: torch.Tensor,
        y: torch.Tensor,
        label: str = "",
        split: str = "test",
    ) -> None:
        model = explore.as_conv_model(model)  # fails early, with the fix, for a wrong model
        picker = ImagePicker(y, self.redraw, label=int(y[0]))
        self.layer_select = widgets.Dropdown(  # labelled with the seed's names: "c1 (conv1)", "s2 (pool1)", ...
            options=[(f"{line.split(' =')[0]} ({key})", key) for key, line in explore.LAYERS.items()],
            value="conv1",
            description="layer",
            style=STYLE,
            layout=widgets.Layout(width="180px"),
        )
        self.caption = widgets.HTML()
        figure = image_widget()
        super().__init__([widgets.HBox([*picker.controls, self.layer_select]), figure, self.caption], figure=figure)
        self.model, self.X, self.y, self.label, self.split = model, X, y, label, split
        self.picker = picker
        self.maps: torch.Tensor | None = None
        self._figures: dict[tuple[int, ...], Any] = {}  # one matplotlib Figure per maps shape
        self.layer_select.observe(lambda _: self.redraw(), names="value")
        self.redraw()

    @property
    def index(self) -> int:
        """Position in ``X`` (the test or the training split) of the image shown."""
        return self.picker.index

    def redraw(self) -> None:
        """Compute the chosen layer for the chosen image and draw every channel."""
        index, layer = self.picker.index, self.layer_select.value
        image = self.X[index]
        maps = explore.layer_outputs(self.model, image[None])[layer][0]
        prefix = f"{self.label}: " if self.label else ""
        title = f"{prefix}{explore.LAYERS[layer]}, {self.split} image {index} ({CLASSES[int(self.y[index])]})"
        shape = tuple(maps.shape)
        fig = self._figures.get(shape)
        if fig is None or not explore.update_feature_map_figure(fig, maps, image, title):
            fig = self._figures[shape] = explore.feature_map_figure(maps, image, title)
        self.maps = maps
        self.show_figure(fig)
        channels, height, width = shape
        self.caption.value = (
            f"<code>{explore.LAYERS[layer]}</code> gives {channels} feature maps of "
            f"{height}×{width} pixels, one per filter. All channels share one colour scale "
            f"(yellow: strong response, dark: none, ReLU made negatives 0)."
        )


def feature_map_explorer(
    model: nn.Module | Mapping[str, nn.Module], info: Any = None, label: str = "", train: bool = False
) -> FeatureMapExplorer:
    """Explore what each layer of ``model`` sees: pick an image (class, then which one) and
    a layer (conv1, pool1, conv2, pool2); every channel is drawn beside the input.

    Notebooks ``02`` (an untrained network, layer by layer) and ``07`` (the trained one: what
    the filters became). ``model`` is any network with ``conv1`` and ``conv2`` like the seed's
    ``Net``, or those two layers as a dict, ``{"conv1": conv1, "conv2": conv2}`` (notebook ``02``);
    ``info`` is ``setup()``'s result (images via ``course_utils.data``: test images, or training
    images with ``train=True``, as in ``02``, where the test set is kept for the final
    measurement); ``label`` (e.g. ``"untrained"``) starts the figure's title.
    """
    X, y = load_tensors(train, data_info(info))
    return FeatureMapExplorer(model, X, y, label=label, split="training" if train else "test")

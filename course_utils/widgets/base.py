"""What every explorer shares: the display with its PNG fallback, the image picker, small helpers.

See :mod:`course_utils.widgets` for the explorers themselves.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import torch
from matplotlib.figure import Figure

from course_utils import explore
from course_utils.data import CLASSES, DataInfo, prepare
from course_utils.figure_text import describe

__all__ = ["ORANGE", "RED", "STYLE", "Explorer", "ImagePicker", "coloured", "data_info", "image_widget", "img_html"]

STYLE = {"description_width": "initial"}
RED, ORANGE = "#c62828", "#e65100"


def data_info(info: Any) -> DataInfo:
    """Accept ``setup()``'s result, a ``DataInfo``, or None (then :func:`prepare` decides)."""
    if info is None:
        return prepare()
    if isinstance(info, DataInfo):
        return info
    data = getattr(info, "data", None)
    if isinstance(data, DataInfo):
        return data
    raise TypeError(
        f"expected info = setup(...) or a course_utils.data.DataInfo, got {type(info).__name__}. "
        f"Fix: pass the info made by the notebook's first cell, info = setup(seed=0)."
    )


def image_widget() -> widgets.HTML:
    """Return the widget an explorer draws its figure in: HTML holding the PNG as ``<img alt="...">``.

    An ``ipywidgets.Image`` has no ``alt``, so a screen reader would read nothing for it; the HTML
    widget's ``<img>`` carries the figure's description (:meth:`Explorer.show_figure`).
    """
    return widgets.HTML(layout=widgets.Layout(max_width="100%"))


def img_html(png: bytes, description: str) -> str:
    """``<img>`` of ``png`` (bytes) with ``description`` as its ``alt``, as wide as the notebook at most."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(description)}" '
        'style="max-width: 100%; height: auto">'
    )


def coloured(text: str, colour: str) -> str:
    """Return ``text`` as HTML in ``colour`` (for an explorer's status or caption line)."""
    return f'<span style="color:{colour}">{text}</span>'


class Explorer(widgets.VBox):
    """An explorer: controls above a figure (``.figure``, an HTML widget with the PNG and its description).

    Its display carries, beside the widget view, a PNG of the figure and a line of text, so
    front ends without widgets show the picture (the default state, when the cell runs).
    """

    explorer_name = "Explorer"
    #: CSS class of the outermost element, besides "course-explorer" (browser tests find it).
    css_class = "course-explorer"

    def __init__(self, children: list[widgets.Widget], figure: widgets.HTML, **kwargs: Any) -> None:
        super().__init__(children, **kwargs)
        self.add_class("course-explorer")
        self.add_class(self.css_class)
        self.figure = figure
        #: the description (alt text) of the figure drawn now (:func:`course_utils.figure_text.describe`)
        self.description = ""
        self._png = b""

    def show_figure(self, fig: Figure) -> None:
        """Draw ``fig`` in the explorer, as an ``<img>`` whose ``alt`` is its description (also the PNG fallback's)."""
        self._png = explore.figure_png(fig)
        self.description = describe(fig)
        self.figure.value = img_html(self._png, self.description)

    @property
    def png(self) -> bytes:
        """The PNG bytes of the figure as it is drawn now."""
        return self._png

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | tuple[dict[str, Any], dict[str, Any]]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = (
            f"{self.explorer_name}: an interactive widget. Run this cell in JupyterLab to use it; "
            f"the picture shows it as it was when the cell ran."
        )
        if not self.png:
            return bundle
        bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        return bundle, {"image/png": {"alt": self.description or f"{self.explorer_name}: its figure."}}


class ImagePicker:
    """A class menu and a slider choosing one image of that class; calls ``on_change()``."""

    def __init__(self, y: torch.Tensor, on_change: Callable[[], None], label: int, number: int = 0) -> None:
        self.y = y
        self._on_change = on_change
        self._quiet = False
        present = sorted({int(v) for v in torch.unique(y)})
        label = label if label in present else present[0]
        self._positions = explore.class_indices(y, label)
        self.class_select = widgets.Dropdown(
            options=[(CLASSES[c], c) for c in present],
            value=label,
            description="class",
            style=STYLE,
            layout=widgets.Layout(width="230px"),
        )
        self.number = widgets.IntSlider(
            value=min(number, len(self._positions) - 1),
            min=0,
            max=len(self._positions) - 1,
            description="image",
            continuous_update=False,
            style=STYLE,
        )
        self.class_select.observe(self._class_changed, names="value")
        self.number.observe(self._number_changed, names="value")

    @property
    def index(self) -> int:
        """Position of the chosen image among the images ``y`` labels (the split the explorer shows)."""
        return int(self._positions[self.number.value])

    @property
    def controls(self) -> list[widgets.Widget]:
        return [self.class_select, self.number]

    def _class_changed(self, change: dict) -> None:
        self._positions = explore.class_indices(self.y, change["new"])
        self._quiet = True
        try:
            self.number.value = 0
            self.number.max = len(self._positions) - 1
        finally:
            self._quiet = False
        self._on_change()

    def _number_changed(self, change: dict) -> None:
        if not self._quiet:
            self._on_change()

"""The prediction explorer: an image's softmax probabilities, and a walk through the mistakes (``06``)."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import torch
from torch import nn

from course_utils import explore
from course_utils.data import CLASSES, load_tensors
from course_utils.widgets.base import RED, STYLE, Explorer, coloured, data_info, image_widget

__all__ = ["PredictionExplorer", "prediction_explorer"]


class PredictionExplorer(Explorer):
    """An image with its 10 softmax probabilities; buttons walk the mistakes (``06``).

    ``split`` names where ``X`` and ``y`` come from ("test", "validation", ...) in every label.
    ``.probs`` (N, 10) is computed once, when the explorer is made; ``.mistakes`` lists the
    misclassified positions; ``.index`` is the image shown.
    """

    explorer_name = "Prediction explorer"
    css_class = "course-prediction-explorer"

    def __init__(self, model: nn.Module, X: torch.Tensor, y: torch.Tensor, split: str = "test") -> None:
        self.split = split
        self.index_slider = widgets.IntSlider(
            value=0,
            min=0,
            max=len(X) - 1,
            description=f"{split} image",
            continuous_update=False,
            style=STYLE,
            layout=widgets.Layout(width="420px"),
        )
        self.previous_button = widgets.Button(description="previous mistake", icon="arrow-left")
        self.next_button = widgets.Button(description="next mistake", icon="arrow-right")
        self.caption = widgets.HTML()
        self.summary = widgets.HTML()
        figure = image_widget()
        super().__init__(
            [
                widgets.HBox([self.index_slider, self.previous_button, self.next_button]),
                self.caption,
                figure,
                self.summary,
            ],
            figure=figure,
        )
        self.X, self.y = X, y
        self.probs = explore.predict_probabilities(model, X)
        self.preds = self.probs.argmax(1)
        self.mistakes = explore.mistake_indices(self.probs, y)
        accuracy = 1 - len(self.mistakes) / max(len(y), 1)
        self.summary.value = (
            f"{len(self.mistakes):,} of {len(y):,} {split} images are misclassified (accuracy "
            f"{accuracy:.1%}). The probabilities were computed once, when this cell ran: run it "
            f"again after more training."
        )
        self.index_slider.observe(lambda _: self.redraw(), names="value")
        self.next_button.on_click(lambda _: self.step(forward=True))
        self.previous_button.on_click(lambda _: self.step(forward=False))
        self.redraw()

    @property
    def index(self) -> int:
        """Position in the split (``X``) of the image shown."""
        return int(self.index_slider.value)

    def step(self, forward: bool = True) -> None:
        """Show the next (or previous) misclassified image, wrapping round at the end."""
        target = explore.next_mistake(self.mistakes, self.index, forward=forward)
        if target is None:
            self.caption.value = f"No mistakes: the model classifies every {self.split} image correctly."
        elif target == self.index:
            self.redraw()
        else:
            self.index_slider.value = target  # the slider's observer redraws

    def redraw(self) -> None:
        """Draw the chosen image with its probabilities; say whether the model got it right."""
        i = self.index
        label, pred = int(self.y[i]), int(self.preds[i])
        fig = explore.prediction_figure(self.X[i], self.probs[i], label, i, split=self.split)
        self.show_figure(fig)
        verdict = (
            coloured("✓ correct", "green")
            if pred == label
            else coloured(f"✗ mistake {int((self.mistakes < i).sum()) + 1} of {len(self.mistakes):,}", RED)
        )
        self.caption.value = (
            f"{self.split.capitalize()} image {i}: true class <b>{CLASSES[label]}</b>, "
            f"predicted <b>{CLASSES[pred]}</b> with probability {float(self.probs[i, pred]):.0%}. {verdict}"
        )


def prediction_explorer(model: nn.Module, info: Any = None) -> PredictionExplorer:
    """Pick a test image and see the softmax probabilities ``model`` gives the 10 classes, with
    the predicted and the true class; "next mistake" walks the misclassified images.

    Notebook ``06_test_loop_and_metrics``. The probabilities are computed once, for the whole
    test split, when the explorer is made (re-run the cell after more training).
    """
    X, y = load_tensors(False, data_info(info))
    return PredictionExplorer(model, X, y)

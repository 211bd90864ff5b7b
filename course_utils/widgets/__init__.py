"""Interactive explorers for the notebooks: one call, one widget (ipywidgets 8).

- ``widgets.feature_map_explorer(model, info)``: every channel of conv1, pool1, conv2 or pool2
  for a chosen image (training images in ``02``, test images in ``07``);
- ``widgets.kernel_playground(info)``: a 5×5 kernel editor and its ``F.conv2d`` (``02``);
- ``widgets.training_playground(info, train_fn=train)``: learning rate, batch size, optimizer and
  epochs, with a loss curve drawn live while the learner's ``train`` (default: the course's copy)
  trains, and the validation accuracy after each epoch (``05``);
- ``widgets.prediction_explorer(model, info)`` / ``PredictionExplorer(model, X, y, split=...)``:
  softmax probabilities of an image, and a walk through the mistakes (validation images in ``06``).

Each function returns an :class:`Explorer`, an ``ipywidgets.VBox`` of controls above a figure.
The figure is a PNG drawn with matplotlib's non-interactive Agg canvas, shown as an ``<img>`` in an
``ipywidgets.HTML`` whose ``alt`` is the figure's description (what a screen reader reads), so the
widget state stored in a notebook holds the picture too. Where no
widget front end runs (an HTML export without widget state, an untrusted notebook in JupyterLab,
qtconsole), the display falls back to that PNG as it was when the cell ran, never a blank cell;
a text-only terminal prints one line saying what the cell holds.

The logic lives in :mod:`course_utils.explore` (plain functions, tested directly); this package
only wires controls to it, one module per explorer (``feature_maps``, ``kernels``, ``training``,
``predictions``) and what they share in ``base``. Data comes from :mod:`course_utils.data`'s
in-memory path. Nothing runs at import.
"""

from course_utils.widgets.base import Explorer
from course_utils.widgets.feature_maps import FeatureMapExplorer, feature_map_explorer
from course_utils.widgets.kernels import KernelPlayground, kernel_playground
from course_utils.widgets.predictions import PredictionExplorer, prediction_explorer
from course_utils.widgets.training import TrainingPlayground, training_playground

__all__ = [
    "Explorer",
    "FeatureMapExplorer",
    "KernelPlayground",
    "PredictionExplorer",
    "TrainingPlayground",
    "feature_map_explorer",
    "kernel_playground",
    "prediction_explorer",
    "training_playground",
]

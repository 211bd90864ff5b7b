"""The plain logic behind the course's interactive explorers: tensors in, data or figures out.

:mod:`course_utils.widgets` only wires ipywidgets controls to these functions, so everything
here works (and is tested) without a widget front end. The network and the training loop are
not written here: they come from :mod:`course_utils.reference`, the generated copy of the
notebooks' cells. One module per explorer, and where each idea is taught:

- :mod:`~course_utils.explore.feature_maps`: :func:`layer_outputs` and :func:`feature_map_figure`,
  ``02`` (the layers one by one) and ``07`` (what the trained filters became);
- :mod:`~course_utils.explore.kernels`: a kernel sliding over an image, :func:`convolve` and
  :func:`kernel_figure`, ``02``;
- :mod:`~course_utils.explore.training` and :mod:`~course_utils.explore.loss_curve`: the loss
  while training, :func:`train_epoch`, :func:`divergence` and :func:`loss_curve_figure`,
  ``05_training_loop`` and ``07_full_training``;
- :mod:`~course_utils.explore.predictions`: :func:`predict_probabilities` and
  :func:`mistake_indices`, ``06_test_loop_and_metrics``;
- :mod:`~course_utils.explore.memory`: :func:`saved_bytes`, what autograd keeps for backward
  (``torch.no_grad()`` in ``06_test_loop_and_metrics``);
- :mod:`~course_utils.explore.paired`: :func:`paired_standard_error`, the noise of a difference
  between two models scored on the same images, ``07_full_training``;
- :mod:`~course_utils.explore.network` (:func:`seed_net`) and :mod:`~course_utils.explore.figures`
  (:func:`figure_png`): shared by all of them.

Figures come back detached from pyplot, so a notebook never shows them twice; draw them with
:func:`figure_png`, or display the Figure itself. Nothing runs at import.
"""

from course_utils.explore.feature_maps import (
    LAYERS,
    as_conv_model,
    feature_map_figure,
    layer_outputs,
    update_feature_map_figure,
)
from course_utils.explore.figures import FIGURE_WIDTH, figure_png
from course_utils.explore.kernels import KERNEL_PRESETS, KernelError, convolve, kernel_figure, kernel_tensor
from course_utils.explore.loss_curve import loss_curve_figure
from course_utils.explore.memory import saved_bytes
from course_utils.explore.network import model_device, seed_net
from course_utils.explore.paired import disagreements, paired_standard_error
from course_utils.explore.predictions import (
    class_indices,
    evaluate,
    mistake_indices,
    next_mistake,
    predict_probabilities,
    prediction_figure,
)
from course_utils.explore.training import OPTIMIZERS, divergence, make_optimizer, moving_average, train_epoch

__all__ = [
    "FIGURE_WIDTH",
    "KERNEL_PRESETS",
    "LAYERS",
    "OPTIMIZERS",
    "KernelError",
    "as_conv_model",
    "class_indices",
    "convolve",
    "disagreements",
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
    "paired_standard_error",
    "predict_probabilities",
    "prediction_figure",
    "saved_bytes",
    "seed_net",
    "train_epoch",
    "update_feature_map_figure",
]

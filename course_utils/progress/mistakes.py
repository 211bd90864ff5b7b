"""The names of the mistakes in words: the progress table shows these, not the checks' rule names.

A check records the keys of the diagnoses that fired (``gradients_never_reset``, see
:mod:`course_utils.checks.rules`); :func:`mistake_name` gives the learner's words for one.
"""

from __future__ import annotations

__all__ = ["NAMES", "mistake_name"]

#: key -> words, for the mistakes a learner meets most; any other key is shown with spaces for underscores.
NAMES: dict[str, str] = {
    "gradients_never_reset": "no zero_grad per batch",
    "not_in_training_mode": "no model.train()",
    "not_in_eval_mode": "no model.eval()",
    "gradients_tracked": "no torch.no_grad()",
    "softmax_before_loss": "softmax before the loss",
    "loss_arguments_swapped": "loss_fn(y, pred): arguments swapped",
    "new_optimizer": "an optimizer of its own",
    "loss_tensors_added_up": "loss tensors added up",
    "calls_outside_loop": "backward or step outside the loop",
    "zero_grad_between": "zero_grad between backward and step",
    "step_never_called": "no optimizer.step()",
    "backward_never_called": "no loss.backward()",
    "accuracy_per_batch": "accuracy divided by the batches",
    "accuracy_unweighted": "accuracy averaged over batches",
    "argmax_wrong_dimension": "argmax over the wrong dimension",
    "returned_tensors": "tensors returned, not numbers",
    "fc1_in_features": "fc1's input size",
    "layers_differ": "layer sizes",
    "activation_count": "number of ReLUs",
    "squashed_output": "activation on the output",
    "flatten_swallowed_batch": "flatten lost the batch",
    "no_super_init": "no super().__init__()",
    "unregistered_layers": "layers not registered",
    "gpu_by_name": "GPU named in the code",
    "devices_differ": "model and batch on different devices",
}


def mistake_name(key: str) -> str:
    """The words for the diagnosis ``key``: 'no model.train()' for 'not_in_training_mode'.

    An error's key (``raised_TypeError``) reads 'TypeError raised'; any other key, its words.
    """
    if key in NAMES:
        return NAMES[key]
    if key.startswith("raised_"):
        return f"{key.removeprefix('raised_')} raised"
    return key.replace("_", " ")

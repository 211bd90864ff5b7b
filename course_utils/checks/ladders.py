"""The hints a learner asks for with ``result.hint()``: three levels, one more per call.

A ladder is (the idea, where it goes, the line's shape): the concept first, then the place in the
code, then what the line looks like, so that each hint gives away a little more, as Kaggle Learn's
``q.hint()`` does. :data:`PIECES` holds one ladder per piece (``net``, ``train``, ``test``), used for
a blank (not attempted) and for a mistake without a ladder of its own; :data:`DIAGNOSES` holds the
ladders of the mistakes whose messages hold back the answer (LeNet's layer shapes and names are not
recited in the check's message, only here), and of those the piece's ladder would talk past (a softmax
before the loss, an optimizer of the loop's own, a GPU named in the code). A ladder's key is the name
of the rule that diagnoses it (:mod:`.net_rules`, :mod:`.layer_rules`, :mod:`.train_rules`,
:mod:`.metric_rules`), the usual cause of an error (:data:`.hints.CAUSE_KEYS`), or ``no_super_init``
(:mod:`.net`).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["DIAGNOSES", "PIECES", "Ladder", "ladder"]

Ladder = tuple[str, str, str]

_SIZES = ("32\u00d732 \u2192 28\u00d728 after a 5\u00d75 convolution \u2192 14\u00d714 after 2\u00d72 pooling "
          "\u2192 10\u00d710 \u2192 5\u00d75")

#: The ladder of each piece: for a blank, and for a mistake without a ladder of its own.
PIECES: dict[str, Ladder] = {
    "net": (
        "LeNet is two stages of convolution \u2192 ReLU \u2192 2\u00d72 max pooling, then a flatten that keeps "
        "the batch dimension, then three linear layers, a ReLU after the first two; the last gives one raw "
        "score per class (no activation: the loss applies softmax itself).",
        "`__init__` calls `super().__init__()`, then creates each layer once as an attribute of `self`; "
        "`forward(self, input)` calls them in order and returns the last layer's output. One size follows "
        f"from the image, fc1's in_features: {_SIZES}, times the maps of the second convolution. The "
        "others (the maps of each convolution, their kernel size, the widths of fc1 and fc2) are LeNet's "
        "choices, to remember: the next hint gives them.",
        "In `__init__`: `self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size)` for each "
        "convolution, `self.fc1 = nn.Linear(in_features, out_features)` for each linear layer. In `forward`: "
        "`x = F.max_pool2d(F.relu(self.conv1(x)), 2)` per convolution, `x = torch.flatten(x, 1)`, "
        "`x = F.relu(self.fc1(x))` per hidden linear layer, `return self.fc3(x)`. The numbers: channels "
        "1 \u2192 6 \u2192 16 with 5\u00d75 kernels, features 16 * 5 * 5 = 400 \u2192 120 \u2192 84 \u2192 10.",
    ),
    "train": (
        "One batch is five steps: zero the gradients, compute the predictions, the loss, backpropagate, "
        "update the weights. Before the loop, the model goes into training mode (a test loop leaves it "
        "in evaluation mode).",
        "`model.train()` once, before the loop; the five steps inside `for X, y in dataloader:`, once per "
        "batch and in that order (zeroing may also come right after the update).",
        "`optimizer.zero_grad()`, `pred = model(X)`, `loss = loss_fn(pred, y)`, `loss.backward()`, "
        "`optimizer.step()`; keep `loss.item()` (a number, not the tensor) if you record the losses.",
    ),
    "test": (
        "A test loop only measures: evaluation mode, no gradient tracking, the loss and the count of "
        "right predictions added up over every batch, then divided into averages.",
        "`model.eval()` and `with torch.no_grad():` come before the loop; inside `for X, y in dataloader:` "
        "add up the loss and the count; after the loop divide the loss by the number of batches and the "
        "count by the number of images, and return both.",
        "`test_loss += loss_fn(pred, y).item()`, `correct += (pred.argmax(1) == y).type(torch.float).sum().item()`; "
        "after the loop `test_loss /= len(dataloader)`, `correct /= len(dataloader.dataset)`, "
        "`return test_loss, correct`.",
    ),
}

#: The ladders of mistakes whose message holds back the answer, by the name of the rule that finds them.
DIAGNOSES: dict[str, Ladder] = {
    "fc1_in_features": (
        "A linear layer's in_features is the number of values each image has when it arrives: after the "
        "last pooling, channels \u00d7 height \u00d7 width.",
        f"The line in `__init__` that creates the first linear layer. Follow the size: {_SIZES}, with 16 "
        "channels after the second convolution.",
        "`self.fc1 = nn.Linear(16 * 5 * 5, 120)`: 16 maps of 5\u00d75, 400 values per image.",
    ),
    "padded_for_28x28": (
        "The course's images are already 32\u00d732 (the transform pads them in notebook 01), so the first "
        "convolution needs no padding: a 5\u00d75 kernel then shrinks 32\u00d732 to 28\u00d728, as LeNet expects.",
        "The line in `__init__` that creates the first convolution: its `padding=` argument.",
        "`self.conv1 = nn.Conv2d(1, 6, 5)`: no padding, and fc1 then receives 16 * 5 * 5 = 400 features.",
    ),
    "first_conv_channels": (
        "The first convolution's in_channels is the number of channels of the images: Fashion-MNIST is "
        "greyscale, one channel.",
        "The line in `__init__` that creates the first convolution: its first argument.",
        "`self.conv1 = nn.Conv2d(1, 6, 5)`: 1 channel in, 6 maps out, 5\u00d75 kernels.",
    ),
    "conv_channels": (
        "A convolution receives as many channels as the layer before it produced (its out_channels).",
        "The line in `__init__` that creates the second convolution: its first argument.",
        "`self.conv2 = nn.Conv2d(6, 16, 5)`: the 6 maps of conv1 in, 16 maps out, 5\u00d75 kernels.",
    ),
    "linear_in_features": (
        "A linear layer receives as many features as the layer before it produced (its out_features).",
        "The lines in `__init__` that create the linear layers: each first argument equals the second "
        "argument of the line before.",
        "`self.fc2 = nn.Linear(120, 84)` and `self.fc3 = nn.Linear(84, 10)`.",
    ),
    "flatten_swallowed_batch": (
        "A batch stays a batch: every layer gets one row per image, dimension 0.",
        "The line in `forward` that flattens the maps before the first linear layer.",
        "`x = torch.flatten(x, 1)` (or `x.view(x.size(0), -1)`): dimension 0, the batch, is kept.",
    ),
    "batch_mixed_up": (
        "The output has one row per image and one score per class: shape (N, 10).",
        "The flatten in `forward`, before the first linear layer.",
        "`x = torch.flatten(x, 1)`: it keeps dimension 0 (the batch) and flattens the rest.",
    ),
    "not_ten_classes": (
        "The network gives one score per class, and Fashion-MNIST has 10 classes.",
        "The line in `__init__` that creates the last linear layer: its out_features.",
        "`self.fc3 = nn.Linear(84, 10)`.",
    ),
    "no_activation": (
        "Without a non-linearity between them, stacked linear layers and convolutions are one linear function.",
        "In `forward`: after each convolution, and after each linear layer but the last.",
        "`x = F.relu(self.conv1(x))` (before the pooling), and `x = F.relu(self.fc1(x))`; the last layer's "
        "output is returned as it is.",
    ),
    "activation_count": (
        "LeNet applies one ReLU after every layer but the last, four in all.",
        "In `forward`: after conv1 and conv2 (before each pooling), and after fc1 and fc2; none after fc3.",
        "`F.relu(self.conv1(x))`, `F.relu(self.conv2(x))`, `F.relu(self.fc1(x))`, `F.relu(self.fc2(x))`, "
        "then `return self.fc3(x)`.",
    ),
    "squashed_output": (
        "The network returns raw logits, any real number per class: nn.CrossEntropyLoss applies softmax "
        "itself, and a ReLU would cut every negative score to 0.",
        "The last line of `forward`: what it returns.",
        "`return self.fc3(x)`: the last layer's output, with nothing around it.",
    ),
    "log_softmax_output": (
        "The network returns raw logits: nn.CrossEntropyLoss applies log-softmax itself.",
        "The last line of `forward`: what it returns.",
        "`return self.fc3(x)`: the last layer's output, with nothing around it.",
    ),
    "layers_differ": (
        "LeNet has five layers with weights: two convolutions (5\u00d75 kernels) and three linear layers, "
        "used in that order.",
        "The lines in `__init__` that create the layers. Only fc1's in_features follows from the image "
        f"({_SIZES}, times the maps of conv2); the maps of each convolution and the widths of fc1 and fc2 "
        "are LeNet's choices, to remember.",
        "`nn.Conv2d(1, 6, 5)`, `nn.Conv2d(6, 16, 5)`, `nn.Linear(16 * 5 * 5, 120)`, `nn.Linear(120, 84)`, "
        "`nn.Linear(84, 10)`.",
    ),
    "computes_something_else": (
        "LeNet's forward has nothing but its layers, four ReLUs, two 2\u00d72 max poolings and one flatten.",
        "In `forward`, between the layer calls: the activation, the pooling, anything extra.",
        "relu(conv1) \u2192 max_pool2d 2 \u2192 relu(conv2) \u2192 max_pool2d 2 \u2192 flatten(x, 1) \u2192 relu(fc1) "
        "\u2192 relu(fc2) \u2192 fc3: `x = F.max_pool2d(F.relu(self.conv1(x)), 2)` and so on.",
    ),
    "unregistered_layers": (
        "PyTorch finds a network's weights (for the optimizer) only in layers assigned as attributes of "
        "`self`, or kept in `nn.ModuleList` / `nn.Sequential`.",
        "`__init__`: every layer is created there, once, after `super().__init__()`; `forward` only calls them.",
        "`self.conv1 = nn.Conv2d(1, 6, 5)` in `__init__`, and `self.conv1(x)` in `forward`.",
    ),
    "no_super_init": (
        "A network is an `nn.Module`: the Module sets itself up (the places where it keeps layers and "
        "weights) before any layer can be assigned to it.",
        "The first line of `__init__`, before any `self.<name> = ...`.",
        "`super().__init__()`.",
    ),
    "not_in_training_mode": (
        "A model can arrive in evaluation mode (a test loop leaves it there), and dropout and batch "
        "normalisation behave differently while training: `train` switches the mode itself.",
        "Once, before the loop over the batches: the first line of `train`.",
        "`model.train()`.",
    ),
    "softmax_before_loss": (
        "`nn.CrossEntropyLoss` applies log-softmax itself: it wants the model's raw scores (logits), and a "
        "softmax before it squashes them twice.",
        "The line that computes the loss: what it receives as its first argument.",
        "`loss = loss_fn(pred, y)` with `pred = model(X)` as it is; softmax only to show probabilities.",
    ),
    "loss_arguments_swapped": (
        "A loss function compares the prediction with the truth, in that order: the logits first, the labels "
        "second.",
        "The line that calls `loss_fn`: the order of its two arguments.",
        "`loss = loss_fn(pred, y)`.",
    ),
    "new_optimizer": (
        "The optimizer belongs to whoever calls `train`: it is created once, outside, and keeps its state "
        "(momentum, its learning rate) across epochs. `train` uses the one it is given.",
        "Inside `train`: remove the line that creates an optimizer; the steps use the `optimizer` argument.",
        "`optimizer.zero_grad()` and `optimizer.step()`, with `optimizer` the fourth argument of `train`.",
    ),
    "loss_tensors_added_up": (
        "A loss tensor carries its whole computation graph; adding tensors up keeps every batch's graph "
        "alive, and memory grows with every batch. A running total needs only the number.",
        "The line that adds the loss to a total (or keeps it in a list).",
        "`total_loss += loss.item()` (or `losses.append(loss.item())`).",
    ),
    "calls_outside_loop": (
        "Every batch gets its own backward pass and its own update: the five steps all run once per batch.",
        "The lines after `for X, y in dataloader:`: the backward pass and the step must be indented under "
        "the loop, as far as the forward pass.",
        "Inside the loop, at the same indentation: `loss.backward()` then `optimizer.step()`.",
    ),
    "zero_grad_between": (
        "Zeroing the gradients erases them: between the backward pass and the step, it leaves the step "
        "nothing to use.",
        "Move the zeroing to the start of each batch (or right after the step), never between "
        "`loss.backward()` and `optimizer.step()`.",
        "`optimizer.zero_grad()`, `pred = model(X)`, `loss = loss_fn(pred, y)`, `loss.backward()`, "
        "`optimizer.step()`.",
    ),
    "gpu_by_name": (
        "Code that names the GPU runs only where there is one; the course's code runs on the CPU, a GPU or a "
        "Mac alike, because it asks where the model's weights are.",
        "Each `.cuda()` or `.to(\"cuda\")`: the model is already on its device; the batches go where its "
        "weights are.",
        "`device = next(model.parameters()).device` once, then `X, y = X.to(device), y.to(device)` per batch.",
    ),
    "devices_differ": (
        "A layer can only compute with tensors on its own device: the batch must be where the weights are.",
        "The start of the loop body, before `model(X)`: move the batch there.",
        "`device = next(model.parameters()).device` once, then `X, y = X.to(device), y.to(device)` per batch.",
    ),
    "gradients_never_reset": (
        "Gradients add up at every `backward()` until something zeroes them: each batch must start from zero.",
        "Inside the loop, once per batch, before `loss.backward()` (or right after `optimizer.step()`).",
        "`optimizer.zero_grad()`.",
    ),
    "not_in_eval_mode": (
        "Layers such as dropout and batch normalisation behave differently while training; a test "
        "measures the network as it will predict.",
        "The first line of `test`, before the loop.",
        "`model.eval()`.",
    ),
    "gradients_tracked": (
        "A test loop never calls `backward()`, so recording the computation for gradients costs memory, often time.",
        "Around the loop over the batches.",
        "`with torch.no_grad():` with the whole loop indented under it.",
    ),
    "accuracy_per_batch": (
        "Accuracy is the fraction of images predicted right: right answers over images, not over batches.",
        "After the loop, where the count of right predictions is divided.",
        "`correct /= len(dataloader.dataset)`.",
    ),
}


def ladder(exercise: str, keys: Sequence[str]) -> Ladder | None:
    """The hints for a result: the first of ``keys`` with a ladder of its own, else the piece's; None if neither."""
    found = next((DIAGNOSES[k] for k in keys if k in DIAGNOSES), None)
    return found or PIECES.get(exercise)

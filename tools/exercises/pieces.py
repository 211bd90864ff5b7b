"""What the learner rebuilds: the three pieces (``Net``, ``train``, ``test``) and the three levels.

The words of each exercise live here; its code lives in ``tools/exercise_templates/`` (the check and
"try it" cells) and in the teaching notebooks' cells tagged ``exercise:<piece>`` (03, 05, 06).
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.exercises.templates import section

__all__ = ["ALL_NAME", "LEVELS", "PIECE", "PIECES", "Piece"]


@dataclass(frozen=True)
class Piece:
    """One thing to rebuild: its tag name, the Python name it defines, and the words of its exercises.

    ``{nb}`` in ``requires``, ``behaviours`` and ``level_2_doc`` stands for the number of the notebook
    that teaches the piece (03, 05, 06), read from the tagged cell (:meth:`tools.exercises.sources.Source.fill`).
    Every item of ``requires`` and ``behaviours`` is enforced by the piece's check (``tests/test_exercises.py``
    takes each behaviour out of the course's code and sees the check fail); what the course's code does
    beyond that is ``contract``, a note, not a requirement.
    """

    name: str  # net, train, test: the tag is exercise:<name>
    symbol: str  # Net, train, test
    kind: str  # class or function
    label: str  # words for titles
    goal: str  # what the learner will be able to do
    expects: str  # what the check feeds the code and how it judges it ("The check" + this); no answer in it
    requires: tuple[str, ...] = ()  # levels 1 and 2: every behaviour the check enforces, with the calls named
    behaviours: tuple[str, ...] = ()  # level 3 and all three from blank: the same behaviours, no call named
    contract: str = ""  # what the course's code does that the check does not demand (every level)
    shapes: str = ""  # level 3: what goes in and what comes out, with shapes
    level_2_doc: str = ""  # level 2: the docstring's body after its first line (default: the lesson's docstring)
    outline: tuple[str, ...] = ()  # level 2, a function: the comment lines above its blank body (its structure)
    result: str = "the result"  # level 1: what the blank must leave in the variable returned after it
    level_1_note: str = ""  # level 1: what else the lines kept after the blank expect

    @property
    def try_it(self) -> str:
        """The cell that uses the learner's code on the real data (``piece.py``, section ``try-it:<name>``)."""
        return section("piece", f"try-it:{self.name}")


#: The course's LeNet in words: what the network check enforces beyond the shapes in and out.
_LENET = (
    "two stages of a 5×5 convolution (1 → 6 maps, then 6 → 16 maps), each followed by a ReLU and 2×2 max "
    "pooling; then the maps flattened, one row per image; then three fully connected layers with 120, 84 and "
    "10 outputs, a ReLU after the first two"
)
_VARIANT = "the modern LeNet taught in {nb}, not the 1998 LeNet-5: ReLU, not tanh; max pooling, not average; no dropout"
#: The device, in every level of train and test: the check's model is on the CPU, so a named GPU fails.
_DEVICE = ("It runs wherever the model is: the check's model is on the CPU, so a `.cuda()` or `.to(\"cuda\")` "
           "fails there; move each batch with `.to(device)` (`device` from the set-up, or "
           "`next(model.parameters()).device`).")
_DEVICE_3 = "It runs on whatever device the model is on (the check's is on the CPU): the code names no GPU."

PIECES: tuple[Piece, ...] = (
    Piece(
        "net", "Net", "class", "The network",
        "Rebuild LeNet as an `nn.Module`, `Net`, until the check says **correct**.",
        "builds `Net()` (no arguments), feeds it a batch of 3 random images shaped (3, 1, 32, 32) and "
        "expects LeNet's logits shaped (3, 10); if your layers or your forward differ from LeNet's, it says "
        "where.",
        requires=(
            "`Net()` takes no arguments; `__init__` calls `super().__init__()` before it creates the layers, "
            "and keeps each one where PyTorch finds its weights for the optimizer: as an attribute "
            "(`self.<name> = ...`) or in an `nn.Sequential` / `nn.ModuleList`, not in a plain Python list.",
            "`forward(input)` takes a batch shaped (N, 1, 32, 32), already padded to 32×32 by the data's "
            "transform (so no padding in the first convolution), and returns a tensor shaped (N, 10), one row "
            "of scores per image, that still carries gradients (no `torch.no_grad()`, `.detach()` or "
            "`.item()` in forward).",
            "It computes " + _VARIANT + ". That is " + _LENET + ". Every layer it "
            "creates is used in forward (biases are optional). The check runs LeNet's forward with your "
            "weights and compares the results.",
            "The scores are raw logits: no ReLU, softmax or log-softmax after the last layer "
            "(`nn.CrossEntropyLoss` applies log-softmax itself).",
        ),
        behaviours=(
            "`Net()` takes no arguments, and the optimizer finds every weight: nn.Module sets itself up "
            "before any layer is assigned, and each layer is registered with the module (not kept in a "
            "plain Python list).",
            "forward takes a batch shaped (N, 1, 32, 32), already padded to 32×32 by the data's transform "
            "(so the first convolution pads nothing), and returns (N, 10), one row of scores per image, that "
            "still carries gradients.",
            "It is " + _VARIANT + ". From memory: " + _LENET + ". The input size of the first fully "
            "connected layer is yours to work out. Every layer it creates is used (biases are optional). "
            "The check runs LeNet's forward with your weights and compares the results.",
            "The scores are raw logits: nothing after the last layer (the loss applies log-softmax itself).",
        ),
        shapes="**In:** `input`, a batch of images shaped (N, 1, 32, 32). **Out:** the logits, shaped "
        "(N, 10): one raw score per class, no activation after the last layer.",
        level_2_doc="As taught in {nb}, the modern LeNet (ReLU and max pooling, not the 1998 tanh and "
        "average pooling): __init__ creates the layers, two convolutions with 5x5 kernels (1 -> 6 maps, "
        "then 6 -> 16 maps), then three linear layers with 120, 84 and 10 output features (the first one's "
        "input size is yours to work out); forward(input) runs them in that order, with a ReLU after each "
        "layer but the last, 2x2 max pooling after each convolution's ReLU, and a flatten that keeps the "
        "batch dimension before the first linear layer. It returns the logits, with no activation after "
        "the last layer.",
        result="the logits",
    ),
    Piece(
        "train", "train", "function", "The training loop",
        "Rebuild the five-step training loop, `train(dataloader, model, loss_fn, optimizer)`, "
        "until the check says **correct**.",
        "calls `train(dataloader, model, loss_fn, optimizer)` on 3 tiny batches of "
        "made-up images, with a model, a loss function and an optimizer that record what your "
        "code does and in which order.",
        requires=(
            "It starts with `model.train()`: a model can arrive in evaluation mode (06's `test` leaves it "
            "there, and 07 calls `test` between epochs), so `train` switches it back itself. The check hands "
            "`train` a model in evaluation mode.",
            "It uses every batch of `dataloader`, and for each one: `optimizer.zero_grad()` (fresh gradients, "
            "so that a step uses this batch's gradients only), the loss `loss_fn(pred, y)` of the raw logits "
            "(logits first, no softmax before it), one `loss.backward()`, and one `optimizer.step()` of the "
            "`optimizer` it is given (not one of its own), so that the weights change at every batch.",
            _DEVICE,
            "If it keeps the losses, it keeps Python numbers (`loss.item()`): it never adds up or returns "
            "loss tensors, each of which keeps its computation graph alive.",
        ),
        behaviours=(
            "Every forward pass runs in training mode: a model can arrive in evaluation mode (a test loop "
            "leaves it there), so `train` switches the mode itself. The check hands `train` a model in "
            "evaluation mode.",
            "Every batch of `dataloader` gives one update: gradients from this batch only (none left over "
            "from the batch before), the loss of the model's raw scores against the labels, one backward "
            "pass, and one update by the `optimizer` it is given (not one of its own).",
            _DEVICE_3,
            "If it keeps the losses, it keeps plain numbers, not tensors (a tensor keeps its computation "
            "graph alive).",
        ),
        contract="**Not required.** `train` may return the per-batch losses, as the course's does (a list of "
        "Python floats); that is optional: the check does not need them.",
        shapes="**In:** `dataloader` gives batches `(X, y)`: images `X` shaped (N, 1, 32, 32) and labels "
        "`y` shaped (N,); `model(X)` gives logits shaped (N, 10). **Out:** the per-batch losses as "
        "Python floats (optional).",
        outline=(
            "# training mode, once, before the loop",
            "# for every batch, on the model's device: the five steps, then keep the loss as a number",
            "# return the losses",
        ),
        level_1_note="Call the loss `loss`: the cell keeps `losses.append(loss.item())` after the blank.",
    ),
    Piece(
        "test", "test", "function", "The test loop",
        "Rebuild the test loop, `test(dataloader, model, loss_fn)`, until the check says **correct**.",
        "calls `test(dataloader, model, loss_fn)` on 9 made-up images in batches of 4, 4 "
        "and 1, with a model whose predictions are known, and compares the numbers `test` reports with the "
        "right ones.",
        requires=(
            "It starts with `model.eval()`: evaluation mode, where dropout and batch normalisation (if any) "
            "behave as for measuring. The check hands `test` a model in training mode, as `train` leaves it.",
            "It runs the forward passes under `torch.no_grad()` (or `torch.inference_mode()`): a test loop "
            "only measures, so it records no computation graph.",
            "It uses every batch. An image's predicted class is its largest logit over the 10 classes "
            "(dimension 1); the accuracy is the number of images predicted right divided by the number of "
            "images (not the mean of the batches' accuracies).",
            "If it computes the loss: `loss_fn(pred, y)` of the raw logits (logits first, no softmax before "
            "it), and the average loss is the mean of the per-batch losses (the mean over images is right too).",
            "It reports Python numbers (`.item()`), not tensors; if it returns both numbers, the loss comes first.",
            _DEVICE,
        ),
        behaviours=(
            "Every forward pass runs in evaluation mode: a model can arrive in training mode (as a training "
            "loop leaves it), so `test` switches the mode itself. The check hands `test` a model in training "
            "mode.",
            "It only measures: no computation graph is recorded.",
            "It measures every batch. An image's predicted class is the largest of its 10 scores; the "
            "accuracy is the images predicted right over all the images, not a mean of the batches' accuracies.",
            "If it computes the loss, it is the loss of the raw scores against the labels, averaged over the "
            "batches (or over the images).",
            "It reports plain numbers, not tensors; if it returns both, the loss comes first.",
            _DEVICE_3,
        ),
        contract="**The course's `test`** returns `(avg_loss, accuracy)`, loss first, the accuracy a fraction "
        "between 0 and 1: notebook 07 unpacks them after every epoch (`val_loss, val_accuracy = test(...)`) "
        "and plots both. That is the contract to aim for, not a requirement: the check also marks correct a "
        "loop that prints its numbers and returns nothing (as the PyTorch Quickstart's does), returns the "
        "accuracy alone, or gives it in percent, with a note on what the course's returns. A loop that reports "
        "no accuracy is incorrect.",
        shapes="**In:** `dataloader` gives batches `(X, y)`: images `X` shaped (N, 1, 32, 32) and labels "
        "`y` shaped (N,); `model(X)` gives logits shaped (N, 10). **Out:** what it measured: the course's "
        "returns `(avg_loss, accuracy)`, two Python floats, the accuracy a fraction between 0 and 1.",
        outline=(
            "# evaluation mode, and no gradient tracking around the loop",
            "# for every batch, on the model's device: add up the loss and the number of right predictions",
            "# after the loop: the average loss and the accuracy; return both",
        ),
    ),
)
PIECE = {p.name: p for p in PIECES}

#: (number, file-name part, words)
LEVELS: tuple[tuple[int, str, str], ...] = ((1, "fill_in", "fill in"), (2, "rebuild", "rebuild"),
                                            (3, "from_blank", "from blank"))
ALL_NAME = "all_from_blank.ipynb"

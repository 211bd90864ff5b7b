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
    """One thing to rebuild: its tag name, the Python name it defines, and the words of its exercises."""

    name: str  # net, train, test: the tag is exercise:<name>
    symbol: str  # Net, train, test
    kind: str  # class or function
    label: str  # words for titles
    goal: str  # what the learner will be able to do
    expects: str  # what the check feeds the code and expects back ("The check" + this)
    shapes: str = ""  # level 3: what goes in and what comes out, with shapes
    expects_blank: str = ""  # level 3: the check's text, naming less of the answer (default: expects)
    result: str = "the result"  # level 1: what the blank must leave in the variable returned after it

    @property
    def try_it(self) -> str:
        """The cell that uses the learner's code on the real data (``piece.py``, section ``try-it:<name>``)."""
        return section("piece", f"try-it:{self.name}")


PIECES: tuple[Piece, ...] = (
    Piece(
        "net", "Net", "class", "The network",
        "Rebuild LeNet as an `nn.Module`, `Net`, until the check says **correct**.",
        "builds `Net()` (no arguments) and feeds it a batch of 3 random images shaped "
        "(3, 1, 32, 32); it expects logits shaped (3, 10) from LeNet's layers: conv1 1\u21926 "
        "(5\u00d75), conv2 6\u219216 (5\u00d75), fc1 16\u00b75\u00b75 = 400\u2192120, fc2 120\u219284, "
        "fc3 84\u219210, a ReLU after each of the first four, 2\u00d72 max-pooling after each "
        "convolution's ReLU, and raw logits out.",
        shapes="**In:** `input`, a batch of images shaped (N, 1, 32, 32). **Out:** the logits, shaped "
        "(N, 10): one raw score per class, no activation after the last layer.",
        expects_blank="builds `Net()` (no arguments), feeds it a batch of 3 random images shaped "
        "(3, 1, 32, 32) and expects LeNet's logits shaped (3, 10); if your layers or your forward "
        "differ from LeNet's, it says where.",
        result="the logits",
    ),
    Piece(
        "train", "train", "function", "The training loop",
        "Rebuild the five-step training loop, `train(dataloader, model, loss_fn, optimizer)`, "
        "until the check says **correct**.",
        "calls `train(dataloader, model, loss_fn, optimizer)` on 3 tiny batches of "
        "made-up images, with a model, a loss function and an optimizer that record what your "
        "code does and in which order. `train` may return the per-batch losses, as the "
        "specification says; that is optional: the check does not need them.",
        shapes="**In:** `dataloader` gives batches `(X, y)`: images `X` shaped (N, 1, 32, 32) and labels "
        "`y` shaped (N,); `model(X)` gives logits shaped (N, 10). **Out:** the per-batch losses as "
        "Python floats (optional).",
    ),
    Piece(
        "test", "test", "function", "The test loop",
        "Rebuild the test loop, `test(dataloader, model, loss_fn)`, until the check says **correct**.",
        "calls `test(dataloader, model, loss_fn)` on 9 made-up images in batches of 4, 4 "
        "and 1, with a model whose predictions are known, and expects `(average loss, accuracy)`: "
        "two Python numbers, the accuracy a fraction between 0 and 1.",
        shapes="**In:** `dataloader` gives batches `(X, y)`: images `X` shaped (N, 1, 32, 32) and labels "
        "`y` shaped (N,); `model(X)` gives logits shaped (N, 10). **Out:** `(avg_loss, accuracy)`, "
        "two Python floats, the accuracy a fraction between 0 and 1.",
    ),
)
PIECE = {p.name: p for p in PIECES}

#: (number, file-name part, words)
LEVELS: tuple[tuple[int, str, str], ...] = ((1, "fill_in", "fill in"), (2, "rebuild", "rebuild"),
                                            (3, "from_blank", "from blank"))
ALL_NAME = "all_from_blank.ipynb"
